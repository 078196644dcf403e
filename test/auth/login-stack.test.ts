/**
 * Whole-stack rules of the login, on every example profile: every route but the login pages is
 * behind the CUSTOM policy, tokens are verified and turned into kubeflow-userid, no credential,
 * hash or known default password is rendered, and what trusts kubeflow-userid cannot be reached
 * from a user's namespace.
 */
import * as yaml from 'js-yaml';
import { DEX, DEX_ISSUER, GATEWAY_POLICIES, JWKS_PROXY, LOGIN, OAUTH2_PROXY } from '../../lib/auth';
import { DEX_STORAGE_KINDS } from '../../lib/auth/dex-storage';
import type { Config } from '../../lib/config';
import { GATEWAY } from '../../lib/gateway';
import { NAMESPACES } from '../../lib/platform';
import { OBJECT_STORE } from '../../lib/data';
import { TENSORBOARD_SELF_SERVICE } from '../../lib/notebooks';
import { KFP } from '../../lib/pipelines';
import { resolveUsers } from '../../lib/users';
import { NetworkPolicies } from '../support/netpol';
import { selfServiceRecipe } from '../support/self-service';
import { find, rendered, VARIANTS, variantConfig, variantObjects, type K8sObject } from '../support/stack';

/** Istio path matching: exact, `prefix*`, `*suffix`, `*`. */
const pathMatches = (pattern: string, path: string) =>
  pattern === '*' || (pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : pattern.startsWith('*') ? path.endsWith(pattern.slice(1)) : path === pattern);

/** Whether an AuthorizationPolicy rule's `to` covers a request path (paths/notPaths only, what microflow writes). */
function ruleCovers(rule: any, path: string): boolean {
  return (rule.to ?? [{}]).some((t: any) => {
    const op = t.operation ?? {};
    if (op.paths && !op.paths.some((p: string) => pathMatches(p, path))) return false;
    if (op.notPaths && op.notPaths.some((p: string) => pathMatches(p, path))) return false;
    return true;
  });
}

const LOGIN_PREFIXES: string[] = [DEX.pathPrefix, OAUTH2_PROXY.pathPrefix];

/** A Go duration (`time.ParseDuration`, as oauth2-proxy and Dex read theirs) in seconds. */
function seconds(d: string): number {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3 };
  const parts = [...d.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== d) throw new Error(`not a Go duration: ${JSON.stringify(d)}`);
  return parts.reduce((sum, p) => sum + Number(p[1]) * units[p[2]], 0);
}

