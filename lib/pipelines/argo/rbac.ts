import { Construct } from 'constructs';
import { RESERVED_NAMESPACES } from '../../config';
import { Grant, type AccessCheck, type CanI, type Rule, type Subject } from '../access';
import { ARGO } from '../constants';

/**
 * What the controller's informers list and watch. It runs without `--namespaced`, so
 * `GetManagedNamespace()` is "" and each of them covers every namespace (argo-workflows
 * v4.0.5, workflow/controller/controller.go `Run`): Workflows (`util.NewWorkflowInformer`, and the
 * `List` of `initManagers`), WorkflowTemplates (`NewTolerantWorkflowTemplateInformer`), pods
 * (pod/controller.go `newWorkflowPodWatch`, and the `List` when a Workflow is deleted), ConfigMaps
 * (`newConfigMapInformer`, the semaphore watcher of `runConfigMapWatcher`, and the watch of its own
 * ConfigMap), WorkflowTaskSets and WorkflowArtifactGCTasks (`newWorkflowTaskSetInformer`,
 * `newArtGCTaskInformer`), WorkflowTaskResults (taskresult.go) and CronWorkflows
 * (cron/controller.go). Reading only: no verb here changes anything.
 * Not granted: Namespaces (ns_watcher.go asks `can-i` first and goes without per-namespace
 * parallelism, which microflow does not use) and ClusterWorkflowTemplates (not installed;
 * `createClusterWorkflowTemplateInformer` asks first too).
 */
export const INFORMER_RULES: Rule[] = [
  { apiGroups: [''], resources: ['pods', 'configmaps'], verbs: ['list', 'watch'] },
  {
    apiGroups: [ARGO.group],
    resources: ['workflows', 'workflowtemplates', 'cronworkflows', 'workflowtasksets', 'workflowartifactgctasks', 'workflowtaskresults'],
    verbs: ['list', 'watch'],
  },
];

/** What the controller does to a run: bound in the run namespaces only (v4.0.5's operator and pod controller). */
export const RUN_RULES: Rule[] = [
  // Step pods: created (workflowpod.go), labelled and finalizer-stripped by patch, deleted by pod GC (pod/queue.go).
  { apiGroups: [''], resources: ['pods'], verbs: ['create', 'get', 'patch', 'delete'] },
  // Stopping and terminating steps signals the executor's containers (pod/queue.go `signalContainers`).
  { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] },
  // The namespace's `artifact-repositories` (artifactrepositories.go `get`) and ConfigMaps a workflow names.
  { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] },
  { apiGroups: [''], resources: ['persistentvolumeclaims', 'persistentvolumeclaims/finalizers'], verbs: ['create', 'update', 'delete', 'get'] },
  { apiGroups: [ARGO.group], resources: ['workflows', 'workflows/finalizers', 'workflowtasksets', 'workflowtasksets/finalizers', 'workflowartifactgctasks'], verbs: ['get', 'update', 'patch', 'delete', 'create'] },
  { apiGroups: [ARGO.group], resources: ['workflowtemplates', 'workflowtemplates/finalizers'], verbs: ['get'] },
  { apiGroups: [ARGO.group], resources: ['workflowtaskresults'], verbs: ['deletecollection'] },
  { apiGroups: [ARGO.group], resources: ['cronworkflows', 'cronworkflows/finalizers'], verbs: ['get', 'update', 'patch', 'delete'] },
  // The step pods' ServiceAccount, looked up by name (operator.go `getServiceAccountTokenName`).
  { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['get'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
  // A workflow's `podDisruptionBudget` (operator.go `createPDBResource`, `deletePDBResource`).
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: ['create', 'get', 'delete'] },
];

/** In its own namespace: leader election (its Lease, and the events its lock records) and its ConfigMap (config/controller.go `Get`). */
export const OWN_RULES: Rule[] = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create', 'get', 'update'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
  { apiGroups: [''], resources: ['configmaps'], verbs: ['get'], resourceNames: [ARGO.configMap] },
];

/** metadata.name of each grant. */
export const ARGO_RBAC = {
  /**
   * Reading, cluster-wide multi-user. It keeps the name the former cluster-wide grant had, so an
   * upgrade applied without pruning (`npm run deploy`) overwrites that ClusterRole and its
   * ClusterRoleBinding instead of leaving pods create bound everywhere (the former
   * `argo-workflow-controller-leases` Role may stay behind: a subset of `own`).
   */
  informers: `argo-${ARGO.controller}`,
  /** The mutating verbs: a ClusterRole bound by a RoleBinding in each run namespace. */
  runs: `argo-${ARGO.controller}-runs`,
  own: `argo-${ARGO.controller}-own`,
} as const;


