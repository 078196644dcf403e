import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { Config } from '../config';
import { gatewayExternalUrls } from '../gateway';
import type { MicroflowNamespace, WorkloadPolicy } from '../platform';
import { MySqlBackup } from './backup';
import { Buckets } from './buckets';
import { MYSQL, OBJECT_STORE } from './constants';
import { GeneratedSecrets } from './generated-secrets';
import type { Database, ObjectStore, ObjectStoreConsole } from './handles';
import { Minio } from './minio';
import { MySql } from './mysql';
import { SeaweedFs } from './seaweedfs';

export * from './handles';
export * from './constants';
export * from './generated-secrets';
export * from './mysql';
export * from './mysql-accounts';
export * from './minio';
export * from './seaweedfs';
export * from './seaweedfs-iam';
export * from './buckets';
export * from './backup';
export * from './restore';
export * from './s3-client';

/** The part of the configuration the data layer reads. */
export type DataSettings = Pick<Config, 'storage' | 'storageClass' | 'objectStore' | 'backup' | 'gateway' | 'domain'>;

export interface DataChartProps {
  /** Volume sizes, the object store, backups, and the gateway's external URL (MinIO's console links). */
  readonly config: DataSettings;
  readonly policy: WorkloadPolicy;
  /** Where the data layer lives (Kubeflow's `kubeflow` namespace). */
  readonly namespace: MicroflowNamespace;
}

/** Random bytes per generated credential (hex-encoded, so twice as many characters). */
const SECRET_BYTES = 24;

/**
 * The platform's state: MySQL, the S3 object store, their generated credentials, the buckets and
 * the backups. Exposes typed handles (`database`, `objectStore`, `objectStoreConsole`) for the
 * charts that consume them.
 */
export class DataChart extends Chart {
  public static readonly COMPONENT = 'data';
  public readonly database: Database;
  public readonly objectStore: ObjectStore;
  /**
   * The store's web console, to be routed on the gateway by a chart applied after it (this one is
   * applied before the gateway exists). Only MinIO has one: SeaweedFS' pages have no login.
   */
  public readonly objectStoreConsole?: ObjectStoreConsole;

  constructor(scope: Construct, id: string, props: DataChartProps) {
    super(scope, id);
    const { config, policy } = props;
    const namespace = props.namespace.name;

    new GeneratedSecrets(this, 'Secrets', {
      namespace,
      policy,
      secrets: [
        { name: MYSQL.rootSecret.name, data: { [MYSQL.rootSecret.keys.password]: { random: SECRET_BYTES } } },
        ...Object.values(MYSQL.accounts).map(({ user, credentials: { name, keys } }) => ({
          name,
          data: { [keys.username]: { fixed: user }, [keys.password]: { random: SECRET_BYTES } },
        })),
        {
          name: OBJECT_STORE.secret.name,
          data: { [OBJECT_STORE.secret.keys.accesskey]: { random: 16 }, [OBJECT_STORE.secret.keys.secretkey]: { random: SECRET_BYTES } },
        },
      ],
    });

    this.database = new MySql(this, 'MySql', {
      namespace,
      policy,
      storageSize: config.storage.mysql,
      storageClass: config.storageClass,
    }).database;

    const storeProps = { namespace, policy, storageSize: config.storage.objectStore, storageClass: config.storageClass };
    if (config.objectStore === 'seaweedfs') {
      this.objectStore = new SeaweedFs(this, 'SeaweedFs', storeProps).store;
    } else {
      // The console only needs the path of this URL (its pages' base); MinIO would redirect browsers
      // that open the S3 port there, which nothing outside reaches. HTTPS, the first way in, then.
      const [externalUrl] = gatewayExternalUrls(config.gateway, config.domain);
      const minio = new Minio(this, 'Minio', { ...storeProps, replicas: config.storage.objectStoreReplicas, externalUrl });
      this.objectStore = minio.store;
      this.objectStoreConsole = minio.console;
    }

    new Buckets(this, 'Buckets', { store: this.objectStore, policy });

    if (config.backup.enabled) {
      new MySqlBackup(this, 'Backup', {
        database: this.database,
        store: this.objectStore,
        policy,
        schedule: config.backup.schedule,
        keep: config.backup.keep,
      });
    }
  }
}
