/**
 * Notebooks, GPUs and TensorBoards on the real control plane (one profile per run, as platform.test.ts).
 * The notebook controller is not buildable here (it is not served by the Go module proxy), so the
 * test applies the StatefulSet it would create for each declared Notebook: the Notebook's own pod
 * template as the API server stored it (rendered by the same `notebookPodSpec` as the Notebook
 * construct), with the labels and NB_PREFIX the controller adds. The scheduler, PodSecurity, the
 * ResourceQuota and RBAC then judge it as they would the controller's.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { applyPhases, planPhases, readRendered, type Phase } from '../../lib/deploy';
import { GPU_RESOURCE } from '../../lib/gpu';
import { NOTEBOOKS, TENSORBOARD_SELF_SERVICE } from '../../lib/notebooks';
import { NAMESPACES } from '../../lib/platform';
import { renderTo } from '../../lib/render';
import { resolveUsers } from '../../lib/users';
import { selfServiceRecipeText } from '../support/self-service';
import { exampleConfig, type Example } from '../support/stack';
import { createMachineFixtures, FakeProvisioner, type FakeNode } from './support/fixtures';
import { getJson, k, requireCluster, run, waitFor } from './support/kube';
import { controllerStatefulSet } from './support/notebook-controller';

const [profile, objectStore] = (process.env.MICROFLOW_PROFILE ?? 'laptop').split('+') as [Example, string | undefined];
const config = exampleConfig(profile, objectStore ? { objectStore } : {});
const users = resolveUsers(config);
const summary: string[] = [];
const provisioner = new FakeProvisioner();
let dir: string;
let phases: Phase[];
let nodes: FakeNode[];

beforeAll(async () => {
  requireCluster();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), `microflow-notebooks-${profile}-`));
  renderTo(config, path.join(dir, 'dist'));
  phases = planPhases(readRendered(path.join(dir, 'dist')));
  nodes = await createMachineFixtures(profile, config);
  provisioner.start();
  applyPhases(phases, { log: () => undefined });
});

afterAll(async () => {
  await provisioner.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  console.log([`== notebooks on the control plane (${profile})`, ...summary].join('\n'));
});

const rendered = (kind: string) => phases.flatMap((p) => p.objects).filter((o) => o.kind === kind) as any[];
/** The GPUs a rendered Notebook's server asks for. */
const gpusOf = (nb: any) => Number(nb.spec.template.spec.containers[0].resources.limits[GPU_RESOURCE] ?? 0);

test('the Notebook CRD is served and every declared Notebook is stored as rendered (no field pruned)', async () => {
  const crd = await getJson(['get', 'crd', 'notebooks.kubeflow.org']);
  expect(crd.spec.versions.map((v: any) => `${v.name}${v.storage ? '*' : ''}`).sort()).toEqual(['v1*', 'v1alpha1', 'v1beta1']);
  expect(rendered('Notebook').length).toBe(config.notebooks.length);
  for (const nb of rendered('Notebook')) {
    const live = await getJson(['get', 'notebooks.v1.kubeflow.org', nb.metadata.name, '-n', nb.metadata.namespace]);
    expect(live.spec.template.spec).toEqual(nb.spec.template.spec);
  }
});

test('the controller and the web app become Available; the web app\'s template is mounted where it reads it', async () => {
  for (const name of [NOTEBOOKS.controller, NOTEBOOKS.webApp, 'landing-page']) {
    await waitFor(`${name} to be available`, async () => {
      const d = await getJson(['get', 'deployment', name, '-n', NAMESPACES.kubeflow]);
      return (d.status.availableReplicas ?? 0) >= 1;
    }, 120_000);
  }
});

