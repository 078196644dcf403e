import { resolveConfig } from '../../lib/config';
import { MySqlRestore } from '../../lib/data';
import { buildStack, type Stack } from '../../lib/stack';
import { constructHarness, find, rendered, type K8sObject } from '../support/stack';

// Rendered inside each test (beforeEach), so mutation testing sees which test covers what.
const objects = () => rendered(resolveConfig({ backup: { keep: 5, schedule: '15 1 * * *' } })).objects;

describe('bucket Job', () => {
  let job: K8sObject, c: any;
  beforeEach(() => {
    job = find(objects(), 'Job', 'object-store-buckets', 'kubeflow');
    c = job.spec.template.spec.containers[0];
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
  let cron: K8sObject, spec: any, dump: string;
  beforeEach(() => {
    cron = find(objects(), 'CronJob', 'mysql-backup', 'kubeflow');
    spec = cron.spec.jobTemplate.spec.template.spec;
    dump = spec.initContainers[0].command[2];
  });

  test('schedule and retention from config; runs never overlap', () => {
    expect(cron.spec.schedule).toBe('15 1 * * *');
    expect(cron.spec.concurrencyPolicy).toBe('Forbid');
    expect(spec.containers[0].env).toContainEqual({ name: 'KEEP', value: '5' });
  });

  // What the dump and upload do is run for real (test/data/backup-restore.sql.test.ts, scripts.test.ts);
  // a consistent snapshot under concurrent writes is not something those runs can observe.
  test('a consistent single-transaction dump, as the application user', () => {
    expect(dump).toContain('--single-transaction');
    const env = Object.fromEntries(spec.initContainers[0].env.map((e: any) => [e.name, e]));
    expect(env.MYSQL_PWD.valueFrom.secretKeyRef).toEqual({ name: 'mysql-secret', key: 'password' });
    expect(env.DB_HOST.value).toBe('mysql.kubeflow.svc.cluster.local');
  });

  test('is a client of both MySQL and the object store', () => {
    expect(cron.spec.jobTemplate.spec.template.metadata.labels).toMatchObject({ 'microflow.dev/mysql-client': 'true', 'microflow.dev/object-store-client': 'true' });
  });

  test('can be disabled', () => {
    const off = rendered(resolveConfig({ backup: { enabled: false } })).objects;
    expect(off.filter((o) => o.kind === 'CronJob')).toEqual([]);
  });
});

describe('MySqlRestore', () => {
  let stack: Stack, job: K8sObject, spec: any;
  beforeEach(() => {
    stack = buildStack(resolveConfig({}), '/tmp/unused');
    const { chart, policy, synth } = constructHarness();
    new MySqlRestore(chart, 'r', { database: stack.data.database, store: stack.data.objectStore, policy, backup: 'mysql-20261126T030000Z.sql.gz' });
    job = find(synth(), 'Job', 'mysql-restore', 'kubeflow');
    spec = job.spec.template.spec;
  });

  test('both containers get the dump name as data; one try only', () => {
    for (const c of [spec.initContainers[0], spec.containers[0]]) expect(c.env).toContainEqual({ name: 'DUMP_NAME', value: 'mysql-20261126T030000Z.sql.gz' });
    expect(job.spec.backoffLimit).toBe(0);
  });

  test('refuses a name that is not a dump', () => {
    const h = constructHarness();
    expect(() => new MySqlRestore(h.chart, 'x', { database: stack.data.database, store: stack.data.objectStore, policy: h.policy, backup: '../etc/passwd' }))
      .toThrow(/backup must be a dump name/);
  });
});
