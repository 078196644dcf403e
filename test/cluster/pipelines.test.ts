/**
 * Pipelines on the real control plane, per profile: the objects are accepted in one pass, the CRDs
 * are Established, every Pipelines Deployment becomes Available, a ScheduledWorkflow is accepted (and
 * a malformed one refused), and the written-down least privilege holds: every ServiceAccount's
 * allowed and denied `can-i` questions, plus the cross-user ones (user A's pipeline-runner cannot
 * read user B's Secrets or Workflows; user B cannot act on pipelines in A's namespace, which is what
 * the API server asks the API server when the guard has dropped a forged `kubeflow-userid`).
 */
import { KFP, type CanI } from '../../lib/pipelines';
import { NAMESPACES } from '../../lib/platform';
import { ScheduledWorkflow } from '../../imports/scheduledworkflow.kubeflow.org';
import { applyVariant, type AppliedVariant } from './support/variant';
import { canI, getJson, k, requireCluster, run, waitFor } from './support/kube';

let s: AppliedVariant;
const summary: string[] = [];

beforeAll(async () => {
  requireCluster();
  s = await applyVariant();
});

afterAll(async () => {
  await s?.cleanup();
  console.log([`== pipelines on the control plane (${s?.profile})`, ...summary].join('\n'));
});

const pipelineObjects = (kind: string) => s.phases.flatMap((p) => p.objects)
  .filter((o) => o.kind === kind && (o.metadata as any).labels?.['app.kubernetes.io/component'] === 'pipelines');

test('the whole stack, pipelines included, is accepted by the API server in one pass', () => {
  expect(s.applyError).toBeUndefined();
  expect(pipelineObjects('Deployment').length).toBeGreaterThanOrEqual(7);
});

test('the Argo and ScheduledWorkflow CRDs are Established', async () => {
  for (const name of s.stack.pipelines.crdNames) {
    const crd = await getJson(['get', 'crd', name]);
    expect({ name, established: crd.status.conditions.find((c: any) => c.type === 'Established')?.status }).toEqual({ name, established: 'True' });
  }
});

test('every Pipelines Deployment becomes Available', async () => {
  const t0 = Date.now();
  const pending = async () => {
    const out: string[] = [];
    for (const d of pipelineObjects('Deployment')) {
      const live = await getJson(['get', 'deployment', d.metadata.name, '-n', d.metadata.namespace!]);
      if ((live.status.availableReplicas ?? 0) < live.spec.replicas) out.push(`${d.metadata.name} ${live.status.availableReplicas ?? 0}/${live.spec.replicas}`);
    }
    return out;
  };
  await waitFor('pipelines deployments to become available', async () => (await pending()).length === 0, 180_000, async () =>
    `still waiting: ${(await pending()).join('; ')}\n${await k(['get', 'pods,events', '-n', NAMESPACES.kubeflow, '-o', 'wide'])}`);
  summary.push(`pipelines Deployments Available ${((Date.now() - t0) / 1000).toFixed(1)}s after the apply: ${pipelineObjects('Deployment').map((d) => d.metadata.name).join(', ')}`);
});

describe('ScheduledWorkflow', () => {
  const swf = (name: string, maxConcurrency: number) => ({
    ...ScheduledWorkflow.manifest({
      metadata: { name, namespace: s.stack.pipelines.runNamespaces[0] },
      spec: {
        enabled: true,
        maxConcurrency,
        trigger: { cronSchedule: { cron: '0 0 * * * *' } },
        workflow: { spec: { entrypoint: 'entrypoint', serviceAccountName: KFP.runnerServiceAccount, templates: [] } },
      },
    }),
  });

  test('one shaped like the API server creates is accepted (as the API server\'s own ServiceAccount)', async () => {
    const as = `--as=system:serviceaccount:${NAMESPACES.kubeflow}:${KFP.apiDeployment}`;
    await k(['apply', '--server-side', '--field-manager=microflow-test', as, '-f', '-'], JSON.stringify(swf('nightly-training', 1)));
    const live = await getJson(['get', 'scheduledworkflow', 'nightly-training', '-n', s.stack.pipelines.runNamespaces[0]]);
    expect(live.spec.trigger.cronSchedule.cron).toBe('0 0 * * * *');
  });

  test('a malformed one is refused by the CRD schema', async () => {
    const r = await run(['apply', '--dry-run=server', '-f', '-'], JSON.stringify(swf('too-many', 11)));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/maxConcurrency/);
  });
});

