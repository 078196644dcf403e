import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { secretEnv } from '../data';
import { Route, type Gateway } from '../gateway';
import { configHashAnnotation, MicroflowService, PolicyDeployment, type Endpoint, type WorkloadPolicy } from '../platform';
import { AUTH_SECRETS, DEX, DEX_ISSUER, OAUTH2_PROXY } from './constants';

export interface OAuth2ProxyProps {
  readonly namespace: string;
  readonly policy: WorkloadPolicy;
  readonly gateway: Gateway;
  /** Dex, which oauth2-proxy is a client of. */
  readonly dex: Endpoint;
  /**
   * Who may pass: the configured users' emails and the service-account identities
   * (`system:serviceaccount:<ns>:<name>`) whose tokens the gateway accepts.
   */
  readonly allowed: readonly string[];
  /** The service-account token issuer and audience oauth2-proxy accepts bearer tokens from. */
  readonly serviceAccountTokens: { readonly issuer: string; readonly audience: string };
  /** Mark the session cookie Secure (only when every URL users reach the platform on is HTTPS). */
  readonly secureCookie: boolean;
  /** @default 1 */
  readonly replicas?: number;
}

const CONFIG_DIR = '/etc/oauth2-proxy';
const CONFIG_FILE = 'oauth2_proxy.cfg';
const EMAILS_FILE = 'authenticated-emails';
const KUBE_CA_DIR = '/etc/oauth2-proxy/kube-ca';
/** The cluster's CA bundle, published in every namespace by the controller-manager. */
const KUBE_ROOT_CA = { configMap: 'kube-root-ca.crt', key: 'ca.crt' };
const PORT_NAME = 'http';

/**
 * Paths answered 401 instead of a redirect to the login page: the SDKs' APIs (the kfp SDK calls
 * `/pipeline/apis/...`), which cannot follow a browser login.
 */
export const API_ROUTES = ['/api/', '/apis/', '^/ml_metadata'];

/**
 * oauth2-proxy, the gateway's authorization server (Istio ext-authz): a browser without a session
 * is sent to Dex, an API client gets 401, a session or bearer token of an allowed identity passes
 * with `Authorization: Bearer <ID token>` for the gateway's RequestAuthentication to verify and turn
 * into `kubeflow-userid`. Its settings work on any address the gateway is reached by: the login
 * and callback URLs are relative and the cookie is host-only. It talks to nothing but Dex and,
 * for service-account tokens, the API server's public discovery endpoints; it has no RBAC at all.
 */
export class OAuth2Proxy extends Construct {
  public readonly service: MicroflowService;
  public readonly route: Route;

