/**
 * RBAC as the API server evaluates it, over a rendered stack: aggregated ClusterRoles filled in from
 * their selectors, bindings resolved per subject and namespace. Used by the whole-stack rules that ask
 * "can any user do X there?"; test/cluster asks the real API server the same questions.
 */
import type { K8sObject } from './stack';

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
}
export interface Subject { kind: 'User' | 'Group' | 'ServiceAccount'; name: string; namespace?: string }
/** Where a binding grants its rules: one namespace, or (ClusterRoleBinding) every namespace. */
export interface Grant { subject: Subject; namespace: string | '*'; rules: PolicyRule[]; binding: string }

const labelsMatch = (sel: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(sel).every(([k, v]) => labels[k] === v);

/** Every ClusterRole's rules, aggregated ones filled in as the controller-manager does (to a fixpoint). */
export function clusterRoleRules(objects: K8sObject[]): Map<string, PolicyRule[]> {
  const roles = objects.filter((o) => o.kind === 'ClusterRole');
  const rules = new Map<string, PolicyRule[]>(roles.map((r) => [r.metadata.name, [...(r.rules ?? [])]]));
  for (let changed = true; changed;) {
    changed = false;
    for (const r of roles.filter((x) => x.aggregationRule)) {
      const selectors: Record<string, string>[] = r.aggregationRule.clusterRoleSelectors.map((s: any) => s.matchLabels ?? {});
      const from = roles.filter((o) => o !== r && selectors.some((s) => labelsMatch(s, o.metadata.labels)));
      const union = from.flatMap((o) => rules.get(o.metadata.name)!);
      if (union.length !== rules.get(r.metadata.name)!.length) {
        rules.set(r.metadata.name, union);
        changed = true;
      }
    }
  }
  return rules;
}

/** Every (subject, namespace, rules) a RoleBinding or ClusterRoleBinding of the stack grants. */
export function grants(objects: K8sObject[]): Grant[] {
  const cluster = clusterRoleRules(objects);
  const roleRules = (ns: string | undefined, ref: any): PolicyRule[] => {
    if (ref.kind === 'ClusterRole') return cluster.get(ref.name) ?? [];
    return objects.find((o) => o.kind === 'Role' && o.metadata.name === ref.name && o.metadata.namespace === ns)?.rules ?? [];
  };
  return objects
    .filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')
    .flatMap((b) => (b.subjects ?? []).map((subject: Subject) => ({
      subject: subject.kind === 'ServiceAccount' ? { ...subject, namespace: subject.namespace ?? b.metadata.namespace } : subject,
      namespace: b.kind === 'RoleBinding' ? b.metadata.namespace! : '*',
      rules: roleRules(b.metadata.namespace, b.roleRef),
      binding: `${b.kind} ${b.metadata.namespace ? `${b.metadata.namespace}/` : ''}${b.metadata.name}`,
    })));
}

const has = (list: string[] | undefined, x: string) => (list ?? []).includes('*') || (list ?? []).includes(x);

/** Whether a rule lets `verb` on `group`/`resource` (any resourceNames: a narrower grant still writes). */
export function allows(rule: PolicyRule, verb: string, group: string, resource: string): boolean {
  return has(rule.verbs, verb) && has(rule.apiGroups, group) && has(rule.resources, resource);
}

/**
 * Whether a subject is held by a user or their code: a person's identity (any User outside
 * `system:`), the groups every user or every ServiceAccount is in, and any ServiceAccount of a
 * user's namespace (a user's pod may run as any of them).
 */
export function isUserHeld(subject: Subject, userNamespaces: readonly string[]): boolean {
  if (subject.kind === 'User') return !subject.name.startsWith('system:');
  if (subject.kind === 'Group') {
    return ['system:authenticated', 'system:unauthenticated', 'system:serviceaccounts'].includes(subject.name)
      || userNamespaces.some((ns) => subject.name === `system:serviceaccounts:${ns}`);
  }
  return userNamespaces.includes(subject.namespace!);
}

/**
 * `kubectl auth can-i <verb> <resource>[.<group>] -n <namespace>` for a subject, on the render: a rule
 * limited to resourceNames does not answer a question about the whole kind.
 */
export function can(objects: K8sObject[], subject: Subject, verb: string, resource: string, namespace: string): boolean {
  const dot = resource.indexOf('.');
  const [name, group] = dot < 0 ? [resource, ''] : [resource.slice(0, dot), resource.slice(dot + 1)];
  const same = (s: Subject) => s.kind === subject.kind && s.name === subject.name && (s.kind !== 'ServiceAccount' || s.namespace === subject.namespace);
  return grants(objects).some((g) => same(g.subject) && (g.namespace === '*' || g.namespace === namespace)
    && g.rules.some((r) => !r.resourceNames?.length && allows(r, verb, group, name)));
}
