import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';

/** Kubeflow's aggregation labels: rules labelled so join the users' kubeflow-edit / kubeflow-view roles. */
export const AGGREGATE_TO = {
  edit: 'rbac.authorization.kubeflow.org/aggregate-to-kubeflow-edit',
  view: 'rbac.authorization.kubeflow.org/aggregate-to-kubeflow-view',
} as const;

export interface NotebookUserRolesProps {
  /** Emails of the users (cluster-wide read rights the spawner form checks for them). */
  readonly users: readonly string[];
}

/**
 * What a user needs to work with notebooks in their own namespace, aggregated into the namespace's
 * edit and view roles (bound per namespace, so nothing here reaches another namespace), plus the two
 * cluster-wide reads the web app's form checks for the user: StorageClasses (the default class) and
 * Nodes (which GPU vendors exist). Users get no VirtualService rights: routes come from the controller
 * and the configuration, never from a user.
 */
export class NotebookUserRoles extends Construct {
  constructor(scope: Construct, id: string, props: NotebookUserRolesProps) {
    super(scope, id);
    new k8s.KubeClusterRole(this, 'Edit', {
      metadata: { name: 'microflow-notebooks-edit', labels: { [AGGREGATE_TO.edit]: 'true' } },
      rules: [
        { apiGroups: ['kubeflow.org'], resources: ['notebooks'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
        { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['get', 'list', 'watch', 'create', 'delete'] },
        { apiGroups: [''], resources: ['pods', 'pods/log', 'events'], verbs: ['get', 'list', 'watch'] },
        // A self-service TensorBoard is a Deployment; its Service comes from the configuration, since
        // users write no Services (a route's destination: lib/users/cluster-roles.ts says why).
        { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
        { apiGroups: [''], resources: ['services'], verbs: ['get', 'list', 'watch'] },
      ],
    });
    new k8s.KubeClusterRole(this, 'View', {
      metadata: { name: 'microflow-notebooks-view', labels: { [AGGREGATE_TO.view]: 'true' } },
      rules: [
        { apiGroups: ['kubeflow.org'], resources: ['notebooks'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['pods', 'pods/log', 'events', 'services', 'persistentvolumeclaims'], verbs: ['get', 'list', 'watch'] },
      ],
    });
    if (props.users.length === 0) return;
    const reads = new k8s.KubeClusterRole(this, 'ClusterReads', {
      metadata: { name: 'microflow-notebook-users' },
      rules: [
        { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['get', 'list'] },
        { apiGroups: [''], resources: ['nodes'], verbs: ['list'] },
      ],
    });
    new k8s.KubeClusterRoleBinding(this, 'ClusterReadsBinding', {
      metadata: { name: 'microflow-notebook-users' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: reads.name },
      subjects: props.users.map((email) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: email })),
    });
  }
}
