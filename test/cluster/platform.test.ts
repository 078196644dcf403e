/**
 * The rendered platform on a real Kubernetes control plane (API server, controller-manager,
 * scheduler; KWOK nodes), of the version the harness started (MICROFLOW_K8S). One variant per run:
 * MICROFLOW_PROFILE is an example profile, optionally with `+seaweedfs` for the other object store
 * (test/cluster/run.sh loops over all of them, on every version).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { applyPhases, diffPhases, kubectl, kubectlWarned, planPhases, readRendered, type Phase } from '../../lib/deploy';
import { gpuPlacement, GPU_RESOURCE } from '../../lib/gpu';
import { MYSQL } from '../../lib/data';
import { NOTEBOOKS } from '../../lib/notebooks';
import { NAMESPACES } from '../../lib/platform';
import { renderTo } from '../../lib/render';
import { resolveUsers } from '../../lib/users';
import { exampleConfig, ROOT, type Example } from '../support/stack';
import { createMachineFixtures, FakeProvisioner, type FakeNode } from './support/fixtures';
import { canI, getJson, k, requireCluster, run, waitFor, warnings } from './support/kube';

const [profile, objectStore] = (process.env.MICROFLOW_PROFILE ?? 'laptop').split('+') as [Example, string | undefined];
const config = exampleConfig(profile, objectStore ? { objectStore } : {});
const AVAILABLE_BOUND_MS = 180_000;
const K8S_VERSION = process.env.MICROFLOW_K8S_VERSION ?? 'unknown version';
const summary: string[] = [];

let dir: string;
let phases: Phase[];
let nodes: FakeNode[];
let applyError: unknown;
let applySeconds = 0;
let availableSeconds = -1;
const provisioner = new FakeProvisioner();

beforeAll(async () => {
  requireCluster();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), `microflow-cluster-${profile}-`));
  renderTo(config, path.join(dir, 'dist'));
  phases = planPhases(readRendered(path.join(dir, 'dist')));
  nodes = await createMachineFixtures(profile, config);
  provisioner.start();
  const t0 = Date.now();
  try {
    warnings.push(...applyPhases(phases, { log: () => undefined }).warnings);
  } catch (e) {
    applyError = e;
  }
  applySeconds = (Date.now() - t0) / 1000;
});

afterAll(async () => {
  await provisioner.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  console.log([`== microflow on Kubernetes ${K8S_VERSION} (${profile}, object store ${config.objectStore})`, ...summary].join('\n'));
});

const objectsOf = (kind: string) => phases.flatMap((p) => p.objects).filter((o) => o.kind === kind);

test('every object is accepted by the API server on the first pass, in order', () => {
  expect(applyError).toBeUndefined();
  const count = phases.reduce((n, p) => n + p.objects.length, 0);
  summary.push(`objects applied: ${count} in ${applySeconds.toFixed(1)}s (${phases.map((p) => p.name).join(' → ')})`);
});

test('every StatefulSet and Deployment becomes Available and every Job completes', async () => {
  const t0 = Date.now();
  const pending = async () => {
    const out: string[] = [];
    for (const o of [...objectsOf('StatefulSet'), ...objectsOf('Deployment')]) {
      const live = await getJson(['get', o.kind.toLowerCase(), o.metadata.name, '-n', o.metadata.namespace!]);
      if ((live.status.readyReplicas ?? 0) < live.spec.replicas || (live.status.availableReplicas ?? live.status.readyReplicas ?? 0) < live.spec.replicas) {
        out.push(`${o.kind}/${o.metadata.name} ${live.status.readyReplicas ?? 0}/${live.spec.replicas} ready`);
      }
    }
    for (const o of objectsOf('Job')) {
      const live = await getJson(['get', 'job', o.metadata.name, '-n', o.metadata.namespace!]);
      if (!(live.status.conditions ?? []).some((c: any) => c.type === 'Complete' && c.status === 'True')) out.push(`Job/${o.metadata.name} not complete`);
    }
    return out;
  };
  await waitFor('workloads to become available', async () => (await pending()).length === 0, AVAILABLE_BOUND_MS, async () =>
    `still waiting: ${(await pending()).join('; ')}\n${await k(['get', 'pods,pvc,events', '-A', '-o', 'wide'])}`);
  availableSeconds = (Date.now() - t0) / 1000;
  const claims = (await getJson(['get', 'pvc', '-A'])).items as any[];
  expect(claims.length).toBeGreaterThan(0);
  // A notebook's workspace binds when the notebook controller starts its pod (WaitForFirstConsumer);
  // the controller does not run here: test/cluster/notebooks.test.ts schedules those pods itself.
  for (const c of claims.filter((x) => !x.metadata.labels?.[NOTEBOOKS.podLabel])) {
    expect({ claim: c.metadata.name, phase: c.status.phase, class: c.spec.storageClassName }).toEqual({ claim: c.metadata.name, phase: 'Bound', class: config.storageClass });
  }
  summary.push(`time to Available after apply: ${availableSeconds.toFixed(1)}s (bound ${AVAILABLE_BOUND_MS / 1000}s, goal < 60s); PVs provisioned: ${provisioner.provisioned.length}`);
});

test('PodSecurity admission let every pod in: each workload has all its pods, no FailedCreate', async () => {
  const events = await getJson(['get', 'events', '-A', '--field-selector', 'reason=FailedCreate']);
  expect(events.items.map((e: any) => `${e.involvedObject.kind}/${e.involvedObject.name}: ${e.message}`)).toEqual([]);
  for (const o of objectsOf('StatefulSet')) {
    const pods = await getJson(['get', 'pods', '-n', o.metadata.namespace!, '-l', `app.kubernetes.io/name=${o.metadata.name}`]);
    expect(pods.items.length).toBe((o as any).spec.replicas);
  }
});

test('PodSecurity admission: a privileged pod is rejected in every rendered namespace', async () => {
  const namespaces = objectsOf('Namespace').map((n) => n.metadata.name);
  // microflow's own namespaces and one per configured user.
  expect(namespaces.sort()).toEqual([...Object.values(NAMESPACES), ...resolveUsers(config).map((u) => u.namespace)].sort());
  for (const namespace of namespaces) {
    const pod = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'privileged-probe', namespace },
      spec: { containers: [{ name: 'c', image: 'busybox:1.36', securityContext: { privileged: true } }] },
    };
    const r = await run(['create', '--dry-run=server', '-f', '-'], JSON.stringify(pod));
    expect({ namespace, rejected: r.code !== 0, stderr: r.stderr }).toEqual({ namespace, rejected: true, stderr: expect.stringMatching(/violates PodSecurity "restricted:v1\.28"/) });
  }
});

test('fixture check: Istio CRDs enforce Istio\'s schema (a bad Gateway is rejected, a good one accepted)', async () => {
  const gateway = (port: unknown) => JSON.stringify({
    apiVersion: 'networking.istio.io/v1beta1', kind: 'Gateway', metadata: { name: 'schema-check', namespace: NAMESPACES.istio },
    spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: port, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] },
  });
  const bad = await run(['apply', '--dry-run=server', '-f', '-'], gateway('eighty'));
  expect(bad.code).not.toBe(0);
  expect(bad.stderr).toMatch(/spec\.servers\[0\]\.port\.number/);
  expect((await run(['apply', '--dry-run=server', '-f', '-'], gateway(80))).code).toBe(0);
});

test('harness check: an API server warning is collected (PodSecurity `warn` on a privileged pod, server-side dry run)', () => {
  const ns = 'warning-check';
  kubectl(['create', 'namespace', ns]);
  kubectl(['label', 'namespace', ns, 'pod-security.kubernetes.io/warn=restricted']);
  expect(process.env.MICROFLOW_KUBECTL_REAL).toBeDefined();
  const pod = JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'privileged', namespace: ns },
    spec: { containers: [{ name: 'c', image: 'busybox:1.36', securityContext: { privileged: true } }] },
  });
  // The unwrapped kubectl: this warning is provoked on purpose and must not fail the run.
  const r = kubectlWarned(['apply', '--server-side', '--dry-run=server', '--field-manager=microflow-test', '-f', '-'], pod, process.env.MICROFLOW_KUBECTL_REAL);
  expect(r.warnings).toEqual([expect.stringMatching(/would violate PodSecurity "restricted:latest": privileged/)]);
});

test('placement: pods land only where the profile allows', async () => {
  const pods = (await getJson(['get', 'pods', '-A'])).items as any[];
  const table = pods.map((p) => `${p.metadata.namespace}/${p.metadata.name} → ${p.spec.nodeName ?? '(unscheduled)'}`);
  summary.push('placement:', ...table.map((l) => `  ${l}`));
  const gpuNodes = nodes.filter((n) => n.tainted).map((n) => n.name);
  for (const p of pods) expect(gpuNodes).not.toContain(p.spec.nodeName);
  if (profile === 'cluster') {
    const minio = pods.filter((p) => p.metadata.labels?.['app.kubernetes.io/name'] === 'minio').map((p) => p.spec.nodeName);
    expect(minio).toHaveLength(4);
    expect(new Set(minio).size).toBe(4);
  }
});

describe('GPU placement', () => {
  const ns = 'microflow-gpu-check';
  const gpuPod = (name: string, count: number) => {
    const placement = config.gpu.enabled ? gpuPlacement(config.gpu, count) : { limits: { [GPU_RESOURCE]: String(count) } };
    return {
      apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns },
      spec: {
        ...placement, limits: undefined,
        securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [{
          name: 'cuda', image: 'nvcr.io/nvidia/cuda:12.4.1-base-ubuntu22.04',
          resources: { limits: { cpu: '100m', memory: '64Mi', ...placement.limits }, requests: { cpu: '100m', memory: '64Mi' } },
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        }],
      },
    };
  };

  beforeAll(async () => {
    await k(['create', 'namespace', ns]);
    await k(['label', 'namespace', ns, 'pod-security.kubernetes.io/enforce=restricted']);
  });
  // Give the GPUs back: other suites on this cluster schedule GPU pods of their own. The pods hold
  // them, and KWOK removes a deleted pod at once (0.5 s); the namespace takes about 10 s more to go
  // (measured on v1.28.15), which nothing waits for.
  afterAll(async () => {
    await k(['delete', 'pods', '--all', '-n', ns, '--wait=true', '--timeout=120s']);
    await k(['delete', 'namespace', ns, '--wait=false']);
  });

  const scheduledNode = (name: string) => waitFor(`${name} to be scheduled`, async () => (await getJson(['get', 'pod', name, '-n', ns])).spec.nodeName, 60_000);
  const unschedulable = (name: string) => waitFor(`${name} to be reported unschedulable`, async () => {
    const p = await getJson(['get', 'pod', name, '-n', ns]);
    const c = (p.status.conditions ?? []).find((x: any) => x.type === 'PodScheduled');
    return !p.spec.nodeName && c?.reason === 'Unschedulable' ? c.message as string : undefined;
  }, 60_000);

  if (config.gpu.enabled) {
    test('a one-GPU pod lands on the GPU node, and only there', async () => {
      await k(['create', '-f', '-'], JSON.stringify(gpuPod('one-gpu', 1)));
      const node = await scheduledNode('one-gpu');
      const gpuNode = nodes.find((n) => n.gpus > 0)!;
      expect(node).toBe(gpuNode.name);
      summary.push(`GPU pod one-gpu → ${node}`);
    });
  }

  test('a pod asking for more GPUs than exist stays Pending with the scheduler\'s reason', async () => {
    const total = nodes.reduce((n, x) => n + x.gpus, 0);
    await k(['create', '-f', '-'], JSON.stringify(gpuPod('too-many-gpus', total + 1)));
    const message = await unschedulable('too-many-gpus');
    expect(message).toMatch(/Insufficient nvidia\.com\/gpu/);
    summary.push(`GPU pod asking for ${total + 1} GPUs: Pending (${message})`);
  });
});

describe('RBAC: each ServiceAccount can do what it needs and nothing more', () => {
  const kf = NAMESPACES.kubeflow;
  const sa = (name: string) => ({ namespace: kf, name });

  test('microflow-secrets: creates Secrets in kubeflow and reads only its own', async () => {
    expect(await canI(sa('microflow-secrets'), 'create', 'secrets', kf)).toBe(true);
    expect(await canI(sa('microflow-secrets'), 'get', 'secrets/mysql-secret', kf)).toBe(true);
    expect(await canI(sa('microflow-secrets'), 'get', 'secrets/some-other-secret', kf)).toBe(false);
    expect(await canI(sa('microflow-secrets'), 'list', 'secrets', kf)).toBe(false);
    expect(await canI(sa('microflow-secrets'), 'delete', 'secrets', kf)).toBe(false);
    expect(await canI(sa('microflow-secrets'), 'create', 'secrets', NAMESPACES.auth)).toBe(false);
    expect(await canI(sa('microflow-secrets'), 'create', 'clusterrolebindings')).toBe(false);
  });

  test.each(['mysql', config.objectStore, 'object-store-buckets', ...(config.backup.enabled ? ['mysql-backup'] : [])])(
    '%s: no API rights at all', async (name) => {
      expect(await canI(sa(name), 'get', 'secrets', kf)).toBe(false);
      expect(await canI(sa(name), 'list', 'pods', kf)).toBe(false);
      expect(await canI(sa(name), '*', '*')).toBe(false);
    });
});

test('idempotence: a second apply would change nothing (server-side dry-run diff is empty)', () => {
  expect(diffPhases(phases)).toBe('');
});

test('an upgrade that changes Job templates (new images) applies in one pass and the new Jobs complete', async () => {
  const upgraded = exampleConfig(profile, {
    ...(objectStore ? { objectStore } : {}),
    // Tags only need to be pinned here: KWOK never pulls an image.
    images: { kubectl: 'docker.io/alpine/k8s:1.36.3', mc: 'quay.io/minio/mc:RELEASE.2025-08-13T08-35-41Z.hotfix.test' },
  });
  const out = path.join(dir, 'upgraded');
  renderTo(upgraded, out);
  const next = planPhases(readRendered(out));
  const logs: string[] = [];
  warnings.push(...applyPhases(next, { log: (l) => logs.push(l) }).warnings);
  expect(logs.join('\n')).toMatch(/replaced: .*kubeflow\/microflow-secrets/);
  for (const job of ['microflow-secrets', 'object-store-buckets']) {
    await waitFor(`upgraded job ${job} to complete`, async () => {
      const live = await getJson(['get', 'job', job, '-n', NAMESPACES.kubeflow]);
      return (live.status.conditions ?? []).some((c: any) => c.type === 'Complete' && c.status === 'True');
    }, 60_000);
  }
  const secretsJob = await getJson(['get', 'job', 'microflow-secrets', '-n', NAMESPACES.kubeflow]);
  expect(secretsJob.spec.template.spec.containers[0].image).toBe('docker.io/alpine/k8s:1.36.3');
  expect(diffPhases(next)).toBe('');
  phases = next;
});

describe('backup and restore (the documented commands)', () => {
  const kf = NAMESPACES.kubeflow;
  const complete = (job: string) => waitFor(`job ${job} to complete`, async () => {
    const live = await getJson(['get', 'job', job, '-n', kf]);
    return (live.status.conditions ?? []).some((c: any) => c.type === 'Complete' && c.status === 'True');
  }, 120_000);

  if (config.backup.enabled) {
    test('a backup run started from the CronJob completes', async () => {
      await k(['create', 'job', 'backup-now', '--from=cronjob/mysql-backup', '-n', kf]);
      await complete('backup-now');
    });
  }

  test('`npm run restore -- <dump> | kubectl apply -f -` is accepted and its Job completes', async () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'build', 'scripts', 'restore.js'), 'mysql-20261126T030000Z.sql.gz'], {
      encoding: 'utf8', env: { ...process.env, MICROFLOW_CONFIG: path.join(ROOT, 'examples', `${profile}.yaml`) },
    });
    expect(r.status).toBe(0);
    await k(['apply', '--server-side', '--field-manager=microflow', '-f', '-'], r.stdout);
    await complete('mysql-restore');
    await k(['delete', 'job', 'mysql-restore', '-n', kf, '--wait=false']);
  });
});

describe('data safety', () => {
  // StatefulSet pod and claim names follow from the StatefulSet's name and its volume ("data").
  const pod = `${MYSQL.service}-0`;
  const claim = `data-${pod}`;
  test('a deleted MySQL pod comes back on the same claim', async () => {
    const before = await getJson(['get', 'pvc', claim, '-n', NAMESPACES.kubeflow]);
    const oldPod = await getJson(['get', 'pod', pod, '-n', NAMESPACES.kubeflow]);
    await k(['delete', 'pod', pod, '-n', NAMESPACES.kubeflow, '--wait=false']);
    const fresh = await waitFor(`${pod} to return Ready`, async () => {
      const r = await run(['get', 'pod', pod, '-n', NAMESPACES.kubeflow, '-o', 'json']);
      if (r.code !== 0) return undefined;
      const p = JSON.parse(r.stdout);
      const ready = (p.status.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
      return p.metadata.uid !== oldPod.metadata.uid && ready ? p : undefined;
    }, 120_000);
    expect(fresh.spec.volumes.find((v: any) => v.name === 'data').persistentVolumeClaim.claimName).toBe(claim);
    const after = await getJson(['get', 'pvc', claim, '-n', NAMESPACES.kubeflow]);
    expect(after.metadata.uid).toBe(before.metadata.uid);
    expect(after.spec.volumeName).toBe(before.spec.volumeName);
  });

  test('deleting the data layer\'s manifests leaves the data volumes in place', async () => {
    const claims = (await getJson(['get', 'pvc', '-n', NAMESPACES.kubeflow])).items.map((p: any) => p.metadata.name).sort();
    expect(claims).toContain(claim);
    const dataFile = fs.readdirSync(path.join(dir, 'dist')).find((f) => f.includes('-data.'))!;
    await k(['delete', '-f', path.join(dir, 'dist', dataFile), '--wait=true', '--timeout=120s']);
    await waitFor('data pods to go', async () => (await getJson(['get', 'pods', '-n', NAMESPACES.kubeflow, '-l', `app.kubernetes.io/name=${MYSQL.service}`])).items.length === 0, 120_000);
    const left = (await getJson(['get', 'pvc', '-n', NAMESPACES.kubeflow])).items;
    expect(left.map((p: any) => p.metadata.name).sort()).toEqual(claims);
    for (const p of left) expect(p.metadata.deletionTimestamp).toBeUndefined();
    summary.push(`after deleting the data manifests, claims kept: ${claims.join(', ')}`);
  });
});

// Last, so it sees every apply above: deprecated APIs, unknown or duplicate fields and PodSecurity
// `warn` all come back as warnings while the object is still accepted; none is tolerated.
test('the API server sent no warning for any apply or request of the suite', () => {
  expect(warnings).toEqual([]);
});
