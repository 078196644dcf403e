import { USER_NAMESPACE } from '../users/constants';
import { kubectl } from './apply';
import { labelSelector, listItems, type KubeOptions } from './kube';
import type { Manifest } from './phases';

/**
 * Offboarding (docs/security.md, path 9). Removing a user from the configuration ends their login and
 * object-store key, but an apply deletes nothing: their namespace keeps the RoleBindings and
 * ServiceAccounts (whose tokens still work), running pods and notebooks, and ScheduledWorkflows that
 * keep starting runs. `npm run deploy -- --remove-users` deletes those in every user namespace the
 * render no longer has, and keeps the namespace with the user's data.
 */

/** What revocation deletes in a removed namespace, in this order: access first, then what makes pods, then pods. */
export const REVOKED: readonly { readonly resource: string; readonly kind: string; readonly why: string }[] = [
  { resource: 'rolebindings.rbac.authorization.k8s.io', kind: 'RoleBinding', why: 'grants the namespace\'s rights (the user\'s, default-editor\'s, Argo\'s, pipeline-runner\'s)' },
  // Deleting a ServiceAccount invalidates every token of it (bound tokens carry its UID; legacy token Secrets go with it).
  { resource: 'serviceaccounts', kind: 'ServiceAccount', why: 'its tokens authenticate (default stays: Kubernetes recreates it, and it is bound to nothing)' },
  { resource: 'scheduledworkflows.kubeflow.org', kind: 'ScheduledWorkflow', why: 'keeps starting runs' },
  { resource: 'cronworkflows.argoproj.io', kind: 'CronWorkflow', why: 'keeps starting workflows' },
  { resource: 'cronjobs.batch', kind: 'CronJob', why: 'keeps starting Jobs' },
  { resource: 'notebooks.kubeflow.org', kind: 'Notebook', why: 'a notebook server (its StatefulSet and route go with it)' },
  { resource: 'workflows.argoproj.io', kind: 'Workflow', why: 'runs steps' },
  { resource: 'deployments.apps', kind: 'Deployment', why: 'runs pods' },
  { resource: 'statefulsets.apps', kind: 'StatefulSet', why: 'runs pods' },
  { resource: 'replicasets.apps', kind: 'ReplicaSet', why: 'runs pods' },
  { resource: 'jobs.batch', kind: 'Job', why: 'runs pods' },
  { resource: 'pods', kind: 'Pod', why: 'running code' },
];

