import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { IngressAllow, MicroflowService, PolicyStatefulSet, selectorLabels, serviceHost } from '../platform';
import { OBJECT_STORE } from './constants';
import { secretEnv, type DataServerProps, type ObjectStore, type ObjectStoreConsole } from './handles';
import { ObjectStoreService, S3_PORT_NAME } from './object-store-service';

export interface MinioProps extends DataServerProps {
  /** 1 for a single server; 4 or more for distributed (erasure-coded) mode, one pod per node. @default 1 */
  readonly replicas?: number;
  /**
   * Where users reach the gateway (scheme://host[:port], no path). The console is told it lives at
   * `OBJECT_STORE.consolePrefix` under this URL (MINIO_BROWSER_REDIRECT_URL).
   */
  readonly externalUrl: string;
}

const NAME = 'minio';
const HEADLESS = 'minio-headless';
const DATA = '/data';
const CONSOLE_PORT_NAME = 'console';
const CONSOLE_SERVICE = { name: 'minio-console', port: 'http-console' } as const;

/**
 * The console's public URL for MINIO_BROWSER_REDIRECT_URL: the gateway URL and the console prefix,
 * without its trailing slash (MinIO's documented form). MinIO derives the console's base path from
 * it; a malformed URL would only show at start, as a crash loop, so it is refused here.
 */
export function minioConsoleUrl(externalUrl: string): string {
  if (!/^https?:\/\/[^/?#\s]+$/.test(externalUrl)) {
    throw new Error(`MinIO: externalUrl must be http(s)://host[:port] without a path, got ${JSON.stringify(externalUrl)}`);
  }
  return `${externalUrl}${OBJECT_STORE.consolePrefix.replace(/\/$/, '')}`;
}

/**
 * MinIO behind `minio-service`. Root credentials are the generated `mlpipeline-minio-artifact`
 * keys. The console (9001) expects to be served under `OBJECT_STORE.consolePrefix` of the gateway;
 * nothing reaches it until a route admits the gateway (`console`).
 */
export class Minio extends Construct {
  public readonly store: ObjectStore;
  /** The console, for the route that publishes it and the landing page's link. */
  public readonly console: ObjectStoreConsole;

  constructor(scope: Construct, id: string, props: MinioProps) {
    super(scope, id);
    const ns = props.namespace;
    const replicas = props.replicas ?? 1;
    if (replicas !== 1 && replicas < 4) {
      throw new Error(`MinIO: replicas must be 1 (single server) or at least 4 (distributed, erasure coded), got ${replicas}`);
    }
    const consoleUrl = minioConsoleUrl(props.externalUrl);
    const distributed = replicas >= 4;
    const volumeArg = distributed ? `http://${NAME}-{0...${replicas - 1}}.${serviceHost(HEADLESS, ns)}${DATA}` : DATA;
    const live = { httpGet: { path: '/minio/health/live', port: k8s.IntOrString.fromString(S3_PORT_NAME) }, timeoutSeconds: 5 };

    const sts = new PolicyStatefulSet(this, 'StatefulSet', {
      name: NAME,
      namespace: ns,
      policy: props.policy,
      serviceName: HEADLESS,
      replicas,
      // Distributed peers wait for each other: start them together.
      podManagementPolicy: distributed ? 'Parallel' : 'OrderedReady',
      dataVolume: { name: 'data', size: props.storageSize, storageClass: props.storageClass },
      pod: {
        affinity: distributed ? antiAffinity(NAME) : undefined,
        containers: [
          {
            name: 'minio',
            image: 'minio',
            resources: 'minio',
            args: ['server', volumeArg, '--address', `:${OBJECT_STORE.port}`, '--console-address', `:${OBJECT_STORE.consolePort}`, '--certs-dir', '/tmp/certs'],
            env: [
              secretEnv('MINIO_ROOT_USER', OBJECT_STORE.secret, 'accesskey'),
              secretEnv('MINIO_ROOT_PASSWORD', OBJECT_STORE.secret, 'secretkey'),
              { name: 'HOME', value: '/tmp' },
              { name: 'MINIO_UPDATE', value: 'off' },
              // The console's pages load their scripts relative to this URL's path (its base href).
              { name: 'MINIO_BROWSER_REDIRECT_URL', value: consoleUrl },
            ],
            ports: [
              { name: S3_PORT_NAME, port: OBJECT_STORE.port },
              { name: CONSOLE_PORT_NAME, port: OBJECT_STORE.consolePort },
            ],
            startup: { ...live, periodSeconds: 5, failureThreshold: 60 },
            liveness: { ...live, periodSeconds: 15, failureThreshold: 4 },
            readiness: {
              httpGet: { path: '/minio/health/ready', port: k8s.IntOrString.fromString(S3_PORT_NAME) },
              periodSeconds: 10,
              timeoutSeconds: 5,
              failureThreshold: 3,
            },
            volumeMounts: [
              { name: 'data', mountPath: DATA },
              { name: 'tmp', mountPath: '/tmp' },
            ],
          },
        ],
        volumes: [{ name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('256Mi') } }],
      },
    });

    new MicroflowService(this, 'Headless', {
      name: HEADLESS,
      pods: sts.pods,
      headless: true,
      // Distributed peers must resolve each other before any of them is ready.
      publishNotReadyAddresses: true,
      ports: [{ name: 'http-s3', port: OBJECT_STORE.port, targetPort: S3_PORT_NAME }],
    });
    const consoleService = new MicroflowService(this, 'Console', {
      name: CONSOLE_SERVICE.name,
      pods: sts.pods,
      ports: [{ name: CONSOLE_SERVICE.port, port: OBJECT_STORE.consolePort, targetPort: CONSOLE_PORT_NAME }],
    });
    this.console = { service: consoleService, port: CONSOLE_SERVICE.port, prefix: OBJECT_STORE.consolePrefix };
    this.store = new ObjectStoreService(this, 'Front', { kind: 'minio', pods: sts.pods }).store;

    if (distributed) {
      new IngressAllow(this, 'Peers', { name: 'minio-peers', pods: sts.pods, from: [{ podLabels: sts.selector }], ports: [S3_PORT_NAME] });
    }
  }
}

/** One replica per node: a node loss then costs one erasure-coding shard, not several. */
function antiAffinity(name: string): k8s.Affinity {
  return {
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [
        { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selectorLabels(name) } },
      ],
    },
  };
}
