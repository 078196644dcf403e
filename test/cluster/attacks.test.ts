/**
 * The attacker suite (issue #18, docs/security.md): bob, holding one account, aims at alice. Each
 * attack runs twice on the real API server, once as bob himself (`--as`, as the apps' reviews name
 * him) and once as code in bob's pod (a token of his namespace's `default-editor`, the account his
 * notebooks and pipeline steps run as), right next to the legitimate action that must still work.
 * Every refusal is checked to be the one we mean (RBAC's "forbidden", naming the resource), and the
 * same request as admin, server-side dry run, is checked to be one the API server would carry out:
 * the refusal is the control's, not a typo in the attack.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { applyPhases, offboard, offboardingPending, planOffboarding, planPhases, readOffboardInventory, readRendered, type Manifest } from '../../lib/deploy';
import { NOTEBOOKS, TENSORBOARD_SELF_SERVICE } from '../../lib/notebooks';
import { KFP } from '../../lib/pipelines';
import { NAMESPACES } from '../../lib/platform';
import { PLATFORM_PRIORITY } from '../../lib/platform/names';
import { resolveUsers } from '../../lib/users';
import { renderTo } from '../../lib/render';
import { selfServiceRecipe } from '../support/self-service';
import { exampleConfig } from '../support/stack';
import { applyStack, type AppliedStack } from './support/stack';
import { getJson, k, requireCluster, run, type Result } from './support/kube';

let stack: AppliedStack;
const summary: string[] = [];
let podKubeconfig: string;

const users = () => resolveUsers(stack.config);
const bob = () => users()[1];
const alice = () => users()[0];

beforeAll(async () => {
  requireCluster();
  stack = await applyStack();
  if (resolveUsers(stack.config).length < 2) throw new Error(`the attacker suite needs two users; profile ${stack.profile} has one (run it on cluster)`);
  // What a pod of bob's sees: a token of the ServiceAccount it runs as, and nothing else.
  const ns = bob().namespace;
  const token = (await k(['create', 'token', NOTEBOOKS.serviceAccount, '-n', ns, '--duration=1h'])).trim();
  podKubeconfig = path.join(stack.dir, 'bob-pod.kubeconfig');
  fs.writeFileSync(podKubeconfig, yaml.dump({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'pod',
    clusters: [{ name: 'c', cluster: { server: process.env.MICROFLOW_API_SERVER, 'certificate-authority': path.join(process.env.MICROFLOW_CLUSTER_DIR!, 'pki', 'ca.crt') } }],
    users: [{ name: 'pod', user: { token } }],
    contexts: [{ name: 'pod', context: { cluster: 'c', user: 'pod', namespace: ns } }],
  }), { mode: 0o600 });
});

afterAll(async () => {
  await stack?.release();
  console.log([`== the attacker suite on Kubernetes ${process.env.MICROFLOW_K8S ?? '1.28'} (${process.env.MICROFLOW_PROFILE ?? 'laptop'})`, ...summary].join('\n'));
});

/** Bob, two ways: his login identity, and his pods' ServiceAccount token. */
const ACTORS = [
  ['bob', (args: string[], input?: string) => run([`--as=${bob().email}`, ...args], input)],
  ['bob\'s pod', (args: string[], input?: string) => run([`--kubeconfig=${podKubeconfig}`, ...args], input)],
] as const;
type Actor = (typeof ACTORS)[number][1];

const who = (name: string) => (name === 'bob' ? `User "${bob().email}"` : `User "system:serviceaccount:${bob().namespace}:${NOTEBOOKS.serviceAccount}"`);

/** A refusal by RBAC: non-zero, "forbidden", naming the actor, verb and resource. */
function expectForbidden(r: Result, actor: string, verb: string, resource: string) {
  expect({ code: r.code === 0 ? 0 : 'refused', stderr: r.stderr }).toEqual({
    code: 'refused',
    stderr: expect.stringContaining(`is forbidden: ${who(actor)} cannot ${verb} resource "${resource}"`),
  });
}
/** The same request as admin, not carried out (server-side dry run), to show it is one the API server accepts. */
async function expectAdminCould(args: string[], input?: string) {
  const r = await run([...args, '--dry-run=server'], input);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
}
const ok = (r: Result) => expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });

