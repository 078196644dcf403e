import { ARTIFACTS_BUCKET } from '../config/artifact-grants';
import type { SecretRef } from './handles';

/** Names and keys Kubeflow's clients expect; the data handles carry them to every consumer. */
const credentials = (name: string) => ({ name, keys: { username: 'username', password: 'password' } }) as SecretRef<'username' | 'password'>;
const DATABASES = { pipeline: 'mlpipeline', metadata: 'metadb', cache: 'cachedb' } as const;

/** Names and keys Kubeflow's clients expect; the data handles carry them to every consumer. */
export const MYSQL = {
  service: 'mysql',
  port: 3306,
  /** Root is kept apart: only the MySQL server itself reads it. */
  rootSecret: { name: 'mysql-root-secret', keys: { password: 'password' } } as SecretRef<'password'>,
  /**
   * Kubeflow's database names. `cachedb` is Kubeflow's v1 cache server's, which microflow does not
   * run (step caching is off, lib/pipelines/api-server.ts): kept for installs that have data in it.
   */
  databases: DATABASES,
  /**
   * One account per program, each granted only its own databases (lib/data/mysql-accounts.ts); the user
   * names are written into the Secrets when they are generated. KFP's keeps the Secret name it expects
   * and the name microflow has always given it.
   */
  accounts: {
    pipelines: { user: 'microflow', credentials: credentials('mysql-secret'), databases: [DATABASES.pipeline] },
    metadata: { user: 'mlmd', credentials: credentials('mysql-metadata-secret'), databases: [DATABASES.metadata] },
    /** Backups and restores: every database, and nothing else. */
    maintenance: { user: 'microflow-maintenance', credentials: credentials('mysql-maintenance-secret'), databases: Object.values(DATABASES) },
  },
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