export interface ArgoControllerRbacProps {
  readonly serviceAccount: Subject;
  /** Namespaces runs happen in: users' namespaces, never the controller's own. */
  readonly runNamespaces: string[];
}

/**
 * The controller's RBAC: it reads what its informers watch (every namespace: Argo cannot be
 * limited to a list of namespaces) and changes things only where runs happen, never in its own. A Workflow put anywhere else gets no pods: the API server refuses them.
 */
export class ArgoControllerRbac extends Construct {
  public readonly access: AccessCheck;

  constructor(scope: Construct, id: string, props: ArgoControllerRbacProps) {
    super(scope, id);
    const sa = props.serviceAccount;
    const own = sa.namespace;
    const runs = props.runNamespaces;
    if (runs.includes(own)) throw new Error(`ArgoControllerRbac: runs cannot happen in the controller's own namespace "${own}"`);
    new Grant(this, 'Informers', { name: ARGO_RBAC.informers, serviceAccount: sa, rules: INFORMER_RULES, where: 'cluster' });
    new Grant(this, 'Runs', { name: ARGO_RBAC.runs, serviceAccount: sa, rules: RUN_RULES, where: runs });
    new Grant(this, 'Own', { name: ARGO_RBAC.own, serviceAccount: sa, rules: OWN_RULES, where: [own] });

    // Every namespace the platform owns or Kubernetes reserves that is no run namespace: nothing may
    // be started or entered there (`kubeflow` too).
    const elsewhere = [...new Set([...RESERVED_NAMESPACES, 'kube-system'])].filter((ns) => !runs.includes(ns));
    const read = (resource: string): CanI[] => ['list', 'watch'].map((verb) => ({ verb, resource }));
    const other = runs.find((n) => n !== own);
    this.access = {
      serviceAccount: sa,
      allowed: [
        ...runs.flatMap((namespace): CanI[] => [
          { verb: 'create', resource: 'pods', namespace },
          { verb: 'delete', resource: 'pods', namespace },
          { verb: 'patch', resource: 'pods', namespace },
          { verb: 'create', resource: 'pods/exec', namespace },
          { verb: 'update', resource: 'workflows.argoproj.io', namespace },
          { verb: 'deletecollection', resource: 'workflowtaskresults.argoproj.io', namespace },
          { verb: 'create', resource: 'events', namespace },
          { verb: 'create', resource: 'poddisruptionbudgets.policy', namespace },
        ]),
        ...['pods', 'configmaps', ...INFORMER_RULES[1].resources.map((r) => `${r}.${ARGO.group}`)].flatMap(read),
        { verb: 'update', resource: 'leases.coordination.k8s.io', namespace: own },
        { verb: 'get', resource: `configmaps/${ARGO.configMap}`, namespace: own },
        { verb: 'create', resource: 'events', namespace: own },
      ],
      denied: [
        // Nothing mutating is bound cluster-wide (can-i without a namespace asks exactly that).
        { verb: 'create', resource: 'pods' },
        { verb: 'delete', resource: 'pods' },
        { verb: 'create', resource: 'pods/exec' },
        ...elsewhere.flatMap((namespace): CanI[] => [
          { verb: 'create', resource: 'pods', namespace },
          { verb: 'create', resource: 'pods/exec', namespace },
          { verb: 'delete', resource: 'pods', namespace },
        ]),
        { verb: 'get', resource: 'secrets', namespace: own },
        ...(other ? [{ verb: 'get', resource: 'secrets', namespace: other }] : []),
        { verb: 'list', resource: 'secrets' },
        { verb: 'update', resource: 'pods', namespace: runs[0] },
        { verb: 'create', resource: 'workflowtaskresults.argoproj.io', namespace: runs[0] },
        // Templates are read, never written (ClusterWorkflowTemplates are not installed at all: asking
        // can-i about a kind the API server does not serve only draws a warning).
        { verb: 'create', resource: 'workflowtemplates.argoproj.io', namespace: runs[0] },
        { verb: 'create', resource: 'clusterrolebindings' },
        { verb: 'update', resource: 'leases.coordination.k8s.io', namespace: other ?? 'default' },
      ],
    };
  }
}