describe('path 1: aliasing a Service a route leads to (a route of bob\'s carried to alice\'s notebook)', () => {
  const SLOT = TENSORBOARD_SELF_SERVICE.name;
  /** Alice's notebook server, as the notebook controller names its Service. */
  const aliceNotebook = () => `${stack.config.notebooks.find((n) => n.owner === alice().email)!.name}.${alice().namespace}.svc.cluster.local`;
  const toAlias = () => JSON.stringify({ spec: { type: 'ExternalName', externalName: aliceNotebook(), selector: null, ports: null, clusterIP: null, clusterIPs: null } });
  const aliasService = () => JSON.stringify({
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'alias', namespace: bob().namespace },
    spec: { type: 'ExternalName', externalName: aliceNotebook() },
  });
  const handMadeEndpoints = () => JSON.stringify({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: `${SLOT}-extra`, namespace: bob().namespace, labels: { 'kubernetes.io/service-name': SLOT } },
    addressType: 'IPv4', endpoints: [{ addresses: ['10.1.2.3'] }], ports: [{ name: 'http-tensorboard', port: 8888, protocol: 'TCP' }],
  });

  test.each(ACTORS)('%s cannot turn his TensorBoard slot\'s Service into an alias of alice\'s notebook; he can still read it', async (name, as: Actor) => {
    const patch = ['patch', 'service', SLOT, '-n', bob().namespace, '--type=merge', '-p', toAlias()];
    await expectAdminCould(patch);
    expectForbidden(await as(patch), name, 'patch', 'services');
    ok(await as(['get', 'service', SLOT, '-n', bob().namespace]));
    summary.push(`path 1, ${name}: patch ${SLOT} → ExternalName refused; get allowed`);
  });

  test.each(ACTORS)('%s cannot create an alias Service or hand-made endpoints; he still runs his own TensorBoard', async (name, as: Actor) => {
    await expectAdminCould(['create', '-f', '-'], aliasService());
    expectForbidden(await as(['create', '-f', '-'], aliasService()), name, 'create', 'services');
    await expectAdminCould(['create', '-f', '-'], handMadeEndpoints());
    expectForbidden(await as(['create', '-f', '-'], handMadeEndpoints()), name, 'create', 'endpointslices');
    ok(await as(['create', '-f', '-', '--dry-run=server'], JSON.stringify(selfServiceRecipe(bob().namespace))));
    summary.push(`path 1, ${name}: ExternalName Service and EndpointSlice refused; the self-service Deployment admitted (dry run)`);
  });

  test.each(ACTORS)('%s cannot take a node port, a load balancer or an external IP with a Service of his own', async (name, as: Actor) => {
    for (const spec of [{ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }, { type: 'LoadBalancer', ports: [{ port: 80 }] }, { ports: [{ port: 80 }], externalIPs: ['10.0.0.1'] }]) {
      const svc = JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'squat', namespace: bob().namespace }, spec });
      expectForbidden(await as(['create', '-f', '-'], svc), name, 'create', 'services');
    }
    summary.push(`path 8, ${name}: NodePort, LoadBalancer and externalIPs Services refused`);
  });
});

