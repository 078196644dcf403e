import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { Config } from '../config';
import type { Gateway } from '../gateway';
import { DEPLOY_HINT_ANNOTATIONS, type MicroflowNamespace, type PodSet, type WorkloadPolicy } from '../platform';
import { AUTH_SECRETS, DEX_ISSUER, LOGIN } from './constants';
import { Dex } from './dex';
import { GatewayPolicies } from './gateway-policies';
import { JwksProxy } from './jwks-proxy';
import { OAuth2Proxy } from './oauth2-proxy';
import { LoginSecrets } from './secrets';

export * from './constants';
export * from './dex';
export * from './dex-storage';
export * from './oauth2-proxy';
export * from './jwks-proxy';
export * from './gateway-policies';
export * from './secrets';
export * from './key-readers';

/** What the apps and the users' namespaces need to know about the login. */
export interface Login {
  /** Dex's issuer (`iss` of its tokens). */
  readonly issuer: string;
  /** Header carrying the authenticated identity to the apps: `kubeflow-userid`. */
  readonly userIdHeader: string;
  /** Header carrying the user's groups: `kubeflow-groups`. */
  readonly groupsHeader: string;
  /** Path prefixes served without a session (Dex, oauth2-proxy's callback). */
  readonly publicPrefixes: readonly string[];
  /** Audience a service-account token must carry to be accepted at the gateway. */
  readonly serviceAccountAudience: string;
}

/** A user as the login knows them: email, namespace, and their namespace's service accounts allowed in with tokens. */
export interface LoginUser {
  readonly email: string;
  readonly namespace: string;
  /** Service accounts of the user's namespace whose tokens the gateway accepts. */
  readonly serviceAccounts: readonly string[];
}

/** The part of the configuration the login reads (the gateway's replicas size oauth2-proxy). */
export type AuthSettings = Pick<Config, 'login' | 'gateway'>;

export interface AuthChartProps {
  /** Connectors, accepted ServiceAccount tokens, and the gateway's replicas. */
  readonly config: AuthSettings;
  readonly policy: WorkloadPolicy;
  readonly gateway: Gateway;
  /** istiod's pods: they fetch the token keys for the gateway's RequestAuthentication. */
  readonly istiod: PodSet;
  readonly authNamespace: MicroflowNamespace;
  readonly oauth2ProxyNamespace: MicroflowNamespace;
  readonly users: readonly LoginUser[];
}

/**
 * The login: Dex (users' passwords, upstream connectors), oauth2-proxy (the gateway's
 * authorization server), their generated credentials, and the gateway policies that send every
 * request but the login pages through them and turn a verified token into `kubeflow-userid`.
 */
export class AuthChart extends Chart {
  public static readonly COMPONENT = 'auth';
  public readonly login: Login;

  constructor(scope: Construct, id: string, props: AuthChartProps) {
    super(scope, id);
    const { config, policy, gateway } = props;
    const replicas = config.gateway.replicas > 1 ? 2 : 1;
    new LoginSecrets(this, 'Secrets', { policy, users: props.users });
    const dex = new Dex(this, 'Dex', {
      namespace: props.authNamespace.name, policy, gateway, istiod: props.istiod, users: props.users, connectors: config.login.connectors, replicas,
    });
    // What `npm run deploy` prints at the end: where to log in (HTTPS, first of the URLs; browsers
    // warn about the self-signed certificate once) and how to read the first user's password.
    const url = gateway.externalUrls[0];
    const first = props.users[0];
    dex.deployment.deployment.metadata.addAnnotation(DEPLOY_HINT_ANNOTATIONS.loginUrl, `${url}/`);
    dex.deployment.deployment.metadata.addAnnotation(DEPLOY_HINT_ANNOTATIONS.passwordCommand,
      `kubectl -n ${props.authNamespace.name} get secret ${AUTH_SECRETS.userPassword(first.namespace)} -o jsonpath='{.data.${AUTH_SECRETS.userPasswordKeys.password}}' | base64 -d  # ${first.email}`);
    const sa = config.login.serviceAccountTokens;
    const proxy = new OAuth2Proxy(this, 'OAuth2Proxy', {
      namespace: props.oauth2ProxyNamespace.name,
      policy,
      gateway,
      dex: dex.endpoint,
      allowed: props.users.flatMap((u) => [u.email, ...u.serviceAccounts.map((s) => `system:serviceaccount:${u.namespace}:${s}`)]),
      serviceAccountTokens: sa,
      // A Secure cookie is never sent over HTTP; browsers drop it on plain HTTP, so not with the opt-out.
      secureCookie: !gateway.plainHttp,
      replicas,
    });
    const jwks = new JwksProxy(this, 'JwksProxy', { namespace: props.authNamespace.name, policy, istiod: props.istiod });
    // oauth2-proxy reads the service-account issuer's discovery document and keys without a token:
    // the same public keys Kubernetes' OIDC discovery is designed to publish.
    new k8s.KubeClusterRoleBinding(this, 'AnonymousDiscovery', {
      metadata: { name: 'microflow-service-account-issuer-discovery' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:service-account-issuer-discovery' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:unauthenticated' }],
    });
    const publicPrefixes = [dex.route.prefix, proxy.route.prefix];
    new GatewayPolicies(this, 'Gateway', {
      gateway,
      authorizer: { service: proxy.service, port: proxy.route.port },
      publicPrefixes,
      serviceAccountTokens: { ...sa, jwksUri: jwks.jwksUri },
      userEmails: props.users.map((u) => u.email),
    });
    this.login = {
      issuer: DEX_ISSUER,
      userIdHeader: LOGIN.userIdHeader,
      groupsHeader: LOGIN.groupsHeader,
      publicPrefixes,
      serviceAccountAudience: sa.audience,
    };
  }
}

