import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';

/** One RBAC rule. Wildcards are refused: every verb and resource is named. */
export interface Rule {
  readonly apiGroups: string[];
  readonly resources: string[];
  readonly verbs: string[];
  /** Limits the rule to these object names. @default - every object */
  readonly resourceNames?: string[];
}

/** A ServiceAccount, by namespace and name. */
export interface Subject {
  readonly namespace: string;
  readonly name: string;
}

/** One `kubectl auth can-i` question. */
export interface CanI {
  readonly verb: string;
  /** `resource`, `resource.group`, `resource/subresource` or `resource/name`, as can-i takes it. */
  readonly resource: string;
  /** @default - all namespaces (cluster-wide) */
  readonly namespace?: string;
}

/**
 * What a ServiceAccount may and may not do, written down as data: the control-plane suite asks the
 * real API server every question (`kubectl auth can-i --as=system:serviceaccount:…`).
 */
export interface AccessCheck {
  readonly serviceAccount: Subject;
  readonly allowed: CanI[];
  readonly denied: CanI[];
}

export interface GrantProps {
  /** metadata.name of the (Cluster)Role and its bindings. */
  readonly name: string;
  readonly serviceAccount: Subject;
  readonly rules: Rule[];
  /**
   * Where the rules apply: `cluster` (ClusterRole + ClusterRoleBinding), or a list of namespaces
   * (a Role in the ServiceAccount's own namespace alone, else a ClusterRole bound per namespace).
   */
  readonly where: 'cluster' | string[];
  /** Labels for the (Cluster)Role, e.g. aggregation labels. @default - none */
  readonly roleLabels?: Record<string, string>;
}

const ROLE_REF = 'rbac.authorization.k8s.io';

/** Refuses `*` in verbs, resources or groups: least privilege is spelled out. */
export function checkRules(name: string, rules: Rule[]): void {
  for (const r of rules) {
    for (const [field, values] of Object.entries({ verbs: r.verbs, resources: r.resources, apiGroups: r.apiGroups })) {
      if (values.length === 0) throw new Error(`RBAC "${name}": a rule has no ${field}`);
      if (values.some((v) => v.includes('*'))) throw new Error(`RBAC "${name}": wildcard in ${field} (${values.join(', ')}): name each one`);
    }
  }
}

/** A ServiceAccount's rules, bound where they apply and nowhere else. */
export class Grant extends Construct {
  constructor(scope: Construct, id: string, props: GrantProps) {
    super(scope, id);
    checkRules(props.name, props.rules);
    const sa = props.serviceAccount;
    const subjects = [{ kind: 'ServiceAccount', name: sa.name, namespace: sa.namespace }];
    const rules = props.rules.map((r) => ({ ...r }));
    const labels = props.roleLabels;
    if (props.where !== 'cluster' && props.where.length === 1 && props.where[0] === sa.namespace) {
      new k8s.KubeRole(this, 'Role', { metadata: { name: props.name, namespace: sa.namespace, labels }, rules });
      new k8s.KubeRoleBinding(this, 'Binding', {
        metadata: { name: props.name, namespace: sa.namespace },
        roleRef: { apiGroup: ROLE_REF, kind: 'Role', name: props.name },
        subjects,
      });
      return;
    }
    new k8s.KubeClusterRole(this, 'ClusterRole', { metadata: { name: props.name, labels }, rules });
    if (props.where === 'cluster') {
      new k8s.KubeClusterRoleBinding(this, 'Binding', {
        metadata: { name: props.name },
        roleRef: { apiGroup: ROLE_REF, kind: 'ClusterRole', name: props.name },
        subjects,
      });
      return;
    }
    for (const ns of props.where) {
      new k8s.KubeRoleBinding(this, `Binding-${ns}`, {
        metadata: { name: props.name, namespace: ns },
        roleRef: { apiGroup: ROLE_REF, kind: 'ClusterRole', name: props.name },
        subjects,
      });
    }
  }
}
