import { isPinned } from '../../lib/config';
import { NAMESPACES, PLATFORM_PRIORITY, PolicyCronJob, PolicyDeployment, PolicyJob, PolicyStatefulSet, type ContainerProps } from '../../lib/platform';
import { constructHarness, find } from '../support/stack';

const probe = { tcpSocket: { port: 80 } } as any;
const server: ContainerProps = { name: 'server', image: 'mysql', resources: 'mysql', readiness: probe, liveness: probe, ports: [{ name: 'mysql', port: 3306 }] };

describe('isPinned', () => {
  test.each([
    ['mysql:8.4.11', true],
    ['localhost:32000/mysql:8.4.11', true],
    [`mysql@sha256:${'0'.repeat(64)}`, true],
    ['mysql', false],
    ['mysql:latest', false],
    ['localhost:32000/mysql', false],
  ])('%s → %s', (ref, pinned) => expect(isPinned(ref)).toBe(pinned));
});

describe('WorkloadPolicy', () => {
  test('a Deployment gets its own ServiceAccount, no token, IfNotPresent, sizing and the restricted context', () => {
    const { chart, synth, config, policy } = constructHarness();
    new PolicyDeployment(chart, 'd', { name: 'web', namespace: 'kubeflow', policy, pod: { containers: [server] } });
    const objs = synth();
    const d = find(objs, 'Deployment', 'web', 'kubeflow');
    const sa = find(objs, 'ServiceAccount', 'web', 'kubeflow');
    expect(sa.automountServiceAccountToken).toBe(false);
    const spec = d.spec.template.spec;
    expect(spec.serviceAccountName).toBe('web');
    expect(spec.automountServiceAccountToken).toBe(false);
    expect(spec.enableServiceLinks).toBe(false);
    expect(spec.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 999, runAsGroup: 999, seccompProfile: { type: 'RuntimeDefault' } });
    const c = spec.containers[0];
    expect(c.image).toBe('docker.io/library/mysql:8.4.11');
    expect(c.imagePullPolicy).toBe('IfNotPresent');
    expect(c.resources).toEqual({ requests: config.resources.mysql!.requests, limits: config.resources.mysql!.limits });
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
    expect(d.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/instance': 'microflow' });
    expect(d.spec.template.metadata.labels['app.kubernetes.io/version']).toBe('8.4.11');
  });

  test('pods in the platform\'s namespaces get the platform PriorityClass; any other pod keeps priority 0', () => {
    const { chart, synth, policy } = constructHarness();
    for (const namespace of Object.values(NAMESPACES)) new PolicyDeployment(chart, namespace, { name: 'web', namespace, policy, pod: { containers: [server] } });
    new PolicyDeployment(chart, 'user', { name: 'tb', namespace: 'ada-example-org', policy, pod: { containers: [server] } });
    const objs = synth();
    for (const namespace of Object.values(NAMESPACES)) expect(find(objs, 'Deployment', 'web', namespace).spec.template.spec.priorityClassName).toBe(PLATFORM_PRIORITY.name);
    expect(find(objs, 'Deployment', 'tb').spec.template.spec.priorityClassName).toBeUndefined();
    // A pod spec built without its namespace (a notebook server's template) is nobody's platform pod.
    expect(policy.podSpec({ serviceAccountName: 'x', containers: [server] }).priorityClassName).toBeUndefined();
  });

  test('config overrides of images and resources reach the container', () => {
    const { chart, synth, policy } = constructHarness({
      images: { mysql: 'localhost:32000/mysql:8.4.11' },
      resources: { mysql: { requests: { cpu: '300m', memory: '700Mi' }, limits: { cpu: '3', memory: '3Gi' } } },
    });
    new PolicyDeployment(chart, 'd', { name: 'web', namespace: 'kubeflow', policy, pod: { containers: [server] } });
    const c = find(synth(), 'Deployment', 'web').spec.template.spec.containers[0];
    expect(c.image).toBe('localhost:32000/mysql:8.4.11');
    expect(c.resources.limits).toEqual({ cpu: '3', memory: '3Gi' });
  });

  test('long-running containers without probes are refused', () => {
    const { chart, policy } = constructHarness();
    expect(() => new PolicyDeployment(chart, 'd', {
      name: 'web', namespace: 'n', policy, pod: { containers: [{ ...server, readiness: undefined }] },
    })).toThrow(/container "server" runs long and needs both a readiness and a liveness probe/);
  });

  test('a writable root filesystem must be explained', () => {
    const { chart, policy, synth } = constructHarness();
    expect(() => new PolicyDeployment(chart, 'a', { name: 'a', namespace: 'n', policy, pod: { containers: [{ ...server, writableRootReason: ' ' }] } })).toThrow(/must say why/);
    new PolicyDeployment(chart, 'b', { name: 'b', namespace: 'n', policy, pod: { containers: [{ ...server, writableRootReason: 'writes /etc/foo at start' }] } });
    expect(find(synth(), 'Deployment', 'b').spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem).toBe(false);
  });

  test('pods that talk to the API get a token; volumes get fsGroup', () => {
    const { chart, policy, synth } = constructHarness();
    new PolicyJob(chart, 'j', {
      name: 'job', namespace: 'n', policy,
      pod: { apiAccess: true, containers: [{ name: 'c', image: 'kubectl', resources: 'secrets', runsToCompletion: true }], volumes: [{ name: 'tmp', emptyDir: {} }] },
    });
    const objs = synth();
    const job = find(objs, 'Job', 'job');
    expect(job.spec.template.spec.automountServiceAccountToken).toBe(true);
    expect(find(objs, 'ServiceAccount', 'job').automountServiceAccountToken).toBe(true);
    expect(job.spec.template.spec.securityContext.fsGroup).toBe(65532);
    expect(job.spec.template.spec.restartPolicy).toBe('OnFailure');
    expect(job.spec.backoffLimit).toBe(6);
  });

  test('init containers are sized and secured like the rest', () => {
    const { chart, policy, synth, config } = constructHarness();
    new PolicyCronJob(chart, 'c', {
      name: 'cron', namespace: 'n', policy, schedule: '0 3 * * *',
      pod: { initContainers: [{ name: 'init', image: 'mysql', resources: 'mysqlBackup' }], containers: [{ name: 'main', image: 'mc', resources: 'buckets', runsToCompletion: true }] },
    });
    const cron = find(synth(), 'CronJob', 'cron');
    expect(cron.spec.concurrencyPolicy).toBe('Forbid');
    const init = cron.spec.jobTemplate.spec.template.spec.initContainers[0];
    expect(init.resources).toEqual({ requests: config.resources.mysqlBackup!.requests, limits: config.resources.mysqlBackup!.limits });
    expect(init.securityContext.capabilities.drop).toEqual(['ALL']);
    expect(init.imagePullPolicy).toBe('IfNotPresent');
  });

  test('StatefulSet claims are retained on delete and scale-down', () => {
    const { chart, policy, synth } = constructHarness();
    new PolicyStatefulSet(chart, 's', {
      name: 'db', namespace: 'n', policy, serviceName: 'db', pod: { containers: [server] },
      dataVolume: { name: 'data', size: '5Gi', storageClass: 'microk8s-hostpath' },
    });
    const sts = find(synth(), 'StatefulSet', 'db');
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(sts.spec.volumeClaimTemplates[0].spec).toEqual({ accessModes: ['ReadWriteOnce'], storageClassName: 'microk8s-hostpath', resources: { requests: { storage: '5Gi' } } });
  });
});
