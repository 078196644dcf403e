/**
 * Whole-stack: every consumer of a data Secret or Service uses the exact names and keys Kubeflow's
 * clients expect, and is labelled so the NetworkPolicy lets it through.
 */
import { MYSQL, OBJECT_STORE } from '../../lib/data';
import { NAMESPACES } from '../../lib/platform';
import { podSpecOf, podTemplateLabels, VARIANTS, variantObjects, WORKLOAD_KINDS, type K8sObject } from '../support/stack';

const MYSQL_NAMESPACE = NAMESPACES.kubeflow;
const EXPECTED_KEYS: Record<string, string[]> = {
  'mysql-secret': ['username', 'password'],
  'mysql-metadata-secret': ['username', 'password'],
  'mysql-maintenance-secret': ['username', 'password'],
  'mysql-root-secret': ['password'],
  'mlpipeline-minio-artifact': ['accesskey', 'secretkey'],
};

describe.each(VARIANTS)('%s', (variant) => {
  let containers: { w: K8sObject; c: any; labels: Record<string, string> }[] = [];
  // In beforeEach, so each test runs the render it checks (see test/support/stack.ts).
  beforeEach(() => {
    containers = variantObjects(variant).filter((o) => WORKLOAD_KINDS.includes(o.kind)).flatMap((w) => {
      const spec = podSpecOf(w);
      return [...(spec.initContainers ?? []), ...spec.containers].map((c: any) => ({ w, c, labels: podTemplateLabels(w) }));
    });
  });

  test('the constants are the names Kubeflow expects', () => {
    expect(MYSQL.accounts.pipelines.credentials).toEqual({ name: 'mysql-secret', keys: { username: 'username', password: 'password' } });
    expect(OBJECT_STORE.secret).toEqual({ name: 'mlpipeline-minio-artifact', keys: { accesskey: 'accesskey', secretkey: 'secretkey' } });
    expect([MYSQL.service, MYSQL.port, OBJECT_STORE.service, OBJECT_STORE.port]).toEqual(['mysql', 3306, 'minio-service', 9000]);
  });

  test('every reference to a data Secret uses one of its real keys', () => {
    // The data Secrets live in kubeflow; other namespaces' workloads read their own Secrets.
    const refs = containers.filter(({ w }) => w.metadata.namespace === MYSQL_NAMESPACE)
      .flatMap(({ c }) => (c.env ?? []).map((e: any) => e.valueFrom?.secretKeyRef).filter(Boolean));
    expect(refs.length).toBeGreaterThan(5);
    // Pipelines' per-user artifact keys (multi-user with MinIO) have the artifact Secret's shape.
    const keysOf = (name: string) => EXPECTED_KEYS[name.startsWith('pipelines-artifacts-') ? OBJECT_STORE.secret.name : name];
    for (const ref of refs) expect(keysOf(ref.name)).toContain(ref.key);
  });

  test('the root password is read by the MySQL server alone', () => {
    const readers = containers.filter(({ c }) => (c.env ?? []).some((e: any) => e.valueFrom?.secretKeyRef?.name === MYSQL.rootSecret.name));
    expect(readers.map(({ w, c }) => `${w.metadata.name}/${c.name}`)).toEqual(['mysql/mysql']);
  });

  test('clients address the store as minio-service:9000 and MySQL as mysql:3306, and carry the client labels', () => {
    const withEnv = (name: string) => containers.filter(({ c }) => (c.env ?? []).some((e: any) => e.name === name)).map(({ w, c }) => `${w.metadata.name}/${c.name}`);
    // Guards the loop below: the bucket Job and the backup are S3 clients, the backup dump a MySQL client.
    expect(withEnv('S3_ENDPOINT')).toEqual(expect.arrayContaining(['object-store-buckets/create-buckets']));
    expect(withEnv('DB_HOST').length).toBeGreaterThan(0);
    for (const { w, c, labels } of containers) {
      const env = Object.fromEntries((c.env ?? []).map((e: any) => [e.name, e.value]));
      if (env.S3_ENDPOINT) {
        expect(env.S3_ENDPOINT).toBe(`http://minio-service.kubeflow.svc.cluster.local:9000`);
        expect(labels[OBJECT_STORE.clientLabel]).toBe('true');
      }
      if (env.DB_HOST) {
        expect([env.DB_HOST, env.DB_PORT]).toEqual(['mysql.kubeflow.svc.cluster.local', '3306']);
        expect({ workload: w.metadata.name, label: labels[MYSQL.clientLabel] }).toEqual({ workload: w.metadata.name, label: 'true' });
      }
    }
  });
});
