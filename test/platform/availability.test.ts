/** The availability opt-in: front doors autoscale in the cluster profile; anything with >1 replica gets a PDB. */
import { PolicyDeployment, PolicyStatefulSet, type ContainerProps } from '../../lib/platform';
import { constructHarness, variantObjects, VARIANTS } from '../support/stack';

const probe = { tcpSocket: { port: 80 } } as any;
const web: ContainerProps = { name: 'web', image: 'mysql', resources: 'mysql', readiness: probe, liveness: probe, ports: [{ name: 'http', port: 8080 }] };
const kinds = (objs: any[]) => objs.map((o) => `${o.kind}/${o.metadata.name}`).filter((k) => /Autoscaler|Disruption/.test(k));

test('a front door in the cluster profile gets an HPA (min 2, the profile\'s max and CPU target), a PDB, and no replicas of its own', () => {
  const { chart, synth, config, policy } = constructHarness({ profile: 'cluster' });
  new PolicyDeployment(chart, 'd', { name: 'api', namespace: 'kubeflow', policy, frontDoor: true, pod: { containers: [web] } });
  const objs = synth();
  const hpa = objs.find((o) => o.kind === 'HorizontalPodAutoscaler')!;
  expect(hpa.apiVersion).toBe('autoscaling/v2');
  expect(hpa.spec).toEqual({
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' },
    minReplicas: 2,
    maxReplicas: config.scaling.maxReplicas,
    metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: config.scaling.targetCpuPercent } } }],
  });
  expect(objs.find((o) => o.kind === 'PodDisruptionBudget')!.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/instance': 'microflow' } } });
  expect(objs.find((o) => o.kind === 'Deployment')!.spec.replicas).toBeUndefined();
});

test('on one machine (laptop) a front door keeps its fixed replica and gets neither', () => {
  const { chart, synth, policy } = constructHarness();
  new PolicyDeployment(chart, 'd', { name: 'api', namespace: 'kubeflow', policy, frontDoor: true, pod: { containers: [web] } });
  expect(kinds(synth())).toEqual([]);
  expect(synth().find((o) => o.kind === 'Deployment')!.spec.replicas).toBe(1);
});

test('not a front door: never autoscaled; a PDB only with more than one replica, Deployments and StatefulSets alike', () => {
  const { chart, synth, policy } = constructHarness({ profile: 'cluster' });
  new PolicyDeployment(chart, 'a', { name: 'one', namespace: 'n', policy, pod: { containers: [web] } });
  new PolicyDeployment(chart, 'b', { name: 'two', namespace: 'n', policy, replicas: 2, pod: { containers: [web] } });
  new PolicyStatefulSet(chart, 'c', { name: 'db', namespace: 'n', policy, replicas: 3, serviceName: 'db', dataVolume: { name: 'data', size: '1Gi', storageClass: 'x' }, pod: { containers: [web] } });
  expect(kinds(synth())).toEqual(['PodDisruptionBudget/two', 'PodDisruptionBudget/db']);
});

test.each(VARIANTS)('%s: every workload with more than one replica has a PDB selecting exactly its pods', (variant) => {
  const objs = variantObjects(variant);
  for (const w of objs.filter((o) => ['Deployment', 'StatefulSet'].includes(o.kind) && (o.spec.replicas ?? 2) > 1)) {
    const pdb = objs.find((o) => o.kind === 'PodDisruptionBudget' && o.metadata.namespace === w.metadata.namespace && o.metadata.name === w.metadata.name);
    expect({ workload: w.metadata.name, selector: pdb?.spec.selector }).toEqual({ workload: w.metadata.name, selector: w.spec.selector });
  }
});
