/**
 * oauth2-proxy as rendered, setting by setting: the file it reads, its flags, secrets and mounts. The
 * real v7.15.6 runs this configuration in oauth2-proxy.native.test.ts (which mutation runs leave out);
 * here each setting is stated with the reason it has its value, so a change to any of them fails alone.
 */
import { DEX, DEX_ISSUER, OAUTH2_PROXY } from '../../lib/auth';
import { resolveConfig } from '../../lib/config';
import { NAMESPACES } from '../../lib/platform';
import { find, rendered, type K8sObject } from '../support/stack';

const config = resolveConfig({});
let objects: K8sObject[];
// In beforeEach, so each test runs the render it checks: StrykerJS credits a test only with code it runs.
beforeEach(() => { objects = rendered(config).objects; });
const data = () => find(objects, 'ConfigMap', OAUTH2_PROXY.name, NAMESPACES.oauth2Proxy).data;
/** The legacy TOML file as oauth2-proxy reads it: one `key = value` a line (strings, booleans, arrays). */
const settings = () => Object.fromEntries((data()['oauth2_proxy.cfg'] as string).split('\n').filter((l) => l && !l.startsWith('#'))
  .map((l) => { const [, k, v] = /^(\w+) = (.*)$/.exec(l)!; return [k, JSON.parse(v)]; }));

test('every setting of oauth2_proxy.cfg, and nothing else', () => {
  const sa = config.login.serviceAccountTokens;
  expect(settings()).toEqual({
    provider: 'oidc',
    provider_display_name: 'microflow',
    client_id: DEX.clientId,
    oidc_issuer_url: DEX_ISSUER,
    // Dex's discovery names in-cluster URLs a browser cannot open: the login URL is the gateway's.
    skip_oidc_discovery: true,
    login_url: `${DEX.pathPrefix}auth`,
    redeem_url: `${DEX_ISSUER}/token`,
    oidc_jwks_url: `${DEX_ISSUER}/keys`,
    // groups: Dex's groups claim reaches kubeflow-groups through the ID token.
    scope: 'openid email profile groups',
    // PKCE on the code flow.
    code_challenge_method: 'S256',
    redirect_url: `${OAUTH2_PROXY.pathPrefix}callback`,
    relative_redirect_url: true,
    skip_provider_button: true,
    // oauth2-proxy's default (force) makes Dex show its Grant Access page on every login, whatever
    // skipApprovalScreen says (found by the front-door tier, test/cluster/front-door.test.ts).
    approval_prompt: 'auto',
    // It only authorizes: ext-authz never proxies to an upstream.
    upstreams: ['static://200'],
    // API clients get 401, not a login page.
    api_routes: ['/api/', '/apis/', '^/ml_metadata'],
    // SDKs: bearer tokens from Dex or, for the gateway audience only, the cluster's service accounts;
    // a bearer token that fails is refused, never turned into a login.
    skip_jwt_bearer_tokens: true,
    bearer_token_login_fallback: false,
    extra_jwt_issuers: [`${sa.issuer}=${sa.audience}`],
    // The gateway verifies the returned token and writes kubeflow-userid from it.
    set_authorization_header: true,
    set_xauthrequest: true,
    cookie_name: OAUTH2_PROXY.cookieName,
    // HTTPS by default (issue #18, path 7).
    cookie_secure: true,
    cookie_httponly: true,
    cookie_samesite: 'lax',
    cookie_expire: OAUTH2_PROXY.cookieExpire,
    // No refresh: a session ends before Dex's ID token does (login-stack.test.ts).
    cookie_refresh: '0s',
    // Health answers only under /oauth2/, where no ext-authz check is sent (docs/security.md, path 11).
    ping_path: OAUTH2_PROXY.pingPath,
    ready_path: OAUTH2_PROXY.readyPath,
    silence_ping_logging: true,
  });
  expect(OAUTH2_PROXY.pingPath.startsWith(OAUTH2_PROXY.pathPrefix) && OAUTH2_PROXY.readyPath.startsWith(OAUTH2_PROXY.pathPrefix)).toBe(true);
});

test('flags name files and addresses only; the two secrets come from the environment; the cluster CA for service-account tokens', () => {
  const d = find(objects, 'Deployment', OAUTH2_PROXY.name, NAMESPACES.oauth2Proxy);
  const c = d.spec.template.spec.containers[0];
  expect(c.command).toEqual(['/bin/oauth2-proxy']);
  expect(c.args).toEqual([
    '--config=/etc/oauth2-proxy/oauth2_proxy.cfg',
    `--http-address=0.0.0.0:${OAUTH2_PROXY.port}`,
    `--metrics-address=0.0.0.0:${OAUTH2_PROXY.metricsPort}`,
    '--authenticated-emails-file=/etc/oauth2-proxy/authenticated-emails',
    '--provider-ca-file=/etc/oauth2-proxy/kube-ca/ca.crt',
  ]);
  expect(c.env.map((e: any) => [e.name, e.valueFrom.secretKeyRef.key])).toEqual([['OAUTH2_PROXY_CLIENT_SECRET', 'client-secret'], ['OAUTH2_PROXY_COOKIE_SECRET', 'cookie-secret']]);
  expect(c.volumeMounts).toEqual([{ name: 'config', mountPath: '/etc/oauth2-proxy', readOnly: true }, { name: 'kube-ca', mountPath: '/etc/oauth2-proxy/kube-ca', readOnly: true }]);
  expect(d.spec.template.spec.volumes).toEqual([
    { name: 'config', configMap: { name: OAUTH2_PROXY.name } },
    { name: 'kube-ca', configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
  ]);
  expect(c.readinessProbe.httpGet.path).toBe(OAUTH2_PROXY.readyPath);
  expect(c.livenessProbe.httpGet.path).toBe(OAUTH2_PROXY.pingPath);
  expect(Object.keys(data()).sort()).toEqual(['authenticated-emails', 'oauth2_proxy.cfg']);
});

test('its pods may reach Dex (token redemption, keys), it serves HTTP and metrics, and it scales with the gateway where autoscaling is on', () => {
  const d = find(objects, 'Deployment', OAUTH2_PROXY.name, NAMESPACES.oauth2Proxy);
  const c = d.spec.template.spec.containers[0];
  expect(c.name).toBe('oauth2-proxy');
  expect(c.ports).toEqual([{ name: 'http', containerPort: OAUTH2_PROXY.port, protocol: 'TCP' }, { name: 'metrics', containerPort: OAUTH2_PROXY.metricsPort, protocol: 'TCP' }]);
  // Dex admits its clients by label: oauth2-proxy's pods carry it.
  const dexClients = find(objects, 'NetworkPolicy', 'dex-clients', NAMESPACES.auth).spec.ingress[0].from;
  const labels = d.spec.template.metadata.labels;
  expect(dexClients.some((f: any) => Object.entries(f.podSelector?.matchLabels ?? { none: 'x' }).every(([k, v]) => labels[k] === v)
    && f.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === NAMESPACES.oauth2Proxy)).toBe(true);
  // Every request through the gateway is checked here first: where the configuration autoscales, so does it.
  const scaled = rendered(resolveConfig({ profile: 'cluster' })).objects;
  expect(scaled.filter((o) => o.kind === 'HorizontalPodAutoscaler' && o.metadata.namespace === NAMESPACES.oauth2Proxy).map((h) => h.spec.scaleTargetRef.name)).toEqual([OAUTH2_PROXY.name]);
});
