/**
 * What the platform's building blocks promise and no component test pins down on its own: image
 * pinning, Service shapes and their refusals, the workload policy's refusals, the defaults of Jobs,
 * CronJobs and StatefulSets, and which namespaces GitOps must never prune. Written against the
 * survivors of `lib/platform`'s mutation run (test/README.md).
 */
import { Testing } from 'cdk8s';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  connectionsOf, VendoredManifest, CONFIG_HASH_ANNOTATION, configHashAnnotation, IngressAllow, MicroflowNamespace, PolicyDeployment,
  KEEP_ON_PRUNE_ANNOTATIONS, MicroflowService, NAMESPACES, PlatformChart,
  PolicyCronJob, PolicyError, PolicyJob, PolicyStatefulSet, WorkloadPolicy, applyStandardLabels, type ContainerProps, type PodSet,
} from '../../lib/platform';
import { isPinned, notebookServerImage, NOTEBOOK_SERVERS_VERSION } from '../../lib/config';
import { constructHarness, find } from '../support/stack';

const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('isPinned', () => {
  test.each([
    [`mysql@${digest}`, true],
    [`mysql:8.4.11@${digest}`, true],
    [`localhost:32000/mysql@${digest}`, true],
    ['mysql@sha256:abc', false],
    [`mysql@sha256:${'A'.repeat(64)}`, false],
    [`mysql@${digest}0`, false],
    [`@${digest}`, false],
    [':8.4', false],
    ['registry.local/:8.4', false],
    ['mysql:-8.4', false],
    ['mysql:8.4 ', false],
    [`mysql:${'a'.repeat(128)}`, true],
    [`mysql:${'a'.repeat(129)}`, false],
    ['mysql:Latest', true],
    ['localhost:32000/team/mysql:8.4.11', true],
  ])('%s → %s', (ref, pinned) => expect(isPinned(ref)).toBe(pinned));
});

describe('notebookServerImage', () => {
  test('a short name is Kubeflow\'s image at the pinned release; a full reference keeps its own tag as version', () => {
    expect(notebookServerImage('jupyter-scipy')).toEqual({
      ref: `ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-scipy:${NOTEBOOK_SERVERS_VERSION}`, version: NOTEBOOK_SERVERS_VERSION, uid: 1000, gid: 100,
    });
    expect(notebookServerImage('localhost:32000/me/nb:2.1').version).toBe('2.1');
    // A label value holds at most 63 characters.
    expect(notebookServerImage(`docker.io/me/nb:${'v'.repeat(100)}`).version).toBe('v'.repeat(63));
  });
});

const pods: PodSet = { name: 'x', namespace: 'kubeflow', selector: { app: 'x' }, labels: { app: 'x' }, containerPorts: { http: 8080 } };
const http = { name: 'http', port: 80, targetPort: 'http' };

describe('MicroflowService shapes', () => {
  test('headless, publishing unready pods, or exposed on a fixed node port', () => {
    const { chart, synth } = constructHarness();
    new MicroflowService(chart, 'a', { name: 'peers', pods, ports: [http], headless: true, publishNotReadyAddresses: true });
    new MicroflowService(chart, 'b', { name: 'outside', pods, ports: [{ ...http, nodePort: 30080 }], type: 'NodePort' });
    new MicroflowService(chart, 'c', { name: 'plain', pods, ports: [http], headless: false, publishNotReadyAddresses: false, type: 'ClusterIP' });
    const objs = synth();
    expect(find(objs, 'Service', 'peers').spec).toEqual({
      clusterIP: 'None', publishNotReadyAddresses: true, selector: { app: 'x' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }],
    });
    expect(find(objs, 'Service', 'outside').spec).toEqual({
      type: 'NodePort', selector: { app: 'x' }, ports: [{ name: 'http', port: 80, targetPort: 'http', nodePort: 30080 }],
    });
    expect(find(objs, 'Service', 'plain').spec).toEqual({ selector: { app: 'x' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] });
  });

  test('a node port on a Service that cannot have one is refused, naming the Service, the port and why', () => {
    const { chart } = constructHarness();
    const port = { ...http, nodePort: 30080 };
    expect(() => new MicroflowService(chart, 'a', { name: 's', pods, ports: [port] }))
      .toThrow('Service "s" port "http": a nodePort needs type NodePort or LoadBalancer, not ClusterIP');
    expect(() => new MicroflowService(chart, 'b', { name: 's', pods, ports: [port], type: 'NodePort', headless: true }))
      .toThrow('Service "s" port "http": a nodePort needs type NodePort or LoadBalancer, not a headless Service');
    expect(() => new MicroflowService(chart, 'c', { name: 'lb', pods, ports: [port], type: 'LoadBalancer' })).not.toThrow();
  });

  test('a missing container port is named with the ports the pods do have, or "none"', () => {
    const { chart } = constructHarness();
    expect(() => new MicroflowService(chart, 'a', { name: 's', pods: { ...pods, containerPorts: {} }, ports: [http] }))
      .toThrow('Service "s" port "http": workload "x" has no container port named "http" (it has: none)');
    expect(() => new MicroflowService(chart, 'b', { name: 's', pods: { ...pods, containerPorts: { a: 1, b: 2 } }, ports: [http] }))
      .toThrow('(it has: a, b)');
    const svc = new MicroflowService(chart, 'c', { name: 's', pods, ports: [http, { name: 'http-2', port: 81, targetPort: 'http' }] });
    expect(() => svc.port('grpc')).toThrow('Service "kubeflow/s" has no port named "grpc" (it has: http, http-2)');
  });
});