describe('notebook pods, as the controller would create them', () => {
  beforeAll(async () => {
    for (const nb of rendered('Notebook')) {
      const live = await getJson(['get', 'notebooks.v1.kubeflow.org', nb.metadata.name, '-n', nb.metadata.namespace]);
      await k(['apply', '--server-side', '--field-manager=notebook-controller-stand-in', '-f', '-'], JSON.stringify(controllerStatefulSet(live)));
    }
  });
  // Give the GPUs back (other suites on this cluster schedule GPU pods of their own); claims stay.
  afterAll(async () => {
    for (const nb of rendered('Notebook')) await k(['delete', 'statefulset', nb.metadata.name, '-n', nb.metadata.namespace, '--wait=true', '--timeout=120s']);
    await waitFor('notebook pods to go', async () => ((await getJson(['get', 'pods', '-A', '-l', NOTEBOOKS.podLabel])).items.length === 0), 120_000);
  });

  test('PodSecurity restricted admits every notebook pod; GPU notebooks land on the GPU node, others never do', async () => {
    const gpuNodes = nodes.filter((n) => n.gpus > 0).map((n) => n.name);
    for (const nb of rendered('Notebook')) {
      const ns = nb.metadata.namespace;
      const pod = `${nb.metadata.name}-0`;
      const node = await waitFor(`${ns}/${pod} to be scheduled`, async () => {
        const r = await run(['get', 'pod', pod, '-n', ns, '-o', 'json']);
        return r.code === 0 ? JSON.parse(r.stdout).spec.nodeName : undefined;
      }, 120_000, async () => k(['get', 'events', '-n', ns]));
      const gpus = gpusOf(nb);
      summary.push(`notebook ${ns}/${nb.metadata.name} (${gpus} GPU) → ${node}`);
      if (gpus > 0) expect(gpuNodes).toContain(node);
      else if (nodes.some((n) => n.tainted)) expect(nodes.find((n) => n.name === node)!.tainted).toBe(false);
    }
    // The GPU examples declare a GPU notebook, so the GPU placement above is exercised, not skipped.
    expect(rendered('Notebook').some((nb) => gpusOf(nb) > 0)).toBe(config.gpu.enabled);
  });

  test('while the notebook pods exist, no pod anywhere asks for a GPU unless the profile has GPUs', async () => {
    // Pods of microflow's namespaces, notebook pods included (other suites make GPU pods of their own on purpose).
    const ours = new Set(rendered('Namespace').map((n) => n.metadata.name));
    const pods = ((await getJson(['get', 'pods', '-A'])).items as any[]).filter((p) => ours.has(p.metadata.namespace));
    const asking = pods.filter((p) => p.spec.containers.some((c: any) => c.resources?.limits?.[GPU_RESOURCE]))
      .map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
    // Only the GPU notebooks ask (none where the profile has no GPUs).
    const gpuNotebooks = rendered('Notebook').filter((nb) => gpusOf(nb) > 0)
      .map((nb) => `${nb.metadata.namespace}/${nb.metadata.name}-0`);
    expect(asking.sort()).toEqual(config.gpu.enabled ? gpuNotebooks.sort() : []);
    summary.push(`pods asking for GPUs: ${asking.join(', ') || 'none'}`);
  });
});

test('a notebook over its owner\'s quota is refused with the API server\'s own message', async () => {
  const user = users[0];
  const ns = user.namespace;
  const template = rendered('Notebook').find((n) => n.metadata.namespace === ns)?.spec.template.spec
    ?? rendered('Notebook')[0].spec.template.spec;
  const spec = JSON.parse(JSON.stringify(template));
  spec.volumes = spec.volumes.filter((v: any) => !v.persistentVolumeClaim);
  spec.containers[0].volumeMounts = spec.containers[0].volumeMounts.filter((m: any) => spec.volumes.some((v: any) => v.name === m.name));
  // One GiB over the namespace's memory requests, still under its per-container maximum (the
  // LimitRange's `max` would refuse a bigger one first, with its own message).
  const gi = /^(\d+)Gi$/.exec(user.quota.memory);
  if (!gi) throw new Error(`expected the quota's memory in Gi, got ${user.quota.memory}`);
  const over = `${Number(gi[1]) + 1}Gi`;
  spec.containers[0].resources = { requests: { cpu: '1', memory: over }, limits: { cpu: '1', memory: over } };
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'too-big-notebook-0', namespace: ns, labels: { [NOTEBOOKS.podLabel]: 'too-big-notebook' } }, spec };
  const r = await run(['create', '-f', '-'], JSON.stringify(pod));
  expect(r.code).not.toBe(0);
  expect(r.stderr).toMatch(new RegExp(`is forbidden: exceeded quota: kf-resource-quota, requested: .*requests\\.memory=${over}, used: .*limited: .*requests\\.memory=${user.quota.memory}`));
  summary.push(`over-quota notebook: ${r.stderr.trim()}`);
});

