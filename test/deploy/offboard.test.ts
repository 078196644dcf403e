/**
 * Offboarding (docs/security.md, path 9): what `npm run deploy` does with a user namespace the
 * configuration no longer has. The plan is pure; the command runs against an in-process API double
 * (lib/deploy's `Kubectl` as a function, like test/deploy/scripted.ts) that keeps state, so a second
 * run sees what the first one deleted. The control-plane suite runs the attack on a real API server.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import {
  KEPT, REVOKED, formatOffboardPlan, offboard, offboardingPending, planOffboarding, readOffboardInventory,
  type Kubectl, type LiveBinding, type Manifest, type OffboardInventory,
} from '../../lib/deploy';
import { USER_NAMESPACE } from '../../lib/users/constants';
import { run } from '../../scripts/microflow';
import { scriptedKubectl } from './scripted';

const CRB = 'clusterrolebindings.rbac.authorization.k8s.io';
const RB = 'rolebindings.rbac.authorization.k8s.io';
const user = (name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name });
const sa = (namespace: string, name: string) => ({ kind: 'ServiceAccount', name, namespace });
const userNs = (name: string, owner: string): Manifest => ({
  apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { ...USER_NAMESPACE.labels }, annotations: { owner } },
});
const named = (...names: string[]) => names.map((name) => ({ name }));

/** bob's namespace as a user leaves it: bindings, accounts, a schedule, a notebook and its pod, and data. */
const bobsObjects = (): Record<string, { name: string; deletionTimestamp?: string }[]> => ({
  [RB]: named('user-bob-example-org-clusterrole-edit', 'default-editor', 'default-viewer', 'argo-workflow-controller-runs', 'pipeline-runner'),
  serviceaccounts: named('default', 'default-editor', 'default-viewer', 'pipeline-runner'),
  'scheduledworkflows.kubeflow.org': named('nightly'),
  'notebooks.kubeflow.org': named('train'),
  'statefulsets.apps': named('train'),
  pods: [{ name: 'train-0' }, { name: 'leaving', deletionTimestamp: '2026-12-07T00:00:00Z' }],
  persistentvolumeclaims: named('train-workspace'),
  secrets: named('mlpipeline-minio-artifact'),
  configmaps: named('kfp-launcher', 'kube-root-ca.crt'),
});
const rendered = [userNs('alice-example-org', 'alice@example.org')];
const inventory = (bindings: LiveBinding[] = []): OffboardInventory => ({
  namespaces: [{ name: 'alice-example-org', owner: 'alice@example.org' }, { name: 'bob', owner: 'bob@example.org' }],
  objects: { bob: bobsObjects() },
  bindings,
});

