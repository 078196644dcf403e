/**
 * The identity guard in front of the Pipeline API server, run for real: nginx (Debian's) with the
 * rendered nginx.conf (ports and the upstream mapped to loopback), in front of a recording stand-in
 * for the API server that authenticates as KFP 2.17's does (backend/src/apiserver/auth: the
 * `kubeflow-userid` header first, else a bearer token) and lets a user list runs only in their own
 * namespace, and an h2c stand-in for its gRPC port. The real kfp SDK runs the README's notebook
 * snippet through it; a forged header from user B's pod never reaches the API server, so B gets B's
 * rights, not A's. KFP's TaskService (docs/security.md, path 4) is refused in every spelling an
 * attacker can send, REST and gRPC, while ordinary calls still pass.
 * Native tier: needs nginx and python3 for the SDK's venv (test/native/tier.js).
 */
import { execFile, spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as http2 from 'http2';
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
  /** The :path of every gRPC call that reached the stand-in API server. */
  const receivedGrpc: string[] = [];
  let api: http.Server;
  let apiGrpc: http2.Http2Server;
  let guardGrpc = '';
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
    // The stand-in gRPC port (h2c): records the method and answers every call with an empty OK.
    apiGrpc = http2.createServer();
    apiGrpc.on('stream', (stream, headers) => {
      receivedGrpc.push(String(headers[':path']));
      stream.on('data', () => undefined);
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(Buffer.alloc(5));
    });
    const apiGrpcPort = await new Promise<number>((r) => apiGrpc.listen(0, '127.0.0.1', () => r((apiGrpc.address() as net.AddressInfo).port)));

    // The rendered configuration (multi-user), mapped to loopback and a scratch folder.
    const conf = find(variantObjects('profile cluster'), 'ConfigMap', KFP.apiGuard).data['nginx.conf'] as string;
    const [http1, grpc] = [await freePort(), await freePort()];
    const local = conf
      .replace(`listen ${KFP.httpPort};`, `listen 127.0.0.1:${http1};`)
      .replace(`listen ${KFP.grpcPort} http2;`, `listen 127.0.0.1:${grpc} http2;`)
      .replace(new RegExp(`grpc://${KFP.apiInternalService}\\.kubeflow\\.svc\\.cluster\\.local:\\d+`, 'g'), `grpc://127.0.0.1:${apiGrpcPort}`)
      .replace(new RegExp(`${KFP.apiInternalService}\\.kubeflow\\.svc\\.cluster\\.local:\\d+`, 'g'), `127.0.0.1:${apiPort}`)
      .replace(/\/tmp\//g, `${dir}/`);
    expect(local).not.toContain('svc.cluster.local');
    fs.writeFileSync(path.join(dir, 'nginx.conf'), local);
    proxy = spawn(nginx, ['-e', 'stderr', '-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
    proxy.stderr!.on('data', (d) => { log += d; });
    guard = `http://127.0.0.1:${http1}`;
    guardGrpc = `http://127.0.0.1:${grpc}`;
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
    await new Promise((r) => apiGrpc?.close(r));
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

  /** A raw HTTP/1.1 request as an attacker would send it: the path exactly as given, no normalising. */
  const raw = (method: string, target: string, headers: Record<string, string> = {}) => new Promise<{ status: number; body: string }>((resolve, reject) => {
    const u = new URL(guard);
    http.request({ host: u.hostname, port: u.port, method, path: target, headers }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; }).on('end', () => resolve({ status: res.statusCode!, body }));
    }).on('error', reject).end(method === 'POST' ? '{"task":{"pipelineName":"pipeline/x","namespace":"alice"}}' : undefined);
  });

  /** One gRPC call (h2c, one empty message) with the :path given: the HTTP status and grpc-status. */
  const grpcCall = (target: string) => new Promise<{ status: number; grpcStatus?: string }>((resolve, reject) => {
    const client = http2.connect(guardGrpc);
    client.on('error', reject);
    const req = client.request({ ':method': 'POST', ':path': target, 'content-type': 'application/grpc', te: 'trailers', authorization: `Bearer ${BOB.token}` });
    let status = 0;
    let grpcStatus: string | undefined;
    req.on('response', (h) => { status = Number(h[':status']); grpcStatus = h['grpc-status'] as string | undefined; });
    req.on('trailers', (t) => { grpcStatus = t['grpc-status'] as string; });
    req.on('data', () => undefined);
    req.on('end', () => { client.close(); resolve({ status, grpcStatus }); });
    req.on('error', (e) => { client.close(); reject(e); });
    req.end(Buffer.alloc(5));
  });

  // KFP 2.17.0's routers: gorilla/mux 301-redirects an unclean path; grpc-gateway compares the raw
  // path's segments literally (apis, v1alpha1, tasks); grpc-go takes the service from the raw :path
  // (one leading "/" dropped, up to the last "/"). Every spelling below that one of them could map
  // to the TaskService, and the variants nginx normalises (percent-decoding, dot segments, slashes),
  // must be refused by the guard before they reach the API server.
  const TASK_PATHS = [
    '/apis/v1alpha1/tasks', '/apis/v1alpha1/tasks?filter=%7B%7D&page_size=1000', '//apis/v1alpha1/tasks', '/apis//v1alpha1///tasks',
    '/apis/v1alpha1%2Ftasks', '/apis%2Fv1alpha1%2Ftasks', '/apis/v1alpha1/task%73', '/%61pis/v1alpha1/tasks',
    '/apis/v1beta1/../v1alpha1/tasks', '/apis/v1beta1/%2E%2E/v1alpha1/tasks', '/apis/v1beta1/..%2Fv1alpha1/tasks', '/./apis/v1alpha1/tasks',
    '/APIS/V1ALPHA1/TASKS', '/apis/v1alpha1/Tasks', '/apis/v1alpha1/tasks/', '/apis/v1alpha1/tasks:list', '/apis/v1alpha1/tasks/x',
    'http://ml-pipeline.kubeflow:8888/apis/v1alpha1/tasks',
  ];
  const reachesTasks = (p: string) => { try { return /tasks/i.test(decodeURIComponent(decodeURIComponent(p))); } catch { return /tasks|%74%61%73%6b|task%73/i.test(p); } };

  test('the TaskService over REST is refused (403) in every spelling, from bob\'s pod and without a token, and never reaches the API server', async () => {
    const before = received.length;
    for (const target of TASK_PATHS) {
      for (const method of ['GET', 'POST']) {
        for (const headers of [{ authorization: `Bearer ${BOB.token}` }, {}] as Record<string, string>[]) {
          const r = await raw(method, target, headers);
          expect({ method, target, status: r.status }).toEqual({ method, target, status: 403 });
          expect(r.body).toContain('docs/security.md, path 4');
        }
      }
    }
    expect(received.slice(before).map((r) => r.path)).toEqual([]);
    // An ordinary call still passes through to the API server, and one that merely resembles the path.
    const runs = await raw('GET', `/apis/v2beta1/runs?namespace=${BOB.namespace}`, { authorization: `Bearer ${BOB.token}` });
    expect(runs.status).toBe(200);
    expect(runs.body).toContain('bob-run');
    expect(received.slice(before).map((r) => r.path)).toEqual([`/apis/v2beta1/runs?namespace=${BOB.namespace}`]);
    expect(received.some((r) => reachesTasks(r.path))).toBe(false);
  });

  test('the TaskService over gRPC is refused (HTTP 403, PERMISSION_DENIED to gRPC clients); other services still pass', async () => {
    const refused = [
      '/api.TaskService/CreateTaskV1', '/api.TaskService/ListTasksV1', '//api.TaskService/ListTasksV1', '/API.TASKSERVICE/ListTasksV1',
      '/api%2ETaskService/ListTasksV1', '/api.TaskService%2FListTasksV1', '/x/../api.TaskService/ListTasksV1', '/./api.TaskService/CreateTaskV1',
      '/api.TaskService/ListTasksV1?x=1',
      // A REST path sent to the gRPC port.
      '/apis/v1alpha1/tasks',
    ];
    for (const target of refused) {
      const r = await grpcCall(target);
      expect({ target, status: r.status }).toEqual({ target, status: 403 });
    }
    // No leading "/": nginx answers 400 (grpc-go 1.80, KFP 2.17.0's, refuses it too unless
    // GRPC_GO_EXPERIMENTAL_DISABLE_STRICT_PATH_CHECKING is set; older ones took it as api.TaskService).
    expect([400, 403]).toContain((await grpcCall('api.TaskService/ListTasksV1')).status);
    // What grpc-go would route to api.TaskService, had it arrived: nothing did.
    const grpcGoService = (p: string) => { const m = p.startsWith('/') ? p.slice(1) : p; return m.slice(0, Math.max(m.lastIndexOf('/'), 0)); };
    expect(receivedGrpc.filter((p) => grpcGoService(p) === 'api.TaskService' || /taskservice/i.test(decodeURIComponent(p)))).toEqual([]);
    expect(receivedGrpc).toEqual([]);
    // An ordinary gRPC call (the v2 RunService) reaches the API server and gets its answer.
    const ok = await grpcCall('/kubeflow.pipelines.backend.api.v2beta1.RunService/ListRuns');
    expect(ok).toEqual({ status: 200, grpcStatus: '0' });
    expect(receivedGrpc).toEqual(['/kubeflow.pipelines.backend.api.v2beta1.RunService/ListRuns']);
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
