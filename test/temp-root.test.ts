/** The run's temp root (test/support/temp-root.js): what a test, a script it runs, or cdk8s writes to "tmp" stays in it. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';

test('os.tmpdir(), a child\'s mktemp and cdk8s\' Testing.app() all write inside this run\'s own temp root', () => {
  const root = os.tmpdir();
  expect(path.basename(root)).toMatch(/^microflow-jest-[A-Za-z0-9]{6}$/);
  expect((fs.statSync(root).mode & 0o777).toString(8)).toBe('711');
  const made = spawnSync('sh', ['-c', 'mktemp -d'], { encoding: 'utf8' }).stdout.trim();
  expect(path.dirname(made)).toBe(root);
  const app = Testing.app();
  expect(path.dirname(app.outdir)).toBe(root);
  fs.rmSync(made, { recursive: true, force: true });
});