const probe = { tcpSocket: { port: 80 } } as any;
const task: ContainerProps = { name: 'task', image: 'mysql', resources: 'mysql', runsToCompletion: true, ports: [{ name: 'metrics', port: 9090 }] };

describe('WorkloadPolicy refusals', () => {
  test('an unpinned image, by key or as a user\'s own spec, is refused naming it', () => {
    const { config } = constructHarness();
    const policy = new WorkloadPolicy({ ...config, images: { ...config.images, mysql: 'mysql:latest' } });
    expect(() => policy.image('mysql')).toThrow(PolicyError);
    expect(() => policy.image('mysql')).toThrow('workload policy: image "mysql" is not pinned: mysql:latest');
    expect(() => policy.image({ ref: 'me/nb', version: 'x', uid: 1 }))
      .toThrow('workload policy: image me/nb is not pinned (give a tag other than "latest", or a digest)');
    expect(() => policy.image('mysql')).toThrow(expect.objectContaining({ name: 'PolicyError' }));
  });

  test('a component without sizing and a pod without containers are refused', () => {
    const { config } = constructHarness();
    const policy = new WorkloadPolicy({ ...config, resources: {} });
    expect(() => policy.resources('mysql')).toThrow('workload policy: no resources are defined for component "mysql"');
    expect(() => new WorkloadPolicy(config).podSpec({ serviceAccountName: 'sa', containers: [] })).toThrow('workload policy: a pod needs at least one container');
  });

  test('volumes give fsGroup with OnRootMismatch; extended resources are requested and limited; ports are TCP', () => {
    const { policy } = constructHarness();
    const spec = policy.podSpec({ serviceAccountName: 'sa',
      containers: [{ ...task, extendedResources: { 'nvidia.com/gpu': '2' } }], volumes: [{ name: 'data', emptyDir: {} }],
    });
    expect(spec.securityContext).toMatchObject({ fsGroup: 999, fsGroupChangePolicy: 'OnRootMismatch' });
    const c = spec.containers[0];
    expect(c.ports).toEqual([{ name: 'metrics', containerPort: 9090, protocol: 'TCP' }]);
    expect(JSON.parse(JSON.stringify(c.resources))).toMatchObject({ requests: { 'nvidia.com/gpu': { value: '2' } }, limits: { 'nvidia.com/gpu': { value: '2' } } });
  });
});

describe('workload defaults', () => {
  test('a Job retries 6 times within 15 minutes; a CronJob run 2 times within an hour; both overridable', () => {
    const { chart, synth, policy } = constructHarness();
    new PolicyJob(chart, 'j', { name: 'j', namespace: 'n', policy, pod: { containers: [task] } });
    new PolicyCronJob(chart, 'c', { name: 'c', namespace: 'n', policy, schedule: '0 3 * * *', pod: { containers: [task] } });
    new PolicyJob(chart, 'j2', { name: 'j2', namespace: 'n', policy, backoffLimit: 0, activeDeadlineSeconds: 60, pod: { containers: [task] } });
    new PolicyCronJob(chart, 'c2', { name: 'c2', namespace: 'n', policy, schedule: '0 3 * * *', backoffLimit: 0, activeDeadlineSeconds: 60, pod: { containers: [task] } });
    const objs = synth();
    expect(find(objs, 'Job', 'j').spec).toMatchObject({ backoffLimit: 6, activeDeadlineSeconds: 900 });
    const cron = find(objs, 'CronJob', 'c').spec;
    expect(cron.jobTemplate.spec).toMatchObject({ backoffLimit: 2, activeDeadlineSeconds: 3600 });
    expect(cron.jobTemplate.spec.template.spec.restartPolicy).toBe('OnFailure');
    expect(find(objs, 'Job', 'j2').spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 60 });
    expect(find(objs, 'CronJob', 'c2').spec.jobTemplate.spec).toMatchObject({ backoffLimit: 0, activeDeadlineSeconds: 60 });
  });

  test('a StatefulSet starts its pods in order unless told otherwise', () => {
    const { chart, synth, policy } = constructHarness();
    const server: ContainerProps = { ...task, runsToCompletion: false, readiness: probe, liveness: probe };
    const dataVolume = { name: 'data', size: '1Gi', storageClass: 'microk8s-hostpath', mountPath: '/data' };
    new PolicyStatefulSet(chart, 'a', { name: 'a', namespace: 'n', policy, serviceName: 'a', dataVolume, pod: { containers: [server] } } as any);
    new PolicyStatefulSet(chart, 'b', { name: 'b', namespace: 'n', policy, serviceName: 'b', dataVolume, podManagementPolicy: 'Parallel', pod: { containers: [server] } } as any);
    const objs = synth();
    expect(find(objs, 'StatefulSet', 'a').spec.podManagementPolicy).toBe('OrderedReady');
    expect(find(objs, 'StatefulSet', 'b').spec.podManagementPolicy).toBe('Parallel');
  });
});

