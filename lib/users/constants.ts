/**
 * Names Kubeflow's apps expect in a user's namespace (profile controller and KFAM conventions), and
 * the labels that let other components select every user namespace at once.
 */
/** The label that selects every user namespace (offboarding finds removed users' namespaces by it). */
const USER_NAMESPACE_SELECTOR = { 'microflow.dev/user-namespace': 'true' } as const;

export const USER_NAMESPACE = {
  /** Annotation naming the namespace's owner (Kubeflow's profile controller sets it). */
  ownerAnnotation: 'owner',
  /**
   * Labels of every user namespace: microflow's own (select them all with it) and pipelines' opt-in.
   * Upstream's `app.kubernetes.io/part-of: kubeflow-profile` is left out: every microflow object is
   * `part-of: microflow`.
   */
  labels: { ...USER_NAMESPACE_SELECTOR, 'pipelines.kubeflow.org/enabled': 'true' },
  selector: USER_NAMESPACE_SELECTOR,
  /** Service accounts Kubeflow's apps run users' workloads as. */
  editorServiceAccount: 'default-editor',
  viewerServiceAccount: 'default-viewer',
  /** The quota's name, as Kubeflow's profile controller names it. */
  quotaName: 'kf-resource-quota',
  /** The quota that refuses pods naming any PriorityClass. */
  priorityQuotaName: 'no-priority-class',
  limitRangeName: 'container-defaults',
} as const;

/** Kubeflow's aggregated ClusterRoles; apps add rules with the aggregation labels. */
export const KUBEFLOW_ROLES = {
  admin: 'kubeflow-admin',
  edit: 'kubeflow-edit',
  view: 'kubeflow-view',
  /** Label a ClusterRole carries to add its rules to kubeflow-<role>. */
  aggregateLabel: (role: 'admin' | 'edit' | 'view') => `rbac.authorization.kubeflow.org/aggregate-to-kubeflow-${role}`,
} as const;

/**
 * Kubeflow's notebook servers: the controller labels their pods `notebook-name` and they serve on
 * 8888; the controller routes `/notebook/<namespace>/<name>/` to them.
 */
export const NOTEBOOK = { podLabel: 'notebook-name', port: 8888 } as const;

/** Gateway path prefixes that belong to one namespace: only its owner may use them. */
export const PER_NAMESPACE_PREFIXES = (namespace: string) => [`/notebook/${namespace}/`, `/tensorboard/${namespace}/`];

/** KFAM's name for a user's RoleBinding: `user-<email, non-alphanumerics as '-'>-clusterrole-<role>`. */
export const userRoleBindingName = (email: string, role: 'edit' | 'view') =>
  `user-${email.toLowerCase().replace(/[^a-z0-9]/g, '-')}-clusterrole-${role}`;
