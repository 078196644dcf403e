/**
 * The real Argo workflow-controller (v4.0.5, built from the Go module proxy and cached:
 * scripts/pipelines/build-workflow-controller.sh) runs natively against the control plane with the
 * rendered Deployment's command line and the rendered ConfigMap, authenticated with a token of its
 * own ServiceAccount (so its RBAC is what is tested). A Workflow shaped like what KFP 2.17's API
 * server emits is submitted as the API server's ServiceAccount, in a user's namespace (where runs
 * happen), and must succeed on the KWOK nodes.
 * KWOK runs no container, so this test plays kubelet and Argo's executor: when a step pod runs, it
 * reports the step's outputs as the executor does (a WorkflowTaskResult, created as the step's
 * `pipeline-runner` ServiceAccount) and marks the pod Succeeded.
 */
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { Workflow } from '../../imports/argoproj.io';
import { ARGO, KFP } from '../../lib/pipelines';
import { NAMESPACES } from '../../lib/platform';
import { ROOT } from '../support/stack';
import { applyVariant, type AppliedVariant } from './support/variant';
import { driverOutputs, kfpWorkflow } from './support/kfp-workflow';
import { getJson, k, requireCluster, sleep, waitFor } from './support/kube';

let s: AppliedVariant;
let controller: ChildProcess | undefined;
let portLock: ChildProcess | undefined;
let controllerLog = '';
let startController: () => void = () => undefined;
/** Which process holds a TCP port, for the message when the controller cannot bind it. */
const holder = (port: number) => spawnSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' }).stdout.trim() || '(none now)';
const summary: string[] = [];

const deployment = () => s.phases.flatMap((p) => p.objects).find((o) => o.kind === 'Deployment' && o.metadata.name === ARGO.controller) as any;

beforeAll(async () => {
  requireCluster();
  s = await applyVariant();
  expect(s.applyError).toBeUndefined();
  const build = spawnSync(path.join(ROOT, 'scripts', 'pipelines', 'build-workflow-controller.sh'), { encoding: 'utf8', timeout: 1_200_000 });
  if (build.status !== 0) throw new Error(`building the workflow-controller failed:\n${build.stderr}`);
  const binary = build.stdout.trim();

  // A kubeconfig with a token of the rendered ServiceAccount, namespace kubeflow (the controller's).
  const ns = NAMESPACES.kubeflow;
  const token = (await k(['create', 'token', ARGO.controller, '-n', ns, '--duration=2h'])).trim();
  const kubeconfig = path.join(s.dir, 'workflow-controller.kubeconfig');
  fs.writeFileSync(kubeconfig, yaml.dump({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'sa',
    clusters: [{ name: 'c', cluster: { server: process.env.MICROFLOW_API_SERVER, 'certificate-authority': path.join(process.env.MICROFLOW_CLUSTER_DIR!, 'pki', 'ca.crt') } }],
    users: [{ name: 'sa', user: { token } }],
    contexts: [{ name: 'sa', context: { cluster: 'c', user: 'sa', namespace: ns } }],
  }));

  // The controller listens on fixed ports of loopback (health, metrics): variants running side by
  // side (test/cluster/run.sh) take turns, holding an flock while their controller runs (the cluster
  // tier has no per-run temp root: os.tmpdir() is the machine's, shared by the variants).
  portLock = await holdLock(path.join(os.tmpdir(), `microflow-argo-controller-${ARGO.healthPort}.lock`));

  // The rendered command line, with the native binary.
  const c = deployment().spec.template.spec.containers[0];
  const env: Record<string, string> = { KUBECONFIG: kubeconfig, PATH: process.env.PATH ?? '', HOME: s.dir };
  for (const e of c.env ?? []) env[e.name] = e.value ?? (e.valueFrom?.fieldRef?.fieldPath === 'metadata.name' ? 'workflow-controller-native-test' : '');
  startController = () => {
    controller = spawn(binary, c.args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer) => { controllerLog = (controllerLog + d.toString()).slice(-200_000); };
    controller.stdout!.on('data', keep);
    controller.stderr!.on('data', keep);
  };
  startController();
  summary.push(`controller: ${binary} ${c.args.join(' ')}`);
}, 1_500_000);