describe('namespaces and labels', () => {
  test('the namespaces holding data are never pruned by GitOps; istio-system may be', () => {
    const objs = Testing.synth(new PlatformChart(Testing.app(), 'platform')) as any[];
    const annotations = (name: string) => objs.find((o) => o.kind === 'Namespace' && o.metadata.name === name).metadata.annotations ?? {};
    for (const name of [NAMESPACES.kubeflow, NAMESPACES.auth, NAMESPACES.oauth2Proxy]) expect(annotations(name)).toMatchObject(KEEP_ON_PRUNE_ANNOTATIONS);
    for (const key of Object.keys(KEEP_ON_PRUNE_ANNOTATIONS)) expect(annotations(NAMESPACES.istio)[key]).toBeUndefined();
  });

  test('standard labels fill in what an object lacks and keep what it set', () => {
    const { chart, synth } = constructHarness();
    new MicroflowService(chart, 's', { name: 's', pods, ports: [http] });
    const svc = chart.node.findAll().find((c) => (c as any).kind === 'Service') as any;
    svc.metadata.addLabel('app.kubernetes.io/component', 'mine');
    applyStandardLabels(chart, 'theirs', '1.0');
    const labels = find(synth(), 'Service', 's').metadata.labels;
    expect(labels['app.kubernetes.io/component']).toBe('mine');
    expect(labels['app.kubernetes.io/name']).toBe('s');
  });
});

describe('small promises', () => {
  test('a baseline reason of only spaces is no reason', () => {
    const { chart } = constructHarness();
    expect(() => new MicroflowNamespace(chart, 'a', { name: 'a', podSecurity: 'baseline', baselineReason: '   ' })).toThrow(/needs a baselineReason/);
  });

  test('an allow on a port of pods that have none says "none"', () => {
    const { chart } = constructHarness();
    expect(() => new IngressAllow(chart, 'a', { name: 'a', pods: { ...pods, containerPorts: {} }, from: [{}], ports: ['http'] }))
      .toThrow('NetworkPolicy "a": workload "x" has no container port named "http" (it has: none)');
  });

  test('the config hash is 16 hex characters of the contents, order and boundaries included', () => {
    expect(configHashAnnotation('a')[CONFIG_HASH_ANNOTATION]).toMatch(/^[0-9a-f]{16}$/);
    expect(configHashAnnotation('ab', 'c')).not.toEqual(configHashAnnotation('a', 'bc'));
  });

  test('a workload, its ServiceAccount and its pods carry its name and its image\'s version', () => {
    const { chart, synth, policy } = constructHarness();
    const server: ContainerProps = { ...task, runsToCompletion: false, readiness: probe, liveness: probe };
    new PolicyDeployment(chart, 'd', { name: 'web', namespace: 'n', policy, pod: { containers: [server] } });
    const objs = synth();
    for (const kind of ['Deployment', 'ServiceAccount']) {
      expect(find(objs, kind, 'web', 'n').metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'web', 'app.kubernetes.io/version': '8.4.11' });
    }
  });
});

describe('edges of the wiring helpers', () => {
  test('a tree that declares no connection has none', () => {
    expect(connectionsOf(Testing.app())).toEqual([]);
  });

  test('an endpoint\'s allow without extra namespaces admits its clients from the server\'s namespace only', () => {
    const { chart, synth } = constructHarness();
    const service = new MicroflowService(chart, 's', { name: 's', pods, ports: [http] });
    IngressAllow.forEndpoint(chart, 'e', { name: 'clients', endpoint: { service, port: 'http', clientLabels: { c: 'true' } } });
    expect(find(synth(), 'NetworkPolicy', 'clients', 'kubeflow').spec.ingress[0].from).toEqual([{ podSelector: { matchLabels: { c: 'true' } } }]);
  });

  test('a vendored document without a kind is named by its name alone', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vendored-kindless-'));
    try {
      const file = path.join(dir, 'a.yaml');
      fs.writeFileSync(file, 'apiVersion: v1\nmetadata: { name: odd }\n');
      expect(new VendoredManifest(Testing.chart(), 'M', { file }).apiObjects.map((o) => o.node.id)).toEqual(['odd']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
