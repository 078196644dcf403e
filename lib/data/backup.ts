import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { PolicyCronJob, type WorkloadPolicy } from '../platform';
import { secretEnv, type Database, type ObjectStore } from './handles';
import { MC_TMP_VOLUME, mcContainer, STORE_ALIAS } from './s3-client';

/** Folder in the backups bucket that holds the MySQL dumps; names sort by time. */
export const BACKUP_FOLDER = 'mysql';
/** Where a dump sits between the dump and upload containers. */
export const DUMP_DIR = '/backup';
export const DUMP_FILE = `${DUMP_DIR}/dump.sql.gz`;
/** Dump names: `mysql-<UTC yyyymmddThhmmssZ>.sql.gz`, so that names sort by time. */
export const DUMP_NAME = { prefix: 'mysql-', suffix: '.sql.gz', dateFormat: '%Y%m%dT%H%M%SZ' } as const;
/**
 * Matches exactly the names MySqlBackup writes: anchored at both ends (without the `m` flag, `$` matches
 * only at the very end, so a trailing newline is refused too).
 */
export const DUMP_NAME_PATTERN = new RegExp(`^${DUMP_NAME.prefix}\\d{8}T\\d{6}Z${DUMP_NAME.suffix.replace(/\./g, '\\.')}$`);
/** The same names as a shell `case` pattern (a case pattern always matches the whole word). */
export const DUMP_NAME_GLOB = `${DUMP_NAME.prefix}${'[0-9]'.repeat(8)}T${'[0-9]'.repeat(6)}Z${DUMP_NAME.suffix}`;

export interface MySqlBackupProps {
  readonly database: Database;
  readonly store: ObjectStore;
  readonly policy: WorkloadPolicy;
  /** Five-field cron schedule. */
  readonly schedule: string;
  /** Dumps to keep; older ones are deleted after each successful upload. */
  readonly keep: number;
}

/** Environment for a mysql client container logging in as the maintenance account (every database, nothing else). */
export function mysqlClientEnv(db: Database): k8s.EnvVar[] {
  const { credentials } = db.accounts.maintenance;
  return [
    { name: 'DB_HOST', value: db.host },
    { name: 'DB_PORT', value: String(db.port) },
    secretEnv('DB_USER', credentials, 'username'),
    secretEnv('MYSQL_PWD', credentials, 'password'),
  ];
}

/** The volumes a dump or restore pod mounts: the dump itself and mc's scratch space. */
export const DUMP_VOLUMES: k8s.Volume[] = [
  { name: 'dump', emptyDir: { sizeLimit: k8s.Quantity.fromString('10Gi') } },
  MC_TMP_VOLUME,
];

/**
 * Nightly consistent dump of the platform's databases into the backups bucket, named by UTC time,
 * keeping the newest `keep`. A dump is a single InnoDB transaction, so pipelines keep running.
 */
export class MySqlBackup extends Construct {
  public readonly cronJob: PolicyCronJob;

  constructor(scope: Construct, id: string, props: MySqlBackupProps) {
    super(scope, id);
    if (!Number.isInteger(props.keep) || props.keep < 1) throw new Error(`MySqlBackup: keep must be a whole number >= 1, got ${props.keep}`);
    const { database: db, store } = props;
    const dbs = db.accounts.maintenance.databases.join(' ');
    const target = `${STORE_ALIAS}/${store.buckets.backups}/${BACKUP_FOLDER}`;

    this.cronJob = new PolicyCronJob(this, 'CronJob', {
      name: 'mysql-backup',
      namespace: db.namespace,
      policy: props.policy,
      schedule: props.schedule,
      connectsTo: [db.server, store.server],
      pod: {
        initContainers: [
          {
            name: 'dump',
            image: 'mysql',
            resources: 'mysqlBackup',
            command: ['/bin/bash', '-c', [
              'set -euo pipefail',
              // --no-tablespaces: the maintenance account has no PROCESS privilege, and needs none.
              `mysqldump --host="$DB_HOST" --port="$DB_PORT" --user="$DB_USER" --single-transaction --routines --triggers --events --no-tablespaces --databases ${dbs} | gzip > ${DUMP_FILE}`,
              `echo "dumped $(wc -c < ${DUMP_FILE}) bytes"`,
            ].join('\n')],
            env: mysqlClientEnv(db),
            volumeMounts: [{ name: 'dump', mountPath: DUMP_DIR }],
          },
        ],
        containers: [
          mcContainer(store, 'upload', [
            `name="${DUMP_NAME.prefix}$(date -u +${DUMP_NAME.dateFormat})${DUMP_NAME.suffix}"`,
            `mc cp ${DUMP_FILE} "${target}/$name"`,
            'echo "uploaded $name"',
            // S3 lists keys in ascending order and the names are UTC timestamps: oldest first. Only
            // names MySqlBackup writes count: anything else in the folder is neither counted nor
            // deleted. Plain sh and mc only: the mc image has no awk or sort.
            `mc ls "${target}/" > /tmp/listing`,
            'set --',
            'while read -r line; do',
            `  case "\${line##* }" in ${DUMP_NAME_GLOB}) set -- "$@" "\${line##* }" ;; esac`,
            'done < /tmp/listing',
            'drop=$(($# - KEEP)); failed=""',
            'for old in "$@"; do',
            '  [ "$drop" -gt 0 ] || break',
            `  if mc rm "${target}/$old"; then echo "pruned $old"; else failed="$failed $old"; fi`,
            '  drop=$((drop - 1))',
            'done',
            `echo "backups kept in ${target}/:"`,
            `mc ls "${target}/"`,
            // The new dump is safe, but a delete that failed means the bucket keeps growing: say so and fail the Job.
            'if [ -n "$failed" ]; then echo "backup $name uploaded, but deleting old dumps failed:$failed (see mc\'s errors above)" >&2; exit 1; fi',
          ].join('\n'), {
            resources: 'mysqlBackup',
            env: [{ name: 'KEEP', value: String(props.keep) }],
            volumeMounts: [{ name: 'dump', mountPath: DUMP_DIR, readOnly: true }],
          }),
        ],
        volumes: DUMP_VOLUMES,
      },
    });
  }
}
