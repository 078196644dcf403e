import { NAMESPACES, serviceHost } from '../platform';

/**
 * Names, ports and paths of the login chain that other software addresses (Kubeflow's apps read the
 * header names; browsers and SDKs use the paths). One constant per fact.
 */
export const LOGIN = {
  /** Header carrying the authenticated user's email to the apps (Kubeflow's convention). */
  userIdHeader: 'kubeflow-userid',
  /** Header carrying the user's groups. */
  groupsHeader: 'kubeflow-groups',
  /** Name of the ext-authz provider in istiod's mesh config (CUSTOM policies name it). */
  extAuthzProvider: 'oauth2-proxy',
} as const;

export const DEX = {
  name: 'dex',
  port: 5556,
  /** Dex serves everything under this path, so the gateway can route it as is. */
  pathPrefix: '/dex/',
  /** OAuth2 client ID of oauth2-proxy (not a secret; its secret is generated). */
  clientId: 'microflow-oauth2-proxy',
  /** Dex's Kubernetes storage group and the storage kinds of Dex v2.45 (storage/kubernetes/types.go). */
  storageGroup: 'dex.coreos.com',
  /** Lifetime of an ID token: a login lasts this long at most (the session cookie expires first). */
  idTokenLifetime: '24h',
} as const;

/** Dex's issuer: what its tokens carry in `iss`, and where oauth2-proxy and istiod reach it. */
export const DEX_ISSUER = `http://${serviceHost(DEX.name, NAMESPACES.auth)}:${DEX.port}${DEX.pathPrefix.replace(/\/$/, '')}`;

export const OAUTH2_PROXY = {
  name: 'oauth2-proxy',
  /** Container port (upstream's default) and the Service port the gateway calls. */
  port: 4180,
  servicePort: 80,
  metricsPort: 44180,
  /** oauth2-proxy's own endpoints (sign-in callback, sign-out) live under this path. */
  pathPrefix: '/oauth2/',
  /**
   * Its health endpoints, under `pathPrefix` (upstream's `/ping` and `/ready` answer 200 to any
   * request, so as ext-authz checks they would let any request for those paths through).
   */
  pingPath: '/oauth2/ping',
  readyPath: '/oauth2/ready',
  /** The session cookie, named as Kubeflow's docs and SDK examples expect. */
  cookieName: 'oauth2_proxy_kubeflow',
  /** A session lasts a little less than Dex's ID token, so a live session never forwards an expired token. */
  cookieExpire: '23h',
} as const;

/** Secrets of the login chain (generated in the cluster; see auth/secrets.ts). */
export const AUTH_SECRETS = {
  /** Dex's copy of oauth2-proxy's client secret (namespace auth). */
  dexClient: { name: 'dex-oidc-client', keys: { clientSecret: 'client-secret' } },
  /** oauth2-proxy's client secret (same value) and cookie secret (namespace oauth2-proxy). */
  oauth2Proxy: { name: 'oauth2-proxy', keys: { clientSecret: 'client-secret', cookieSecret: 'cookie-secret' } },
  /** Each user's initial password and its bcrypt hash (namespace auth), named after their namespace. */
  userPassword: (namespace: string) => `dex-password-${namespace}`,
  userPasswordKeys: { username: 'username', password: 'password', hash: 'hash' },
} as const;

/**
 * The relay that serves the API server's public service-account keys to istiod over plain HTTP:
 * istiod fetches a RequestAuthentication's jwksUri without the cluster's CA, so it cannot read
 * them from the API server itself.
 */
export const JWKS_PROXY = {
  name: 'cluster-jwks-proxy',
  port: 8080,
  /** The API server's JWKS path (served to any service account by default RBAC). */
  jwksPath: '/openid/v1/jwks',
} as const;
