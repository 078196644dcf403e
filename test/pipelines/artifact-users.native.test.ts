/**
 * Per-user artifact keys on SeaweedFS, for real: the rendered SeaweedFS pod (weed 4.53, built by
 * scripts/programs/build.sh) with a root key full of characters that need quoting, the rendered bucket
 * Job, then the rendered `pipelines-artifact-users` Job (its curl calls to SeaweedFS' IAM API run
 * with this machine's curl) registers two user namespaces. A real S3 client (boto3) then checks what
 * each key may do: its own prefix only, nothing of the other user's, no other bucket, no IAM writes.
 * Then the one-user render's Job registers, on the same server, the key of its user namespace: it
 * reads and writes its runs' artifacts and nothing else; docs/pipelines.md's notebook example
 * (examples/notebooks/read_artifacts.py) reads them with it.
 *
 * Native tier: needs `scripts/programs/build.sh seaweedfs s3-client` (test/native/tier.js).
 */
import { spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { namespacePrefix, resolveConfig } from '../../lib/config';
import { OBJECT_STORE, type ObjectStore } from '../../lib/data';
import { objectStoreEnv } from '../../lib/notebooks/notebook-pod';
import { NAMESPACES } from '../../lib/platform';
import { artifactUser, storeSideSecret } from '../../lib/pipelines';
import { NativePod, renderedPod, requireNative } from '../native';
import { iamAs as iamAsAt, iamCall as iamCallAt, identities, type Keys } from '../native/iam';
import { mcStandIn, s3, type S3Auth, type S3Op } from '../native/s3';
import { runScript } from '../support/run-script';
import { find, podSpecOf, rendered } from '../support/stack';

jest.setTimeout(240_000);
const programs = requireNative('seaweedfs', 's3-client');

// As in test/data/seaweedfs.native.test.ts: weed's internal listeners moved off their defaults.
const INTERNAL_PORTS: Record<string, number> = {
  'master.port': 9333, 'master.port.grpc': 19333, 'volume.port': 8080, 'volume.port.grpc': 18080,
  'filer.port': 8888, 'filer.port.grpc': 18888, 's3.port.grpc': 18333, 's3.port.iceberg': 8181, 's3.port.lance': 9101,
};

const hex = (n: number) => randomBytes(n).toString('hex');
const NOTEBOOK_EXAMPLE = path.join(__dirname, '..', '..', 'examples', 'notebooks', 'read_artifacts.py');
const K = OBJECT_STORE.secret.keys;
const BUCKET = OBJECT_STORE.buckets.artifacts;

test('an access key with ":" (which SigV4 clients cannot send) fails the Job before any call, saying so', () => {
  const { objects } = rendered(resolveConfig({ objectStore: 'seaweedfs', users: ['ann@microflow.local', 'ben@microflow.local'] }));
  const container = podSpecOf(find(objects, 'Job', 'pipelines-artifact-users', NAMESPACES.kubeflow)).containers[0];
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-artifact-users-'));
  try {
    const r = runScript(container, work, { S3_ACCESS_KEY: 'root:key', S3_ENDPOINT: 'http://127.0.0.1:9' });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 1, stderr: expect.stringContaining('access key contains ":"') });
    expect(r.stdout).toBe('');
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});

test('docs/pipelines.md shows exactly the tested notebook example', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'docs', 'pipelines.md'), 'utf8');
  const block = /<!-- tested: examples\/notebooks\/read_artifacts.py -->\n```python\n([\s\S]*?)```/.exec(readme);
  expect(block?.[1]).toBe(fs.readFileSync(NOTEBOOK_EXAMPLE, 'utf8'));
});