describe('planOffboarding', () => {
  test('nothing to do while every live user namespace is rendered', () => {
    const plan = planOffboarding([...rendered, userNs('bob', 'bob@example.org')], inventory());
    expect(plan).toEqual({ removed: [], subjects: [], deletes: [], kept: {} });
    expect(offboardingPending(plan)).toBe(false);
    expect(formatOffboardPlan(plan)).toBe('no removed users');
  });

  test('access first (RoleBindings, then ServiceAccounts but default), then what starts pods, then pods; what is being deleted is not listed', () => {
    const plan = planOffboarding(rendered, inventory());
    expect(plan.removed).toEqual([{ namespace: 'bob', owner: 'bob@example.org' }]);
    expect(plan.deletes.map((d) => `${d.kind}: ${d.names.join(' ')}`)).toEqual([
      'RoleBinding: user-bob-example-org-clusterrole-edit default-editor default-viewer argo-workflow-controller-runs pipeline-runner',
      'ServiceAccount: default-editor default-viewer pipeline-runner',
      'ScheduledWorkflow: nightly',
      'Notebook: train',
      'StatefulSet: train',
      'Pod: train-0',
    ]);
    expect(offboardingPending(plan)).toBe(true);
  });

  test('claims, Secrets, ConfigMaps and the namespace are never deleted: they are counted as kept', () => {
    const plan = planOffboarding(rendered, inventory());
    const deleted = new Set(plan.deletes.map((d) => d.resource));
    for (const k of KEPT) expect(deleted.has(k.resource)).toBe(false);
    expect(REVOKED.map((r) => r.kind)).not.toContain('Namespace');
    expect(plan.kept).toEqual({ bob: { PersistentVolumeClaim: 1, Secret: 1, ConfigMap: 2 } });
    expect(formatOffboardPlan(plan)).toContain('keep namespace bob and its data: 1 PersistentVolumeClaim, 1 Secret, 2 ConfigMaps');
  });

  test('bindings elsewhere lose the removed user and the namespace\'s ServiceAccounts; a binding left empty goes', () => {
    const bindings: LiveBinding[] = [
      { kind: 'ClusterRoleBinding', metadata: { name: 'microflow-notebook-users' }, subjects: [user('alice@example.org'), user('bob@example.org')] },
      { kind: 'ClusterRoleBinding', metadata: { name: 'bob-only' }, subjects: [user('bob@example.org'), { kind: 'Group', name: 'system:serviceaccounts:bob' }] },
      { kind: 'RoleBinding', metadata: { name: 'runs', namespace: 'kubeflow' }, subjects: [sa('kubeflow', 'ml-pipeline'), sa('bob', 'default-editor')] },
      { kind: 'RoleBinding', metadata: { name: 'untouched', namespace: 'kubeflow' }, subjects: [sa('alice-example-org', 'default-editor'), user('carol@example.org')] },
      // Inside the removed namespace every RoleBinding is deleted whole (plan.deletes), not edited.
      { kind: 'RoleBinding', metadata: { name: 'default-editor', namespace: 'bob' }, subjects: [sa('bob', 'default-editor'), user('carol@example.org')] },
    ];
    const plan = planOffboarding(rendered, inventory(bindings));
    expect(plan.subjects).toEqual([
      { kind: 'ClusterRoleBinding', name: 'microflow-notebook-users', remove: [{ index: 1, subject: user('bob@example.org') }], deleteBinding: false },
      { kind: 'ClusterRoleBinding', name: 'bob-only', remove: [{ index: 0, subject: user('bob@example.org') }, { index: 1, subject: { kind: 'Group', name: 'system:serviceaccounts:bob' } }], deleteBinding: true },
      { kind: 'RoleBinding', namespace: 'kubeflow', name: 'runs', remove: [{ index: 1, subject: sa('bob', 'default-editor') }], deleteBinding: false },
    ]);
  });

  test('an owner who still has a rendered namespace (a renamed one) keeps their grants elsewhere', () => {
    const renamed = [...rendered, userNs('bob-new', 'bob@example.org')];
    const bindings: LiveBinding[] = [{ kind: 'ClusterRoleBinding', metadata: { name: 'microflow-notebook-users' }, subjects: [user('bob@example.org')] }];
    const plan = planOffboarding(renamed, inventory(bindings));
    expect(plan.removed.map((r) => r.namespace)).toEqual(['bob']);
    expect(plan.subjects).toEqual([]);
  });
});

