import { resolveConfig } from '../../lib/config';
import { MySqlRestore } from '../../lib/data';
import { buildStack } from '../../lib/stack';
import { constructHarness, find, renderStack } from '../support/stack';

const objects = renderStack(resolveConfig({ backup: { keep: 5, schedule: '15 1 * * *' } })).objects;

describe('bucket Job', () => {
  const job = find(objects, 'Job', 'object-store-buckets', 'kubeflow');
  const c = job.spec.template.spec.containers[0];
  const script: string = c.command[2];

  test('waits for the store (bounded) and creates both buckets idempotently', () => {
    expect(script).toMatch(/until mc alias set store "\$S3_ENDPOINT"/);
    expect(script).toContain('did not answer in 5 minutes');
    expect(script).toContain('mc mb --ignore-existing store/mlpipeline');
    expect(script).toContain('mc mb --ignore-existing store/microflow-backups');
  });

  test('reaches the store as a labelled client with the artifact credentials', () => {
    expect(job.spec.template.metadata.labels['microflow.dev/object-store-client']).toBe('true');
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e]));
    expect(env.S3_ENDPOINT.value).toBe('http://minio-service.kubeflow.svc.cluster.local:9000');
    expect(env.S3_ACCESS_KEY.valueFrom.secretKeyRef).toEqual({ name: 'mlpipeline-minio-artifact', key: 'accesskey' });
    expect(c.image).toMatch(/^quay\.io\/minio\/mc:RELEASE\./);
  });
});

describe('backup CronJob', () => {
  const cron = find(objects, 'CronJob', 'mysql-backup', 'kubeflow');
  const spec = cron.spec.jobTemplate.spec.template.spec;
  const dump: string = spec.initContainers[0].command[2];
  const upload: string = spec.containers[0].command[2];

  test('schedule and retention from config; runs never overlap', () => {
    expect(cron.spec.schedule).toBe('15 1 * * *');
    expect(cron.spec.concurrencyPolicy).toBe('Forbid');
    expect(spec.containers[0].env).toContainEqual({ name: 'KEEP', value: '5' });
  });

  test('a consistent single-transaction dump of the three databases, as the application user', () => {
    expect(dump).toContain('--single-transaction');
    expect(dump).toContain('--databases mlpipeline metadb cachedb');
    expect(dump).toContain('set -euo pipefail');
    const env = Object.fromEntries(spec.initContainers[0].env.map((e: any) => [e.name, e]));
    expect(env.MYSQL_PWD.valueFrom.secretKeyRef).toEqual({ name: 'mysql-secret', key: 'password' });
    expect(env.DB_HOST.value).toBe('mysql.kubeflow.svc.cluster.local');
  });

  test('uploads under a UTC timestamp and prunes all but the newest KEEP', () => {
    expect(upload).toContain('name="mysql-$(date -u +%Y%m%dT%H%M%SZ).sql.gz"');
    expect(upload).toContain('mc cp /backup/dump.sql.gz "store/microflow-backups/mysql/$name"');
    expect(upload).toContain('drop=$(($# - KEEP))');
    expect(upload).not.toMatch(/\bawk\b|\bsort\b/);
  });

  test('is a client of both MySQL and the object store', () => {
    expect(cron.spec.jobTemplate.spec.template.metadata.labels).toMatchObject({ 'microflow.dev/mysql-client': 'true', 'microflow.dev/object-store-client': 'true' });
  });

  test('can be disabled', () => {
    const off = renderStack(resolveConfig({ backup: { enabled: false } })).objects;
    expect(off.filter((o) => o.kind === 'CronJob')).toEqual([]);
  });
});

describe('MySqlRestore', () => {
  const stack = buildStack(resolveConfig({}), '/tmp/unused');
  const { chart, policy, synth } = constructHarness();
  new MySqlRestore(chart, 'r', { database: stack.data.database, store: stack.data.objectStore, policy, backup: 'mysql-20261126T030000Z.sql.gz' });
  const job = find(synth(), 'Job', 'mysql-restore', 'kubeflow');
  const spec = job.spec.template.spec;

  test('fetches the named dump and feeds it to mysql as the application user', () => {
    expect(spec.initContainers[0].command[2]).toContain('mc cp "store/microflow-backups/mysql/mysql-20261126T030000Z.sql.gz" /backup/dump.sql.gz');
    expect(spec.containers[0].command[2]).toContain('gunzip -c /backup/dump.sql.gz | mysql --host="$DB_HOST"');
    expect(job.spec.backoffLimit).toBe(0);
  });

  test('refuses a name that is not a dump', () => {
    const h = constructHarness();
    expect(() => new MySqlRestore(h.chart, 'x', { database: stack.data.database, store: stack.data.objectStore, policy: h.policy, backup: '../etc/passwd' }))
      .toThrow(/backup must be a dump name/);
  });
});
