import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { IngressAllow, MicroflowService, PolicyStatefulSet } from '../platform';
import { MYSQL } from './constants';
import { secretEnv, type DataServerProps, type Database } from './handles';

export type MySqlProps = DataServerProps;

const VOLUME_DIR = '/var/lib/mysql';
/**
 * A directory inside the volume, created by the server itself: a fresh ext4 volume's root holds
 * lost+found, which mysqld refuses as a data dir. (A subPath mount would be created by the kubelet
 * as root, which uid 999 cannot write to on hostPath volumes that ignore fsGroup.)
 */
const DATA_DIR = `${VOLUME_DIR}/data`;
const INITDB_DIR = '/docker-entrypoint-initdb.d';
const PORT_NAME = 'mysql';

/**
 * MySQL 8.4 for Kubeflow Pipelines (run history), ML Metadata and the cache server.
 * A StatefulSet (not upstream's Deployment) so the data volume follows the pod and is retained;
 * generated root and application passwords; probes that talk to the server.
 */
export class MySql extends Construct {
  /** The handle consumers use: host, port, credentials, database names, client labels. */
  public readonly database: Database;

  constructor(scope: Construct, id: string, props: MySqlProps) {
    super(scope, id);
    const ns = props.namespace;
    const initdb = new k8s.KubeConfigMap(this, 'InitDb', {
      metadata: { name: 'mysql-initdb', namespace: ns },
      data: { '10-microflow-databases.sh': initScript(MYSQL.databases) },
    });

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
            ],
            env: [
              secretEnv('MYSQL_ROOT_PASSWORD', MYSQL.rootSecret, 'password'),
              secretEnv('MYSQL_USER', MYSQL.secret, 'username'),
              secretEnv('MYSQL_PASSWORD', MYSQL.secret, 'password'),
              { name: 'MYSQL_DATABASE', value: MYSQL.databases.pipeline },
            ],
            ports: [{ name: PORT_NAME, port: MYSQL.port }],
            // First initialisation on a slow disk can take minutes; the temporary init server listens
            // on the socket only, so this succeeds only once the real server is up.
            startup: execProbe(['mysqladmin', 'ping', ...adminArgs], { periodSeconds: 10, failureThreshold: 60 }),
            liveness: execProbe(['mysqladmin', 'ping', ...adminArgs], { periodSeconds: 15, failureThreshold: 4 }),
            // A real query as the application user: ready means KFP can log in.
            readiness: execProbe(['sh', '-c', 'MYSQL_PWD="$MYSQL_PASSWORD" exec mysql --host=127.0.0.1 --user="$MYSQL_USER" --execute="SELECT 1"'], {
              periodSeconds: 10,
              failureThreshold: 3,
            }),
            volumeMounts: [
              { name: 'data', mountPath: VOLUME_DIR },
              { name: 'run', mountPath: '/var/run/mysqld' },
              { name: 'tmp', mountPath: '/tmp' },
              { name: 'initdb', mountPath: INITDB_DIR, readOnly: true },
            ],
          },
        ],
        volumes: [
          { name: 'run', emptyDir: { sizeLimit: k8s.Quantity.fromString('16Mi') } },
          { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Gi') } },
          { name: 'initdb', configMap: { name: initdb.name } },
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
      credentials: MYSQL.secret,
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

/**
 * Runs once, on first start with an empty data dir, against the socket-only init server. The image's
 * entrypoint sources it (bash), so its one variable has a prefix of its own. The user name comes from
 * `mysql-secret`, which the user may have made: it goes into the SQL as a string literal with `\` and
 * `'` doubled, so no name can end the literal (the "." keeps a trailing newline through `$(...)`).
 */
function initScript(databases: Database['databases']): string {
  const names = [databases.pipeline, databases.metadata, databases.cache];
  const sql = names
    .map((n) => `CREATE DATABASE IF NOT EXISTS \\\`${n}\\\`;\nGRANT ALL PRIVILEGES ON \\\`${n}\\\`.* TO '$microflow_user_sql'@'%';`)
    .join('\n');
  return [
    '# Creates the databases Kubeflow Pipelines, ML Metadata and the cache server use, owned by the',
    '# application user, so none of them needs root.',
    `microflow_user_sql=$(printf '%s.' "$MYSQL_USER" | sed -e 's/\\\\/\\\\\\\\/g' -e "s/'/''/g")`,
    'microflow_user_sql=${microflow_user_sql%.}',
    'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysql --protocol=socket --user=root <<SQL',
    sql,
    'SQL',
    '',
  ].join('\n');
}
