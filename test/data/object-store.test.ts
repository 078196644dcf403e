import { Minio, minioConsoleUrl, SEAWEEDFS_IAM_PRELUDE, SeaweedFs, seaweedfsIamContainer } from '../../lib/data';
import { constructHarness, find, type K8sObject } from '../support/stack';

const base = { namespace: 'kubeflow', storageSize: '20Gi', storageClass: 'microk8s-hostpath' };
const externalUrl = 'https://ml.example.org:31443';

describe('Minio (single server)', () => {
  // Built in beforeEach, which runs as part of each test (see test/support/stack.ts).
  let minio: Minio, objs: K8sObject[], sts: any, c: any;
  beforeEach(() => {
    const h = constructHarness();
    minio = new Minio(h.chart, 'm', { ...base, policy: h.policy, externalUrl });
    objs = h.synth();
    sts = find(objs, 'StatefulSet', 'minio', 'kubeflow');
    c = sts.spec.template.spec.containers[0];
  });

  test('Service minio-service on 9000 in front of the S3 port', () => {
    const svc = find(objs, 'Service', 'minio-service', 'kubeflow');
    expect(svc.spec.ports).toEqual([{ name: 'http-s3', port: 9000, targetPort: 's3', appProtocol: 'http' }]);
    expect(svc.spec.selector).toEqual(sts.spec.selector.matchLabels);
    expect(minio.store).toMatchObject({ kind: 'minio', service: 'minio-service', port: 9000, endpoint: 'http://minio-service.kubeflow.svc.cluster.local:9000' });
  });

  test('root credentials are the generated mlpipeline-minio-artifact keys', () => {
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e]));
    expect(env.MINIO_ROOT_USER.valueFrom.secretKeyRef).toEqual({ name: 'mlpipeline-minio-artifact', key: 'accesskey' });
    expect(env.MINIO_ROOT_PASSWORD.valueFrom.secretKeyRef).toEqual({ name: 'mlpipeline-minio-artifact', key: 'secretkey' });
  });

  test('serves /data with the console on 9001, health probes on the S3 port', () => {
    expect(c.args.slice(0, 2)).toEqual(['server', '/data']);
    expect(c.args).toEqual(expect.arrayContaining(['--console-address', ':9001']));
    expect(c.readinessProbe.httpGet).toEqual({ path: '/minio/health/ready', port: 's3' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/minio/health/live', port: 's3' });
  });

  test('the console is told its public path under the gateway; nothing admits traffic to it until a route does', () => {
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value]));
    expect(env.MINIO_BROWSER_REDIRECT_URL).toBe('https://ml.example.org:31443/minio/ui');
    expect(minio.console).toMatchObject({ port: 'http-console', prefix: '/minio/ui/' });
    expect(minio.console.service.name).toBe('minio-console');
    expect(minio.console.service.port('http-console')).toMatchObject({ port: 9001, targetPort: 'console' });
    expect(c.ports).toContainEqual(expect.objectContaining({ name: 'console', containerPort: 9001 }));
    const policies = objs.filter((o) => o.kind === 'NetworkPolicy');
    expect(policies.filter((p) => p.spec.ingress.some((i: any) => i.ports.some((pt: any) => pt.port === 9001)))).toEqual([]);
    const s3Np = find(objs, 'NetworkPolicy', 'object-store-clients', 'kubeflow');
    expect(s3Np.spec.ingress[0].from).toEqual([{ podSelector: { matchLabels: { 'microflow.dev/object-store-client': 'true' } } }]);
    expect(find(objs, 'Service', 'minio-console', 'kubeflow').spec.type).toBeUndefined();
  });

  test('a gateway URL with a path, query or another scheme is refused, naming the field', () => {
    for (const bad of ['https://ml.example.org/', 'https://ml.example.org/x', 'ml.example.org', 'ftp://ml.example.org', 'https://ml.example.org?a=1', 'https://ml.example.org#x', '', 'git+https://ml.example.org', ' https://ml.example.org']) {
      expect(() => minioConsoleUrl(bad)).toThrow(`MinIO: externalUrl must be http(s)://host[:port] without a path, got ${JSON.stringify(bad)}`);
    }
    expect(minioConsoleUrl('http://10.0.0.5:30080')).toBe('http://10.0.0.5:30080/minio/ui');
    const h = constructHarness();
    expect(() => new Minio(h.chart, 'x', { ...base, policy: h.policy, externalUrl: 'https://ml.example.org/console' })).toThrow(/externalUrl/);
  });

  test('the data volume is retained', () => {
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
  });
});

