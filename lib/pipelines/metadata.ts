import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { secretEnv, type Database } from '../data';
import { IngressAllow, MicroflowService, PolicyDeployment, type Endpoint, type Peer, type WorkloadPolicy } from '../platform';
import { KFP } from './constants';
import type { InstallConfig } from './install-config';

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
        containers: [{
          name: 'metadata-grpc',
          image: 'mlmdServer',
          resources: 'metadataGrpc',
          command: ['/bin/metadata_store_server'],
          // The server takes its connection only as flags (the password is expanded by the kubelet
          // from the Secret, never written into the manifest).
          args: [
            `--grpc_port=${KFP.metadataGrpcPort}`,
            '--mysql_config_database=$(MYSQL_DATABASE)',
            '--mysql_config_host=$(MYSQL_HOST)',
            '--mysql_config_port=$(MYSQL_PORT)',
            '--mysql_config_user=$(DBCONFIG_USER)',
            '--mysql_config_password=$(DBCONFIG_PASSWORD)',
            '--enable_database_upgrade=true',
          ],
          env: [
            secretEnv('DBCONFIG_USER', database.credentials, 'username'),
            secretEnv('DBCONFIG_PASSWORD', database.credentials, 'password'),
            cfg.env('MYSQL_DATABASE', 'mlmdDb'),
            cfg.env('MYSQL_HOST', 'mysqlHost'),
            cfg.env('MYSQL_PORT', 'mysqlPort'),
          ],
          ports: [{ name: 'grpc-api', port: KFP.metadataGrpcPort }],
          startup: { ...tcp, periodSeconds: 5, failureThreshold: 36 },
          readiness: { ...tcp, periodSeconds: 10 },
          liveness: { ...tcp, periodSeconds: 20 },
        }],
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