describe('readOffboardInventory and offboard, against a scripted kubectl', () => {
  const k = scriptedKubectl('microflow-offboard-');
  afterAll(() => k.cleanup());
  const nsItem = (name: string, owner: string) => ({ metadata: { name, annotations: { owner } } });

  test('one call when no user namespace was removed', () => {
    k.script([{ when: 'get namespaces -l microflow.dev/user-namespace=true', stdout: { items: [nsItem('alice-example-org', 'alice@example.org')] } }]);
    expect(readOffboardInventory(rendered, { kubectl: k.bin })).toEqual({ namespaces: [{ name: 'alice-example-org', owner: 'alice@example.org' }], objects: {}, bindings: [] });
    expect(k.calls()).toEqual(['get namespaces -l microflow.dev/user-namespace=true -o json']);
  });

  test('kinds the API does not serve are skipped; bindings inside the removed namespace are not read as "elsewhere"', () => {
    k.script([
      { when: 'get namespaces -l', stdout: { items: [nsItem('bob', 'bob@example.org')] } },
      { when: 'get serviceaccounts -n bob', stdout: { items: [{ metadata: { name: 'default' } }, { metadata: { name: 'default-editor' } }] } },
      { when: `get ${CRB}`, stdout: { items: [] } },
      { when: `get ${RB} --all-namespaces`, stdout: { items: [{ metadata: { name: 'x', namespace: 'bob' }, subjects: [user('bob@example.org')] }] } },
      // Anything else answers as an unserved kind (the scripted kubectl's default): no Argo, no notebooks here.
    ]);
    const live = readOffboardInventory(rendered, { kubectl: k.bin });
    expect(live.objects.bob.serviceaccounts.map((m) => m.name)).toEqual(['default', 'default-editor']);
    expect(live.objects.bob['workflows.argoproj.io']).toEqual([]);
    expect(live.bindings).toEqual([]);
    expect(k.calls()).toContain('get workflows.argoproj.io -n bob -o json');
  });

  test('subjects come out behind a JSON-patch test, highest index first; deletions are by name, never --all', () => {
    k.script([{ when: 'patch', stdout: '' }, { when: 'delete', stdout: '' }]);
    const bindings: LiveBinding[] = [{ kind: 'RoleBinding', metadata: { name: 'runs', namespace: 'kubeflow' }, subjects: [sa('bob', 'a'), user('x@example.org'), sa('bob', 'b')] }];
    const log: string[] = [];
    offboard(planOffboarding(rendered, inventory(bindings)), { kubectl: k.bin, log: (l) => log.push(l) });
    const calls = k.calls();
    expect(calls[0]).toBe(`patch rolebinding runs -n kubeflow --type=json -p ${JSON.stringify([
      { op: 'test', path: '/subjects/2', value: sa('bob', 'b') }, { op: 'remove', path: '/subjects/2' },
      { op: 'test', path: '/subjects/0', value: sa('bob', 'a') }, { op: 'remove', path: '/subjects/0' },
    ])}`);
    expect(calls[1]).toBe(`delete ${RB} -n bob --ignore-not-found --wait=false user-bob-example-org-clusterrole-edit default-editor default-viewer argo-workflow-controller-runs pipeline-runner`);
    expect(calls.slice(2)).toEqual([
      'delete serviceaccounts -n bob --ignore-not-found --wait=false default-editor default-viewer pipeline-runner',
      'delete scheduledworkflows.kubeflow.org -n bob --ignore-not-found --wait=false nightly',
      'delete notebooks.kubeflow.org -n bob --ignore-not-found --wait=false train',
      'delete statefulsets.apps -n bob --ignore-not-found --wait=false train',
      'delete pods -n bob --ignore-not-found --wait=false train-0',
    ]);
    expect(log[0]).toBe('removed from RoleBinding kubeflow/runs: ServiceAccount bob/a, ServiceAccount bob/b');
  });
});

/**
 * A small API server in-process: live objects per resource and namespace; `apply` stores what it is
 * given (a ClusterRoleBinding's subjects replaced whole, as server-side apply does with that list);
 * `delete` and `patch` change the state; a resource it does not hold answers as an unserved kind.
 */
function cluster(initial: Record<string, Record<string, any[]>>) {
  const state: Record<string, Record<string, any[]>> = JSON.parse(JSON.stringify(initial));
  const calls: string[] = [];
  const resourceOf: Record<string, string> = { Namespace: 'namespaces', ClusterRoleBinding: CRB, ConfigMap: 'configmaps' };
  const list = (resource: string, ns: string) => (state[resource] ??= {})[ns] ??= [];
  const ok = (out: unknown = '') => ({ status: 0, stdout: typeof out === 'string' ? out : JSON.stringify(out), stderr: '' });
  const bin: Kubectl = (args, input) => {
    calls.push(args.join(' '));
    const opt = (n: string) => (args.includes(n) ? args[args.indexOf(n) + 1] : undefined);
    const [verb, resource, name] = args;
    if (verb === 'get' && resource === 'namespaces' && opt('-l')) return ok({ items: list('namespaces', '').filter((n) => n.metadata.labels?.['microflow.dev/user-namespace'] === 'true') });
    if (verb === 'get' && args.includes('--all-namespaces')) return ok({ items: Object.values(state[resource] ?? {}).flat() });
    if (verb === 'get' && state[resource]) return ok({ items: list(resource, opt('-n') ?? '') });
    if (verb === 'get') return { status: 1, stdout: '', stderr: `error: the server doesn't have a resource type "${resource}"\n` };
    if (verb === 'apply') {
      for (const o of yaml.loadAll(input ?? '') as any[]) {
        const items = list(resourceOf[o.kind], o.metadata.namespace ?? '');
        const i = items.findIndex((x) => x.metadata.name === o.metadata.name);
        if (i >= 0) items[i] = { ...items[i], ...o, metadata: { ...items[i].metadata, ...o.metadata } };
        else items.push(o);
      }
      return ok();
    }
    if (verb === 'delete') {
      // `delete clusterrolebinding NAME …` or `delete RESOURCE -n NS … NAME…`
      const names = args.slice(2).filter((a, i, rest) => !a.startsWith('-') && rest[i - 1] !== '-n');
      const full = resource === 'clusterrolebinding' ? CRB : resource;
      const ns = opt('-n') ?? '';
      state[full][ns] = list(full, ns).filter((x) => !names.includes(x.metadata.name));
      return ok();
    }
    if (verb === 'patch') {
      const b = list(resource === 'rolebinding' ? RB : CRB, opt('-n') ?? '').find((x) => x.metadata.name === name);
      for (const op of JSON.parse(opt('-p')!)) if (op.op === 'remove') b.subjects.splice(Number(op.path.split('/')[2]), 1);
      return ok();
    }
    return ok(); // diff: no differences; wait: met
  };
  return { bin, calls, state };
}