describe('per-user artifact keys on SeaweedFS, natively', () => {
  const { objects } = rendered(resolveConfig({ objectStore: 'seaweedfs', users: ['ann@microflow.local', 'ben@microflow.local'] }));
  const [A, B] = ['ann-microflow-local', 'ben-microflow-local'];
  // The root secret carries what curl's config syntax and JSON must quote, and what a shell would run.
  const root = { accessKey: hex(16), secretKey: `${hex(8)}"\\ $(touch pwned)'\`x\` %s:\n\tü✓` };
  const users: Record<string, { accessKey: string; secretKey: string }> = { [A]: { accessKey: hex(16), secretKey: hex(24) }, [B]: { accessKey: hex(16), secretKey: hex(24) } };
  const python = programs['s3-client'].path;
  let weed: NativePod;
  let endpoint: string;
  let work: string;
  const secrets = () => ({
    [OBJECT_STORE.secret.name]: { [K.accesskey]: root.accessKey, [K.secretkey]: root.secretKey },
    ...Object.fromEntries(Object.entries(users).map(([ns, k]) => [storeSideSecret(ns), { [K.accesskey]: k.accessKey, [K.secretkey]: k.secretKey }])),
  });
  const as = (who: { accessKey: string; secretKey: string }): S3Auth => ({ access_key: who.accessKey, secret_key: who.secretKey });
  const run = (ops: S3Op[]) => s3(python, endpoint, root, ops);
  /** Runs the registration Job of a render, the store-side Secrets as `users` and `extra` hold them. */
  const runJob = (render: typeof objects, extra: Record<string, Record<string, string>> = {}) => NativePod.runToCompletion(
    renderedPod(render, 'Job', 'pipelines-artifact-users', NAMESPACES.kubeflow), { secrets: { ...secrets(), ...extra }, addresses: weed.serviceAddresses(), env: { TMPDIR: work } });
  const registerUsers = () => runJob(objects);
  const iamCall = (who: Keys, form: Record<string, string>) => iamCallAt(endpoint, who, form);
  const iamAs = (who: Keys, form: Record<string, string>) => iamAsAt(endpoint, who, form);

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-artifact-users-'));
    weed = await NativePod.start(renderedPod(objects, 'StatefulSet', 'seaweedfs', NAMESPACES.kubeflow), {
      container: 'seaweedfs',
      binaries: { weed: programs.seaweedfs.path },
      secrets: secrets(),
      extraPorts: Object.values(INTERNAL_PORTS),
      extraArgs: (ports) => Object.entries(INTERNAL_PORTS).map(([flag, p]) => `-${flag}=${ports.get(p)}`),
    });
    await weed.probes();
    endpoint = `http://127.0.0.1:${weed.port('s3')}`;
    await NativePod.runToCompletion(renderedPod(objects, 'Job', 'object-store-buckets', NAMESPACES.kubeflow), {
      binaries: { mc: mcStandIn(python, work) }, secrets: secrets(), addresses: weed.serviceAddresses(),
    });
  });

  afterAll(async () => {
    await weed?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test('the rendered Job registers both namespaces, and again (idempotent)', async () => {
    for (const round of [1, 2]) {
      const { output } = await registerUsers();
      for (const ns of [A, B]) expect({ round, output }).toEqual({ round, output: expect.stringContaining(`namespace ${ns}: key limited to ${BUCKET}/${namespacePrefix(ns)}`) });
      // The store's answers repeat the secrets; the log must not.
      for (const secret of [root.secretKey, users[A].secretKey, users[B].secretKey]) expect(output).not.toContain(secret);
    }
  });

  test('each key reads, writes and lists its own prefix only; the root key still does everything', () => {
    const own = (ns: string, name: string) => `${namespacePrefix(ns)}run-1/${name}`;
    const [rootPut, rootOther] = run([
      { op: 'put', bucket: BUCKET, key: own(B, 'secret.bin'), body_hex: 'bb' },
      { op: 'put', bucket: OBJECT_STORE.buckets.backups, key: 'mysql/dump.sql.gz', body_hex: 'cc' },
    ]);
    expect([rootPut, rootOther]).toEqual([{ ok: true, value: null }, { ok: true, value: null }]);
    const a = as(users[A]);
    const results = run([
      { op: 'put', bucket: BUCKET, key: own(A, 'model.bin'), body_hex: 'aa', auth: a },
      { op: 'get', bucket: BUCKET, key: own(A, 'model.bin'), auth: a },
      { op: 'list_objects', bucket: BUCKET, prefix: namespacePrefix(A), auth: a },
      { op: 'get', bucket: BUCKET, key: own(B, 'secret.bin'), auth: a },
      { op: 'put', bucket: BUCKET, key: own(B, 'planted.bin'), body_hex: 'ee', auth: a },
      { op: 'list_objects', bucket: BUCKET, prefix: namespacePrefix(B), auth: a },
      { op: 'list_objects', bucket: BUCKET, prefix: 'private-artifacts/', auth: a },
      { op: 'list_objects', bucket: BUCKET, auth: a },
      // A's namespace name is a prefix of neither, but "ann-microflow-local" without the slash would match "ann-microflow-localx".
      { op: 'list_objects', bucket: BUCKET, prefix: namespacePrefix(A).slice(0, -1), auth: a },
      { op: 'get', bucket: OBJECT_STORE.buckets.backups, key: 'mysql/dump.sql.gz', auth: a },
      { op: 'list_objects', bucket: OBJECT_STORE.buckets.backups, auth: a },
      { op: 'put', bucket: OBJECT_STORE.buckets.backups, key: 'mysql/planted.sql.gz', body_hex: 'ee', auth: a },
      { op: 'create_bucket', bucket: 'not-mine', auth: a },
      { op: 'get', bucket: BUCKET, key: own(A, 'model.bin') },
      { op: 'list_objects', bucket: BUCKET, prefix: 'private-artifacts/' },
    ]);
    const denied = { ok: false, status: 403, code: 'AccessDenied' };
    expect(results.map((r) => (r.ok ? r : { ok: r.ok, status: r.status, code: r.code }))).toEqual([
      { ok: true, value: null },
      { ok: true, value: 'aa' },
      { ok: true, value: [own(A, 'model.bin')] },
      denied, denied, denied, denied, denied, denied,
      denied, denied, denied, denied,
      { ok: true, value: 'aa' },
      { ok: true, value: [own(A, 'model.bin'), own(B, 'secret.bin')] },
    ]);
    // B's key, symmetrically, reaches B's object and not A's.
    const b = as(users[B]);
    const [bOwn, bOther] = run([{ op: 'get', bucket: BUCKET, key: own(B, 'secret.bin'), auth: b }, { op: 'get', bucket: BUCKET, key: own(A, 'model.bin'), auth: b }]);
    expect([bOwn, bOther]).toEqual([{ ok: true, value: 'bb' }, expect.objectContaining({ ok: false, code: 'AccessDenied' })]);
  });

  test('a user key cannot widen itself through the IAM API; the root key can read it', () => {
    const a = users[A];
    const user = `kfp-${A}`;
    const wide = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*'], Resource: ['*'] }] });
    expect([
      iamAs(a, { Action: 'PutUserPolicy', UserName: user, PolicyName: 'wide', PolicyDocument: wide }),
      iamAs(a, { Action: 'CreateAccessKey', UserName: user }),
      iamAs(a, { Action: 'CreateUser', UserName: 'mallory' }),
      iamAs(a, { Action: 'ListUsers' }),
    ]).toEqual(Array(4).fill({ status: 403, code: 'AccessDenied' }));
    expect(iamAs(root, { Action: 'GetUser', UserName: user })).toEqual({ status: 200, code: undefined });
  });

  test('a re-made user Secret (new secret, same key id) takes over on the next run; the old secret stops working', async () => {
    const old = { ...users[A] };
    users[A] = { accessKey: old.accessKey, secretKey: hex(24) };
    await registerUsers();
    const key = `${namespacePrefix(A)}run-2/x`;
    const [withNew, withOld] = run([
      { op: 'put', bucket: BUCKET, key, body_hex: '01', auth: as(users[A]) },
      { op: 'put', bucket: BUCKET, key, body_hex: '02', auth: as(old) },
    ]);
    expect(withNew).toEqual({ ok: true, value: null });
    expect(withOld).toMatchObject({ ok: false, status: 403, code: 'SignatureDoesNotMatch' });
  });

  test('one user: the namespace\'s key reads and writes its runs\' artifacts, and nothing else', async () => {
    // The one-user render (runs in the user's namespace, nothing declared that reads the store): its
    // Job registers one key, on the same server (its identity's name differs from the two above).
    const single = rendered(resolveConfig({ objectStore: 'seaweedfs' })).objects;
    const ns = 'you-microflow-local';
    const reader = { accessKey: hex(16), secretKey: hex(24) };
    const { output } = await runJob(single, { [storeSideSecret(ns)]: { [K.accesskey]: reader.accessKey, [K.secretkey]: reader.secretKey } });
    expect(output).toContain(`namespace ${ns}: key limited to ${BUCKET}/${namespacePrefix(ns)}\n`);
    expect(output).not.toContain(reader.secretKey);

    const runs = (name: string) => `${namespacePrefix(ns)}v2/artifacts/run-1/${name}`;
    // What a run leaves behind (written with the root key here; the launcher writes with this key).
    expect(run([
      { op: 'put', bucket: BUCKET, key: runs('events.out.tfevents.1'), body_hex: '0a' },
      { op: 'put', bucket: BUCKET, key: 'pipelines/uploaded.yaml', body_hex: '0b' },
    ]).every((r) => r.ok)).toBe(true);
    const r = as(reader);
    const results = run([
      { op: 'list_objects', bucket: BUCKET, prefix: namespacePrefix(ns), auth: r },
      { op: 'get', bucket: BUCKET, key: runs('events.out.tfevents.1'), auth: r },
      { op: 'put', bucket: BUCKET, key: `${namespacePrefix(ns)}scratch/x`, body_hex: 'ee', auth: r },
      { op: 'delete', bucket: BUCKET, key: `${namespacePrefix(ns)}scratch/x`, auth: r },
      { op: 'list_objects', bucket: BUCKET, prefix: namespacePrefix(NAMESPACES.kubeflow), auth: r },
      { op: 'put', bucket: BUCKET, key: `${namespacePrefix(NAMESPACES.kubeflow)}x`, body_hex: 'ee', auth: r },
      { op: 'get', bucket: BUCKET, key: 'pipelines/uploaded.yaml', auth: r },
      { op: 'list_objects', bucket: BUCKET, auth: r },
      { op: 'get', bucket: BUCKET, key: `${namespacePrefix(A)}run-1/model.bin`, auth: r },
      { op: 'list_objects', bucket: OBJECT_STORE.buckets.backups, auth: r },
      { op: 'get', bucket: OBJECT_STORE.buckets.backups, key: 'mysql/dump.sql.gz', auth: r },
      { op: 'create_bucket', bucket: 'not-mine', auth: r },
      // The object is still there, unchanged: the refused delete and put did nothing.
      { op: 'list_objects', bucket: BUCKET, prefix: `${namespacePrefix(ns)}v2/` },
    ]);
    const denied = { ok: false, status: 403, code: 'AccessDenied' };
    expect(results.map((x) => (x.ok ? x : { ok: x.ok, status: x.status, code: x.code }))).toEqual([
      { ok: true, value: [runs('events.out.tfevents.1')] },
      { ok: true, value: '0a' },
      { ok: true, value: null },
      { ok: true, value: null },
      denied, denied, denied, denied, denied, denied, denied, denied,
      { ok: true, value: [runs('events.out.tfevents.1')] },
    ]);
    // Nor can it widen itself.
    const wide = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:*'], Resource: ['*'] }] });
    expect(iamAs(reader, { Action: 'PutUserPolicy', UserName: artifactUser(ns), PolicyName: 'wide', PolicyDocument: wide })).toEqual({ status: 403, code: 'AccessDenied' });

    // docs/pipelines.md's notebook example, in the environment a notebook pod gets (objectStoreEnv), its
    // Secret references filled with this namespace's key (HOME: no ~/.aws here).
    const secretValues: Record<string, string> = { [K.accesskey]: reader.accessKey, [K.secretkey]: reader.secretKey };
    const podEnv = objectStoreEnv({ endpoint, credentials: OBJECT_STORE.secret } as ObjectStore)
      .map((e) => [e.name, e.value ?? secretValues[e.valueFrom!.secretKeyRef!.key]]);
    const env = { PATH: process.env.PATH, HOME: work, ...Object.fromEntries(podEnv) };
    const example = spawnSync(python, [NOTEBOOK_EXAMPLE, `${namespacePrefix(ns)}v2/`], { cwd: work, env, encoding: 'utf8' });
    expect({ status: example.status, stdout: example.stdout, stderr: example.stderr }).toEqual({ status: 0, stdout: `${runs('events.out.tfevents.1')}\n`, stderr: '' });
    expect(fs.readFileSync(path.join(work, 'events.out.tfevents.1')).toString('hex')).toBe('0a');
  });

  test('a key id another identity already holds fails the Job, naming the store\'s error', async () => {
    const saved = users[B];
    users[B] = { accessKey: users[A].accessKey, secretKey: hex(24) };
    try {
      await expect(registerUsers()).rejects.toThrow(/IAM CreateAccessKey: HTTP 409 EntityAlreadyExists/);
    } finally {
      users[B] = saved;
    }
  });

  test('the next run revokes what is stale: a removed namespace, an old key id; root and identities made by hand stay; a second run changes nothing', async () => {
    // Both namespaces registered with their current keys (the test above left B's key unregistered).
    await registerUsers();
    // An identity an admin made by hand, outside microflow's `kfp-` names: it must survive.
    const hand = { accessKey: hex(16), secretKey: hex(24) };
    const readAll = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`] }] });
    expect(([{ Action: 'CreateUser' }, { Action: 'CreateAccessKey', AccessKeyId: hand.accessKey, SecretAccessKey: hand.secretKey },
      { Action: 'PutUserPolicy', PolicyName: 'read-all', PolicyDocument: readAll }] as Record<string, string>[]).map((call) => iamAs(root, { ...call, UserName: 'backup-reader' })))
      .toEqual(Array(3).fill({ status: 200, code: undefined }));
    const [oldA, oldB] = [users[A], users[B]];
    const probe = `${namespacePrefix(A)}run-1/model.bin`;
    const before = run([
      { op: 'put', bucket: BUCKET, key: probe, body_hex: 'aa' },
      { op: 'get', bucket: BUCKET, key: probe, auth: as(oldA) },
      { op: 'list_objects', bucket: BUCKET, prefix: namespacePrefix(B), auth: as(oldB) },
    ]);
    expect(before.map((r) => r.ok)).toEqual([true, true, true]);

    // B is removed from `users` (ann alone), and A's Secret is re-made with a new key id.
    const onlyA = rendered(resolveConfig({ objectStore: 'seaweedfs', users: ['ann@microflow.local'] })).objects;
    const newA = { accessKey: hex(16), secretKey: hex(24) };
    const runOnlyA = () => runJob(onlyA, { [storeSideSecret(A)]: { [K.accesskey]: newA.accessKey, [K.secretkey]: newA.secretKey } });
    const { output } = await runOnlyA();
    const after = () => run([
      { op: 'get', bucket: BUCKET, key: probe, auth: as(oldA) },
      { op: 'list_objects', bucket: BUCKET, prefix: namespacePrefix(B), auth: as(oldB) },
      { op: 'list_objects', bucket: BUCKET, prefix: namespacePrefix(B), auth: as(newA) },
      { op: 'put', bucket: BUCKET, key: `${namespacePrefix(A)}run-3/x`, body_hex: '03', auth: as(newA) },
      { op: 'get', bucket: BUCKET, key: probe, auth: as(newA) },
      { op: 'get', bucket: BUCKET, key: probe },
      { op: 'get', bucket: BUCKET, key: probe, auth: as(hand) },
    ]).map((r) => (r.ok ? { ok: true } : { ok: false, code: r.code }));
    const [gone, denied, ok] = [{ ok: false, code: 'InvalidAccessKeyId' }, { ok: false, code: 'AccessDenied' }, { ok: true }];
    // Old keys unknown to the store; the new one has A's grant (its own prefix, nothing of B's); root
    // and the hand-made identity unchanged.
    const expected = [gone, gone, denied, ok, ok, ok, ok];
    expect(after()).toEqual(expected);
    expect(output).toContain(`store identity ${artifactUser(B)} revoked: its namespace is no longer in users`);
    expect(output).toContain(`store identity ${artifactUser(A)}: access key ${oldA.accessKey} revoked`);
    for (const secret of [root.secretKey, oldA.secretKey, oldB.secretKey, newA.secretKey, hand.secretKey]) expect(output).not.toContain(secret);
    const state = identities(endpoint, root);
    expect(state).toMatchObject({ [artifactUser(A)]: [newA.accessKey], 'backup-reader': [hand.accessKey] });
    expect(Object.keys(state).filter((u) => u.startsWith('kfp-'))).toEqual([artifactUser(A)]);
    expect(iamCall(root, { Action: 'ListUserPolicies', UserName: artifactUser(A) }).body).toMatch(new RegExp(`<PolicyNames><member>${artifactUser(A)}</member></PolicyNames>`));

    // Again: nothing left to revoke, nothing changes.
    const again = await runOnlyA();
    expect(again.output).not.toMatch(/revoked|removed/);
    expect(identities(endpoint, root)).toEqual(state);
    expect(after()).toEqual(expected);
  });
});