describe.each(VARIANTS)('%s', (variant) => {
  let objects: K8sObject[], config: Config, policies: K8sObject[], custom: K8sObject, routes: K8sObject[], gatewayPods: Record<string, string>;
  const gatewayPolicy = (name: string) => find(objects, 'AuthorizationPolicy', name, NAMESPACES.istio);
  // Every VirtualService but the HTTP port's redirect to HTTPS (test/gateway/https-default.test.ts).
  const isRedirect = (o: K8sObject) => o.metadata.name === GATEWAY.httpsRedirect && o.metadata.namespace === NAMESPACES.istio;
  // In beforeEach, so each test runs the render it checks: StrykerJS credits a test only with code it runs.
  beforeEach(() => {
    objects = variantObjects(variant);
    config = variantConfig(variant);
    policies = objects.filter((o) => o.kind === 'AuthorizationPolicy');
    custom = gatewayPolicy(GATEWAY_POLICIES.extAuthz);
    routes = objects.filter((o) => o.kind === 'VirtualService' && !isRedirect(o));
    gatewayPods = find(objects, 'Deployment', GATEWAY.ingress, NAMESPACES.istio).spec.template.metadata.labels;
  });
  const selectsGateway = (spec: any) => Object.keys(spec.selector.matchLabels).length > 0
    && Object.entries(spec.selector.matchLabels).every(([k, v]) => gatewayPods[k] === v);

  test('the CUSTOM policy sends every route to oauth2-proxy except the login pages', () => {
    expect(custom.spec).toMatchObject({ action: 'CUSTOM', provider: { name: LOGIN.extAuthzProvider } });
    expect(selectsGateway(custom.spec)).toBe(true);
    expect(routes.length).toBeGreaterThanOrEqual(2);
    for (const vs of routes) {
      expect(vs.spec.gateways).toEqual([`${NAMESPACES.kubeflow}/${GATEWAY.name}`]);
      for (const http of vs.spec.http) {
        for (const m of http.match) {
          const prefix: string = m.uri.prefix;
          const covered = custom.spec.rules.some((r: any) => ruleCovers(r, prefix)) && custom.spec.rules.some((r: any) => ruleCovers(r, `${prefix}x/y`));
          expect({ route: vs.metadata.name, prefix, covered }).toEqual({ route: vs.metadata.name, prefix, covered: !LOGIN_PREFIXES.includes(prefix) });
        }
      }
    }
    // The redirect forwards nothing anywhere: port 80 needs no check.
    expect(objects.filter((o) => o.kind === 'VirtualService' && isRedirect(o)).map((vs) => vs.spec.http.map((h: any) => [h.route, Object.keys(h.redirect).sort()])))
      .toEqual([[[undefined, ['port', 'redirectCode', 'scheme']]]]);
    // A path no route serves yet (an app added later) is covered too.
    expect(custom.spec.rules.some((r: any) => ruleCovers(r, '/pipeline/apis/v2beta1/runs'))).toBe(true);
    expect(custom.spec.rules.some((r: any) => ruleCovers(r, '/'))).toBe(true);
  });

  test('oauth2-proxy answers its health checks only on paths no ext-authz check carries, and its probes use them', () => {
    // oauth2-proxy answers 200 to its ping and ready paths before any session check, so an
    // ext-authz check of such a path is an "allow". Upstream's defaults are /ping and /ready.
    const cfg: string = find(objects, 'ConfigMap', OAUTH2_PROXY.name, NAMESPACES.oauth2Proxy).data['oauth2_proxy.cfg'];
    const setting = (key: string) => JSON.parse(new RegExp(`^${key} = (.*)$`, 'm').exec(cfg)?.[1] ?? '"(upstream default)"');
    const health = { ping: setting('ping_path'), ready: setting('ready_path') };
    expect(health).toEqual({ ping: OAUTH2_PROXY.pingPath, ready: OAUTH2_PROXY.readyPath });
    for (const p of Object.values<string>(health)) {
      expect({ path: p, checked: custom.spec.rules.some((r: any) => ruleCovers(r, p)) }).toEqual({ path: p, checked: false });
    }
    const container = find(objects, 'Deployment', OAUTH2_PROXY.name, NAMESPACES.oauth2Proxy).spec.template.spec.containers[0];
    expect({ readiness: container.readinessProbe.httpGet.path, liveness: container.livenessProbe.httpGet.path }).toEqual({ readiness: health.ready, liveness: health.ping });
  });

  const proxyCfg = () => find(objects, 'ConfigMap', OAUTH2_PROXY.name, NAMESPACES.oauth2Proxy).data['oauth2_proxy.cfg'] as string;
  /** A setting of oauth2-proxy's rendered TOML file, or undefined (upstream's default). */
  const proxySetting = (key: string) => {
    const m = new RegExp(`^${key} = (.*)$`, 'm').exec(proxyCfg());
    return m ? JSON.parse(m[1]) : undefined;
  };
  const dexConfig = () => yaml.load(find(objects, 'ConfigMap', DEX.name, NAMESPACES.auth).data['config.yaml']) as any;

  test('the session cookie is SameSite=Lax and HttpOnly: no cross-site subrequest or form post carries it', () => {
    expect({ samesite: proxySetting('cookie_samesite'), httponly: proxySetting('cookie_httponly') }).toEqual({ samesite: 'lax', httponly: true });
  });

  test('a session never outlives its ID token: no refresh, and the cookie expires before Dex\'s ID token does', () => {
    // oauth2-proxy forwards the ID token it got at login (set_authorization_header) and, with
    // cookie_refresh 0, never redeems a new one: the session's token expires idTokens after login,
    // so the cookie must expire first or the gateway would be handed an expired token (401).
    const expire = proxySetting('cookie_expire');
    const refresh = proxySetting('cookie_refresh');
    const idTokens = dexConfig().expiry.idTokens;
    expect(seconds(refresh)).toBe(0);
    expect(seconds(expire)).toBeGreaterThan(0);
    expect({ expire, idTokens, cookieFirst: seconds(expire) < seconds(idTokens) }).toEqual({ expire, idTokens, cookieFirst: true });
    expect({ expire, refresh, idTokens }).toEqual({ expire: '23h', refresh: '0s', idTokens: '24h' });
    // Without refresh there is no use for a refresh token: oauth2-proxy does not ask for one.
    expect(proxySetting('scope').split(' ')).not.toContain('offline_access');
  });

  test('Dex issues codes only (no implicit or hybrid flow), and oauth2-proxy asks for a code with PKCE', () => {
    const dex = dexConfig();
    expect(dex.oauth2.responseTypes).toEqual(['code']);
    // Dex's clients carry no response types of their own: the list above is all there is.
    expect(dex.staticClients.map((c: any) => ({ id: c.id, responseTypes: c.responseTypes, public: c.public }))).toEqual([{ id: DEX.clientId, responseTypes: undefined, public: undefined }]);
    // oauth2-proxy v7 always sends response_type=code (test/auth/oauth2-proxy.native.test.ts sees it).
    expect({ response_type: proxySetting('response_type'), code_challenge_method: proxySetting('code_challenge_method') }).toEqual({ response_type: undefined, code_challenge_method: 'S256' });
    // Dex's skipApprovalScreen holds only if oauth2-proxy does not force the prompt (test/cluster/front-door.test.ts).
    expect(proxySetting('approval_prompt')).toBe('auto');
  });

  test('outside the login pages a request needs a verified token: the require-principal DENY', () => {
    const deny = gatewayPolicy(GATEWAY_POLICIES.requirePrincipal);
    expect(deny.spec.action).toBe('DENY');
    expect(selectsGateway(deny.spec)).toBe(true);
    expect(deny.spec.rules).toEqual([{ from: [{ source: { notRequestPrincipals: ['*'] } }], to: [{ operation: { ports: ['8443'], notPaths: LOGIN_PREFIXES.map((p) => `${p}*`) } }] }]);
  });

  test('the RequestAuthentication verifies Dex\'s and the service-account tokens and writes kubeflow-userid from them', () => {
    const ra = find(objects, 'RequestAuthentication', GATEWAY_POLICIES.tokens, NAMESPACES.istio);
    expect(selectsGateway(ra.spec)).toBe(true);
    const [dex, sa] = ra.spec.jwtRules;
    // Istio's CRD spells the field jwks_uri (its proto name); Istio reads either spelling.
    const jwksUri = (rule: any) => rule.jwks_uri ?? rule.jwksUri;
    expect(dex).toMatchObject({ issuer: DEX_ISSUER, audiences: [DEX.clientId], forwardOriginalToken: false });
    expect(jwksUri(dex)).toBe(`${DEX_ISSUER}/keys`);
    expect(dex.outputClaimToHeaders).toContainEqual({ header: LOGIN.userIdHeader, claim: 'email' });
    expect(sa).toMatchObject({ issuer: config.login.serviceAccountTokens.issuer, audiences: [config.login.serviceAccountTokens.audience] });
    expect(sa.outputClaimToHeaders).toContainEqual({ header: LOGIN.userIdHeader, claim: 'sub' });
    // istiod fetches the keys over plain HTTP from the relay, which NetworkPolicy admits istiod to.
    expect(jwksUri(sa)).toMatch(/^http:\/\/cluster-jwks-proxy\.auth\.svc\.cluster\.local:\d+\/openid\/v1\/jwks$/);
  });

  test('every token rule writes both identity headers, so whichever verifies, a client\'s kubeflow-userid and kubeflow-groups are gone', () => {
    // Envoy's JWT filter removes a provider's claim_to_headers names when it tries that provider,
    // and tries them in rule order only until one verifies (jwt_authn verifier.cc, AnyVerifierImpl):
    // a header only the second rule wrote would survive a token the first rule verifies.
    const ra = find(objects, 'RequestAuthentication', GATEWAY_POLICIES.tokens, NAMESPACES.istio);
    expect(ra.spec.jwtRules.length).toBeGreaterThanOrEqual(2);
    for (const rule of ra.spec.jwtRules) {
      const written = rule.outputClaimToHeaders.map((h: any) => h.header).sort();
      expect({ issuer: rule.issuer, written }).toEqual({ issuer: rule.issuer, written: [LOGIN.groupsHeader, LOGIN.userIdHeader].sort() });
      expect(rule.outputPayloadToHeader).toBeUndefined();
    }
    // The service-account rule takes no groups from a service-account token (it has none): the
    // header is named only to be removed. No app authorizes by groups yet (docs/security.md, "Upstream
    // groups"); one that starts must not be handed a client's kubeflow-groups.
    const sa = ra.spec.jwtRules.find((r: any) => r.issuer === config.login.serviceAccountTokens.issuer);
    expect(sa.outputClaimToHeaders).toEqual([{ header: LOGIN.userIdHeader, claim: 'sub' }, { header: LOGIN.groupsHeader, claim: 'groups' }]);
  });

  test('the JWKS relay serves the exact JWKS path only: prefixes, suffixes, dot segments and encoded slashes are refused', () => {
    const relay = find(objects, 'Deployment', JWKS_PROXY.name, NAMESPACES.auth).spec.template.spec.containers[0];
    const flag = (name: string) => relay.args.find((a: string) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
    expect(relay.command).toEqual(['kubectl', 'proxy']);
    expect(flag('accept-paths')).toBe('^/openid/v1/jwks$');
    expect(flag('reject-methods')).toBe('^(POST|PUT|PATCH|DELETE|CONNECT)$');
    // kubectl proxy's filter (k8s.io/kubectl/pkg/proxy FilterServer.accept): the flag split on
    // commas, each an unanchored Go regexp matched against the percent-decoded URL path.
    const accepts = (rawPath: string) => flag('accept-paths')!.split(',').some((re: string) => new RegExp(re).test(decodeURIComponent(rawPath)));
    expect(accepts(JWKS_PROXY.jwksPath)).toBe(true);
    for (const miss of [
      '/', '/openid/v1/jwks/', '/openid/v1/jwksx', '/openid/v1/jwks.json', '/x/openid/v1/jwks', '/api/openid/v1/jwks',
      '/openid/v1/jwks/../../../api/v1/secrets', '/openid/v1/jwks%2F..%2F..%2Fapi%2Fv1%2Fsecrets', '/openid/v1/jwks%2f', '/openid/v1/jwks%0a',
      '/.well-known/openid-configuration', '/api/v1/namespaces/kube-system/secrets', '/openid/v1/JWKS',
    ]) expect({ path: miss, accepted: accepts(miss) }).toEqual({ path: miss, accepted: false });
  });

  test('each user\'s per-namespace paths are denied to every other identity', () => {
    for (const u of resolveUsers(config)) {
      const p = gatewayPolicy(`owner-only-${u.namespace}`);
      expect(p.spec.action).toBe('DENY');
      expect(selectsGateway(p.spec)).toBe(true);
      expect(p.spec.rules[0].to[0].operation.paths).toEqual([`/notebook/${u.namespace}/*`, `/tensorboard/${u.namespace}/*`]);
      expect(p.spec.rules[0].when).toEqual([{ key: `request.headers[${LOGIN.userIdHeader}]`, notValues: [u.email] }]);
    }
    expect(policies.filter((p) => p.spec.action === 'ALLOW')).toEqual([]);
  });

  test('oauth2-proxy lets in exactly the configured users and their namespaces\' service accounts', () => {
    const emails = find(objects, 'ConfigMap', OAUTH2_PROXY.name, NAMESPACES.oauth2Proxy).data['authenticated-emails'].trim().split('\n');
    const users = resolveUsers(config);
    expect(emails.sort()).toEqual(users.flatMap((u) => [u.email, ...u.serviceAccounts.map((s) => `system:serviceaccount:${u.namespace}:${s}`)]).sort());
    const cfg: string = find(objects, 'ConfigMap', OAUTH2_PROXY.name, NAMESPACES.oauth2Proxy).data['oauth2_proxy.cfg'];
    expect(cfg).not.toMatch(/email_domains/);
    expect(cfg).toContain(`extra_jwt_issuers = ["${config.login.serviceAccountTokens.issuer}=${config.login.serviceAccountTokens.audience}"]`);
  });

  test('Dex may manage only its own storage kinds, in its own namespace; oauth2-proxy has no RBAC at all', () => {
    const subjectOf = (sa: string, ns: string) => (b: K8sObject) => (b.subjects ?? []).some((s: any) => s.kind === 'ServiceAccount' && s.name === sa && s.namespace === ns);
    const dexBindings = objects.filter((o) => /RoleBinding$/.test(o.kind) && subjectOf(DEX.name, NAMESPACES.auth)(o));
    expect(dexBindings.map((b) => `${b.kind}/${b.metadata.namespace}/${b.roleRef.name}`)).toEqual([`RoleBinding/${NAMESPACES.auth}/${DEX.name}`]);
    expect(find(objects, 'Role', DEX.name, NAMESPACES.auth).rules).toEqual([{
      apiGroups: [DEX.storageGroup], resources: DEX_STORAGE_KINDS.map(([p]) => p), verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
    }]);
    expect(objects.filter((o) => o.kind === 'CustomResourceDefinition' && o.spec.group === DEX.storageGroup)).toHaveLength(DEX_STORAGE_KINDS.length);
    expect(objects.filter((o) => /RoleBinding$/.test(o.kind) && subjectOf(OAUTH2_PROXY.name, NAMESPACES.oauth2Proxy)(o))).toEqual([]);
    expect(find(objects, 'Deployment', OAUTH2_PROXY.name, NAMESPACES.oauth2Proxy).spec.template.spec.automountServiceAccountToken).toBe(false);
  });

  test('no credential, bcrypt hash or known default password anywhere in the render', () => {
    const text = JSON.stringify(objects);
    expect(text).not.toMatch(/\$2[abxy]?\$\d\d\$/);
    for (const known of ['12341234', 'user@example.com', 'minio123', 'admin/admin', 'kubeflow-oidc-authservice']) expect(text).not.toContain(known);
    for (const s of objects.filter((o) => o.kind === 'Secret')) expect([s.data, s.stringData]).toEqual([undefined, undefined]);
    for (const cm of objects.filter((o) => o.kind === 'ConfigMap')) {
      for (const v of Object.values<string>(cm.data ?? {})) expect(v).not.toMatch(/(client_secret|cookie_secret|clientSecret|bindPW)\s*[:=]\s*['"]?[A-Za-z0-9]/);
    }
  });

  test('what trusts kubeflow-userid, or serves a route, is unreachable from a pod in a user\'s namespace', () => {
    const netpol = new NetworkPolicies(objects);
    const pods = objects.filter((o) => ['Deployment', 'StatefulSet'].includes(o.kind));
    const routed = routes.map((vs) => vs.spec.http[0].route[0].destination.host as string);
    // Pipelines' identity guard is meant for in-cluster callers (notebooks, step pods): it removes
    // kubeflow-userid/-groups before the API server sees a request (test/pipelines/api-guard.native.test.ts).
    const headerStripping: string[] = [KFP.apiGuard];
    // The object store's S3 port, from a namespace holding its own key (every user namespace, in both
    // modes), checks a signature on every request and trusts no header; the key opens only its grant
    // (test/pipelines/artifact-users.native.test.ts). Its console does not count.
    const toStore = rendered(config).connections.find((c) => c.to.name === OBJECT_STORE.service)!;
    const s3 = { workload: toStore.to.pods.name, port: toStore.to.port(toStore.port).containerPort };
    const users = resolveUsers(config);
    // Each user's own self-service TensorBoard (the README's recipe, applied in their namespace) is routed too.
    const selfService = users.map((u) => selfServiceRecipe(u.namespace));
    const targets = [...pods, ...selfService].filter((w) => routed.some((h) => h.endsWith(`.${w.metadata.namespace}.svc.cluster.local`)) && !headerStripping.includes(w.metadata.name));
    expect(targets.length).toBeGreaterThanOrEqual(2 + users.length);
    const { key, value } = TENSORBOARD_SELF_SERVICE.podLabel;
    for (const u of resolveUsers(config)) {
      // Labels are not a secret: the intruder wears the clients' and the slot's labels.
      const intruder = { namespace: u.namespace, labels: { 'notebook-name': 'nb', 'microflow.dev/dex-client': 'true', [key]: value } };
      for (const w of targets) {
        for (const c of w.spec.template.spec.containers) {
          for (const p of c.ports ?? []) {
            if (w.metadata.name === s3.workload && p.containerPort === s3.port) continue;
            const allowed = netpol.allows(intruder, { namespace: w.metadata.namespace!, labels: w.spec.template.metadata.labels }, p.containerPort);
            expect({ to: `${w.metadata.namespace}/${w.metadata.name}:${p.containerPort}`, allowed }).toEqual({ to: `${w.metadata.namespace}/${w.metadata.name}:${p.containerPort}`, allowed: false });
          }
        }
      }
    }
  });
});
