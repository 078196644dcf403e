/**
 * scripts/ensure-built.js compiles only when a source changed. When no source was touched (the same
 * paths, sizes, modification times) it reads none of them; a touched source is compared by content,
 * so a checkout or `touch` does not recompile; an edited one does. Runs on a small project in a
 * temp folder, with the checkout's TypeScript.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-ensure-built-'));
  fs.mkdirSync(path.join(dir, 'scripts'));
  fs.mkdirSync(path.join(dir, 'lib'));
  fs.copyFileSync(path.join(ROOT, 'scripts', 'ensure-built.js'), path.join(dir, 'scripts', 'ensure-built.js'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { outDir: 'build', module: 'commonjs', strict: true, types: [] }, include: ['main.ts', 'lib'] }));
  fs.writeFileSync(path.join(dir, 'package-lock.json'), '{}\n');
  fs.writeFileSync(path.join(dir, 'main.ts'), "import { value } from './lib/value';\nconsole.log(value);\n");
  fs.writeFileSync(path.join(dir, 'lib', 'value.ts'), "export const value = 'one';\n");
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Whether ensureBuilt compiled. */
const ensure = (): boolean => {
  const r = spawnSync(process.execPath, ['-e', "console.log(require('./scripts/ensure-built').ensureBuilt({ quiet: true }))"], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
};
const stamp = () => fs.readFileSync(path.join(dir, 'build', '.sources.sha256'), 'utf8').split('\n');
const output = () => spawnSync(process.execPath, [path.join(dir, 'build', 'main.js')], { encoding: 'utf8' }).stdout.trim();

test('compiles once; then not while nothing was touched; a touched but unchanged source does not recompile either', () => {
  expect(ensure()).toBe(true);
  expect(output()).toBe('one');
  const [hash, stats] = stamp();
  expect(ensure()).toBe(false);
  const later = new Date(Date.now() + 10_000);
  fs.utimesSync(path.join(dir, 'lib', 'value.ts'), later, later);
  expect(ensure()).toBe(false);
  // The stamp keeps the content hash and records the new modification times, so the next run reads no source.
  expect(stamp()[0]).toBe(hash);
  expect(stamp()[1]).not.toBe(stats);
  expect(ensure()).toBe(false);
});

test('an edited or added source recompiles', () => {
  expect(ensure()).toBe(true);
  fs.writeFileSync(path.join(dir, 'lib', 'value.ts'), "export const value = 'two';\n");
  expect(ensure()).toBe(true);
  expect(output()).toBe('two');
  fs.writeFileSync(path.join(dir, 'lib', 'extra.ts'), 'export const extra = 1;\n');
  expect(ensure()).toBe(true);
  expect(ensure()).toBe(false);
});

test("a stamp written before modification times were recorded (the content hash alone) is taken at its content's word", () => {
  expect(ensure()).toBe(true);
  const [hash] = stamp();
  fs.writeFileSync(path.join(dir, 'build', '.sources.sha256'), `${hash}\n`);
  expect(ensure()).toBe(false);
  expect(stamp()[1]).toMatch(/^[0-9a-f]{64}$/);
});
