import { k8s } from 'cdk8s-plus-28';
import type { Endpoint, ServiceHandle, WorkloadPolicy } from '../platform';

/** A Secret consumers read by name, with the keys they read. */
export interface SecretRef<K extends string = string> {
  /** metadata.name of the Secret. */
  readonly name: string;
  /** Logical key → key in the Secret's data. */
  readonly keys: Record<K, string>;
}

/** An environment variable read from a Secret key (pods started before the Secret exists retry on their own). */
export function secretEnv<K extends string>(envName: string, secret: SecretRef<K>, key: K): k8s.EnvVar {
  return { name: envName, valueFrom: { secretKeyRef: { name: secret.name, key: secret.keys[key] } } };
}

/** A MySQL account: its Secret (keys `username` and `password`) and the only databases it may use. */
export interface DatabaseAccount {
  readonly credentials: SecretRef<'username' | 'password'>;
  readonly databases: readonly string[];
}

/** What a consumer of the MySQL server needs to know: pass this handle, never the literals. */
export interface Database {
  /** Service name (`mysql`, the name Kubeflow Pipelines expects). */
  readonly service: string;
  /** Namespace of the Service. */
  readonly namespace: string;
  /** Fully qualified host name. */
  readonly host: string;
  /** TCP port. */
  readonly port: number;
  /** Who logs in: one account per program, each granted only its own databases. */
  readonly accounts: {
    /** Kubeflow Pipelines' API server (`mysql-secret`, the Secret KFP expects). */
    readonly pipelines: DatabaseAccount;
    /** ML Metadata's store server. */
    readonly metadata: DatabaseAccount;
    /** Backups and restores. */
    readonly maintenance: DatabaseAccount;
  };
  /** Database names, as Kubeflow's services expect them. */
  readonly databases: { readonly pipeline: string; readonly metadata: string; readonly cache: string };
  /** Labels a client pod carries so the NetworkPolicy lets it reach the server. */
  readonly clientLabels: Record<string, string>;
  /** The server, for a workload's `connectsTo` (labels its pods and records the connection). */
  readonly server: Endpoint;
}

/** What a consumer of the S3 object store needs to know. */
export interface ObjectStore {
  /** Which server answers (the Service name stays `minio-service` either way). */
  readonly kind: 'minio' | 'seaweedfs';
  /** Service name (`minio-service`, the name Kubeflow Pipelines expects). */
  readonly service: string;
  readonly namespace: string;
  readonly host: string;
  /** S3 API port. */
  readonly port: number;
  /** http://host:port, for S3 clients. */
  readonly endpoint: string;
  /** S3 credentials (`mlpipeline-minio-artifact`, keys `accesskey` and `secretkey`). */
  readonly credentials: SecretRef<'accesskey' | 'secretkey'>;
  /** Buckets the platform uses. */
  readonly buckets: { readonly artifacts: string; readonly backups: string };
  /** Labels a client pod carries so the NetworkPolicy lets it reach the store. */
  readonly clientLabels: Record<string, string>;
  /** The S3 server, for a workload's `connectsTo` (labels its pods and records the connection). */
  readonly server: Endpoint;
}

/**
 * The object store's web console, for whoever routes it on the gateway and links it. The console
 * has been told `prefix` as its public path, so a route must serve exactly that prefix, rewritten
 * to `/`. It asks for S3 keys itself.
 */
export interface ObjectStoreConsole {
  /** The console's Service. */
  readonly service: ServiceHandle;
  /** Name of the Service port. */
  readonly port: string;
  /** The gateway path the console expects to be served under, starting and ending in '/'. */
  readonly prefix: string;
}

/** What every stateful server of the data layer takes. */
export interface DataServerProps {
  /** Namespace the server runs in. */
  readonly namespace: string;
  /** The shared workload policy. */
  readonly policy: WorkloadPolicy;
  /** Size of each replica's data volume, e.g. "20Gi". */
  readonly storageSize: string;
  /** StorageClass of the data volumes. */
  readonly storageClass: string;
}
