import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { KUBEFLOW_ROLES } from './constants';

type Role = 'admin' | 'edit' | 'view';

/** What users may do with Kubernetes' own resources in their namespace (the apps add theirs). */
const WORKLOADS = {
  '': ['pods', 'pods/log', 'configmaps', 'persistentvolumeclaims', 'events'],
  apps: ['deployments', 'statefulsets', 'replicasets'],
  batch: ['jobs', 'cronjobs'],
} as const;
const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete', 'deletecollection'];
/**
 * Services (and their endpoints) are read-only to users: a gateway route's destination is a Service,
 * and one a user could rewrite (`type: ExternalName` to another user's notebook, a selector-less
 * Service with hand-made endpoints) would carry their own route to someone else's pods (issue #18,
 * path 1; docs/security.md). Controllers and the configuration make every Service in a user's
 * namespace; test/gateway/route-destinations.test.ts keeps it so.
 */
const SERVICES_READ = { apiGroups: [''], resources: ['services'], verbs: READ };

/**
 * Kubeflow's role ladder: `kubeflow-view` ⊂ `kubeflow-edit` ⊂ `kubeflow-admin`, each an aggregated
 * ClusterRole that apps extend with the `rbac.authorization.kubeflow.org/aggregate-to-kubeflow-*`
 * labels (pipelines, notebooks, tensorboards add their kinds). The base rules here cover the
 * Kubernetes objects a notebook user works with; Secrets only from edit up (view must not read them);
 * Services only read.
 */
export class KubeflowRoles extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const aggregated = (role: Role, into?: Role) => new k8s.KubeClusterRole(this, role, {
      metadata: { name: KUBEFLOW_ROLES[role], ...(into ? { labels: { [KUBEFLOW_ROLES.aggregateLabel(into)]: 'true' } } : {}) },
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [KUBEFLOW_ROLES.aggregateLabel(role)]: 'true' } }] },
    });
    aggregated('admin');
    aggregated('edit', 'admin');
    aggregated('view', 'edit');

    const rules = (verbs: string[], extra: Record<string, readonly string[]> = {}) =>
      Object.entries({ ...WORKLOADS, ...extra }).map(([group, resources]) => ({ apiGroups: [group], resources: [...resources], verbs }));
    const base = (role: 'edit' | 'view', rs: k8s.PolicyRule[]) => new k8s.KubeClusterRole(this, `kubernetes-${role}`, {
      metadata: { name: `microflow-kubernetes-${role}`, labels: { [KUBEFLOW_ROLES.aggregateLabel(role)]: 'true' } },
      rules: rs,
    });
    base('view', [...rules(READ), SERVICES_READ]);
    base('edit', [
      ...rules([...READ, ...WRITE], { '': [...WORKLOADS[''], 'secrets', 'serviceaccounts'] }),
      SERVICES_READ,
      // Debugging one's own notebook: exec and port-forward into one's own pods.
      { apiGroups: [''], resources: ['pods/exec', 'pods/portforward', 'pods/attach'], verbs: ['create', 'get'] },
    ]);
  }
}