/** What revocation never deletes: the user's data. The namespace stays too. */
export const KEPT: readonly { readonly resource: string; readonly kind: string }[] = [
  { resource: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim' },
  { resource: 'secrets', kind: 'Secret' },
  { resource: 'configmaps', kind: 'ConfigMap' },
];

/** The ServiceAccount kept in every namespace (the controller recreates it; nothing binds it once the RoleBindings are gone). */
const DEFAULT_SA = 'default';

type Meta = { name: string; namespace?: string; annotations?: Record<string, string>; deletionTimestamp?: string };
interface Subject { kind: string; name: string; namespace?: string; apiGroup?: string }
/** A live (Cluster)RoleBinding, as `kubectl get -o json` lists it. */
export interface LiveBinding { kind: 'ClusterRoleBinding' | 'RoleBinding'; metadata: Meta; subjects?: Subject[] }

/** What `readOffboardInventory` found: the inputs of `planOffboarding`. */
export interface OffboardInventory {
  /** Live user namespaces (USER_NAMESPACE.selector) and their owner annotation. */
  readonly namespaces: readonly { readonly name: string; readonly owner?: string }[];
  /** Per removed namespace, per resource of REVOKED and KEPT, the live objects' metadata. */
  readonly objects: Readonly<Record<string, Readonly<Record<string, readonly Meta[]>>>>;
  /** Every ClusterRoleBinding, and every RoleBinding outside the removed namespaces (read only when some are removed). */
  readonly bindings: readonly LiveBinding[];
}

export interface OffboardDelete { readonly resource: string; readonly kind: string; readonly namespace: string; readonly names: string[] }
/** A binding outside the removed namespaces that names a removed subject: those subjects come out (the binding goes when none is left). */
export interface OffboardSubjects { readonly kind: LiveBinding['kind']; readonly namespace?: string; readonly name: string; readonly remove: { index: number; subject: Subject }[]; readonly deleteBinding: boolean }

export interface OffboardPlan {
  /** User namespaces the render no longer has, with their owner. */
  readonly removed: readonly { readonly namespace: string; readonly owner?: string }[];
  /** Bindings elsewhere naming a removed user or a removed namespace's ServiceAccounts. */
  readonly subjects: readonly OffboardSubjects[];
  /** Deletions, in order (REVOKED's order across namespaces). */
  readonly deletes: readonly OffboardDelete[];
  /** Per removed namespace, how many objects of each KEPT kind stay. */
  readonly kept: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

const ownerOf = (o: { metadata: Meta }) => o.metadata.annotations?.[USER_NAMESPACE.ownerAnnotation];
const isUserNamespace = (o: Manifest) => o.kind === 'Namespace' && Object.entries(USER_NAMESPACE.selector).every(([k, v]) => (o.metadata.labels as Record<string, string> | undefined)?.[k] === v);

/** Live user namespaces the render does not have. */
export function removedUserNamespaces(objects: Manifest[], live: OffboardInventory['namespaces']): { namespace: string; owner?: string }[] {
  const rendered = new Set(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
  return live.filter((n) => !rendered.has(n.name)).map((n) => ({ namespace: n.name, owner: n.owner }));
}

/** Whether a subject belongs to a removed user: their email (unless a rendered namespace still has it as owner), or a removed namespace's ServiceAccounts. */
function removedSubject(s: Subject, emails: Set<string>, namespaces: Set<string>): boolean {
  if (s.kind === 'User') return emails.has(s.name);
  if (s.kind === 'ServiceAccount') return namespaces.has(s.namespace ?? '');
  if (s.kind === 'Group') return [...namespaces].some((ns) => s.name === `system:serviceaccounts:${ns}`);
  return false;
}

/** Decides what revocation deletes and keeps. Pure (unit-tested); objects already being deleted are not listed again. */
export function planOffboarding(objects: Manifest[], live: OffboardInventory): OffboardPlan {
  const removed = removedUserNamespaces(objects, live.namespaces);
  const namespaces = new Set(removed.map((r) => r.namespace));
  // An owner who still has a rendered namespace (a renamed namespace, say) is a current user: their grants stay.
  const current = new Set(objects.filter(isUserNamespace).map((o) => ownerOf(o as { metadata: Meta })));
  const emails = new Set(removed.map((r) => r.owner).filter((e): e is string => !!e && !current.has(e)));
  const subjects = live.bindings
    .filter((b) => b.kind === 'ClusterRoleBinding' || !namespaces.has(b.metadata.namespace ?? ''))
    .flatMap((b) => {
      const remove = (b.subjects ?? []).map((subject, index) => ({ index, subject })).filter((x) => removedSubject(x.subject, emails, namespaces));
      if (!remove.length) return [];
      return [{ kind: b.kind, ...(b.kind === 'RoleBinding' ? { namespace: b.metadata.namespace } : {}), name: b.metadata.name, remove, deleteBinding: remove.length === b.subjects!.length }];
    });
  const deletes = REVOKED.flatMap((r) => removed.flatMap(({ namespace }) => {
    const names = (live.objects[namespace]?.[r.resource] ?? [])
      .filter((m) => !m.deletionTimestamp && !(r.kind === 'ServiceAccount' && m.name === DEFAULT_SA)).map((m) => m.name);
    return names.length ? [{ resource: r.resource, kind: r.kind, namespace, names }] : [];
  }));
  const kept = Object.fromEntries(removed.map(({ namespace }) => [namespace, Object.fromEntries(KEPT.map((k) => [k.kind, live.objects[namespace]?.[k.resource]?.length ?? 0]))]));
  return { removed, subjects, deletes, kept };
}

/** Whether anything still grants access or runs: the deploy refuses to go on without --remove-users then. */
export const offboardingPending = (plan: OffboardPlan) => plan.deletes.length > 0 || plan.subjects.length > 0;

/** Reads what planOffboarding needs: one call when no user namespace was removed. */
export function readOffboardInventory(objects: Manifest[], opts: KubeOptions = {}): OffboardInventory {
  const namespaces = listItems(['get', 'namespaces', '-l', labelSelector(USER_NAMESPACE.selector)], opts)
    .map((n) => ({ name: n.metadata.name as string, owner: ownerOf(n) }));
  const removed = removedUserNamespaces(objects, namespaces);
  if (!removed.length) return { namespaces, objects: {}, bindings: [] };
  const gone = new Set(removed.map((r) => r.namespace));
  const perNamespace = Object.fromEntries(removed.map(({ namespace }) => [namespace, Object.fromEntries([...REVOKED, ...KEPT].map((r) => [r.resource,
    // listItems: a kind the API does not serve (no Argo, no notebooks) has no objects.
    listItems(['get', r.resource, '-n', namespace], opts).map((o) => o.metadata as Meta)]))]));
  const bindings = [
    ...listItems(['get', 'clusterrolebindings.rbac.authorization.k8s.io'], opts).map((b) => ({ ...b, kind: 'ClusterRoleBinding' })),
    ...listItems(['get', 'rolebindings.rbac.authorization.k8s.io', '--all-namespaces'], opts)
      .filter((b) => !gone.has(b.metadata.namespace)).map((b) => ({ ...b, kind: 'RoleBinding' })),
  ] as LiveBinding[];
  return { namespaces, objects: perNamespace, bindings };
}

const who = (r: { namespace: string; owner?: string }) => `${r.namespace}${r.owner ? ` (${r.owner})` : ''}`;
const bindingRef = (s: OffboardSubjects) => `${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name}`;
const subjectRef = (s: Subject) => `${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name}`;

/** The plan, as deploy prints it before refusing or revoking (`--dry-run` too). */
export function formatOffboardPlan(plan: OffboardPlan): string {
  if (!plan.removed.length) return 'no removed users';
  const lines = [`user namespaces no longer in the configuration: ${plan.removed.map(who).join(', ')}`];
  if (!offboardingPending(plan)) lines.push('  nothing there grants access or runs any more (revoked earlier)');
  for (const s of plan.subjects) {
    lines.push(`  ${bindingRef(s)}: ${s.deleteBinding ? 'delete (it names only removed subjects: ' : 'remove subjects '}${s.remove.map((r) => subjectRef(r.subject)).join(', ')}${s.deleteBinding ? ')' : ''}`);
  }
  for (const d of plan.deletes) {
    const why = REVOKED.find((r) => r.resource === d.resource)!.why;
    lines.push(`  delete ${d.kind} ${d.namespace}/${d.names.join(`, ${d.namespace}/`)}: ${why}`);
  }
  for (const r of plan.removed) {
    const counts = Object.entries(plan.kept[r.namespace] ?? {}).map(([kind, n]) => `${n} ${kind}${n === 1 ? '' : 's'}`).join(', ');
    lines.push(`  keep namespace ${r.namespace} and its data: ${counts} (the object-store key is already revoked by the store)`);
  }
  return lines.join('\n');
}

/** Carries the plan out: subjects elsewhere, then each namespace's RoleBindings, ServiceAccounts, then workloads. */
export function offboard(plan: OffboardPlan, opts: KubeOptions & { log?: (l: string) => void } = {}): void {
  const log = opts.log ?? console.log;
  for (const s of plan.subjects) {
    const target = [s.kind.toLowerCase(), s.name, ...(s.namespace ? ['-n', s.namespace] : [])];
    if (s.deleteBinding) {
      kubectl(['delete', ...target, '--ignore-not-found'], undefined, opts.kubectl);
    } else {
      // Highest index first, each behind a test: a binding changed meanwhile fails the patch instead of losing another subject.
      const ops = [...s.remove].sort((a, b) => b.index - a.index)
        .flatMap((r) => [{ op: 'test', path: `/subjects/${r.index}`, value: r.subject }, { op: 'remove', path: `/subjects/${r.index}` }]);
      kubectl(['patch', ...target, '--type=json', '-p', JSON.stringify(ops)], undefined, opts.kubectl);
    }
    log(`${s.deleteBinding ? 'deleted' : 'removed from'} ${bindingRef(s)}: ${s.remove.map((r) => subjectRef(r.subject)).join(', ')}`);
  }
  for (const d of plan.deletes) {
    // --wait=false: a pod's grace period or a finalizer must not hold the deploy; what is being deleted is skipped next time.
    kubectl(['delete', d.resource, '-n', d.namespace, '--ignore-not-found', '--wait=false', ...d.names], undefined, opts.kubectl);
    log(`deleted ${d.names.length} ${d.kind}${d.names.length === 1 ? '' : 's'} in ${d.namespace}`);
  }
}