describe('path 2: a Notebook\'s header annotations steer only his own route (the routes themselves are the controller\'s)', () => {
  /** The annotation notebook-controller copies into its VirtualService's `headers.request.set`. */
  const forging = () => JSON.stringify({
    apiVersion: 'kubeflow.org/v1beta1', kind: 'Notebook',
    metadata: {
      name: 'headers', namespace: bob().namespace,
      annotations: { 'notebooks.kubeflow.org/http-headers-request-set': JSON.stringify({ 'kubeflow-userid': alice().email }) },
    },
    spec: { template: { spec: { containers: [{ name: 'headers', image: 'kubeflownotebookswg/jupyter-scipy:v1.11.0' }] } } },
  });
  const route = (ns: string) => JSON.stringify({
    apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'forged', namespace: ns },
    spec: {
      gateways: ['kubeflow/kubeflow-gateway'], hosts: ['*'],
      http: [{ match: [{ uri: { prefix: '/forged/' } }], headers: { request: { set: { 'kubeflow-userid': alice().email } } },
        route: [{ destination: { host: `ml-pipeline-ui.${NAMESPACES.kubeflow}.svc.cluster.local`, port: { number: 80 } } }] }],
    },
  });

  test.each(ACTORS)('%s can annotate his Notebook (admission does not refuse it: Kubernetes 1.28 has no admission policy) but cannot write a route of his own anywhere', async (name, as: Actor) => {
    // Admitted, as docs/security.md says: the forged header reaches only the Service of his own notebook (path 1).
    ok(await as(['create', '-f', '-', '--dry-run=server'], forging()));
    for (const ns of [bob().namespace, NAMESPACES.kubeflow, 'istio-system']) {
      await expectAdminCould(['create', '-f', '-'], route(ns));
      expectForbidden(await as(['create', '-f', '-'], route(ns)), name, 'create', 'virtualservices');
    }
    for (const kind of ['destinationrules', 'serviceentries', 'gateways', 'authorizationpolicies', 'requestauthentications']) {
      const group = kind.endsWith('policies') || kind.startsWith('request') ? 'security.istio.io' : 'networking.istio.io';
      const r = await as(['auth', 'can-i', 'create', `${kind}.${group}`, '-n', bob().namespace]);
      expect({ kind, answer: r.stdout.trim() }).toEqual({ kind, answer: 'no' });
    }
    summary.push(`path 2, ${name}: header annotation admitted on his own Notebook; VirtualServices and Istio's other kinds refused in his namespace, kubeflow and istio-system`);
  });
});

describe('path 3: nothing of bob\'s runs in kubeflow (no single-user mode)', () => {
  const podIn = (ns: string, serviceAccountName?: string) => JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'runner', namespace: ns },
    spec: {
      ...(serviceAccountName ? { serviceAccountName } : {}),
      securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{ name: 'c', image: 'busybox:1.36', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
    },
  });
  const workflowIn = (ns: string) => JSON.stringify({
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', metadata: { name: 'runner', namespace: ns },
    spec: { entrypoint: 'main', serviceAccountName: KFP.runnerServiceAccount, templates: [{ name: 'main', container: { image: 'busybox:1.36' } }] },
  });

  test.each(ACTORS)('%s cannot start a pod or a Workflow in kubeflow; his own runner account runs in his namespace', async (name, as: Actor) => {
    await expectAdminCould(['create', '-f', '-'], podIn(NAMESPACES.kubeflow));
    expectForbidden(await as(['create', '-f', '-'], podIn(NAMESPACES.kubeflow)), name, 'create', 'pods');
    await expectAdminCould(['create', '-f', '-'], workflowIn(NAMESPACES.kubeflow));
    expectForbidden(await as(['create', '-f', '-'], workflowIn(NAMESPACES.kubeflow)), name, 'create', 'workflows');
    ok(await as(['create', '-f', '-', '--dry-run=server'], podIn(bob().namespace, KFP.runnerServiceAccount)));
    summary.push(`path 3, ${name}: a pod and a Workflow in kubeflow refused; a pod as his namespace's ${KFP.runnerServiceAccount} admitted (dry run)`);
  });
});