describe('least privilege (PipelinesChart.access, asked of the API server)', () => {
  const label = (q: CanI) => `${q.verb} ${q.resource} ${q.namespace ? `in ${q.namespace}` : 'cluster-wide'}`;
  test('every ServiceAccount may do what it needs and is refused the rest', async () => {
    const rows: string[] = [];
    for (const a of s.stack.pipelines.access) {
      for (const [want, list] of [[true, a.allowed], [false, a.denied]] as const) {
        for (const q of list) {
          const got = await canI(a.serviceAccount, q.verb, q.resource, q.namespace);
          expect({ sa: `${a.serviceAccount.namespace}/${a.serviceAccount.name}`, can: label(q), allowed: got })
            .toEqual({ sa: `${a.serviceAccount.namespace}/${a.serviceAccount.name}`, can: label(q), allowed: want });
          rows.push(`  ${want ? 'yes' : 'no '} ${a.serviceAccount.namespace}/${a.serviceAccount.name}: ${label(q)}`);
        }
      }
    }
    expect(rows.length).toBeGreaterThan(20);
    summary.push(`can-i matrix (${rows.length} questions):`, ...rows);
  });

  test('no pipelines role grants a wildcard or binds cluster-admin', () => {
    for (const o of [...pipelineObjects('ClusterRole'), ...pipelineObjects('Role')] as any[]) {
      for (const r of o.rules ?? []) for (const v of [...r.verbs, ...r.resources, ...r.apiGroups]) expect(v).not.toContain('*');
    }
    for (const b of [...pipelineObjects('ClusterRoleBinding'), ...pipelineObjects('RoleBinding')] as any[]) expect(b.roleRef.name).not.toMatch(/^(cluster-)?admin$/);
  });

  const users = () => s.stack.users.users;
  test('user A\'s pipeline-runner cannot read user B\'s Secrets or Workflows, nor B act on A\'s pipelines', async () => {
    if (users().length < 2) {
      summary.push('one user: no cross-user checks (the cluster profile has two)');
      return;
    }
    const [a, b] = users();
    const runnerA = { namespace: a.namespace, name: KFP.runnerServiceAccount };
    const editorB = { namespace: b.namespace, name: b.editorServiceAccount };
    const secret = `secrets/${s.stack.data.objectStore.credentials.name}`;
    const ask = async (who: { namespace: string; name: string }, verb: string, resource: string, ns: string) =>
      ({ who: `${who.namespace}/${who.name}`, q: `${verb} ${resource} in ${ns}`, allowed: await canI(who, verb, resource, ns) });
    const expectAnswer = async (who: { namespace: string; name: string }, verb: string, resource: string, ns: string, allowed: boolean) => {
      // Kubeflow's roles are aggregated by the controller-manager: give it a moment after the apply.
      const answer = await waitFor(`${verb} ${resource} in ${ns}`, async () => {
        const r = await ask(who, verb, resource, ns);
        return r.allowed === allowed ? r : undefined;
      }, 30_000).catch(async () => ask(who, verb, resource, ns));
      expect(answer).toEqual({ who: `${who.namespace}/${who.name}`, q: `${verb} ${resource} in ${ns}`, allowed });
    };
    await expectAnswer(runnerA, 'get', secret, a.namespace, true);
    for (const [verb, resource] of [['get', secret], ['list', 'secrets'], ['get', 'workflows.argoproj.io'], ['list', 'workflows.argoproj.io']]) {
      await expectAnswer(runnerA, verb, resource, b.namespace, false);
    }
    // The SubjectAccessReview KFP's API server makes when B's token asks about runs (pipelines.kubeflow.org
    // is no served API, so this is the review itself, not kubectl can-i): yes at home, no in A's namespace.
    const review = async (verb: string, ns: string) => {
      const out = await k(['create', '-o', 'json', '-f', '-'], JSON.stringify({
        apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
        spec: {
          user: `system:serviceaccount:${editorB.namespace}:${editorB.name}`,
          groups: ['system:serviceaccounts', `system:serviceaccounts:${editorB.namespace}`, 'system:authenticated'],
          resourceAttributes: { namespace: ns, verb, group: KFP.rbacGroup, version: 'v1beta1', resource: 'runs' },
        },
      }));
      return { q: `${verb} runs in ${ns}`, allowed: JSON.parse(out).status.allowed === true };
    };
    const reviewed = async (verb: string, ns: string, allowed: boolean) => {
      const answer = await waitFor(`review ${verb} runs in ${ns}`, async () => { const r = await review(verb, ns); return r.allowed === allowed ? r : undefined; }, 30_000)
        .catch(async () => review(verb, ns));
      expect(answer).toEqual({ q: `${verb} runs in ${ns}`, allowed });
    };
    for (const verb of ['list', 'get', 'create']) await reviewed(verb, b.namespace, true);
    for (const verb of ['list', 'get', 'create', 'delete']) await reviewed(verb, a.namespace, false);
    summary.push(`cross-user: ${a.namespace}/pipeline-runner cannot read ${b.namespace}'s Secrets or Workflows; ${b.namespace}/${b.editorServiceAccount} may list runs at home, not in ${a.namespace}`);
  });
});
