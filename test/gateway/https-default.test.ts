/**
 * HTTPS by default (docs/security.md, path 7) across the whole render: the HTTP port only redirects,
 * cookies are Secure, HSTS is on every route, the login is enforced where apps are routed; plain HTTP
 * is an explicit, warned opt-out, and the old `httpsRedirect` and contradictory settings are refused.
 */
import { GATEWAY_POLICIES } from '../../lib/auth';
import { ConfigError, configWarnings, PLAIN_HTTP_WARNING, resolveConfig } from '../../lib/config';
import { deployHints, formatHints, formatWarnings, type Manifest } from '../../lib/deploy';
import { GATEWAY } from '../../lib/gateway';
import { DEPLOY_HINT_ANNOTATIONS, NAMESPACES } from '../../lib/platform';
import { problems } from '../support/config';
import { EXAMPLES, exampleConfig, find, once, renderStack, type K8sObject } from '../support/stack';

const render = (example: (typeof EXAMPLES)[number], overrides: Record<string, unknown> = {}) => renderStack(exampleConfig(example, overrides)).objects;
const cookieSecure = (objects: K8sObject[]) =>
  /^cookie_secure = (\w+)$/m.exec(find(objects, 'ConfigMap', 'oauth2-proxy', NAMESPACES.oauth2Proxy).data['oauth2_proxy.cfg'])![1];
const jupyterSecureCookies = (objects: K8sObject[]) =>
  find(objects, 'Deployment', 'jupyter-web-app', NAMESPACES.kubeflow).spec.template.spec.containers[0].env.find((e: any) => e.name === 'APP_SECURE_COOKIES').value;
/** The HSTS value of each route on kubeflow-gateway, by VirtualService name. */
const hstsByRoute = (objects: K8sObject[]) => Object.fromEntries(objects
  .filter((o) => o.kind === 'VirtualService' && o.spec.gateways.includes(`${NAMESPACES.kubeflow}/${GATEWAY.name}`))
  .flatMap((o) => o.spec.http.map((h: any) => [`${o.metadata.namespace}/${o.metadata.name}/${h.name}`, h.headers?.response?.set?.['Strict-Transport-Security']])));
const policyPorts = (objects: K8sObject[], name: string) =>
  find(objects, 'AuthorizationPolicy', name, NAMESPACES.istio).spec.rules.map((r: any) => r.to[0].operation.ports);
const loginUrl = (objects: K8sObject[]) => deployHints(objects as unknown as Manifest[]).loginUrl;

