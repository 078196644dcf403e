/**
 * What the bucket Job, the backup CronJob and the restore Job are made of where running their scripts
 * cannot show it (scripts.test.ts, dump-scripts.test.ts run them): schedules and retention, credentials,
 * the client labels their NetworkPolicy allows need, volumes shared between containers and how they are
 * mounted, container names the API server accepts, and MySqlBackup's refusals.
 */
import { resolveConfig } from '../../lib/config';
import { MySqlBackup, MySqlRestore } from '../../lib/data';
import { buildStack, type Stack } from '../../lib/stack';
import { constructHarness, find, rendered, type K8sObject } from '../support/stack';

// Rendered inside each test (beforeEach), so mutation testing sees which test covers what.
const objects = () => rendered(resolveConfig({ backup: { keep: 5, schedule: '15 1 * * *' } })).objects;

/** The pod volume `container` has at `mountPath`, and whether read-only; fails unless the pod declares that volume. */
function mountAt(spec: any, container: any, mountPath: string): { volume: any; readOnly: boolean } {
  const m = (container.volumeMounts ?? []).find((x: any) => x.mountPath === mountPath);
  if (!m) throw new Error(`container ${container.name} mounts nothing at ${mountPath}`);
  const volume = (spec.volumes ?? []).find((v: any) => v.name === m.name);
  if (!volume) throw new Error(`container ${container.name} mounts ${JSON.stringify(m.name)} at ${mountPath}, a volume its pod does not declare`);
  return { volume, readOnly: m.readOnly === true };
}
const DUMP_VOLUME = { name: 'dump', emptyDir: { sizeLimit: '10Gi' } };
/** What the API server requires of container names: DNS-1123 labels, distinct within the pod. */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

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

  test('mc keeps its config in /tmp, an emptyDir the pod declares (the root filesystem is read-only)', () => {
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(mountAt(job.spec.template.spec, c, '/tmp')).toEqual({ volume: { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }, readOnly: false });
    // Nothing else: a container asking for no extra mount gets only /tmp.
    expect(c.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
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

  // What the dump and upload do is run for real (test/data/backup-restore.native.test.ts, scripts.test.ts);
  // a consistent snapshot under concurrent writes is not something those runs can observe.
  test('a consistent single-transaction dump, as the maintenance account', () => {
    expect(dump).toContain('--single-transaction');
    const env = Object.fromEntries(spec.initContainers[0].env.map((e: any) => [e.name, e]));
    expect(env.MYSQL_PWD.valueFrom.secretKeyRef).toEqual({ name: 'mysql-maintenance-secret', key: 'password' });
    expect(env.DB_HOST.value).toBe('mysql.kubeflow.svc.cluster.local');
  });

  test('is a client of both MySQL and the object store', () => {
    expect(cron.spec.jobTemplate.spec.template.metadata.labels).toMatchObject({ 'microflow.dev/mysql-client': 'true', 'microflow.dev/object-store-client': 'true' });
  });

  test('the dump reaches the upload on the pod\'s own emptyDir: written by the dump, read-only for the upload', () => {
    expect(mountAt(spec, spec.initContainers[0], '/backup')).toEqual({ volume: DUMP_VOLUME, readOnly: false });
    expect(mountAt(spec, spec.containers[0], '/backup')).toEqual({ volume: DUMP_VOLUME, readOnly: true });
  });

  test('refuses to keep fewer than 1 dump or a fraction of one, word for word; keeps 1', () => {
    const stack = buildStack(resolveConfig({}), '/tmp/unused');
    const backup = (keep: number) => {
      const { chart, policy, synth } = constructHarness();
      new MySqlBackup(chart, 'b', { database: stack.data.database, store: stack.data.objectStore, policy, schedule: '0 3 * * *', keep });
      return find(synth(), 'CronJob', 'mysql-backup', 'kubeflow');
    };
    for (const keep of [0, -1, 1.5, NaN]) expect(() => backup(keep)).toThrow(new Error(`MySqlBackup: keep must be a whole number >= 1, got ${keep}`));
    expect(backup(1).spec.jobTemplate.spec.template.spec.containers[0].env).toContainEqual({ name: 'KEEP', value: '1' });
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

  test('is a client of both MySQL and the object store', () => {
    expect(job.spec.template.metadata.labels).toMatchObject({ 'microflow.dev/mysql-client': 'true', 'microflow.dev/object-store-client': 'true' });
  });

  test('the fetched dump reaches the restore on the pod\'s own emptyDir: written by the fetch, read-only for the restore', () => {
    expect(mountAt(spec, spec.initContainers[0], '/backup')).toEqual({ volume: DUMP_VOLUME, readOnly: false });
    expect(mountAt(spec, spec.containers[0], '/backup')).toEqual({ volume: DUMP_VOLUME, readOnly: true });
  });

  test('its containers have names the API server accepts: DNS labels, distinct', () => {
    const names = [...spec.initContainers, ...spec.containers].map((c: any) => c.name);
    expect(names).toHaveLength(2);
    expect(names.filter((n) => !DNS_LABEL.test(n))).toEqual([]);
    expect(new Set(names).size).toBe(names.length);
  });

  test('refuses a name that is not a dump', () => {
    const h = constructHarness();
    expect(() => new MySqlRestore(h.chart, 'x', { database: stack.data.database, store: stack.data.objectStore, policy: h.policy, backup: '../etc/passwd' }))
      .toThrow(/backup must be a dump name/);
  });
});