afterAll(async () => {
  if (controller && controller.exitCode === null) {
    controller.kill('SIGTERM');
    await Promise.race([new Promise((r) => controller!.once('exit', r)), sleep(10_000)]);
    if (controller.exitCode === null) controller.kill('SIGKILL');
  }
  portLock?.stdin?.end();
  await s?.cleanup();
  // What it asked can-i about and went without (Namespaces, ClusterWorkflowTemplates), for the record.
  const without = controllerLog.split('\n').filter((l) => /unable to get permissions|doesn't have RBAC access/i.test(l));
  summary.push(...without.map((l) => `goes without: ${l.replace(/^.*?(msg=|"msg":)/, '').slice(0, 200)}`));
  console.log([`== Argo workflow-controller ${ARGO.controller} natively (${s?.profile})`, ...summary].join('\n'));
});

/** Holds an exclusive flock on `file` until the returned process's stdin is closed. */
function holdLock(file: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const p = spawn('flock', ['--exclusive', file, 'sh', '-c', 'echo locked; exec cat >/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
    p.stdout!.once('data', () => resolve(p));
    p.once('exit', (code) => reject(new Error(`flock ${file} exited (${code}) before taking the lock`)));
  });
}

/** The template Argo wrote into the pod (v4: ARGO_TEMPLATE on the init containers, earlier: on main). */
function argoTemplate(pod: any): any {
  for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
    const e = (c.env ?? []).find((x: any) => x.name === 'ARGO_TEMPLATE');
    if (e?.value) return JSON.parse(e.value);
  }
  throw new Error(`pod ${pod.metadata.name} carries no ARGO_TEMPLATE`);
}

const get = (url: string) => new Promise<number>((resolve) => {
  http.get(url, (r) => { r.resume(); resolve(r.statusCode ?? 0); }).on('error', () => resolve(0));
});

test('it starts with the rendered ConfigMap and answers its rendered health probe', async () => {
  const probe = deployment().spec.template.spec.containers[0].readinessProbe.httpGet.path;
  let restarts = 0;
  await waitFor('the controller\'s /healthz', async () => {
    if (controller!.exitCode !== null) {
      // v4.0.5 stops a "dummy" metrics server and binds the real one on the same port right after leading;
      // on a loaded machine that bind can fail and the process exits. The kubelet restarts the container
      // (restartPolicy Always): so does this test, twice at most, and says so.
      const bind = /listen tcp :(\d+): bind: address already in use/.exec(controllerLog);
      if (bind && restarts < 2) {
        restarts++;
        summary.push(`restarted the controller as the kubelet would: port ${bind[1]} was taken (held by: ${holder(Number(bind[1]))})`);
        controllerLog = '';
        await sleep(2000);
        startController();
        return false;
      }
      throw new Error(`the controller exited (${controller!.exitCode}):\n${controllerLog}`);
    }
    return (await get(`http://127.0.0.1:${ARGO.healthPort}${probe}`)) === 200;
  }, 120_000, async () => controllerLog.slice(-5000));
  await waitFor('the controller to lead and sync its caches', async () => /Starting Workflow Controller|started leading|new leader/.test(controllerLog), 60_000, async () => controllerLog.slice(-5000));
  expect(controllerLog).not.toMatch(/Failed to|forbidden/i);
});