describe.each(EXAMPLES)('profile %s by default', (example) => {
  let objects: K8sObject[];
  // In beforeEach, so each test runs the render it checks: StrykerJS credits a test only with code it runs.
  beforeEach(() => { objects = render(example); });

  test('the session cookies are Secure (oauth2-proxy and the Jupyter web app)', () => {
    expect(cookieSecure(objects)).toBe('true');
    expect(jupyterSecureCookies(objects)).toBe('true');
  });

  test('every route on kubeflow-gateway sends HSTS max-age=31536000 (no includeSubDomains, no preload)', () => {
    const hsts = hstsByRoute(objects);
    expect(Object.keys(hsts)).toEqual(expect.arrayContaining([`${NAMESPACES.auth}/dex/dex`, `${NAMESPACES.oauth2Proxy}/oauth2/oauth2`]));
    expect(new Set(Object.values(hsts))).toEqual(new Set(['max-age=31536000']));
  });

  test('port 80 only redirects: no login check there, the login enforced on the HTTPS port', () => {
    expect(policyPorts(objects, GATEWAY_POLICIES.extAuthz)).toEqual([[String(GATEWAY.ports.https.containerPort)]]);
    expect(policyPorts(objects, GATEWAY_POLICIES.requirePrincipal)).toEqual([[String(GATEWAY.ports.https.containerPort)]]);
    expect(find(objects, 'VirtualService', GATEWAY.httpsRedirect, NAMESPACES.istio).spec.http[0].redirect.scheme).toBe('https');
  });

  test('the deploy prints an https login URL and no warning', () => {
    expect(loginUrl(objects)).toMatch(/^https:\/\//);
    expect(deployHints(objects as unknown as Manifest[]).warnings).toEqual([]);
    expect(configWarnings(exampleConfig(example))).toEqual([]);
  });
});

describe('gateway.plainHttp: true, the opt-out', () => {
  // Rendered inside each test (once per file): StrykerJS credits a test only with code it runs.
  const plain = once(() => render('laptop', { gateway: { plainHttp: true } }));

  test('cookies are not Secure, no HSTS, no redirect, the login enforced on both ports', () => {
    const objects = plain();
    expect(cookieSecure(objects)).toBe('false');
    expect(jupyterSecureCookies(objects)).toBe('false');
    expect(new Set(Object.values(hstsByRoute(objects)))).toEqual(new Set([undefined]));
    expect(objects.filter((o) => o.metadata.name === GATEWAY.httpsRedirect)).toEqual([]);
    const both = [String(GATEWAY.ports.http.containerPort), String(GATEWAY.ports.https.containerPort)];
    expect(policyPorts(objects, GATEWAY_POLICIES.extAuthz)).toEqual([both]);
    expect(policyPorts(objects, GATEWAY_POLICIES.requirePrincipal)).toEqual([both]);
  });

  test('synth\'s and the deploy\'s warning names the risk, first and in the final hints', () => {
    const objects = plain();
    expect(configWarnings(exampleConfig('laptop', { gateway: { plainHttp: true } }))).toEqual([PLAIN_HTTP_WARNING]);
    expect(PLAIN_HTTP_WARNING).toMatch(/^gateway\.plainHttp is true: .*passwords, session cookies and tokens sent over HTTP/);
    const hints = deployHints(objects as unknown as Manifest[]);
    expect(hints.warnings).toEqual([PLAIN_HTTP_WARNING]);
    expect(formatWarnings(hints)).toEqual([`warning: ${PLAIN_HTTP_WARNING}`]);
    expect(formatHints(hints).split('\n')[0]).toBe(`warning: ${PLAIN_HTTP_WARNING}`);
    expect(find(objects, 'Gateway', GATEWAY.name, NAMESPACES.kubeflow).metadata.annotations[DEPLOY_HINT_ANNOTATIONS.warning]).toBe(PLAIN_HTTP_WARNING);
  });
});

describe('configuration', () => {
  test('every profile defaults to HTTPS', () => {
    for (const example of EXAMPLES) expect(resolveConfig({ profile: example }).gateway.plainHttp).toBe(false);
  });

  test.each([true, false])('the old gateway.httpsRedirect: %s is refused, naming gateway.plainHttp', (value) => {
    let error: unknown;
    try {
      resolveConfig({ gateway: { httpsRedirect: value } } as never, 'my.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([expect.stringMatching(/^gateway\.httpsRedirect: replaced by gateway\.plainHttp: HTTPS is the default .*set gateway\.plainHttp: true to serve plain HTTP/)]);
  });

  const connector = (redirectURI: string) => ({
    type: 'github', id: 'github', name: 'GitHub', secret: { name: 'dex-github', key: 'client-secret' },
    config: { clientID: 'Iv1.abc', redirectURI },
  });

  test('a connector calling back over http:// contradicts HTTPS and is refused, naming the field; with plainHttp it is allowed', () => {
    expect(problems({ login: { connectors: [connector('http://ml.example.org:30080/dex/callback')] } }))
      .toEqual(['login.connectors.0.config.redirectURI: expected an https:// URL while gateway.plainHttp is false (HTTPS is the default), got "http://ml.example.org:30080/dex/callback"']);
    expect(problems({ login: { connectors: [connector('HTTP://ml.example.org/dex/callback')] } })).toHaveLength(1);
    expect(problems({ login: { connectors: [connector('https://ml.example.org:30443/dex/callback')] } })).toEqual([]);
    expect(problems({ gateway: { plainHttp: true }, login: { connectors: [connector('http://ml.example.org:30080/dex/callback')] } })).toEqual([]);
  });

  test('plainHttp must be a boolean', () => {
    expect(problems({ gateway: { plainHttp: 'yes' } })).toEqual(['gateway.plainHttp: expected true or false']);
  });
});
