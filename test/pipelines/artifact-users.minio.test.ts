/**
 * The MinIO side of `pipelines-artifact-users`: the rendered script run under /bin/sh against the mc
 * double (test/data/fakes/mc), which keeps users and policies and fails as MinIO does. No MinIO server
 * runs here, so this proves the script's logic against mc's documented behaviour and output (users ARE
 * access keys; `user list --json` one indented object per user), not against a real server; the
 * SeaweedFS side runs for real in artifact-users.native.test.ts.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { resolveConfig } from '../../lib/config';
import { NAMESPACES } from '../../lib/platform';
import { artifactUser } from '../../lib/pipelines';
import { fakeState, runScript } from '../support/run-script';
import { find, podSpecOf, rendered } from '../support/stack';

const [A, B] = ['ann-microflow-local', 'ben-microflow-local'];
const job = (users: string[]) => podSpecOf(find(rendered(resolveConfig({ objectStore: 'minio', users })).objects, 'Job', 'pipelines-artifact-users', NAMESPACES.kubeflow)).containers[0];
const BOTH = ['ann@microflow.local', 'ben@microflow.local'];

let work: string;
let iam: string;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-minio-users-'));
  iam = `${fakeState(work).s3}.iam`;
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

/** Users (access key -> attached policies) and policy names (built-in ones left out), as the double keeps them. */
function state() {
  const dir = path.join(iam, 'users');
  const users = Object.fromEntries(fs.readdirSync(dir).filter((f) => f.endsWith('.policies')).sort()
    .map((f) => [f.slice(0, -'.policies'.length), fs.readFileSync(path.join(dir, f), 'utf8')]));
  return { users, policies: fs.readdirSync(path.join(iam, 'policies')).sort() };
}
const policyDoc = (name: string) => JSON.parse(fs.readFileSync(path.join(iam, 'policies', name), 'utf8'));
const keys = (k: Record<string, { ak: string; sk: string }>) =>
  Object.fromEntries(Object.values(k).flatMap((v, i) => [[`USER_${i}_AK`, v.ak], [`USER_${i}_SK`, v.sk]]));
/** Users and policies an admin made by hand (the double's files, as `mc admin` would leave them). */
function handMade() {
  fs.writeFileSync(path.join(iam, 'users', 'backup-reader'), 'hand-secret');
  fs.writeFileSync(path.join(iam, 'users', 'backup-reader.policies'), 'readonly');
  fs.writeFileSync(path.join(iam, 'users', 'shared-reader'), 'hand-secret-2');
  fs.writeFileSync(path.join(iam, 'users', 'shared-reader.policies'), `readonly,${artifactUser(A)}`);
  fs.writeFileSync(path.join(iam, 'policies', 'my-policy'), '{}');
}

test('stale keys are revoked on the next run; hand-made users and policies stay; a second run is a no-op', () => {
  const first = { [A]: { ak: 'a1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', sk: 'sa1' }, [B]: { ak: 'b1bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', sk: 'sb1' } };
  let r = runScript(job(BOTH), work, keys(first));
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  handMade();
  expect(state()).toEqual({
    users: { 'a1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa': artifactUser(A), 'b1bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb': artifactUser(B), 'backup-reader': 'readonly', 'shared-reader': `readonly,${artifactUser(A)}` },
    policies: [artifactUser(A), artifactUser(B), 'my-policy'].sort(),
  });

  // Ben is removed (ann alone), ann's Secret re-made with a new key.
  const next = { [A]: { ak: 'a2aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', sk: 'sa2' } };
  r = runScript(job(['ann@microflow.local']), work, keys(next));
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  const after = {
    users: { 'a2aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa': artifactUser(A), 'backup-reader': 'readonly', 'shared-reader': 'readonly' },
    policies: [artifactUser(A), 'my-policy'],
  };
  expect(state()).toEqual(after);
  expect(r.stdout.split('\n').filter((l) => /revoked|detached|removed/.test(l)).sort()).toEqual([
    `MinIO policy ${artifactUser(B)} removed: its namespace is no longer in users`,
    `MinIO user a1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa (${artifactUser(A)}) revoked`,
    `MinIO user b1bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb (${artifactUser(B)}) revoked`,
    `MinIO user shared-reader: ${artifactUser(A)} detached`,
  ]);
  for (const secret of ['sa1', 'sa2', 'sb1']) expect(r.stdout).not.toContain(secret);
  // Ann's grant is unchanged: her own prefix, read-write, nothing of ben's.
  expect(JSON.stringify(policyDoc(artifactUser(A)))).not.toContain(`private-artifacts/${B}/`);
  expect(policyDoc(artifactUser(A)).Statement[0]).toMatchObject({ Action: expect.arrayContaining(['s3:GetObject', 's3:PutObject']), Resource: [`arn:aws:s3:::mlpipeline/private-artifacts/${A}/*`] });

  fs.rmSync(`${fakeState(work).s3}.calls`);
  r = runScript(job(['ann@microflow.local']), work, keys(next));
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  expect(r.stdout).not.toMatch(/revoked|detached|removed/);
  expect(state()).toEqual(after);
  expect(fs.readFileSync(`${fakeState(work).s3}.calls`, 'utf8')).not.toMatch(/user remove|policy detach|policy remove/);
});

test('a key moved to another namespace keeps only its new policy', () => {
  const k = { ak: 'c1cccccccccccccccccccccccccccccc', sk: 's' };
  runScript(job(BOTH), work, keys({ [A]: k, [B]: { ak: 'b1bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', sk: 's' } }));
  const r = runScript(job(BOTH), work, keys({ [A]: { ak: 'a3aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', sk: 's' }, [B]: k }));
  expect(r.status).toBe(0);
  expect(state().users).toEqual({ 'a3aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa': artifactUser(A), [k.ak]: artifactUser(B) });
});

test.each([
  ['a user', 'b1bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 'revoking user b1bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb: mc admin user remove failed'],
  ['a policy', `policy remove store ${artifactUser(B)}`, `revoking policy ${artifactUser(B)}: mc admin policy remove failed`],
])('a store error revoking %s fails the Job naming it', (_what, fail, message) => {
  runScript(job(BOTH), work, keys({ [A]: { ak: 'a1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', sk: 's' }, [B]: { ak: 'b1bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', sk: 's' } }));
  const word = fail.startsWith('policy') ? artifactUser(B) : fail;
  const env = { ...keys({ [A]: { ak: 'a1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', sk: 's' } }), FAKE_MC_FAIL_ADMIN: word };
  const r = runScript(job(['ann@microflow.local']), work, env);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(message);
  expect(r.stderr).toContain('Access Denied');
});

test('a MinIO user holding a kfp- policy that the shell cannot read back fails the Job, saying to remove it by hand', () => {
  runScript(job(BOTH), work, keys({ [A]: { ak: 'a1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', sk: 's' }, [B]: { ak: 'b1bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', sk: 's' } }));
  fs.writeFileSync(path.join(iam, 'users', 'od\\"d'), 'x');
  fs.writeFileSync(path.join(iam, 'users', 'od\\"d.policies'), artifactUser(B));
  const r = runScript(job(BOTH), work, keys({ [A]: { ak: 'a1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', sk: 's' }, [B]: { ak: 'b1bbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', sk: 's' } }));
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(`a MinIO user holding ${artifactUser(B)} cannot be read from mc's list: remove it by hand`);
});
