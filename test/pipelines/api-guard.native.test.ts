/**
 * The identity guard in front of the Pipeline API server, run for real: nginx (Debian's) with the
 * rendered nginx.conf (ports and the upstream mapped to loopback), in front of a recording stand-in
 * for the API server that authenticates as KFP 2.17's does (backend/src/apiserver/auth: the
 * `kubeflow-userid` header first, else a bearer token) and lets a user list runs only in their own
 * namespace. The real kfp SDK runs the README's notebook snippet through it; a forged header from
 * user B's pod never reaches the API server, so B gets B's rights, not A's.
 * Native tier: needs nginx and python3 for the SDK's venv (test/native/tier.js).
 */
import { execFile, spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { GUARD_HEALTH_PATH, IDENTITY_HEADERS, KFP } from '../../lib/pipelines';
import { buildProgram } from '../support/programs';
import { find, ROOT, variantObjects } from '../support/stack';

const nginx = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => fs.existsSync(p)) ?? 'nginx';

const freePort = () => new Promise<number>((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
});

/** Users, their namespaces and (for the stand-in TokenReview) the tokens of their notebooks' ServiceAccounts. */
const ALICE = { email: 'alice@example.org', namespace: 'alice', token: 'token-of-alice-default-editor' };
const BOB = { email: 'bob@example.org', namespace: 'bob', token: 'token-of-bob-default-editor' };
const RUNS: Record<string, string[]> = { alice: ['alice-secret-experiment'], bob: ['bob-run'] };