/** Submits a KFP-shaped Workflow in `ns` as the API server does and plays kubelet and executor until it ends. */
async function runKfpWorkflow(ns: string): Promise<void> {
  const runner = `system:serviceaccount:${ns}:${KFP.runnerServiceAccount}`;
  const api = `system:serviceaccount:${NAMESPACES.kubeflow}:${KFP.apiDeployment}`;
  const name = `two-step-${s.profile}-${ns}`.replace(/[^a-z0-9-]/g, '-').slice(0, 50);
  const apiServer = s.phases.flatMap((p) => p.objects).find((o) => o.kind === 'Deployment' && o.metadata.name === KFP.apiDeployment) as any;
  const apiEnv = Object.fromEntries(apiServer.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
  const wf = kfpWorkflow({ name, namespace: ns, serviceAccount: KFP.runnerServiceAccount, driverImage: apiEnv.V2_DRIVER_IMAGE, launcherImage: apiEnv.V2_LAUNCHER_IMAGE });
  await k(['create', `--as=${api}`, '-f', '-'], JSON.stringify(wf));

  const done = new Set<string>();
  const seen: any[] = [];
  const phase = await waitFor(`workflow ${ns}/${name} to finish`, async () => {
    const pods = (await getJson(['get', 'pods', '-n', ns, '-l', `workflows.argoproj.io/workflow=${name}`])).items as any[];
    for (const pod of pods) {
      if (done.has(pod.metadata.name) || pod.status.phase !== 'Running') continue;
      seen.push(pod);
      const template = argoTemplate(pod);
      const outputs = driverOutputs(template.name, 'python:3.12-slim', s.config.pipelines.stepRunAsUser);
      // What the executor's wait container does, with the step's own ServiceAccount.
      await k(['create', `--as=${runner}`, '-f', '-'], JSON.stringify({
        apiVersion: 'argoproj.io/v1alpha1', kind: 'WorkflowTaskResult',
        metadata: { name: pod.metadata.annotations['workflows.argoproj.io/node-id'], namespace: ns, labels: { 'workflows.argoproj.io/workflow': name, 'workflows.argoproj.io/report-outputs-completed': 'true' } },
        outputs: { exitCode: '0', ...(outputs ? { parameters: Object.entries(outputs).map(([n, value]) => ({ name: n, value })) } : {}) },
      }));
      // What the kubelet reports when the containers exit 0.
      const now = new Date().toISOString();
      const terminated = (c: any) => ({ name: c.name, image: c.image, imageID: '', ready: false, restartCount: 0, started: false, state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: now, finishedAt: now } } });
      await k(['patch', 'pod', pod.metadata.name, '-n', ns, '--subresource=status', '--type=merge', '-p', JSON.stringify({
        status: { phase: 'Succeeded', containerStatuses: pod.spec.containers.map(terminated), initContainerStatuses: (pod.spec.initContainers ?? []).map(terminated) },
      })]);
      done.add(pod.metadata.name);
    }
    const live = await getJson(['get', 'workflow', name, '-n', ns]);
    return ['Succeeded', 'Failed', 'Error'].includes(live.status?.phase) ? live.status.phase : undefined;
  }, 240_000, async () => `${JSON.stringify((await getJson(['get', 'workflow', name, '-n', ns])).status, null, 1).slice(0, 4000)}\n${controllerLog.slice(-4000)}`);
  const live = await getJson(['get', 'workflow', name, '-n', ns]);
  expect({ phase, message: live.status.message }).toEqual({ phase: 'Succeeded', message: undefined });

  // Five step pods: root driver, two container drivers, two executors, all admitted by Pod Security.
  expect(seen.length).toBe(5);
  for (const pod of seen) {
    expect(pod.spec.serviceAccountName).toBe(KFP.runnerServiceAccount);
    expect(pod.metadata.labels['pipelines.kubeflow.org/v2_component']).toBe('true');
  }
  const executors = seen.filter((p) => p.spec.initContainers?.some((c: any) => c.name === 'kfp-launcher'));
  expect(executors).toHaveLength(2);
  for (const pod of executors) {
    const main = pod.spec.containers.find((c: any) => c.name === 'main');
    expect(main.image).toBe('python:3.12-slim'); // from the driver's pod-spec-patch
    expect(main.securityContext.runAsUser).toBe(s.config.pipelines.stepRunAsUser);
    // The rendered artifact repository: logs archived under the namespace's prefix on the store's Service.
    const tmpl = argoTemplate(pod);
    expect(tmpl.archiveLocation.s3.endpoint).toBe(`${s.stack.data.objectStore.host}:${s.stack.data.objectStore.port}`);
    expect(tmpl.archiveLocation.s3.key).toMatch(new RegExp(`^private-artifacts/${ns}/${name}/`));
    const wait = pod.spec.containers.find((c: any) => c.name === 'wait');
    expect(wait.image).toBe(deployment().spec.template.spec.containers[0].args[deployment().spec.template.spec.containers[0].args.indexOf('--executor-image') + 1]);
    expect(wait.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    if (s.config.pipelines.gpuRuntimeForAllSteps) expect(pod.spec.runtimeClassName).toBe(s.config.gpu.runtimeClassName);
  }
  summary.push(`workflow ${ns}/${name}: Succeeded; ${seen.length} step pods as ${KFP.runnerServiceAccount}, admitted by Pod Security "restricted"; logs archived to ${executors[0] && argoTemplate(executors[0]).archiveLocation.s3.key}`);
}

test('a Workflow shaped like KFP 2.17 emits succeeds in every run namespace, as pipeline-runner', async () => {
  // Multi-user, the controller may create pods only through each user namespace's RoleBinding: each one is proven.
  for (const ns of s.stack.pipelines.runNamespaces) await runKfpWorkflow(ns);
  // Everything it did so far it was allowed to: the narrowed RBAC left no call it makes refused.
  expect(controllerLog).not.toMatch(/forbidden/i);
}, 1_200_000);

test('a Workflow outside the run namespaces gets no pod: the API server refuses the controller there', async () => {
  const ns = 'default';
  expect(s.stack.pipelines.runNamespaces).not.toContain(ns);
  const name = 'outside-run-namespaces';
  const wf = Workflow.manifest({
    metadata: { name, namespace: ns },
    spec: { entrypoint: 'main', templates: [{ name: 'main', container: { image: 'python:3.12-slim', command: ['true'] } }] },
  });
  await k(['create', '-f', '-'], JSON.stringify(wf));
  try {
    // It sees the Workflow (it watches every namespace) and is refused at its first step there (v4.0.5
    // reads the namespace's `artifact-repositories` ConfigMap before it would create a pod).
    const sa = `system:serviceaccount:${NAMESPACES.kubeflow}:${ARGO.controller}`;
    const refused = new RegExp(`${sa}\\W* cannot \\w+ resource \\W*[\\w/]+\\W* in API group \\W*[\\w.]*\\W* in the namespace \\W*${ns}\\b`);
    await waitFor(`the controller to be refused in ${ns}`, async () => refused.test(controllerLog), 120_000, async () => controllerLog.slice(-4000));
    const pods = await getJson(['get', 'pods', '-n', ns, '-l', `workflows.argoproj.io/workflow=${name}`]);
    expect(pods.items).toEqual([]);
    summary.push(`workflow ${ns}/${name}: no pod; the API server refused the controller: ${controllerLog.match(refused)?.[0]}`);
  } finally {
    await k(['delete', 'workflow', name, '-n', ns, '--wait=false']);
  }
});
