/**
 * MinIO's pod as the program reads it: its command line (exactly one data path, each flag with its
 * value, ports that match the container's), the environment it reads, the volume behind every path
 * it writes under a read-only root, its startup probe, the headless Service its peers resolve, and
 * what differs between a single server and distributed mode (pod management, the peer policy).
 */
import { resolveConfig } from '../../lib/config';
import { Minio } from '../../lib/data';
import { spacedFlags, volumeAt } from '../support/pod-volumes';
import { constructHarness, find, rendered, type K8sObject } from '../support/stack';

const base = { namespace: 'kubeflow', storageSize: '20Gi', storageClass: 'microk8s-hostpath', externalUrl: 'https://ml.example.org:31443' };

describe('MinIO single server, in a whole stack with non-default storage', () => {
  // Rendered in beforeEach, which runs as part of each test (see test/support/stack.ts).
  let objs: K8sObject[], sts: K8sObject, c: any;
  beforeEach(() => {
    objs = rendered(resolveConfig({ storageClass: 'fast-nvme', storage: { objectStore: '44Gi' } })).objects;
    sts = find(objs, 'StatefulSet', 'minio', 'kubeflow');
    c = sts.spec.template.spec.containers[0];
  });
  const containerPort = (name: string) => c.ports.find((p: any) => p.name === name)?.containerPort;

  test('`minio server` gets one data path, on the configured claim, and no stray argument', () => {
    const { positional } = spacedFlags(c.args);
    expect(positional).toEqual(['server', '/data']);
    const data = volumeAt(sts, c, '/data');
    expect(data?.source.claim.spec).toMatchObject({ storageClassName: 'fast-nvme', resources: { requests: { storage: '44Gi' } } });
  });

  test('S3 and console listen on the container ports the Services target; certificates are looked for on a writable volume', () => {
    const { flags } = spacedFlags(c.args);
    expect(Object.keys(flags).sort()).toEqual(['address', 'certs-dir', 'console-address']);
    expect(flags.address).toBe(`:${containerPort('s3')}`);
    expect(flags['console-address']).toBe(`:${containerPort('console')}`);
    expect(containerPort('s3')).toBe(9000);
    expect(flags['certs-dir']).toBe('/tmp/certs');
    expect(volumeAt(sts, c, flags['certs-dir']!)?.source).toEqual({ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } });
  });

  test('environment: root credentials, HOME on the writable tmp volume, update checks off, the console URL', () => {
    expect(c.env.map((e: any) => e.name)).toEqual(['MINIO_ROOT_USER', 'MINIO_ROOT_PASSWORD', 'HOME', 'MINIO_UPDATE', 'MINIO_BROWSER_REDIRECT_URL']);
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value]));
    expect(env.MINIO_UPDATE).toBe('off');
    expect(env.HOME).toBe('/tmp');
    // The root filesystem is read-only: MinIO's own files under HOME must land on a volume.
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(volumeAt(sts, c, `${env.HOME}/.minio`)?.source).toEqual({ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } });
  });

  test('mounts: the data claim at /data and a size-limited emptyDir at /tmp, each backed by a volume', () => {
    expect(c.volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }, { name: 'tmp', mountPath: '/tmp' }]);
    expect(sts.spec.template.spec.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }]);
    expect(sts.spec.volumeClaimTemplates.map((t: any) => t.metadata.name)).toEqual(['data']);
  });

  test('startup allows 5 minutes (60 × 5 s) on the liveness endpoint before liveness takes over', () => {
    const live = { httpGet: { path: '/minio/health/live', port: 's3' }, timeoutSeconds: 5 };
    expect(c.startupProbe).toEqual({ ...live, periodSeconds: 5, failureThreshold: 60 });
    expect(c.livenessProbe).toEqual({ ...live, periodSeconds: 15, failureThreshold: 4 });
  });

  test('the StatefulSet\'s Service minio-headless is headless, its port named for Istio as HTTP', () => {
    expect(sts.spec.serviceName).toBe('minio-headless');
    const svc = find(objs, 'Service', 'minio-headless', 'kubeflow');
    expect(svc.spec.clusterIP).toBe('None');
    expect(svc.spec.ports).toEqual([{ name: 'http-s3', port: 9000, targetPort: 's3' }]);
  });

  test('pods start in order (the API server\'s default, which lib/deploy compares with the live object), and no peer policy is rendered', () => {
    // Any other value, even "", would read as a change of an immutable field on every deploy.
    expect(sts.spec.podManagementPolicy).toBe('OrderedReady');
    const policies = objs.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === 'kubeflow').map((p) => p.metadata.name);
    expect(policies).toContain('object-store-clients');
    expect(policies).not.toContain('minio-peers');
  });
});

describe('MinIO distributed (the neighbouring case)', () => {
  let objs: K8sObject[];
  beforeEach(() => {
    const h = constructHarness();
    new Minio(h.chart, 'm', { ...base, policy: h.policy, replicas: 4 });
    objs = h.synth();
  });

  test('peers start together and reach each other on the S3 port, through the headless Service', () => {
    expect(find(objs, 'StatefulSet', 'minio', 'kubeflow').spec.podManagementPolicy).toBe('Parallel');
    const peers = find(objs, 'NetworkPolicy', 'minio-peers', 'kubeflow');
    expect(peers.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: find(objs, 'StatefulSet', 'minio', 'kubeflow').spec.selector.matchLabels } }], ports: [{ protocol: 'TCP', port: 9000 }] }]);
    expect(find(objs, 'Service', 'minio-headless', 'kubeflow').spec.clusterIP).toBe('None');
  });
});