describe('path 8: bob\'s pods cannot crowd out the platform or the node', () => {
  /** A pod Pod Security `restricted` admits; `extra` goes into its spec, `limits` into its container. */
  const pod = (name: string, extra: object = {}, limits?: Record<string, string>) => JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: bob().namespace },
    spec: {
      securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{
        name: 'c', image: 'busybox:1.36',
        ...(limits ? { resources: { requests: { cpu: '10m', memory: '16Mi' }, limits } } : {}),
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      }],
      ...extra,
    },
  });

  test.each(ACTORS)('%s cannot give his pod the platform\'s priority (or a system one); without one it runs at 0', async (name, as: Actor) => {
    for (const cls of [PLATFORM_PRIORITY.name, 'system-node-critical']) {
      const r = await as(['create', '-f', '-'], pod(`prio-${name === 'bob' ? 'u' : 'p'}`, { priorityClassName: cls }));
      expect({ cls, code: r.code === 0 ? 0 : 'refused', stderr: r.stderr }).toEqual({ cls, code: 'refused', stderr: expect.stringMatching(/exceeded quota: no-priority-class|forbidden: .*priority/) });
    }
    const plain = `plain-${name === 'bob' ? 'u' : 'p'}`;
    ok(await as(['create', '-f', '-'], pod(plain)));
    const live = JSON.parse((await as(['get', 'pod', plain, '-n', bob().namespace, '-o', 'json'])).stdout);
    await k(['delete', 'pod', plain, '-n', bob().namespace, '--wait=false']);
    expect(live.spec.priority ?? 0).toBe(0);
    summary.push(`path 8, ${name}: PriorityClass ${PLATFORM_PRIORITY.name} and system-node-critical refused; a plain pod runs at priority 0`);
  });

  test.each(ACTORS)('%s cannot run a container above his namespace\'s per-container maximum', async (name, as: Actor) => {
    const cpuLimit = Number(bob().quota.cpuLimit);
    const r = await as(['create', '-f', '-'], pod('too-big', {}, { cpu: String(cpuLimit + 1), memory: '16Mi' }));
    expect({ code: r.code === 0 ? 0 : 'refused', stderr: r.stderr }).toEqual({ code: 'refused', stderr: expect.stringContaining(`maximum cpu usage per Container is ${cpuLimit}, but limit is ${cpuLimit + 1}`) });
    // (A container at exactly the maximum would also meet the namespace's limits.cpu quota, which
    // the platform's own pods there already use part of.)
    ok(await as(['create', '-f', '-', '--dry-run=server'], pod('fits', {}, { cpu: '1', memory: '16Mi' })));
    summary.push(`path 8, ${name}: a container limit of ${cpuLimit + 1} CPUs refused by the LimitRange; 1 CPU admitted (dry run)`);
  });
});

describe('path 5: ScheduledWorkflows and Argo\'s kinds are read-only (a controller would act on them with its rights)', () => {
  const api = `--as=system:serviceaccount:${NAMESPACES.kubeflow}:${KFP.apiDeployment}`;
  const swf = (name: string, extra: object = {}) => JSON.stringify({
    apiVersion: 'kubeflow.org/v1beta1', kind: 'ScheduledWorkflow', metadata: { name, namespace: bob().namespace },
    spec: {
      enabled: true, maxConcurrency: 1, trigger: { cronSchedule: { cron: '0 0 * * * *' } },
      workflow: { spec: { entrypoint: 'entrypoint', serviceAccountName: KFP.runnerServiceAccount, templates: [] } },
      ...extra,
    },
  });
  const labelledWorkflow = () => JSON.stringify({
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow',
    metadata: { name: 'report-me', namespace: bob().namespace, labels: { 'pipeline/runid': '00000000-0000-0000-0000-000000000001' } },
    spec: { entrypoint: 'main', templates: [{ name: 'main', container: { image: 'busybox:1.36' } }] },
  });
  beforeAll(async () => {
    // The legitimate writer: the KFP API server's own ServiceAccount, as for a recurring run made through the API.
    await k(['apply', '--server-side', '--field-manager=microflow-test', api, '-f', '-'], swf('nightly'));
  });

  test.each(ACTORS)('%s cannot create, repoint or delete a ScheduledWorkflow, nor make a Workflow the persistence agent would report; he reads them', async (name, as: Actor) => {
    await expectAdminCould(['create', '-f', '-'], swf('evil'));
    expectForbidden(await as(['create', '-f', '-'], swf('evil')), name, 'create', 'scheduledworkflows');
    const repoint = ['patch', 'scheduledworkflow', 'nightly', '-n', bob().namespace, '--type=merge', '-p', JSON.stringify({ spec: { experimentId: 'someone-elses', serviceAccount: 'default-editor' } })];
    await expectAdminCould(repoint);
    expectForbidden(await as(repoint), name, 'patch', 'scheduledworkflows');
    expectForbidden(await as(['delete', 'scheduledworkflow', 'nightly', '-n', bob().namespace]), name, 'delete', 'scheduledworkflows');
    await expectAdminCould(['create', '-f', '-'], labelledWorkflow());
    expectForbidden(await as(['create', '-f', '-'], labelledWorkflow()), name, 'create', 'workflows');
    const listed = await as(['get', 'scheduledworkflows', '-n', bob().namespace, '-o', 'name']);
    ok(listed);
    expect(listed.stdout).toContain('scheduledworkflow.kubeflow.org/nightly');
    expect((await as(['get', 'workflows', '-n', bob().namespace])).code).toBe(0);
    summary.push(`path 5, ${name}: ScheduledWorkflow create/patch/delete and a run-labelled Workflow refused; both listed`);
  });

  test('the API server\'s ServiceAccount still writes them in every user\'s namespace', async () => {
    for (const u of users()) {
      for (const verb of ['create', 'update', 'patch', 'delete']) {
        const r = await run(['auth', 'can-i', verb, 'scheduledworkflows.kubeflow.org', api, '-n', u.namespace]);
        expect({ ns: u.namespace, verb, answer: r.stdout.trim() }).toEqual({ ns: u.namespace, verb, answer: 'yes' });
      }
    }
  });
});

