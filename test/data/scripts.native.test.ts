/**
 * The data layer's scripts with the real tools their images ship, where scripts.test.ts uses the
 * system's or a double: the SeaweedFS identity script under busybox sh and awk (the image is Alpine),
 * and the kubectl double's go-template output against the real kubectl's printer (client-side).
 * Native tier: needs busybox and a kubectl binary (test/native/tier.js).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { programPath } from '../support/programs';
import { SECRET_KEYS_TEMPLATE } from '../../lib/data';
import { FAKES, fakeState, writeFakeSecret } from '../support/run-script';
import { checkIdentityFile, IDENTITY_CASES } from './seaweedfs-identity';

let work: string;
beforeEach(() => { work = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-scripts-native-')); });
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

const found = (what: string, candidates: (string | undefined)[]) => {
  const p = candidates.find((c): c is string => !!c && fs.existsSync(c));
  if (!p) throw new Error(`${what} not found in ${candidates.filter(Boolean).join(', ')}`);
  return p;
};

test.each(IDENTITY_CASES)('SeaweedFS identities with busybox sh and awk: valid S3 identity JSON holding exactly %j / %j, readable by its owner only', (accessKey, secretKey) => {
  const busybox = found('busybox', ['/usr/bin/busybox', '/bin/busybox']);
  checkIdentityFile(work, [busybox, 'sh'], busybox, accessKey, secretKey);
});

test('the key listing the kubectl double prints is what the real kubectl prints for the same Secret', () => {
  const k8s = programPath('k8s-v1.28.15');
  const kubectl = found('kubectl', [process.env.MICROFLOW_KUBECTL, k8s && path.join(path.dirname(k8s), 'kubectl')]);
  const real = spawnSync(kubectl, ['create', 'secret', 'generic', 'x', '--from-literal=username=u', '--from-literal=password=', '--from-literal=a=b',
    '--dry-run=client', '-o', `go-template=${SECRET_KEYS_TEMPLATE}`], { encoding: 'utf8' });
  expect(real.stderr).toBe('');
  writeFakeSecret(fakeState(work).k8s, 'kubeflow', 'x', { username: 'u', password: '', a: 'b' });
  const fake = spawnSync(path.join(FAKES, 'kubectl'), ['-n', 'kubeflow', 'get', 'secret', 'x', '--ignore-not-found', '-o', `go-template=${SECRET_KEYS_TEMPLATE}`],
    { encoding: 'utf8', env: { ...process.env, FAKE_K8S: path.join(work, 'k8s') } });
  expect(fake.stdout).toBe(real.stdout);
  expect(real.stdout).toBe('found a username');
});
