import { spawnSync } from 'child_process';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { validateAgainstSchema } from '../support/schema';
import { ROOT, type K8sObject } from '../support/stack';

const SCRIPT = path.join(ROOT, 'build', 'scripts', 'restore.js');

test('`npm run restore -- <dump>` prints a valid restore Job and its ServiceAccount, nothing else', () => {
  const r = spawnSync(process.execPath, [SCRIPT, 'mysql-20261126T030000Z.sql.gz'], { encoding: 'utf8', cwd: ROOT, env: { ...process.env, MICROFLOW_CONFIG: '' } });
  expect(r.status).toBe(0);
  const docs = yaml.loadAll(r.stdout) as K8sObject[];
  expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual(['ServiceAccount/mysql-restore', 'Job/mysql-restore']);
  for (const d of docs) expect(() => validateAgainstSchema(d)).not.toThrow();
});

test('a missing or malformed backup name exits 1 with a message', () => {
  const none = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8', cwd: ROOT });
  expect(none.status).toBe(1);
  expect(none.stderr).toContain('usage:');
  const bad = spawnSync(process.execPath, [SCRIPT, 'latest'], { encoding: 'utf8', cwd: ROOT });
  expect(bad.status).toBe(1);
  expect(bad.stderr).toMatch(/backup must be a dump name/);
  expect(bad.stdout).toBe('');
});