describe('npm run deploy with a user removed from the configuration', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-offboard-cli-'));
    const objects = [rendered[0],
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'microflow-notebook-users' }, roleRef: {}, subjects: [user('alice@example.org')] }];
    fs.writeFileSync(path.join(dir, '0000-users.k8s.yaml'), objects.map((o) => yaml.dump(o)).join('---\n'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const live = () => {
    const bob = bobsObjects();
    const perNs: Record<string, Record<string, any[]>> = {};
    for (const [resource, metas] of Object.entries(bob)) perNs[resource] = { bob: metas.map((m) => ({ metadata: { ...m, namespace: 'bob' } })) };
    perNs.namespaces = { '': [rendered[0], userNs('bob', 'bob@example.org')] };
    perNs[CRB] = { '': [{ kind: 'ClusterRoleBinding', metadata: { name: 'microflow-notebook-users' }, subjects: [user('alice@example.org'), user('bob@example.org')] }] };
    perNs[RB].kubeflow = [{ metadata: { name: 'runs', namespace: 'kubeflow' }, subjects: [sa('kubeflow', 'ml-pipeline'), sa('bob', 'default-editor')] }];
    perNs[RB]['alice-example-org'] = [{ metadata: { name: 'default-editor', namespace: 'alice-example-org' }, subjects: [sa('alice-example-org', 'default-editor')] }];
    return cluster(perNs);
  };
  const deploy = async (c: ReturnType<typeof cluster>, ...flags: string[]) => {
    const out: string[] = [];
    const errors: string[] = [];
    const code = await run(['deploy', '--skip-preflight', ...flags, dir], { kubectl: c.bin, say: (l = '') => out.push(l) }, (t) => errors.push(t));
    return { code, out: out.join('\n'), err: errors.join('') };
  };
  const applied = (c: ReturnType<typeof cluster>) => c.calls.filter((l) => l.startsWith('apply'));
  const changed = (c: ReturnType<typeof cluster>) => c.calls.filter((l) => /^(apply|delete|patch)/.test(l));

  test('without --remove-users: exit 1, what still grants access and the flag are named, nothing is applied or deleted', async () => {
    const c = live();
    const r = await deploy(c);
    expect(r.code).toBe(1);
    expect(r.out).toContain('user namespaces no longer in the configuration: bob (bob@example.org)');
    expect(r.out).toContain('delete RoleBinding bob/user-bob-example-org-clusterrole-edit, bob/default-editor');
    expect(r.out).toContain('delete ScheduledWorkflow bob/nightly: keeps starting runs');
    expect(r.out).toMatch(/nothing was applied: bob is no longer configured but still grant[s]? access .*--remove-users/);
    expect(changed(c)).toEqual([]);
  });

  test('--dry-run prints the plan and changes nothing, with or without the flag', async () => {
    for (const flags of [['--dry-run'], ['--dry-run', '--remove-users']]) {
      const c = live();
      const r = await deploy(c, ...flags);
      expect(r.code).toBe(0);
      expect(r.out).toContain('delete Pod bob/train-0: running code');
      expect(r.out).toContain(flags.length === 1 ? 'would stop here: it needs --remove-users' : 'would delete the above after applying');
      expect(r.out).toContain('dry run:');
      expect(changed(c)).toEqual([]);
    }
  });

  test('with --remove-users: applies first, then bindings and accounts before any workload; data kept; alice untouched; a second run finds nothing', async () => {
    const c = live();
    const r = await deploy(c, '--remove-users');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    // One apply per phase (lib/deploy/phases.ts), all before any revocation.
    const order = changed(c).map((l) => l.split(' ').slice(0, 2).join(' ')).filter((l, i, all) => l !== 'apply --server-side' || all[i - 1] !== l);
    // The apply re-rendered microflow-notebook-users without bob, so only the hand-made binding needs a patch.
    expect(order).toEqual(['apply --server-side', 'patch rolebinding', `delete ${RB}`, 'delete serviceaccounts',
      'delete scheduledworkflows.kubeflow.org', 'delete notebooks.kubeflow.org', 'delete statefulsets.apps', 'delete pods']);
    expect(c.state[CRB][''][0].subjects).toEqual([user('alice@example.org')]);
    expect(c.state[RB].kubeflow[0].subjects).toEqual([sa('kubeflow', 'ml-pipeline')]);
    expect(c.state[RB].bob).toEqual([]);
    expect(c.state.serviceaccounts.bob.map((x) => x.metadata.name)).toEqual(['default']);
    for (const k of KEPT) expect(c.state[k.resource].bob.length).toBeGreaterThan(0);
    expect(c.state.namespaces[''].map((n) => n.metadata.name)).toEqual(['alice-example-org', 'bob']);
    expect(c.state[RB]['alice-example-org']).toHaveLength(1);
    expect(r.out).toContain('kept: bob with their claims, Secrets and ConfigMaps');

    c.calls.length = 0;
    const again = await deploy(c);
    expect(again.code).toBe(0);
    expect(again.out).toContain('nothing there grants access or runs any more (revoked earlier)');
    expect(applied(c).length).toBeGreaterThan(0);
    expect(changed(c)).toEqual(applied(c));
  });

  test('offboard (for GitOps) revokes the same way without applying anything; --dry-run changes nothing', async () => {
    const dry = live();
    const out: string[] = [];
    expect(await run(['offboard', '--dry-run', dir], { kubectl: dry.bin, say: (l = '') => out.push(l) })).toBe(0);
    expect(out.join('\n')).toContain('delete Notebook bob/train');
    expect(changed(dry)).toEqual([]);
    const c = live();
    expect(await run(['offboard', dir], { kubectl: c.bin, say: () => undefined })).toBe(0);
    expect(applied(c)).toEqual([]);
    expect(changed(c).map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual(['patch clusterrolebinding microflow-notebook-users', 'patch rolebinding runs',
      `delete ${RB} -n`, 'delete serviceaccounts -n', 'delete scheduledworkflows.kubeflow.org -n', 'delete notebooks.kubeflow.org -n', 'delete statefulsets.apps -n', 'delete pods -n']);
    expect(c.state[CRB][''][0].subjects).toEqual([user('alice@example.org')]);
  });

  test('status names a removed user whose access is not revoked yet', async () => {
    const out: string[] = [];
    await run(['status', dir], { kubectl: live().bin, say: (l = '') => out.push(l) });
    expect(out.join('\n')).toMatch(/no longer in the configuration: bob[\s\S]*revoke with: npm run deploy -- --remove-users/);
  });

  test('unknown or misplaced flags are refused, named, the closest one suggested; nothing runs', async () => {
    for (const [argv, hint] of [[['deploy', '--remove-user', dir], '(Did you mean --remove-users?)'], [['deploy', '--yes', dir], ''], [['destroy', '--remove-users', dir], '']] as const) {
      const c = live();
      const errors: string[] = [];
      expect(await run([...argv], { kubectl: c.bin, say: () => undefined }, (t) => errors.push(t))).toBe(2);
      expect(errors.join('')).toContain(`error: unknown option '${argv[1]}'\n${hint}`);
      expect(c.calls).toEqual([]);
    }
  });

  test('deploy --help lists --remove-users and what it keeps', async () => {
    const out: string[] = [];
    expect(await run(['deploy', '--help'], { kubectl: live().bin, say: (l = '') => out.push(l) })).toBe(0);
    expect(out.join('\n')).toMatch(/--remove-users\s+for user namespaces no longer configured: after applying,\s+delete their RoleBindings/);
  });
});
