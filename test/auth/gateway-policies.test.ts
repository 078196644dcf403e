/**
 * The gateway's login enforcement, exactly as rendered: the ext-authz provider in istiod's mesh config,
 * the CUSTOM policy, the RequestAuthentication and the require-principal DENY. Each field is pinned with
 * the reason it matters; login-stack.test.ts checks the rules these make on every profile, and
 * oauth2-proxy.native.test.ts what the real oauth2-proxy does with the provider's headers.
 */
import * as yaml from 'js-yaml';
import { DEX, DEX_ISSUER, GATEWAY_POLICIES, LOGIN, OAUTH2_PROXY } from '../../lib/auth';
import { resolveConfig } from '../../lib/config';
import { NAMESPACES } from '../../lib/platform';
import { resolveUsers } from '../../lib/users';
import { find, rendered, type K8sObject } from '../support/stack';

const config = resolveConfig({});
let objects: K8sObject[];
// In beforeEach, so each test runs the render it checks: StrykerJS credits a test only with code it runs.
beforeEach(() => { objects = rendered(config).objects; });
const selector = () => ({ matchLabels: find(objects, 'Deployment', 'istio-ingressgateway', NAMESPACES.istio).spec.selector.matchLabels });
const PUBLIC = [`${DEX.pathPrefix}*`, `${OAUTH2_PROXY.pathPrefix}*`];

test('the ext-authz provider: which headers oauth2-proxy sees and returns, on its FQDN and port, 10 s at most', () => {
  const mesh = yaml.load(find(objects, 'ConfigMap', 'istio', NAMESPACES.istio).data.mesh) as any;
  expect(mesh.extensionProviders).toEqual([{
    name: LOGIN.extAuthzProvider,
    envoyExtAuthzHttp: {
      service: `${OAUTH2_PROXY.name}.${NAMESPACES.oauth2Proxy}.svc.cluster.local`,
      port: expect.any(Number),
      // The session cookie or a bearer token, and Accept: oauth2-proxy answers an API client 401 and
      // a browser a redirect to the login. Nothing else of the client's request reaches it.
      includeRequestHeadersInCheck: ['authorization', 'cookie', 'accept'],
      // Only the token oauth2-proxy vouches for goes on, overwriting the client's.
      headersToUpstreamOnAllow: ['authorization'],
      // A refusal carries its body's type and the cookie oauth2-proxy sets (CSRF, session clear).
      headersToDownstreamOnDeny: ['content-type', 'set-cookie'],
      timeout: '10s',
    },
  }]);
});

test('CUSTOM: every routed port and path but the login pages goes to oauth2-proxy first', () => {
  expect(find(objects, 'AuthorizationPolicy', GATEWAY_POLICIES.extAuthz, NAMESPACES.istio).spec).toEqual({
    selector: selector(),
    action: 'CUSTOM',
    provider: { name: LOGIN.extAuthzProvider },
    rules: [{ to: [{ operation: { ports: ['8443'], notPaths: PUBLIC } }] }],
  });
});

test('the RequestAuthentication: both issuers, their audiences, the bearer header only, no token forwarded, both identity headers written', () => {
  const rules = find(objects, 'RequestAuthentication', GATEWAY_POLICIES.tokens, NAMESPACES.istio).spec;
  const bearer = [{ name: 'Authorization', prefix: 'Bearer ' }];
  // Istio's CRD spells the field jwks_uri (its proto name), as the generated binding writes it.
  const sa = config.login.serviceAccountTokens;
  expect(rules).toEqual({
    selector: selector(),
    jwtRules: [
      {
        issuer: DEX_ISSUER, jwks_uri: `${DEX_ISSUER}/keys`, audiences: [DEX.clientId], fromHeaders: bearer, forwardOriginalToken: false,
        outputClaimToHeaders: [{ header: LOGIN.userIdHeader, claim: 'email' }, { header: LOGIN.groupsHeader, claim: 'groups' }],
      },
      {
        issuer: sa.issuer, jwks_uri: expect.stringMatching(/\/openid\/v1\/jwks$/), audiences: [sa.audience], fromHeaders: bearer, forwardOriginalToken: false,
        outputClaimToHeaders: [{ header: LOGIN.userIdHeader, claim: 'sub' }, { header: LOGIN.groupsHeader, claim: 'groups' }],
      },
    ],
  });
});

test('DENY: outside the login pages, a request on a routed port without a verified token never reaches an app', () => {
  expect(find(objects, 'AuthorizationPolicy', GATEWAY_POLICIES.requirePrincipal, NAMESPACES.istio).spec).toEqual({
    selector: selector(),
    action: 'DENY',
    rules: [{ from: [{ source: { notRequestPrincipals: ['*'] } }], to: [{ operation: { ports: ['8443'], notPaths: PUBLIC } }] }],
  });
});

test('DENY: a login token whose email is not exactly a configured user\'s (path 10a: `Alice@Example.org` for alice@example.org)', () => {
  expect(find(objects, 'AuthorizationPolicy', GATEWAY_POLICIES.configuredUsers, NAMESPACES.istio).spec).toEqual({
    selector: selector(),
    action: 'DENY',
    rules: [{
      // Dex's tokens only: service-account tokens carry no email and are allow-listed by oauth2-proxy.
      from: [{ source: { requestPrincipals: [`${DEX_ISSUER}/*`] } }],
      to: [{ operation: { ports: ['8443'], notPaths: PUBLIC } }],
      // Exact values: the same strings the RoleBindings and owner-only rules compare with.
      when: [{ key: 'request.auth.claims[email]', notValues: resolveUsers(config).map((u) => u.email) }],
    }],
  });
});
