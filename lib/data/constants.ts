import { ARTIFACTS_BUCKET } from '../config/artifact-grants';
import type { SecretRef } from './handles';

/** Names and keys Kubeflow's clients expect; the data handles carry them to every consumer. */
export const MYSQL = {
  service: 'mysql',
  port: 3306,
  /** KFP's Secret for the application user. */
  secret: { name: 'mysql-secret', keys: { username: 'username', password: 'password' } } as SecretRef<'username' | 'password'>,
  /** Root is kept apart: only the MySQL server itself reads it. */
  rootSecret: { name: 'mysql-root-secret', keys: { password: 'password' } } as SecretRef<'password'>,
  /** The application user's name, written into `mysql-secret` when it is generated. */
  appUser: 'microflow',
  databases: { pipeline: 'mlpipeline', metadata: 'metadb', cache: 'cachedb' },
  clientLabel: 'microflow.dev/mysql-client',
} as const;

export const OBJECT_STORE = {
  service: 'minio-service',
  port: 9000,
  consolePort: 9001,
  /**
   * Where MinIO's console is published on the gateway: MinIO's documented reverse-proxy layout
   * (console under `/minio/ui`, told that path through MINIO_BROWSER_REDIRECT_URL).
   */
  consolePrefix: '/minio/ui/',
  secret: { name: 'mlpipeline-minio-artifact', keys: { accesskey: 'accesskey', secretkey: 'secretkey' } } as SecretRef<'accesskey' | 'secretkey'>,
  buckets: { artifacts: ARTIFACTS_BUCKET, backups: 'microflow-backups' },
  clientLabel: 'microflow.dev/object-store-client',
} as const;

/** The variable store scripts and notebooks find the object store's S3 endpoint in. */
export const S3_ENDPOINT_ENV = 'S3_ENDPOINT';
