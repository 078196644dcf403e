import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { IngressAllow, MicroflowService, PolicyStatefulSet } from '../platform';
import { MYSQL } from './constants';
import { secretEnv, type DataServerProps, type Database } from './handles';
import { ACCOUNTS_DIR, ACCOUNTS_FILE, ACCOUNTS_VOLUME, accountsInitContainer } from './mysql-accounts';

export type MySqlProps = DataServerProps;

const VOLUME_DIR = '/var/lib/mysql';
/**
 * A directory inside the volume, created by the server itself: a fresh ext4 volume's root holds
 * lost+found, which mysqld refuses as a data dir. (A subPath mount would be created by the kubelet
 * as root, which uid 999 cannot write to on hostPath volumes that ignore fsGroup.)
 */
const DATA_DIR = `${VOLUME_DIR}/data`;
const PORT_NAME = 'mysql';

/**
 * MySQL 8.4 for Kubeflow Pipelines (run history) and ML Metadata.
 * A StatefulSet (not upstream's Deployment) so the data volume follows the pod and is retained;
 * generated passwords, one account per program (lib/data/mysql-accounts.ts); probes that talk to the server.
 */
export class MySql extends Construct {
  /** The handle consumers use: host, port, credentials, database names, client labels. */
  public readonly database: Database;

  constructor(scope: Construct, id: string, props: MySqlProps) {
    super(scope, id);
    const ns = props.namespace;
    const accounts = Object.values(MYSQL.accounts);
    const ready = MYSQL.accounts.pipelines.credentials;
    const adminArgs = ['--host=127.0.0.1', '--connect-timeout=3'];
    const sts = new PolicyStatefulSet(this, 'StatefulSet', {
      name: MYSQL.service,
      namespace: ns,
      policy: props.policy,
      serviceName: MYSQL.service,
      dataVolume: { name: 'data', size: props.storageSize, storageClass: props.storageClass },
      pod: {
        // InnoDB needs time to flush its buffer pool; a killed server replays its redo log on start.
        terminationGracePeriodSeconds: 120,
        initContainers: [accountsInitContainer(accounts, Object.values(MYSQL.databases))],
        containers: [
          {
            name: 'mysql',
            image: 'mysql',
            resources: 'mysql',
            args: [
              // ML Metadata's client and older KFP drivers only speak mysql_native_password.
              '--mysql-native-password=ON',
              '--authentication-policy=mysql_native_password',
              // One server, no replicas: the binary log would only cost disk and fsyncs.
              '--disable-log-bin',
              // ~300 MiB saved; nothing here reads performance_schema (8 GB laptop budget).
              '--performance-schema=OFF',
              '--character-set-server=utf8mb4',
              `--datadir=${DATA_DIR}`,
              // Databases and accounts, at every start, before clients are let in (also while the
              // image's entrypoint initialises an empty data dir: so MYSQL_USER must stay unset).
              `--init-file=${ACCOUNTS_FILE}`,
            ],
            env: [
              secretEnv('MYSQL_ROOT_PASSWORD', MYSQL.rootSecret, 'password'),
              secretEnv('READY_USER', ready, 'username'),
              secretEnv('READY_PASSWORD', ready, 'password'),
            ],
            ports: [{ name: PORT_NAME, port: MYSQL.port }],
            // First initialisation on a slow disk can take minutes; the temporary init server listens
            // on the socket only, so this succeeds only once the real server is up.
            startup: execProbe(['mysqladmin', 'ping', ...adminArgs], { periodSeconds: 10, failureThreshold: 60 }),
            liveness: execProbe(['mysqladmin', 'ping', ...adminArgs], { periodSeconds: 15, failureThreshold: 4 }),
            // A real query as KFP's account: ready means KFP can log in.
            readiness: execProbe(['sh', '-c', 'MYSQL_PWD="$READY_PASSWORD" exec mysql --host=127.0.0.1 --user="$READY_USER" --execute="SELECT 1"'], {
              periodSeconds: 10,
              failureThreshold: 3,
            }),
            volumeMounts: [
              { name: 'data', mountPath: VOLUME_DIR },
              { name: 'run', mountPath: '/var/run/mysqld' },
              { name: 'tmp', mountPath: '/tmp' },
              { name: ACCOUNTS_VOLUME.name, mountPath: ACCOUNTS_DIR, readOnly: true },
            ],
          },
        ],
        volumes: [
          { name: 'run', emptyDir: { sizeLimit: k8s.Quantity.fromString('16Mi') } },
          { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Gi') } },
          ACCOUNTS_VOLUME,
        ],
      },
    });

    const service = new MicroflowService(this, 'Service', {
      name: MYSQL.service,
      pods: sts.pods,
      // Headless: clients resolve the pod directly, and the StatefulSet gets stable pod DNS.
      headless: true,
      // "tcp-" prefix: Istio must not sniff the MySQL protocol (the server speaks first).
      ports: [{ name: 'tcp-mysql', port: MYSQL.port, targetPort: PORT_NAME, appProtocol: 'tcp' }],
    });
    const clientLabels = { [MYSQL.clientLabel]: 'true' };
    this.database = {
      service: service.name,
      namespace: ns,
      host: service.host,
      port: MYSQL.port,
      accounts: {
        pipelines: { credentials: MYSQL.accounts.pipelines.credentials, databases: MYSQL.accounts.pipelines.databases },
        metadata: { credentials: MYSQL.accounts.metadata.credentials, databases: MYSQL.accounts.metadata.databases },
        maintenance: { credentials: MYSQL.accounts.maintenance.credentials, databases: MYSQL.accounts.maintenance.databases },
      },
      databases: MYSQL.databases,
      clientLabels,
      server: { service, port: 'tcp-mysql', clientLabels },
    };
    IngressAllow.forEndpoint(this, 'Clients', { name: 'mysql-clients', endpoint: this.database.server });
  }
}

function execProbe(command: string[], o: { periodSeconds: number; failureThreshold: number }): k8s.Probe {
  return { exec: { command }, periodSeconds: o.periodSeconds, failureThreshold: o.failureThreshold, timeoutSeconds: 5 };
}
