import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { secretEnv, type Database } from '../data';
import { IngressAllow, MicroflowService, PolicyDeployment, type ContainerProps, type Endpoint, type Peer, type WorkloadPolicy } from '../platform';
import { KFP } from './constants';
import type { InstallConfig } from './install-config';

/** ML Metadata's server configuration (a MetadataStoreServerConfig in text format): in memory, as it holds a password. */
const CONFIG_DIR = '/run/mlmd';
const CONFIG_FILE = `${CONFIG_DIR}/server-config.pbtxt`;
const CONFIG_VOLUME: k8s.Volume = { name: 'server-config', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } };

export interface MetadataProps {
  readonly namespace: string;
  readonly policy: WorkloadPolicy;
  readonly database: Database;
  readonly installConfig: InstallConfig;
  /** Step pods (driver, launcher) write lineage from their run namespaces. */
  readonly stepPods: Peer[];
}

/**
 * ML Metadata: the gRPC store server on the `metadb` database (lineage of every artifact and
 * execution; the driver and launcher write it), and the Envoy that lets the UI speak gRPC-Web to it.
 */
export class Metadata extends Construct {
  public readonly grpc: Endpoint;
  public readonly envoy: Endpoint;
  /** host/port the step pods and the API server use. */
  public readonly address: { host: string; port: number };

  constructor(scope: Construct, id: string, props: MetadataProps) {
    super(scope, id);
    const { namespace, policy, database, installConfig: cfg } = props;
    const tcp = { tcpSocket: { port: k8s.IntOrString.fromString('grpc-api') }, timeoutSeconds: 3 };
    const server = new PolicyDeployment(this, 'Grpc', {
      name: KFP.metadataGrpcDeployment,
      namespace,
      policy,
      connectsTo: [database.server],
      pod: {
        initContainers: [metadataConfigContainer(database, cfg)],
        containers: [{
          name: 'metadata-grpc',
          image: 'mlmdServer',
          resources: 'metadataGrpc',
          command: ['/bin/metadata_store_server'],
          // The connection (and so the password) comes from a file, not flags: argv is readable by
          // every process in the pod and shows in `ps`.
          args: [
            `--grpc_port=${KFP.metadataGrpcPort}`,
            '--metadata_source_config_type=config_file',
            `--metadata_store_server_config_file=${CONFIG_FILE}`,
          ],
          volumeMounts: [{ name: CONFIG_VOLUME.name, mountPath: CONFIG_DIR, readOnly: true }],
          ports: [{ name: 'grpc-api', port: KFP.metadataGrpcPort }],
          startup: { ...tcp, periodSeconds: 5, failureThreshold: 36 },
          readiness: { ...tcp, periodSeconds: 10 },
          liveness: { ...tcp, periodSeconds: 20 },
        }],
        volumes: [CONFIG_VOLUME],
      },
    });
    const grpcService = new MicroflowService(this, 'GrpcService', {
      name: KFP.metadataGrpc,
      pods: server.pods,
      ports: [{ name: 'grpc-api', port: KFP.metadataGrpcPort, targetPort: 'grpc-api', appProtocol: 'grpc' }],
    });
    const grpcClients = { 'microflow.dev/metadata-grpc-client': 'true' };
    this.grpc = { service: grpcService, port: 'grpc-api', clientLabels: grpcClients };
    this.address = { host: grpcService.host, port: KFP.metadataGrpcPort };
    new IngressAllow(this, 'GrpcClients', {
      name: `${KFP.metadataGrpc}-clients`,
      pods: server.pods,
      ports: ['grpc-api'],
      from: [{ podLabels: grpcClients }, ...props.stepPods],
    });

    // The image's own envoy.yaml routes :9090 to metadata-grpc-service:8080 in this namespace.
    const envoyTcp = { tcpSocket: { port: k8s.IntOrString.fromString('md-envoy') }, timeoutSeconds: 3 };
    const envoy = new PolicyDeployment(this, 'Envoy', {
      name: KFP.metadataEnvoyDeployment,
      namespace,
      policy,
      connectsTo: [this.grpc],
      pod: {
        containers: [{
          name: 'metadata-envoy',
          image: 'kfpMetadataEnvoy',
          resources: 'metadataEnvoy',
          ports: [{ name: 'md-envoy', port: KFP.metadataEnvoyPort }],
          readiness: { ...envoyTcp, periodSeconds: 10 },
          liveness: { ...envoyTcp, periodSeconds: 20 },
          volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
        }],
        volumes: [{ name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } }],
      },
    });
    const envoyService = new MicroflowService(this, 'EnvoyService', {
      name: KFP.metadataEnvoy,
      pods: envoy.pods,
      ports: [{ name: 'md-envoy', port: KFP.metadataEnvoyPort, targetPort: 'md-envoy', appProtocol: 'http' }],
    });
    this.envoy = { service: envoyService, port: 'md-envoy', clientLabels: { 'microflow.dev/metadata-envoy-client': 'true' } };
    IngressAllow.forEndpoint(this, 'EnvoyClients', { name: `${KFP.metadataEnvoy}-clients`, endpoint: this.envoy });
  }
}

