/**
 * The SeaweedFS init script that writes the S3 identity file, run from the rendered command with a
 * given shell and awk (scripts.test.ts: the system's; scripts.native.test.ts: busybox, the image's).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { resolveConfig } from '../../lib/config';
import { find, podSpecOf, rendered } from '../support/stack';

/** Access key / secret key pairs, hostile ones included. */
export const IDENTITY_CASES: [string, string][] = [
  ['ak', 'sk'],
  ['a"quote', 'back\\slash\\'],
  ['new\nline\ttab\r\u0001', '%s%d %n'],
  ["$(touch pwned)'`touch pwned2`", 'üñí©ødé ✓'],
];

/** Runs the script in `work` with `shell` and `awk` first on the PATH; checks the file it writes. */
export function checkIdentityFile(work: string, shell: string[], awk: string, accessKey: string, secretKey: string): void {
  const bin = path.join(work, 'bin');
  fs.mkdirSync(bin);
  fs.symlinkSync(awk, path.join(bin, 'awk'));
  const dir = path.join(work, 'etc');
  fs.mkdirSync(dir);
  const init = podSpecOf(find(rendered(resolveConfig({ objectStore: 'seaweedfs' })).objects, 'StatefulSet', 'seaweedfs', 'kubeflow')).initContainers[0];
  const script = (init.command[2] as string).replace('/etc/seaweedfs/', `${dir}/`);
  const r = spawnSync(shell[0], [...shell.slice(1), '-c', script], {
    cwd: work, env: { PATH: `${bin}:/usr/bin:/bin`, S3_ACCESS_KEY: accessKey, S3_SECRET_KEY: secretKey }, encoding: 'utf8',
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const file = path.join(dir, 's3.json');
  const identity = JSON.parse(fs.readFileSync(file, 'utf8')).identities[0];
  expect(identity).toEqual({ name: 'microflow', credentials: [{ accessKey, secretKey }], actions: ['Admin', 'Read', 'List', 'Tagging', 'Write'] });
  expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  expect(fs.readdirSync(work).filter((f) => f.startsWith('pwned'))).toEqual([]);
}
