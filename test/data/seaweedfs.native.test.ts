/**
 * SeaweedFS for real: the rendered `s3-identities` init script and `weed server` command line run
 * natively (weed 4.53 built from the Go module proxy) with generated credentials, the rendered
 * probes run against it, and a real S3 client (boto3) checks what the stack relies on. The rendered
 * bucket Job runs too, its `mc` calls carried out by boto3 against the same server.
 *
 * Native tier: needs `scripts/programs/build.sh seaweedfs s3-client` (test/native/tier.js).
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { OBJECT_STORE } from '../../lib/data';
import { NAMESPACES } from '../../lib/platform';
import { NativePod, renderedPod, requireNative, type ProbeResult } from '../native';
import { mcStandIn, s3, type S3Op } from '../native/s3';
import { exampleConfig, renderStack } from '../support/stack';

// Real programs: start-up, a Python client per step and the bucket script take seconds, not ms.
jest.setTimeout(180_000);
const programs = requireNative('seaweedfs', 's3-client');

// weed server's own listeners that the render leaves at their defaults (master 9333, volume 8080,
// filer 8888, their gRPC ports at +10000, the S3 gRPC port, Iceberg 8181 and Lance 9101): inside the
// pod they are private, here they would collide with anything else on the machine, so the test
// moves them to free loopback ports. Telemetry is switched off so the test never dials out.
const INTERNAL_PORTS: Record<string, number> = {
  'master.port': 9333, 'master.port.grpc': 19333, 'volume.port': 8080, 'volume.port.grpc': 18080,
  'filer.port': 8888, 'filer.port.grpc': 18888, 's3.port.grpc': 18333, 's3.port.iceberg': 8181, 's3.port.lance': 9101,
};

describe('SeaweedFS as rendered, run natively, with a real S3 client', () => {
  const objects = renderStack(exampleConfig('laptop', { objectStore: 'seaweedfs' })).objects;
  const keys = { accessKey: randomBytes(20).toString('hex'), secretKey: randomBytes(40).toString('hex') };
  const secrets = { [OBJECT_STORE.secret.name]: { [OBJECT_STORE.secret.keys.accesskey]: keys.accessKey, [OBJECT_STORE.secret.keys.secretkey]: keys.secretKey } };
  const python = programs['s3-client'].path;
  let weed: NativePod;
  let probes: ProbeResult[];
  let endpoint: string;
  let shimDir: string;
  const run = (ops: S3Op[]) => s3(python, endpoint, keys, ops);

  beforeAll(async () => {
    shimDir = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-mc-'));
    weed = await NativePod.start(renderedPod(objects, 'StatefulSet', 'seaweedfs', NAMESPACES.kubeflow), {
      container: 'seaweedfs',
      binaries: { weed: programs.seaweedfs.path },
      secrets,
      extraPorts: Object.values(INTERNAL_PORTS),
      extraArgs: (ports) => [...Object.entries(INTERNAL_PORTS).map(([flag, p]) => `-${flag}=${ports.get(p)}`), '-master.telemetry=false'],
    });
    probes = await weed.probes();
    endpoint = `http://127.0.0.1:${weed.port('s3')}`;
  });

  afterAll(async () => {
    await weed?.stop();
    if (shimDir) fs.rmSync(shimDir, { recursive: true, force: true });
  });

  test('the rendered init script writes the identity file the rendered -s3.config points at: valid JSON, owner-only', () => {
    // What weed makes of its content is proven by the S3 checks below; here: it is where the flag says.
    const container = weed.pod.spec.containers.find((c) => c.name === 'seaweedfs')!;
    const flag = (container.args ?? []).find((a) => a.startsWith('-s3.config='));
    expect(flag).toBeDefined();
    const file = weed.hostPath(flag!.slice('-s3.config='.length));
    expect(() => JSON.parse(fs.readFileSync(file, 'utf8'))).not.toThrow();
    expect(fs.statSync(file).mode & 0o077).toBe(0);
  });

  test('the rendered startup, readiness and liveness probes pass against weed', () => {
    console.log(`weed ${programs.seaweedfs.path} on ${endpoint}; probes:\n${NativePod.describe(probes)}`);
    expect(probes.map((p) => [p.kind, p.ok])).toEqual([['startup', true], ['readiness', true], ['liveness', true]]);
  });

  test('the credentials from the Secret work; anonymous and wrong credentials are refused', () => {
    // Another last character (a random hex key ends in "0" one time in 16: replacing it by "0" changed nothing).
    const wrong = `${keys.secretKey.slice(0, -1)}${keys.secretKey.endsWith('0') ? '1' : '0'}`;
    const [mine, anonymous, wrongSecret, unknownKey] = run([
      { op: 'list_buckets' },
      { op: 'list_buckets', auth: 'anonymous' },
      { op: 'list_buckets', auth: { access_key: keys.accessKey, secret_key: wrong } },
      { op: 'list_buckets', auth: { access_key: 'not-a-key', secret_key: keys.secretKey } },
    ]);
    expect(mine).toEqual({ ok: true, value: expect.any(Array) });
    expect(anonymous).toMatchObject({ ok: false, status: 403, code: 'AccessDenied' });
    expect(wrongSecret).toMatchObject({ ok: false, status: 403, code: 'SignatureDoesNotMatch' });
    expect(unknownKey).toMatchObject({ ok: false, status: 403, code: 'InvalidAccessKeyId' });
  });

  test('the rendered bucket Job creates its buckets (twice: it is idempotent), and the client lists them', async () => {
    const job = renderedPod(objects, 'Job', 'object-store-buckets', NAMESPACES.kubeflow);
    const opts = { binaries: { mc: mcStandIn(python, shimDir) }, secrets, addresses: weed.serviceAddresses() };
    const first = await NativePod.runToCompletion(job, opts);
    const again = await NativePod.runToCompletion(job, opts);
    const buckets = [OBJECT_STORE.buckets.artifacts, OBJECT_STORE.buckets.backups];
    expect(first.output).toContain(`buckets ready: ${buckets.join(', ')}`);
    expect(again.output).toContain(`buckets ready: ${buckets.join(', ')}`);
    const [listed, anonymous] = run([{ op: 'list_buckets' }, { op: 'list_objects', bucket: OBJECT_STORE.buckets.artifacts, auth: 'anonymous' }]);
    expect(listed).toEqual({ ok: true, value: [...buckets].sort() });
    expect(anonymous).toMatchObject({ ok: false, status: 403 });
  });

  test('an object round-trips through the artifacts bucket; anonymous reads and writes are refused', () => {
    const body = randomBytes(256 * 1024).toString('hex');
    const bucket = OBJECT_STORE.buckets.artifacts;
    const key = 'artifacts/run-1/model.bin';
    const [put, get, list, anonymousGet, anonymousPut] = run([
      { op: 'put', bucket, key, body_hex: body },
      { op: 'get', bucket, key },
      { op: 'list_objects', bucket, prefix: 'artifacts/' },
      { op: 'get', bucket, key, auth: 'anonymous' },
      { op: 'put', bucket, key: 'anonymous.txt', body_hex: '00', auth: 'anonymous' },
    ]);
    expect(put).toEqual({ ok: true, value: null });
    expect(get.ok && get.value === body).toBe(true);
    expect(list).toEqual({ ok: true, value: [key] });
    expect(anonymousGet).toMatchObject({ ok: false, status: 403 });
    expect(anonymousPut).toMatchObject({ ok: false, status: 403 });
  });
});