/**
 * Writes the server's configuration from the metadata account's Secret and the install config: the
 * connection, and schema upgrades on (what `--enable_database_upgrade` did). Values go in as text-format
 * strings with `\\` and `"` escaped; a line break or a port that is not a number is refused.
 */
function metadataConfigContainer(database: Database, cfg: InstallConfig): ContainerProps {
  const { credentials } = database.accounts.metadata;
  return {
    name: 'server-config',
    image: 'mlmdServer',
    resources: 'metadataGrpc',
    command: ['/bin/sh', '-c', METADATA_CONFIG_SCRIPT],
    env: [
      { name: 'CONFIG_FILE', value: CONFIG_FILE },
      secretEnv('DBCONFIG_USER', credentials, 'username'),
      secretEnv('DBCONFIG_PASSWORD', credentials, 'password'),
      cfg.env('MYSQL_DATABASE', 'mlmdDb'),
      cfg.env('MYSQL_HOST', 'mysqlHost'),
      cfg.env('MYSQL_PORT', 'mysqlPort'),
    ],
    volumeMounts: [{ name: CONFIG_VOLUME.name, mountPath: CONFIG_DIR }],
  };
}

export const METADATA_CONFIG_SCRIPT = [
  'set -eu',
  'umask 077',
  'q() { v=$(printf \'%s.\' "$1" | sed -e \'s/\\\\/\\\\\\\\/g\' -e \'s/"/\\\\"/g\'); printf \'"%s"\' "${v%.}"; }',
  'nl=$(printf \'\\n.\'); nl=${nl%.}',
  'case "$DBCONFIG_USER$DBCONFIG_PASSWORD$MYSQL_HOST$MYSQL_DATABASE" in *"$nl"*) echo "metadata server config: a value with a line break (mysql-metadata-secret or pipeline-install-config)" >&2; exit 1;; esac',
  'case "$MYSQL_PORT" in \'\'|*[!0-9]*) echo "metadata server config: mysqlPort must be a number, got $MYSQL_PORT" >&2; exit 1;; esac',
  'cat > "$CONFIG_FILE.new" <<EOF',
  'connection_config {',
  '  mysql {',
  '    host: $(q "$MYSQL_HOST")',
  '    port: $MYSQL_PORT',
  '    database: $(q "$MYSQL_DATABASE")',
  '    user: $(q "$DBCONFIG_USER")',
  '    password: $(q "$DBCONFIG_PASSWORD")',
  '  }',
  '}',
  'migration_options {',
  '  enable_upgrade_migration: true',
  '}',
  'EOF',
  'mv "$CONFIG_FILE.new" "$CONFIG_FILE"',
  '',
].join('\n');
