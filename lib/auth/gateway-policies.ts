import { Construct } from 'constructs';
import { AuthorizationPolicy, AuthorizationPolicySpecAction, RequestAuthentication } from '../../imports/security.istio.io';
import { GATEWAY, type Gateway } from '../gateway';
import type { ServiceHandle } from '../platform';
import { DEX, DEX_ISSUER, LOGIN } from './constants';

export interface GatewayPoliciesProps {
  readonly gateway: Gateway;
  /** oauth2-proxy's Service and the port the gateway calls. */
  readonly authorizer: { readonly service: ServiceHandle; readonly port: string };
  /** Path prefixes that must work without a session: Dex's pages and oauth2-proxy's callback. */
  readonly publicPrefixes: readonly string[];
  /** The service-account token issuer, audience, and where istiod fetches its keys. */
  readonly serviceAccountTokens: { readonly issuer: string; readonly audience: string; readonly jwksUri: string };
  /** The configured users' emails, exactly as the RoleBindings and owner-only rules name them. */
  readonly userEmails: readonly string[];
}

/**
 * The ingress gateway's HTTP(S) listener ports (its container ports): DENY rules name them, or Istio
 * would apply their HTTP-only conditions to every TCP port of the gateway as a blanket deny (IST0133).
 */
export const GATEWAY_HTTP_PORTS = [GATEWAY.ports.http.containerPort, GATEWAY.ports.https.containerPort].map(String);

/** Policy names, for people and for the whole-stack checks. */
export const GATEWAY_POLICIES = {
  extAuthz: 'gateway-oauth2-proxy',
  requirePrincipal: 'gateway-require-jwt',
  tokens: 'gateway-jwt',
  configuredUsers: 'gateway-configured-users-only',
} as const;

/**
 * The gateway's login enforcement, in Envoy's filter order on the ingress gateway:
 * 1. CUSTOM (ext-authz, first in Istio's chain): every request outside the public prefixes goes to
 *    oauth2-proxy, which answers with `Authorization: Bearer <token>` for a session or token it
 *    accepts (that header overwrites the client's).
 * 2. RequestAuthentication: Envoy's JWT filter verifies that token (Dex's, or a service-account
 *    token of the configured audience) and writes `kubeflow-userid` (and `kubeflow-groups`) from its
 *    claims. Each rule removes the headers it writes before it verifies, and Envoy stops at the
 *    first rule that verifies, so every rule names both headers: a client-sent one never survives.
 *    An invalid or expired token is refused (401).
 * 3. DENY: a request outside the public prefixes without a verified token is refused, so no
 *    request reaches an app without a `kubeflow-userid` the gateway wrote itself.
 * 4. DENY: a login token (Dex's) whose email is not exactly a configured user's is refused. oauth2-proxy
 *    matches emails without regard to case, but RoleBindings and owner-only rules compare exactly: an
 *    upstream account spelt `Alice@Example.org` would get in and then be refused everywhere.
 */
export class GatewayPolicies extends Construct {
  /** The CUSTOM policy's excluded paths (Istio path patterns). */
  public readonly publicPaths: readonly string[];

  constructor(scope: Construct, id: string, props: GatewayPoliciesProps) {
    super(scope, id);
    const { gateway } = props;
    const namespace = gateway.workload.namespace;
    const selector = { matchLabels: gateway.workload.selector };
    this.publicPaths = props.publicPrefixes.map((p) => `${p}*`);

    gateway.addExtensionProvider({
      name: LOGIN.extAuthzProvider,
      service: props.authorizer.service,
      port: props.authorizer.port,
      // Session cookie or bearer token, and Accept (an API client gets 401, a browser a redirect).
      includeRequestHeadersInCheck: ['authorization', 'cookie', 'accept'],
      headersToUpstreamOnAllow: ['authorization'],
      // Envoy always adds Location and WWW-Authenticate to these.
      headersToDownstreamOnDeny: ['content-type', 'set-cookie'],
      timeout: '10s',
    });
    new AuthorizationPolicy(this, 'ExtAuthz', {
      metadata: { name: GATEWAY_POLICIES.extAuthz, namespace },
      spec: {
        selector,
        action: AuthorizationPolicySpecAction.CUSTOM,
        provider: { name: LOGIN.extAuthzProvider },
        // Only where requests are routed: by default the HTTP port answers nothing but a redirect to
        // HTTPS, which must come before any login (a Secure cookie set over HTTP is dropped).
        rules: [{ to: [{ operation: { ports: gateway.routedPorts.map(String), notPaths: [...this.publicPaths] } }] }],
      },
    });
    new RequestAuthentication(this, 'Tokens', {
      metadata: { name: GATEWAY_POLICIES.tokens, namespace },
      spec: {
        selector,
        jwtRules: [
          {
            issuer: DEX_ISSUER,
            jwksUri: `${DEX_ISSUER}/keys`,
            audiences: [DEX.clientId],
            fromHeaders: [{ name: 'Authorization', prefix: 'Bearer ' }],
            // Apps get the identity, not the token.
            forwardOriginalToken: false,
            outputClaimToHeaders: [{ header: LOGIN.userIdHeader, claim: 'email' }, { header: LOGIN.groupsHeader, claim: 'groups' }],
          },
          {
            issuer: props.serviceAccountTokens.issuer,
            jwksUri: props.serviceAccountTokens.jwksUri,
            audiences: [props.serviceAccountTokens.audience],
            fromHeaders: [{ name: 'Authorization', prefix: 'Bearer ' }],
            forwardOriginalToken: false,
            // system:serviceaccount:<namespace>:<name>, the identity Kubeflow's apps authorize with RBAC.
            // Service-account tokens carry no groups claim, so kubeflow-groups stays unset; it is named
            // so that this rule removes a client's copy too: Envoy removes a rule's headers only when it
            // tries that rule, and stops at the first rule that verifies (rule order must not matter).
            outputClaimToHeaders: [{ header: LOGIN.userIdHeader, claim: 'sub' }, { header: LOGIN.groupsHeader, claim: 'groups' }],
          },
        ],
      },
    });
    new AuthorizationPolicy(this, 'RequirePrincipal', {
      metadata: { name: GATEWAY_POLICIES.requirePrincipal, namespace },
      spec: {
        selector,
        action: AuthorizationPolicySpecAction.DENY,
        rules: [{ from: [{ source: { notRequestPrincipals: ['*'] } }], to: [{ operation: { ports: gateway.routedPorts.map(String), notPaths: [...this.publicPaths] } }] }],
      },
    });
    new AuthorizationPolicy(this, 'ConfiguredUsersOnly', {
      metadata: { name: GATEWAY_POLICIES.configuredUsers, namespace },
      spec: {
        selector,
        action: AuthorizationPolicySpecAction.DENY,
        rules: [{
          from: [{ source: { requestPrincipals: [`${DEX_ISSUER}/*`] } }],
          to: [{ operation: { ports: gateway.routedPorts.map(String), notPaths: [...this.publicPaths] } }],
          when: [{ key: 'request.auth.claims[email]', notValues: [...props.userEmails] }],
        }],
      },
    });
  }
}