describe('RBAC: a user creates Notebooks and TensorBoards in their namespace and nowhere else', () => {
  const canI = async (email: string, verb: string, resource: string, ns: string, subresource?: string) => {
    const r = await run(['auth', 'can-i', verb, resource, `--as=${email}`, `--namespace=${ns}`, ...(subresource ? [`--subresource=${subresource}`] : [])]);
    return r.stdout.trim() === 'yes';
  };
  test.each(users.map((u) => [u.email, u.namespace]))('%s in %s', async (email, ns) => {
    expect(await canI(email, 'create', 'notebooks.kubeflow.org', ns)).toBe(true);
    expect(await canI(email, 'delete', 'notebooks.kubeflow.org', ns)).toBe(true);
    expect(await canI(email, 'create', 'persistentvolumeclaims', ns)).toBe(true);
    // A self-service TensorBoard is a Deployment; its Service and route come from the configuration
    // (a user-writable Service could alias another user's notebook: test/cluster/attacks.test.ts).
    expect(await canI(email, 'create', 'deployments.apps', ns)).toBe(true);
    expect(await canI(email, 'create', 'services', ns)).toBe(false);
    expect(await canI(email, 'get', 'services', ns)).toBe(true);
    expect(await canI(email, 'create', 'virtualservices.networking.istio.io', ns)).toBe(false);
    expect(await canI(email, 'update', 'notebooks.kubeflow.org', ns, 'status')).toBe(false);
    for (const other of [NAMESPACES.kubeflow, ...users.filter((u) => u.namespace !== ns).map((u) => u.namespace)]) {
      expect({ other, notebooks: await canI(email, 'create', 'notebooks.kubeflow.org', other), deployments: await canI(email, 'create', 'deployments.apps', other) })
        .toEqual({ other, notebooks: false, deployments: false });
    }
  });

  describe('the self-service TensorBoard recipe, applied by each user as the README says', () => {
    const SLOT = TENSORBOARD_SELF_SERVICE.name;
    const { key, value } = TENSORBOARD_SELF_SERVICE.podLabel;
    /** A claim of the user's own, for users whose only notebooks hold GPUs. */
    const OWN_CLAIM = 'tensorboard-logs';
    /**
     * The README's one edit: the claim the logs are on. A CPU notebook's workspace; a GPU notebook's
     * would not do on a multi-node profile (hostpath volumes stay on their node, here the tainted GPU
     * node, where this pod may not go), so without a CPU notebook the user makes a claim of their own.
     */
    const claimOf = (email: string) => {
      const nb = config.notebooks.find((n) => n.owner === email && !n.gpus);
      return nb ? NOTEBOOKS.workspaceClaim(nb.name) : OWN_CLAIM;
    };
    const applyAs = (email: string, ns: string) => run([`--as=${email}`, '-n', ns, 'apply', '-f', '-'], selfServiceRecipeText(claimOf(email)));
    afterAll(async () => {
      for (const u of users) {
        await run(['delete', 'deployment', SLOT, '-n', u.namespace, '--ignore-not-found', '--wait=true', '--timeout=60s']);
        await run(['delete', 'pvc', OWN_CLAIM, '-n', u.namespace, '--ignore-not-found', '--wait=false']);
      }
    });

    test.each(users.map((u) => [u.email, u.namespace]))('%s: admitted under restricted in %s, Available, behind the slot\'s Service', async (email, ns) => {
      const ownNs = await getJson(['get', 'namespace', ns]);
      expect(ownNs.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
      if (claimOf(email) === OWN_CLAIM) {
        const pvc = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: OWN_CLAIM }, spec: { storageClassName: config.storageClass, accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
        await k([`--as=${email}`, '-n', ns, 'create', '-f', '-'], JSON.stringify(pvc));
      }
      const r = await applyAs(email, ns);
      expect({ code: r.code, stdout: r.stdout.trim(), warnings: r.stderr }).toEqual({ code: 0, stdout: `deployment.apps/${SLOT} created`, warnings: '' });
      // The ReplicaSet's pod passes PodSecurity (a refusal would leave it without pods) and KWOK makes it ready.
      await waitFor(`${ns}/${SLOT} to be available`, async () => ((await getJson(['get', 'deployment', SLOT, '-n', ns])).status.availableReplicas ?? 0) >= 1,
        120_000, async () => k(['get', 'events', '-n', ns]));
      const pods = (await getJson(['get', 'pods', '-n', ns, '-l', `${key}=${value}`])).items as any[];
      expect(pods.map((p) => p.status.phase)).toEqual(['Running']);
      // The slot's Service (rendered by microflow) selects it: its ready endpoint is this pod.
      const endpoints = await waitFor(`the ${SLOT} Service to list the pod`, async () => {
        const slices = (await getJson(['get', 'endpointslices.discovery.k8s.io', '-n', ns, '-l', `kubernetes.io/service-name=${SLOT}`])).items as any[];
        const ready = slices.flatMap((sl) => sl.endpoints ?? []).filter((e: any) => e.conditions?.ready);
        return ready.length ? ready : undefined;
      }, 60_000);
      expect(endpoints.map((e: any) => e.targetRef.name)).toEqual([pods[0].metadata.name]);
      summary.push(`self-service TensorBoard ${ns}/${SLOT} applied as ${email}: pod ${pods[0].metadata.name} on ${pods[0].spec.nodeName}, endpoint of Service ${SLOT}`);
    });

    test.each(users.map((u) => [u.email, u.namespace]))('%s: the same apply into kubeflow and any other user\'s namespace is Forbidden (own: %s)', async (email, ns) => {
      const others = [NAMESPACES.kubeflow, ...users.filter((u) => u.namespace !== ns).map((u) => u.namespace)];
      // Another user's own slot Deployment may be there: the refused apply must leave it as it was.
      const version = async (other: string) => (await k(['get', 'deployment', SLOT, '-n', other, '--ignore-not-found', '-o', 'jsonpath={.metadata.resourceVersion}'])).trim();
      for (const other of others) {
        const before = await version(other);
        const r = await applyAs(email, other);
        expect({ other, code: r.code }).toEqual({ other, code: 1 });
        expect(r.stderr).toContain(`is forbidden: User "${email}" cannot get resource "deployments" in API group "apps" in the namespace "${other}"`);
        expect({ other, after: await version(other) }).toEqual({ other, after: before });
      }
      summary.push(`self-service apply as ${email} refused in: ${others.join(', ')}`);
    });
  });

  test('the web app may act for users only after checking them; the controller only manages notebooks\' objects', async () => {
    const sa = (name: string) => `system:serviceaccount:${NAMESPACES.kubeflow}:${name}`;
    const can = async (who: string, verb: string, res: string, ns?: string) =>
      (await run(['auth', 'can-i', verb, res, `--as=${who}`, ns ? `--namespace=${ns}` : '--all-namespaces'])).stdout.trim() === 'yes';
    expect(await can(sa(NOTEBOOKS.webApp), 'create', 'subjectaccessreviews.authorization.k8s.io')).toBe(true);
    expect(await can(sa(NOTEBOOKS.webApp), 'get', 'secrets', users[0].namespace)).toBe(false);
    expect(await can(sa(NOTEBOOKS.controller), 'create', 'statefulsets.apps', users[0].namespace)).toBe(true);
    expect(await can(sa(NOTEBOOKS.controller), 'create', 'virtualservices.networking.istio.io', users[0].namespace)).toBe(true);
    expect(await can(sa(NOTEBOOKS.controller), 'get', 'secrets', users[0].namespace)).toBe(false);
    expect(await can(sa(NOTEBOOKS.controller), 'create', 'clusterrolebindings.rbac.authorization.k8s.io')).toBe(false);
  });
});