describe('Minio (distributed)', () => {
  let objs: K8sObject[], sts: any;
  beforeEach(() => {
    const h = constructHarness();
    new Minio(h.chart, 'm', { ...base, policy: h.policy, replicas: 4, externalUrl });
    objs = h.synth();
    sts = find(objs, 'StatefulSet', 'minio', 'kubeflow');
  });

  test('4 replicas started together, one per node, each knowing its peers', () => {
    expect(sts.spec.replicas).toBe(4);
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
    const anti = sts.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0];
    expect(anti.topologyKey).toBe('kubernetes.io/hostname');
    expect(anti.labelSelector.matchLabels).toEqual(sts.spec.selector.matchLabels);
    expect(sts.spec.template.spec.containers[0].args[1]).toBe('http://minio-{0...3}.minio-headless.kubeflow.svc.cluster.local/data');
    expect(find(objs, 'Service', 'minio-headless', 'kubeflow').spec.publishNotReadyAddresses).toBe(true);
    expect(find(objs, 'NetworkPolicy', 'minio-peers', 'kubeflow').spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 9000 }]);
  });

  test('2 or 3 replicas are refused (erasure coding needs 4)', () => {
    const h = constructHarness();
    expect(() => new Minio(h.chart, 'x', { ...base, policy: h.policy, replicas: 3, externalUrl })).toThrow(/at least 4/);
  });
});

describe('SeaweedFs', () => {
  let sw: SeaweedFs, objs: K8sObject[], sts: any, spec: any;
  beforeEach(() => {
    const h = constructHarness({ objectStore: 'seaweedfs' });
    sw = new SeaweedFs(h.chart, 's', { ...base, policy: h.policy });
    objs = h.synth();
    sts = find(objs, 'StatefulSet', 'seaweedfs', 'kubeflow');
    spec = sts.spec.template.spec;
  });

  test('answers behind the same minio-service name, port and credential Secret', () => {
    expect(sw.store).toMatchObject({ kind: 'seaweedfs', service: 'minio-service', port: 9000, credentials: { name: 'mlpipeline-minio-artifact' } });
    const svc = find(objs, 'Service', 'minio-service', 'kubeflow');
    expect(svc.spec.ports[0]).toMatchObject({ port: 9000, targetPort: 's3' });
    expect(spec.containers[0].ports).toEqual([{ name: 's3', containerPort: 8333, protocol: 'TCP' }]);
  });

  test('S3 identities are written from the Secret into a memory volume at start, never into a ConfigMap', () => {
    const init = spec.initContainers[0];
    expect(init.env.map((e: any) => e.valueFrom.secretKeyRef.name)).toEqual(['mlpipeline-minio-artifact', 'mlpipeline-minio-artifact']);
    expect(spec.volumes).toContainEqual({ name: 'config', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
    expect(spec.containers[0].args).toContain('-s3.config=/etc/seaweedfs/s3.json');
    // No usage statistics leave the user's machine (weed's default is to send them).
    expect(spec.containers[0].args).toContain('-master.telemetry=false');
    expect(objs.filter((o) => o.kind === 'ConfigMap')).toEqual([]);
  });

  test('the client NetworkPolicy admits S3 clients on 8333, the port SeaweedFS listens on (not the Service port 9000)', () => {
    const np = find(objs, 'NetworkPolicy', 'object-store-clients', 'kubeflow');
    expect(np.spec.podSelector.matchLabels).toEqual(sts.spec.selector.matchLabels);
    expect(np.spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 8333 }]);
  });

  test('readiness on /status', () => {
    expect(spec.containers[0].readinessProbe.httpGet).toEqual({ path: '/status', port: 's3' });
    expect(spec.securityContext.runAsUser).toBe(1000);
  });
});

describe('seaweedfsIamContainer', () => {
  test('runs an IAM script in the SeaweedFS image against a SeaweedFS store, and refuses a MinIO store by name', () => {
    const h = constructHarness({ objectStore: 'seaweedfs' });
    const { store } = new SeaweedFs(h.chart, 's', { ...base, policy: h.policy });
    const c = seaweedfsIamContainer(store, 'users', 'iam ListUsers');
    expect(c).toMatchObject({ name: 'users', image: 'seaweedfs', command: ['/bin/sh', '-c', `${SEAWEEDFS_IAM_PRELUDE}\niam ListUsers\n`] });
    // MinIO has no IAM API on its S3 port: the script would fail at its first call, so it is never built.
    const m = constructHarness();
    const minio = new Minio(m.chart, 'm', { ...base, policy: m.policy, externalUrl }).store;
    expect(() => seaweedfsIamContainer(minio, 'users', 'iam ListUsers')).toThrow(new Error('seaweedfsIamContainer "users": the object store is minio, not seaweedfs'));
  });
});