describe('path 11: the gateway\'s own rules are out of bob\'s reach', () => {
  test.each(ACTORS)('%s cannot make or remove EnvoyFilters, nor change the gateway\'s settings', async (name, as: Actor) => {
    for (const ns of [bob().namespace, 'istio-system']) {
      const r = await as(['auth', 'can-i', 'create', 'envoyfilters.networking.istio.io', '-n', ns]);
      expect({ ns, answer: r.stdout.trim() }).toEqual({ ns, answer: 'no' });
    }
    expectForbidden(await as(['delete', 'envoyfilter', 'gateway-remove-client-identity-headers', '-n', 'istio-system']), name, 'delete', 'envoyfilters');
    // kubectl patch reads the object first: bob cannot even do that.
    expectForbidden(await as(['patch', 'deployment', 'istio-ingressgateway', '-n', 'istio-system', '--type=merge', '-p', '{"metadata":{"labels":{"x":"y"}}}']), name, 'get', 'deployments');
    summary.push(`path 11, ${name}: EnvoyFilters and the gateway's Deployment out of reach`);
  });
});

// Last: it removes bob (and puts him back for whatever runs on this cluster next).
describe('path 9: alice\'s configuration drops bob; deploy --remove-users revokes what he held', () => {
  let claims: string[];
  let withoutBob: Manifest[];
  const claimIds = async () => (await getJson(['get', 'pvc', '-n', bob().namespace])).items.map((p: any) => `${p.metadata.name}:${p.metadata.uid}`).sort();
  beforeAll(async () => {
    claims = await claimIds();
    const out = path.join(stack.dir, 'without-bob');
    const aliceOnly = exampleConfig('cluster', {
      users: [alice().email],
      notebooks: stack.config.notebooks.filter((n) => n.owner === alice().email),
      tensorboards: stack.config.tensorboards.filter((t) => t.owner === alice().email),
    });
    renderTo(aliceOnly, out);
    withoutBob = readRendered(out);
    // What `npm run deploy -- --remove-users` does: apply, then revoke.
    applyPhases(planPhases(withoutBob), { log: () => undefined });
    offboard(planOffboarding(withoutBob, readOffboardInventory(withoutBob)), { log: (l) => summary.push(`path 9: ${l}`) });
  });
  afterAll(() => {
    applyPhases(stack.phases, { log: () => undefined });
  });

  test('a second look finds nothing left to revoke', () => {
    expect(offboardingPending(planOffboarding(withoutBob, readOffboardInventory(withoutBob)))).toBe(false);
  });
  test('bob is forbidden in his former namespace', async () => {
    expectForbidden(await run([`--as=${bob().email}`, 'get', 'pods', '-n', bob().namespace]), 'bob', 'list', 'pods');
  });
  test('a token of his pods\' ServiceAccount, minted before the removal, is rejected', async () => {
    const r = await run([`--kubeconfig=${podKubeconfig}`, 'get', 'pods', '-n', bob().namespace]);
    expect({ code: r.code === 0 ? 0 : 'refused', stderr: r.stderr }).toEqual({ code: 'refused', stderr: expect.stringContaining('Unauthorized') });
  });
  test('his data claims are the same ones (kept, not re-made)', async () => {
    expect(await claimIds()).toEqual(claims);
  });
  test('alice keeps her access; bob loses the cluster-wide reads users get', async () => {
    ok(await run([`--as=${alice().email}`, 'get', 'pods', '-n', alice().namespace]));
    expect((await run([`--as=${alice().email}`, 'auth', 'can-i', 'list', 'nodes', '--all-namespaces'])).stdout.trim()).toBe('yes');
    expect((await run([`--as=${bob().email}`, 'auth', 'can-i', 'list', 'nodes', '--all-namespaces'])).stdout.trim()).toBe('no');
  });
});
