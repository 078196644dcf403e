/**
 * TEST FIXTURES ONLY, never shipped: stand-ins for what a user's machine provides (KWOK nodes shaped
 * like the profile's machines, and what microk8s addons create: StorageClass `microk8s-hostpath`,
 * RuntimeClass `nvidia`), plus a tiny volume provisioner, because KWOK provisions no volumes.
 * Istio's CRDs are not a fixture: the render ships the release's own (vendor/istio/istio.yaml).
 */
import type { Config } from '../../../lib/config';
import { GPU_OPERATOR_NAMESPACE, GPU_RESOURCE } from '../../../lib/gpu';
import type { Example } from '../../support/stack';
import { applyObjects, getJson, k, run, sleep } from './kube';
import { controllerStatefulSet } from './notebook-controller';

export interface FakeNode { name: string; cpu: string; memory: string; gpus: number; tainted: boolean }

/** laptop: one 4-CPU/8Gi node; gpu-workstation: one node with one GPU; cluster: 4 CPU nodes and a tainted GPU node. */
export function nodesFor(profile: Example): FakeNode[] {
  switch (profile) {
    case 'laptop':
      return [{ name: 'laptop', cpu: '4', memory: '8Gi', gpus: 0, tainted: false }];
    case 'gpu-workstation':
      return [{ name: 'workstation', cpu: '8', memory: '32Gi', gpus: 1, tainted: false }];
    case 'cluster':
      return [
        ...[1, 2, 3, 4].map((i) => ({ name: `cpu-${i}`, cpu: '8', memory: '32Gi', gpus: 0, tainted: false })),
        { name: 'gpu-1', cpu: '16', memory: '64Gi', gpus: 1, tainted: true },
      ];
  }
}

/** A node as KWOK should present it; GPU labels and taint follow the configuration under test. */
function nodeObject(n: FakeNode, gpu: Config['gpu']): object {
  const capacity: Record<string, string> = { cpu: n.cpu, memory: n.memory, pods: '110', 'ephemeral-storage': '100Gi' };
  const labels: Record<string, string> = {
    'kubernetes.io/hostname': n.name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', type: 'kwok',
  };
  if (n.gpus > 0) {
    capacity[GPU_RESOURCE] = String(n.gpus);
    // What the GPU operator and GPU feature discovery put on a real GPU node.
    Object.assign(labels, { [gpu.nodeLabel]: 'true', [gpu.productLabel]: gpu.product ?? 'NVIDIA-GeForce-RTX-4090', 'nvidia.com/gpu.count': String(n.gpus / gpu.timeSlicing.replicas) });
  }
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: n.name, labels, annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' } },
    spec: n.tainted ? { taints: [{ key: gpu.taintKey, value: 'present', effect: 'NoSchedule' }] } : {},
    status: { capacity, allocatable: capacity },
  };
}

export async function createMachineFixtures(profile: Example, config: Config): Promise<FakeNode[]> {
  // With time-slicing the device plugin advertises each GPU `replicas` times.
  const nodes = nodesFor(profile).map((n) => ({ ...n, gpus: n.gpus * config.gpu.timeSlicing.replicas }));
  // Files of a variant share the cluster: one that re-shaped a node another relies on (a GPU node
  // with fewer GPUs, say) would make the other fail far from the cause, so say it here.
  for (const n of nodes) {
    const live = await run(['get', 'node', n.name, '-o', 'json']);
    if (live.code !== 0) continue;
    const had = JSON.parse(live.stdout).status.capacity ?? {};
    const want = (nodeObject(n, config.gpu) as any).status.capacity;
    const differs = Object.keys(want).filter((key) => String(had[key]) !== want[key]);
    if (differs.length) {
      throw new Error(`fixture conflict: node ${n.name} exists with ${differs.map((key) => `${key}=${had[key]}`).join(', ')}, `
        + `this file wants ${differs.map((key) => `${key}=${want[key]}`).join(', ')}: files of one variant must use the variant's configuration`);
    }
  }
  await applyObjects([
    // What microk8s' nvidia addon creates: the GPU operator's namespace (the time-slicing ConfigMap goes there).
    ...(config.gpu.enabled ? [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: GPU_OPERATOR_NAMESPACE, labels: { 'microflow.dev/test-fixture': 'true' } } }] : []),
    ...nodes.map((n) => nodeObject(n, config.gpu)),
    {
      apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass',
      metadata: { name: config.storageClass, labels: { 'microflow.dev/test-fixture': 'true' } },
      provisioner: 'microk8s.io/hostpath', reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer',
    },
    { apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: config.gpu.runtimeClassName, labels: { 'microflow.dev/test-fixture': 'true' } }, handler: 'nvidia' },
  ]);
  await k(['wait', '--for=condition=Ready', '--timeout=60s', ...nodes.map((n) => `node/${n.name}`)]);
  return nodes;
}

/**
 * Binds each claim the scheduler picked a node for (WaitForFirstConsumer sets the selected-node
 * annotation) to a new hostPath PV on that node, as microk8s' hostpath provisioner would.
 */
export class FakeProvisioner {
  private running = true;
  /**
   * @param notebookController also stand in for the notebook controller: each Notebook gets the
   * StatefulSet the controller would make, so its workspace claim gets a consumer and binds (for suites
   * that wait on every object being healthy, like Flux's). Off by default: a GPU notebook's pod holds the GPU.
   */
  constructor(private readonly opts: { notebookController?: boolean } = {}) {}
  private loop?: Promise<void>;
  public provisioned: string[] = [];

  start(): void {
    this.loop = (async () => {
      while (this.running) {
        try {
          await this.once();
        } catch {
          // The API may be briefly unavailable; the next round retries.
        }
        await sleep(500);
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async once(): Promise<void> {
    if (this.opts.notebookController) await this.notebookControllerStandIn();
    const pvcs = (await getJson(['get', 'pvc', '--all-namespaces'])).items as any[];
    const pvs = [];
    for (const pvc of pvcs) {
      const node = pvc.metadata.annotations?.['volume.kubernetes.io/selected-node'];
      if (pvc.status.phase !== 'Pending' || !node || pvc.spec.volumeName) continue;
      const name = `pvc-${pvc.metadata.uid}`;
      if (this.provisioned.includes(name)) continue;
      pvs.push({
        apiVersion: 'v1', kind: 'PersistentVolume',
        metadata: { name, annotations: { 'pv.kubernetes.io/provisioned-by': 'microk8s.io/hostpath' }, labels: { 'microflow.dev/test-fixture': 'true' } },
        spec: {
          capacity: { storage: pvc.spec.resources.requests.storage },
          accessModes: pvc.spec.accessModes,
          persistentVolumeReclaimPolicy: 'Delete',
          storageClassName: pvc.spec.storageClassName,
          hostPath: { path: `/var/snap/microk8s/common/default-storage/${pvc.metadata.namespace}-${pvc.metadata.name}-${name}` },
          claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid },
          nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } },
        },
      });
      this.provisioned.push(name);
    }
    if (pvs.length) await applyObjects(pvs);
  }

  private readonly notebooks = new Set<string>();
  private async notebookControllerStandIn(): Promise<void> {
    const r = await run(['get', 'notebooks.kubeflow.org', '--all-namespaces', '-o', 'json']);
    if (r.code !== 0) return; // the CRD is not there (yet)
    const fresh = (JSON.parse(r.stdout).items as any[]).filter((nb) => !this.notebooks.has(nb.metadata.uid));
    if (fresh.length === 0) return;
    await applyObjects(fresh.map(controllerStatefulSet));
    for (const nb of fresh) this.notebooks.add(nb.metadata.uid);
  }
}
