/**
 * The native runner itself, on a small stand-in program (a Node script) and a hand-written pod:
 * init script, env from a Secret/ConfigMap/fieldRef/resourceFieldRef, volumes, port remapping,
 * Service addresses, and each kind of probe, passing and failing.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { NativePod, ProbeError, renderedPod, rewriter, type RenderedObject } from '.';

// Serves /healthz and /state on --port at --bind; with --get URL it is a client instead.
const SERVER = `#!${process.execPath}
const http = require('http'), fs = require('fs');
const arg = (k) => (process.argv.find((a) => a.startsWith('--' + k + '=')) || '').split('=').slice(1).join('=');
if (arg('get')) {
  http.get(arg('get'), (r) => { let b = ''; r.on('data', (d) => (b += d)); r.on('end', () => { console.log('got', r.statusCode, b); process.exit(r.statusCode === 200 ? 0 : 1); }); })
    .on('error', (e) => { console.error(e.message); process.exit(1); });
} else {
  fs.writeFileSync(arg('data') + '/started', 'yes');
  http.createServer((req, res) => {
    if (req.url === '/healthz') return res.end('ok');
    if (req.url === '/state') return res.end(JSON.stringify({ env: process.env, config: fs.readFileSync(arg('config'), 'utf8'), cwd: process.cwd() }));
    res.statusCode = 404; res.end('not found');
  }).listen(Number(arg('port')), arg('bind'), () => console.log('listening on', arg('bind'), arg('port')));
}
`;

let binDir: string;
beforeAll(() => {
  binDir = fs.mkdtempSync(path.join(os.tmpdir(), 'native-test-bin-'));
  fs.writeFileSync(path.join(binDir, 'fake-server'), SERVER, { mode: 0o755 });
});
afterAll(() => fs.rmSync(binDir, { recursive: true, force: true }));

const NS = 'demo';
function objects(probes: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): RenderedObject[] {
  const labels = { app: 'fake' };
  return [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fake-greeting', namespace: NS }, data: { greeting: 'hello' } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'fake', namespace: NS }, spec: { selector: labels, ports: [{ port: 80, targetPort: 'http' }] } },
    {
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'fake', namespace: NS },
      spec: {
        selector: { matchLabels: labels },
        volumeClaimTemplates: [{ metadata: { name: 'data' } }],
        template: {
          metadata: { labels },
          spec: {
            initContainers: [{
              name: 'write-config', image: 'x',
              command: ['/bin/sh', '-c', 'set -eu\numask 077\nprintf \'{"token":"%s"}\' "$TOKEN" > /etc/fake/config.json\necho wrote /etc/fake/config.json'],
              env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'fake-secret', key: 'token' } } }],
              volumeMounts: [{ name: 'config', mountPath: '/etc/fake' }],
            }],
            containers: [{
              name: 'server', image: 'x',
              command: ['fake-server'],
              args: ['--port=8080', '--bind=0.0.0.0', '--config=/etc/fake/config.json', '--data=$(DATA_DIR)'],
              ports: [{ name: 'http', containerPort: 8080 }],
              env: [
                { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'fake-secret', key: 'token' } } },
                { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
                { name: 'MEM_MI', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
                { name: 'DATA_DIR', value: '/data' },
                { name: 'DERIVED', value: '$(DATA_DIR)/sub' },
                { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'fake-greeting', key: 'greeting' } } },
              ],
              resources: { limits: { memory: '64Mi' } },
              startupProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 1, failureThreshold: 20 },
              readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
              livenessProbe: { exec: { command: ['cat', '/etc/fake/config.json'] }, periodSeconds: 1 },
              ...probes,
              volumeMounts: [
                { name: 'data', mountPath: '/data' },
                { name: 'config', mountPath: '/etc/fake', readOnly: true },
                { name: 'greeting', mountPath: '/etc/greeting' },
              ],
            }],
            volumes: [{ name: 'config', emptyDir: {} }, { name: 'greeting', configMap: { name: 'fake-greeting' } }],
            ...extra,
          },
        },
      },
    },
  ];
}

const options = () => ({ binaries: { 'fake-server': path.join(binDir, 'fake-server') }, secrets: { 'fake-secret': { token: 's3cr3t' } } });
const get = async (port: number, p: string) => (await fetch(`http://127.0.0.1:${port}${p}`)).text();

describe('a rendered pod run natively', () => {
  let np: NativePod;
  afterEach(async () => np?.stop());

  test('init script, env, volumes and remapped port as rendered; every probe passes', async () => {
    np = await NativePod.start(renderedPod(objects(), 'StatefulSet', 'fake', NS), options());
    const results = await np.probes();
    expect(results.map((r) => [r.kind, r.ok])).toEqual([['startup', true], ['readiness', true], ['liveness', true]]);
    expect(NativePod.describe(results)).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/healthz \(container port http=8080\) → HTTP 200/);
    expect(np.port('http')).not.toBe(8080);
    expect(np.initOutput['write-config']).toBe(`wrote ${np.hostPath('/etc/fake')}/config.json\n`);

    const state = JSON.parse(await get(np.port(8080), '/state'));
    expect(state.config).toBe('{"token":"s3cr3t"}');
    expect(state.env).toMatchObject({ TOKEN: 's3cr3t', POD_NAME: 'fake-0', POD_IP: '127.0.0.1', MEM_MI: '64', GREETING: 'hello', HOSTNAME: 'fake-0' });
    expect(state.env.DERIVED).toBe(`${np.hostPath('/data')}/sub`);
    expect(fs.readFileSync(path.join(np.hostPath('/data'), 'started'), 'utf8')).toBe('yes');
    expect(fs.readFileSync(path.join(np.hostPath('/etc/greeting'), 'greeting'), 'utf8')).toBe('hello');
    // The identity-style file keeps the init script's umask.
    expect(fs.statSync(path.join(np.hostPath('/etc/fake'), 'config.json')).mode & 0o777).toBe(0o600);
    expect(np.logs()).toMatch(/listening on 127\.0\.0\.1 \d+/);
  });

  test('a Job pod reaches the native program through the rendered Service address', async () => {
    np = await NativePod.start(renderedPod(objects(), 'StatefulSet', 'fake', NS), options());
    await np.probes();
    const addresses = np.serviceAddresses();
    expect(addresses[`fake.${NS}.svc.cluster.local:80`]).toBe(`127.0.0.1:${np.port('http')}`);
    const job: RenderedObject = {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'client', namespace: NS },
      spec: { template: { spec: { containers: [{ name: 'get', image: 'x', command: ['/bin/sh', '-c', `fake-server --get=http://fake.${NS}.svc.cluster.local:80/healthz`] }] } } },
    };
    const r = await NativePod.runToCompletion(renderedPod([job], 'Job', 'client'), { ...options(), addresses });
    expect(r.output).toBe('got 200 ok\n');
  });

  test('a probe on a path the program does not serve fails, naming the probe and the status', async () => {
    np = await NativePod.start(renderedPod(objects({ readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 1, failureThreshold: 2 } }), 'StatefulSet', 'fake', NS), options());
    const err = await np.probes().catch((e) => e);
    expect(err).toBeInstanceOf(ProbeError);
    expect(err.message).toMatch(/FAIL server readiness: GET http:\/\/127\.0\.0\.1:\d+\/ready \(container port 8080\) → HTTP 404/);
    expect(err.results.map((r: any) => [r.kind, r.ok])).toEqual([['startup', true], ['readiness', false]]);
  });

  test('a probe on a port the pod does not declare is an error', async () => {
    np = await NativePod.start(renderedPod(objects({ readinessProbe: { tcpSocket: { port: 9090 } } }), 'StatefulSet', 'fake', NS), options());
    await expect(np.probes()).rejects.toThrow(/port 9090 is not a declared container port/);
  });

  test('a probe on a declared port nothing listens on fails with connection refused', async () => {
    const objs = objects({ readinessProbe: { tcpSocket: { port: 'metrics' }, periodSeconds: 1, failureThreshold: 2 } });
    objs[2].spec.template.spec.containers[0].ports.push({ name: 'metrics', containerPort: 9090 });
    np = await NativePod.start(renderedPod(objs, 'StatefulSet', 'fake', NS), options());
    await expect(np.probes()).rejects.toThrow(/FAIL server readiness: TCP 127\.0\.0\.1:\d+ \(container port metrics=9090\) → connection refused/);
  });

  test('an exec probe whose command does not exist here is skipped, not passed', async () => {
    np = await NativePod.start(renderedPod(objects({ livenessProbe: { exec: { command: ['/usr/local/bin/healthcheck'] } } }), 'StatefulSet', 'fake', NS), options());
    const results = await np.probes();
    expect(results[2]).toMatchObject({ kind: 'liveness', ok: false, skipped: expect.stringMatching(/does not exist on this machine/) });
  });

  test('a missing Secret value, a failing init script and an unknown program are clear errors', async () => {
    const pod = renderedPod(objects(), 'StatefulSet', 'fake', NS);
    await expect(NativePod.start(pod, { ...options(), secrets: {} })).rejects.toThrow(/container write-config env TOKEN: Secret fake-secret key token is not available \(pass it in the secrets option\)/);
    const failing = objects();
    failing[2].spec.template.spec.initContainers[0].command = ['/bin/sh', '-c', 'echo broken >&2; exit 3'];
    await expect(NativePod.start(renderedPod(failing, 'StatefulSet', 'fake', NS), options())).rejects.toThrow(/container write-config exited 3[\s\S]*broken/);
    await expect(NativePod.start(pod, { ...options(), binaries: {} })).rejects.toThrow(/runs fake-server, which is not available natively \(map it in binaries\)/);
  });

  test('the program exiting during start-up fails the startup probe with its output', async () => {
    np = await NativePod.start(renderedPod(objects({ args: ['--port=notaport', '--data=/data'] }), 'StatefulSet', 'fake', NS), options());
    await expect(np.probes()).rejects.toThrow(/the program exited[\s\S]*program output/);
  });
});

describe('rewriter', () => {
  const rw = rewriter({
    paths: new Map([['/data', '/h/data'], ['/etc/x', '/h/x'], ['/tmp', '/h/tmp']]),
    ports: new Map([[8333, 40001]]),
    addresses: new Map([['svc.ns.svc.cluster.local:9000', '127.0.0.1:40001']]),
  });
  test.each([
    ['-dir=/data', '-dir=/h/data'],
    ['/data/sub /database http://host/data', '/h/data/sub /database http://host/data'],
    ['> /etc/x/s3.json', '> /h/x/s3.json'],
    ['/tmp/mc', '/h/tmp/mc'],
    ['-s3.port=8333 :8333 18333 1.8333 8333.5', '-s3.port=40001 :40001 18333 1.8333 8333.5'],
    ['-ip.bind=0.0.0.0 10.0.0.0', '-ip.bind=127.0.0.1 10.0.0.0'],
    ['http://svc.ns.svc.cluster.local:9000/b', 'http://127.0.0.1:40001/b'],
  ])('%s', (input, output) => expect(rw(input)).toBe(output));
});