describe('ml-pipeline guard (nginx, rendered configuration)', () => {
  const received: { path: string; headers: http.IncomingHttpHeaders }[] = [];
  let api: http.Server;
  let proxy: ChildProcess;
  let guard = '';
  let dir: string;
  let log = '';

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-guard-'));
    // The stand-in API server: KFP's authenticators in order, then "owner of the namespace".
    api = http.createServer((req, res) => {
      received.push({ path: req.url!, headers: req.headers });
      const url = new URL(req.url!, 'http://x');
      if (url.pathname.endsWith('/healthz')) return void res.end('{}');
      const header = req.headers[IDENTITY_HEADERS.userId] as string | undefined;
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const who = header ?? [ALICE, BOB].find((u) => u.token === bearer)?.email;
      if (!who) { res.statusCode = 401; return void res.end('{"error":"no identity"}'); }
      const ns = url.searchParams.get('namespace') ?? url.searchParams.get('resource_reference_key.id') ?? '';
      const owner = [ALICE, BOB].find((u) => u.namespace === ns)?.email;
      if (owner !== who) { res.statusCode = 403; return void res.end(`{"error":"${who} may not list runs in ${ns}"}`); }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ runs: (RUNS[ns] ?? []).map((d, i) => ({ run_id: `${ns}-${i}`, display_name: d })), total_size: RUNS[ns]?.length ?? 0 }));
    });
    const apiPort = await new Promise<number>((r) => api.listen(0, '127.0.0.1', () => r((api.address() as net.AddressInfo).port)));

    // The rendered configuration (multi-user), mapped to loopback and a scratch folder.
    const conf = find(variantObjects('profile cluster'), 'ConfigMap', KFP.apiGuard).data['nginx.conf'] as string;
    const [http1, grpc] = [await freePort(), await freePort()];
    const local = conf
      .replace(`listen ${KFP.httpPort};`, `listen 127.0.0.1:${http1};`)
      .replace(`listen ${KFP.grpcPort} http2;`, `listen 127.0.0.1:${grpc} http2;`)
      .replace(new RegExp(`${KFP.apiInternalService}\\.kubeflow\\.svc\\.cluster\\.local:\\d+`, 'g'), `127.0.0.1:${apiPort}`)
      .replace(/\/tmp\//g, `${dir}/`);
    expect(local).not.toContain('svc.cluster.local');
    fs.writeFileSync(path.join(dir, 'nginx.conf'), local);
    proxy = spawn(nginx, ['-e', 'stderr', '-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
    proxy.stderr!.on('data', (d) => { log += d; });
    guard = `http://127.0.0.1:${http1}`;
    const deadline = Date.now() + 20_000;
    for (;;) {
      const ok = await new Promise<boolean>((r) => http.get(`${guard}${GUARD_HEALTH_PATH}`, (res) => { res.resume(); r(res.statusCode === 200); }).on('error', () => r(false)));
      if (ok) break;
      if (proxy.exitCode !== null || Date.now() > deadline) throw new Error(`nginx did not start with the rendered configuration:\n${log}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 300_000);

  afterAll(async () => {
    proxy?.kill('SIGTERM');
    await new Promise((r) => api?.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const call = (headers: Record<string, string>, ns: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
    http.get(`${guard}/apis/v2beta1/runs?namespace=${ns}`, { headers }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; }).on('end', () => resolve({ status: res.statusCode!, body }));
    }).on('error', reject);
  });

  test('nginx accepts the rendered configuration and answers the rendered probe path itself', () => {
    expect(received.filter((r) => r.path.includes('guard'))).toEqual([]);
    expect(log).not.toMatch(/\[emerg\]/);
  });

  test('a pod in bob\'s namespace claiming to be alice does not get alice\'s runs', async () => {
    const forgeries: Record<string, string>[] = [
      { [IDENTITY_HEADERS.userId]: ALICE.email },
      { 'Kubeflow-Userid': ALICE.email },
      { 'KUBEFLOW-USERID': ALICE.email, [IDENTITY_HEADERS.groups]: 'admins' },
      { kubeflow_userid: ALICE.email },
    ];
    for (const forged of forgeries) {
      const asBob = await call({ ...forged, authorization: `Bearer ${BOB.token}` }, ALICE.namespace);
      expect({ forged, status: asBob.status }).toEqual({ forged, status: 403 });
      expect(asBob.body).not.toContain('alice-secret-experiment');
      const anonymous = await call(forged, ALICE.namespace);
      expect({ forged, status: anonymous.status }).toEqual({ forged, status: 401 });
    }
    const reaching = received.filter((r) => r.path.startsWith('/apis/v2beta1/runs'));
    expect(reaching.length).toBe(8);
    for (const r of reaching) {
      expect(r.headers[IDENTITY_HEADERS.userId]).toBeUndefined();
      expect(r.headers[IDENTITY_HEADERS.groups]).toBeUndefined();
      expect(Object.keys(r.headers).filter((h) => /userid/i.test(h))).toEqual([]);
    }
  });

  // The SDK runs as a child process asynchronously: the fake API server answers from this process's
  // event loop, which a synchronous spawn would block (nginx would wait for it, the SDK for nginx).
  const python = (bin: string, args: string[], env: NodeJS.ProcessEnv) => new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    execFile(bin, args, { env, encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) => resolve({ status: err ? (typeof (err as any).code === 'number' ? (err as any).code : 1) : 0, stdout, stderr }));
  });

  test('the README notebook snippet (real kfp SDK, projected token) lists the user\'s own runs', async () => {
    const py = buildProgram('kfp-sdk');
    if (!py.path) throw new Error(`kfp SDK venv: ${py.log}`);
    const tokenFile = path.join(dir, 'token');
    fs.writeFileSync(tokenFile, BOB.token);
    const env = { ...process.env, KF_PIPELINES_SA_TOKEN_PATH: tokenFile };
    const own = await python(py.path, [path.join(ROOT, 'test', 'pipelines', 'sdk', 'notebook_snippet.py'), guard, BOB.namespace], env);
    if (own.status !== 0) throw new Error(`the notebook snippet failed (exit ${own.status}):\n${own.stderr.slice(-3000)}`);
    expect(own.stdout).toContain('runs: bob-run');
    const sdkCall = received.filter((r) => r.path.startsWith('/apis/v2beta1/runs')).at(-1)!;
    expect(sdkCall.headers.authorization).toBe(`Bearer ${BOB.token}`);
    // The same snippet asking for alice's namespace is refused.
    const r = await python(py.path, [path.join(ROOT, 'test', 'pipelines', 'sdk', 'notebook_snippet.py'), guard, ALICE.namespace], env);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).not.toContain('alice-secret-experiment');
  }, 600_000);
});
