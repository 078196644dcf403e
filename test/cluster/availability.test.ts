/**
 * The cluster profile's availability objects on the control plane: a front door's
 * HorizontalPodAutoscaler is accepted and acts (it raises the Deployment to its minimum, and a
 * re-apply does not undo that), and PodDisruptionBudgets are accepted and computed by the
 * disruption controller. The front doors themselves come with later components, so the check
 * renders one with the same construct they use (PolicyDeployment with `frontDoor`).
 */
import { App, Chart, YamlOutputType } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { MicroflowNamespace, PolicyDeployment, PolicyStatefulSet, WorkloadPolicy } from '../../lib/platform';
import { exampleConfig } from '../support/stack';
import { createMachineFixtures, FakeProvisioner } from './support/fixtures';
import { applyObjects, getJson, k, requireCluster, waitFor } from './support/kube';

const ns = 'microflow-availability-check';
// Runs in the cluster profile's variant only: its nodes are the ones this check needs (and adding
// them to another variant's cluster would change that variant's placement checks).
const inCluster = (process.env.MICROFLOW_PROFILE ?? 'cluster') === 'cluster';
const maybe = inCluster ? test : test.skip;
// The variant's own configuration: its fixtures re-shape the nodes the other files of this variant
// schedule on (a bare cluster profile has no GPU time-slicing, and re-applied the GPU node with half
// the GPUs that examples/cluster.yaml's 2-GPU notebook needs).
const config = exampleConfig('cluster');
const provisioner = new FakeProvisioner();
let objects: any[];

function render(): any[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-availability-'));
  try {
    const app = new App({ outdir: dir, yamlOutputType: YamlOutputType.FILE_PER_CHART });
    const chart = new Chart(app, 'availability');
    const policy = new WorkloadPolicy(config);
    new MicroflowNamespace(chart, 'ns', { name: ns });
    const probe = { tcpSocket: { port: k8s.IntOrString.fromString('http') } };
    const container = { name: 'api', image: 'kubectl' as const, resources: 'secrets' as const, readiness: probe, liveness: probe, ports: [{ name: 'http', port: 8080 }] };
    new PolicyDeployment(chart, 'front', { name: 'front-door', namespace: ns, policy, frontDoor: true, pod: { containers: [container] } });
    new PolicyStatefulSet(chart, 'store', {
      name: 'store', namespace: ns, policy, replicas: 2, serviceName: 'store', podManagementPolicy: 'Parallel',
      dataVolume: { name: 'data', size: '1Gi', storageClass: config.storageClass }, pod: { containers: [container] },
    });
    app.synth();
    return fs.readdirSync(dir).flatMap((f) => yaml.loadAll(fs.readFileSync(path.join(dir, f), 'utf8')) as any[]).filter(Boolean);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  requireCluster();
  if (!inCluster) return;
  await createMachineFixtures('cluster', config);
  provisioner.start();
  objects = render();
  await applyObjects(objects.filter((o) => o.kind === 'Namespace'));
  await waitFor('the namespace\'s default ServiceAccount', async () => (await getJson(['get', 'sa', '-n', ns])).items.length > 0, 30_000);
  await applyObjects(objects.filter((o) => o.kind !== 'Namespace'));
});

afterAll(async () => {
  await provisioner.stop();
  if (inCluster) await k(['delete', 'namespace', ns, '--wait=false']);
});

maybe('the HPA is accepted and scales the front door up to its minimum of 2 (without metrics-server it cannot go further)', async () => {
  const hpa = await getJson(['get', 'hpa', 'front-door', '-n', ns]);
  expect(hpa.spec.minReplicas).toBe(2);
  await waitFor('the HPA to raise front-door to 2 replicas', async () => (await getJson(['get', 'deployment', 'front-door', '-n', ns])).spec.replicas === 2, 90_000);
  await waitFor('front-door to become Available with 2 replicas', async () => (await getJson(['get', 'deployment', 'front-door', '-n', ns])).status.availableReplicas === 2, 90_000);
  const conditions = (await getJson(['get', 'hpa', 'front-door', '-n', ns])).status.conditions ?? [];
  expect(conditions.map((c: any) => c.type)).toContain('AbleToScale');
});

maybe('re-applying the rendered Deployment does not undo the autoscaler (it owns replicas)', async () => {
  await applyObjects(objects.filter((o) => o.kind === 'Deployment'));
  expect((await getJson(['get', 'deployment', 'front-door', '-n', ns])).spec.replicas).toBe(2);
});

maybe('PDBs are accepted and the disruption controller computes them: one pod may go at a time', async () => {
  for (const name of ['front-door', 'store']) {
    const pdb = await waitFor(`PDB ${name} to be computed`, async () => {
      const p = await getJson(['get', 'pdb', name, '-n', ns]);
      return p.status?.expectedPods === 2 && p.status?.currentHealthy === 2 ? p : undefined;
    }, 90_000);
    expect(pdb.status.disruptionsAllowed).toBe(1);
  }
});