  constructor(scope: Construct, id: string, props: OAuth2ProxyProps) {
    super(scope, id);
    const ns = props.namespace;
    const data = {
      [CONFIG_FILE]: proxyConfig(props),
      // One identity per line; oauth2-proxy re-reads the file when it changes (no restart).
      [EMAILS_FILE]: `${props.allowed.join('\n')}\n`,
    };
    const configMap = new k8s.KubeConfigMap(this, 'Config', { metadata: { name: OAUTH2_PROXY.name, namespace: ns }, data });
    const { oauth2Proxy } = AUTH_SECRETS;
    const deployment = new PolicyDeployment(this, 'Deployment', {
      name: OAUTH2_PROXY.name,
      namespace: ns,
      policy: props.policy,
      replicas: props.replicas,
      // Every request through the gateway is checked here first.
      frontDoor: true,
      connectsTo: [props.dex],
      podAnnotations: configHashAnnotation(data[CONFIG_FILE]),
      pod: {
        containers: [{
          name: 'oauth2-proxy',
          image: 'oauth2Proxy',
          resources: 'oauth2Proxy',
          command: ['/bin/oauth2-proxy'],
          // Addresses and file paths here (not in the file), where they are plainly visible.
          args: [
            `--config=${CONFIG_DIR}/${CONFIG_FILE}`,
            `--http-address=0.0.0.0:${OAUTH2_PROXY.port}`,
            `--metrics-address=0.0.0.0:${OAUTH2_PROXY.metricsPort}`,
            `--authenticated-emails-file=${CONFIG_DIR}/${EMAILS_FILE}`,
            // Trust the cluster's CA for the service-account issuer's discovery document and keys.
            `--provider-ca-file=${KUBE_CA_DIR}/${KUBE_ROOT_CA.key}`,
          ],
          env: [
            secretEnv('OAUTH2_PROXY_CLIENT_SECRET', oauth2Proxy, 'clientSecret'),
            secretEnv('OAUTH2_PROXY_COOKIE_SECRET', oauth2Proxy, 'cookieSecret'),
          ],
          ports: [{ name: PORT_NAME, port: OAUTH2_PROXY.port }, { name: 'metrics', port: OAUTH2_PROXY.metricsPort }],
          readiness: { httpGet: { path: OAUTH2_PROXY.readyPath, port: k8s.IntOrString.fromString(PORT_NAME) }, periodSeconds: 10, failureThreshold: 3 },
          liveness: { httpGet: { path: OAUTH2_PROXY.pingPath, port: k8s.IntOrString.fromString(PORT_NAME) }, periodSeconds: 20, failureThreshold: 3 },
          volumeMounts: [
            { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
            { name: 'kube-ca', mountPath: KUBE_CA_DIR, readOnly: true },
          ],
        }],
        volumes: [
          { name: 'config', configMap: { name: configMap.name } },
          { name: 'kube-ca', configMap: { name: KUBE_ROOT_CA.configMap, items: [{ key: KUBE_ROOT_CA.key, path: KUBE_ROOT_CA.key }] } },
        ],
      },
    });
    this.service = new MicroflowService(this, 'Service', {
      name: OAUTH2_PROXY.name,
      pods: deployment.pods,
      ports: [{ name: PORT_NAME, port: OAUTH2_PROXY.servicePort, targetPort: PORT_NAME }],
    });
    // Its own endpoints (the login callback, sign-out) are served to the browser directly.
    this.route = new Route(this, 'Route', { gateway: props.gateway, name: 'oauth2', prefix: OAUTH2_PROXY.pathPrefix, to: this.service, port: PORT_NAME });
  }
}

const toml = (v: unknown): string => (Array.isArray(v) ? `[${v.map(toml).join(', ')}]` : typeof v === 'string' ? JSON.stringify(v) : String(v));

/** The configuration file (TOML): no credential in it; the secrets come from the environment. */
function proxyConfig(props: OAuth2ProxyProps): string {
  const dexUrl = (p: string) => `${DEX_ISSUER}/${p}`;
  const settings: [string, unknown][] = [
    ['provider', 'oidc'],
    ['provider_display_name', 'microflow'],
    ['client_id', DEX.clientId],
    ['oidc_issuer_url', DEX_ISSUER],
    // Dex's discovery document names its in-cluster address, which browsers cannot reach: the
    // login URL is relative (the gateway routes /dex/ to Dex), the others are in-cluster.
    ['skip_oidc_discovery', true],
    ['login_url', `${DEX.pathPrefix}auth`],
    ['redeem_url', dexUrl('token')],
    ['oidc_jwks_url', dexUrl('keys')],
    ['scope', 'openid email profile groups'],
    ['code_challenge_method', 'S256'],
    ['redirect_url', `${OAUTH2_PROXY.pathPrefix}callback`],
    ['relative_redirect_url', true],
    ['skip_provider_button', true],
    // oauth2-proxy's default, approval_prompt=force, makes Dex show its "Grant Access" page on every
    // login whatever Dex's skipApprovalScreen says (found by the real login, front-door.test.ts):
    // `auto` leaves it to Dex's setting.
    ['approval_prompt', 'auto'],
    ['upstreams', ['static://200']],
    ['api_routes', API_ROUTES],
    // Bearer tokens (SDKs): Dex's own, and the cluster's service-account tokens for this audience.
    ['skip_jwt_bearer_tokens', true],
    ['bearer_token_login_fallback', false],
    ['extra_jwt_issuers', [`${props.serviceAccountTokens.issuer}=${props.serviceAccountTokens.audience}`]],
    // The gateway verifies this token and derives kubeflow-userid from it.
    ['set_authorization_header', true],
    ['set_xauthrequest', true],
    ['cookie_name', OAUTH2_PROXY.cookieName],
    ['cookie_secure', props.secureCookie],
    ['cookie_httponly', true],
    ['cookie_samesite', 'lax'],
    ['cookie_expire', OAUTH2_PROXY.cookieExpire],
    ['cookie_refresh', '0s'],
    // Every request the gateway checks reaches oauth2-proxy with its own path, and the health
    // endpoints answer 200 before any session check: at their default /ping and /ready they would
    // allow any request for those paths. Under /oauth2/ no check ever reaches them (the gateway
    // routes /oauth2/ here directly, unchecked).
    ['ping_path', OAUTH2_PROXY.pingPath],
    ['ready_path', OAUTH2_PROXY.readyPath],
    ['silence_ping_logging', true],
  ];
  return `# oauth2-proxy configuration (legacy format), rendered by microflow.\n${settings.map(([k, v]) => `${k} = ${toml(v)}`).join('\n')}\n`;
}
