import { Construct } from 'constructs';
import { PolicyJob, type WorkloadPolicy } from '../platform';
import { BACKUP_FOLDER, DUMP_DIR, DUMP_FILE, DUMP_NAME_PATTERN, DUMP_VOLUMES, mysqlClientEnv } from './backup';
import type { Database, ObjectStore } from './handles';
import { mcContainer, STORE_ALIAS } from './s3-client';

export interface MySqlRestoreProps {
  readonly database: Database;
  readonly store: ObjectStore;
  readonly policy: WorkloadPolicy;
  /** File name of the dump in the backups bucket, e.g. "mysql-20261126T030000Z.sql.gz". */
  readonly backup: string;
}

/**
 * A one-off Job that loads a dump made by MySqlBackup back into the server. It is not part of
 * dist/: `npm run restore -- <backup>` renders it on demand (see docs/data.md, "Backups and restore").
 */
export class MySqlRestore extends Construct {
  public readonly job: PolicyJob;

  constructor(scope: Construct, id: string, props: MySqlRestoreProps) {
    super(scope, id);
    if (!DUMP_NAME_PATTERN.test(props.backup)) {
      throw new Error(`restore: backup must be a dump name such as "mysql-20261126T030000Z.sql.gz" (see \`mc ls\` in docs/data.md), got ${JSON.stringify(props.backup)}`);
    }
    const { database: db, store } = props;
    // The name reaches the scripts as an environment variable, never as shell source: even a name
    // that got past the check above could not run anything.
    const dumpName = { name: 'DUMP_NAME', value: props.backup };
    this.job = new PolicyJob(this, 'Job', {
      name: 'mysql-restore',
      namespace: db.namespace,
      policy: props.policy,
      backoffLimit: 0,
      connectsTo: [db.server, store.server],
      pod: {
        initContainers: [
          mcContainer(store, 'fetch', `mc cp "${STORE_ALIAS}/${store.buckets.backups}/${BACKUP_FOLDER}/$DUMP_NAME" ${DUMP_FILE}`, {
            resources: 'mysqlBackup',
            env: [dumpName],
            volumeMounts: [{ name: 'dump', mountPath: DUMP_DIR }],
          }),
        ],
        containers: [
          {
            name: 'restore',
            image: 'mysql',
            resources: 'mysqlBackup',
            runsToCompletion: true,
            command: ['/bin/bash', '-c', [
              'set -euo pipefail',
              `gunzip -c ${DUMP_FILE} | mysql --host="$DB_HOST" --port="$DB_PORT" --user="$DB_USER"`,
              'echo "restored $DUMP_NAME"',
            ].join('\n')],
            env: [...mysqlClientEnv(db), dumpName],
            volumeMounts: [{ name: 'dump', mountPath: DUMP_DIR, readOnly: true }],
          },
        ],
        volumes: DUMP_VOLUMES,
      },
    });
  }
}
