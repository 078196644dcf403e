import { createHash } from 'crypto';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as yaml from 'js-yaml';
import { CONNECTOR_SECRET_FIELDS, type ConnectorConfig } from '../config';
import { secretEnv } from '../data';
import { Route, type Gateway } from '../gateway';
import { configHashAnnotation, IngressAllow, MicroflowService, NAMESPACES, PolicyDeployment, type Endpoint, type PodSet, type WorkloadPolicy } from '../platform';
import { AUTH_SECRETS, DEX, DEX_ISSUER, OAUTH2_PROXY } from './constants';
import { admitKeyReader } from './key-readers';
import { DexStorage } from './dex-storage';

export interface DexProps {
  readonly namespace: string;
  readonly policy: WorkloadPolicy;
  readonly gateway: Gateway;
  /** istiod's pods: they fetch Dex's keys for the gateway's RequestAuthentication. */
  readonly istiod: PodSet;
  /** Users who log in with a password: each has a generated password Secret (see LoginSecrets). */
  readonly users: readonly { readonly email: string; readonly namespace: string }[];
  /** Upstream identity providers, passed through. @default [] */
  readonly connectors?: readonly ConnectorConfig[];
  /** @default 1 */
  readonly replicas?: number;
}

const CONFIG_DIR = '/etc/dex/cfg';
const CONFIG_FILE = 'config.yaml';
const PORT_NAME = 'http';
const CLIENT_SECRET_ENV = 'OIDC_CLIENT_SECRET';

/** An environment variable name from a namespace or connector id (`you-example-com` → `YOU_EXAMPLE_COM`). */
const envName = (prefix: string, id: string) => `${prefix}_${id.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

/**
 * Dex, the OpenID Connect provider users log in with: one static password per configured user
 * (Dex reads each bcrypt hash from the environment, `hashFromEnv`, so the hash lives only in a
 * generated Secret), oauth2-proxy as its one client (`secretEnv`), optional upstream connectors,
 * and its state in the API server (DexStorage). Reachable from the gateway under `/dex/`, from
 * oauth2-proxy (token redemption, keys) and from istiod (keys for the RequestAuthentication).
 */
export class Dex extends Construct {
  /** oauth2-proxy's way in (token endpoint and keys); its pods carry the client label. */
  public readonly endpoint: Endpoint;
  public readonly service: MicroflowService;
  public readonly route: Route;
  public readonly deployment: PolicyDeployment;

  constructor(scope: Construct, id: string, props: DexProps) {
    super(scope, id);
    const ns = props.namespace;
    const connectors = props.connectors ?? [];
    const config = dexConfig(props.users, connectors);
    const configMap = new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: DEX.name, namespace: ns },
      data: { [CONFIG_FILE]: config },
    });

    const env: k8s.EnvVar[] = [
      secretEnv(CLIENT_SECRET_ENV, AUTH_SECRETS.dexClient, 'clientSecret'),
      ...props.users.map((u) => ({
        name: envName('DEX_PASSWORD_HASH', u.namespace),
        valueFrom: { secretKeyRef: { name: AUTH_SECRETS.userPassword(u.namespace), key: AUTH_SECRETS.userPasswordKeys.hash } },
      })),
      ...connectors.filter((c) => c.secret).map((c) => ({
        name: envName('DEX_CONNECTOR_SECRET', c.id),
        valueFrom: { secretKeyRef: { name: c.secret!.name, key: c.secret!.key } },
      })),
    ];
    const deployment = this.deployment = new PolicyDeployment(this, 'Deployment', {
      name: DEX.name,
      namespace: ns,
      policy: props.policy,
      replicas: props.replicas,
      // Roll the pods when the users or connectors change: Dex reads its config once, at start.
      podAnnotations: configHashAnnotation(config),
      pod: {
        // Kubernetes storage: Dex talks to the API server (its Role allows its own kinds only).
        apiAccess: true,
        containers: [{
          name: 'dex',
          image: 'dex',
          resources: 'dex',
          command: ['dex', 'serve', `${CONFIG_DIR}/${CONFIG_FILE}`],
          env,
          ports: [{ name: PORT_NAME, port: DEX.port }],
          readiness: { httpGet: { path: `${DEX.pathPrefix}healthz`, port: k8s.IntOrString.fromString(PORT_NAME) }, periodSeconds: 10, failureThreshold: 3 },
          liveness: { httpGet: { path: `${DEX.pathPrefix}healthz`, port: k8s.IntOrString.fromString(PORT_NAME) }, periodSeconds: 20, failureThreshold: 3 },
          volumeMounts: [{ name: 'config', mountPath: CONFIG_DIR, readOnly: true }],
        }],
        volumes: [{ name: 'config', configMap: { name: configMap.name } }],
      },
    });
    new DexStorage(this, 'Storage', { namespace: ns, serviceAccount: deployment.serviceAccount.name });
    this.service = new MicroflowService(this, 'Service', {
      name: DEX.name,
      pods: deployment.pods,
      ports: [{ name: PORT_NAME, port: DEX.port, targetPort: PORT_NAME }],
    });
    this.route = new Route(this, 'Route', { gateway: props.gateway, name: DEX.name, prefix: DEX.pathPrefix, to: this.service, port: PORT_NAME });

    const clientLabels = { 'microflow.dev/dex-client': 'true' };
    this.endpoint = { service: this.service, port: PORT_NAME, clientLabels };
    IngressAllow.forEndpoint(this, 'Clients', { name: 'dex-clients', endpoint: this.endpoint, namespaces: [NAMESPACES.oauth2Proxy] });
    admitKeyReader(this, 'Istiod', this.service, PORT_NAME, props.istiod);
  }
}

/** Dex's configuration: no credential in it, only the names of the variables that hold them. */
function dexConfig(users: DexProps['users'], connectors: readonly ConnectorConfig[]): string {
  const config = {
    issuer: DEX_ISSUER,
    storage: { type: 'kubernetes', config: { inCluster: true } },
    web: { http: `0.0.0.0:${DEX.port}` },
    logger: { level: 'info', format: 'json' },
    frontend: { issuer: 'microflow' },
    oauth2: { skipApprovalScreen: true, responseTypes: ['code'] },
    expiry: { idTokens: DEX.idTokenLifetime },
    enablePasswordDB: true,
    staticPasswords: users.map((u) => ({
      email: u.email,
      username: u.email.split('@')[0],
      // Dex needs a stable, unique user ID; derived from the email so it never changes between renders.
      userID: createHash('sha256').update(u.email).digest('hex').slice(0, 32),
      hashFromEnv: envName('DEX_PASSWORD_HASH', u.namespace),
    })),
    staticClients: [{
      id: DEX.clientId,
      name: 'microflow',
      secretEnv: CLIENT_SECRET_ENV,
      // Relative: the browser follows it on whatever address it reached the gateway by.
      redirectURIs: [`${OAUTH2_PROXY.pathPrefix}callback`],
    }],
    ...(connectors.length ? {
      connectors: connectors.map((c) => ({
        type: c.type,
        id: c.id,
        name: c.name,
        // Dex expands $VARIABLES inside a connector's config (DEX_EXPAND_ENV, on by default).
        config: c.secret ? { ...c.config, [CONNECTOR_SECRET_FIELDS[c.type]]: `$${envName('DEX_CONNECTOR_SECRET', c.id)}` } : c.config,
      })),
    } : {}),
  };
  return yaml.dump(config, { lineWidth: 120, noRefs: true });
}

