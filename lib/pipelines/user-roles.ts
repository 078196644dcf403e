import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { KUBEFLOW_ROLES } from '../users';
import { checkRules, type Rule } from './access';
import { ARGO, KFP } from './constants';

const READ = ['get', 'list', 'watch'];

/**
 * Kinds a user may read but never write (issue #18, path 5). A controller acts on each with its own
 * rights: the ScheduledWorkflow controller starts runs with `runs create` held cluster-wide (bob's
 * `experimentId`/`serviceAccount` would point it anywhere), and the persistence agent reports any
 * Workflow labelled with a run ID, and KFP 2.17.0 updates that run whatever its namespace (a
 * CronWorkflow's workflowMetadata sets the same label). Runs and recurring runs go through the KFP API,
 * whose own ServiceAccount writes these objects; WorkflowTemplates only serve hand-made Workflows.
 */
export const USER_READ_ONLY: Rule[] = [
  { apiGroups: [ARGO.group], resources: ['workflows', 'cronworkflows', 'workflowtemplates'], verbs: READ },
  { apiGroups: ['kubeflow.org'], resources: ['scheduledworkflows'], verbs: READ },
];

/**
 * What `kubeflow-view` adds for Pipelines: the API server checks these verbs (SubjectAccessReview).
 * Not `viewers get` (KFP.viewers), the UI's check before artifact previews and live logs: the UI then
 * reads the object with the platform's root key, trusting ML Metadata to say whose it is, and any
 * user's pod can still write ML Metadata (docs/security.md, paths 4 and 6). Granting it would let bob
 * record alice's object under a run of his and read it; previews stay refused until that is closed.
 */
const VIEW: Rule[] = [
  { apiGroups: [KFP.rbacGroup], resources: ['pipelines', 'pipelines/versions', 'experiments', 'runs', 'jobs'], verbs: ['get', 'list'] },
  ...USER_READ_ONLY,
];
/** What `kubeflow-edit` adds on top (upstream's aggregate-to-kubeflow-pipelines-edit, verbs spelled out, minus USER_READ_ONLY). */
const EDIT: Rule[] = [
  { apiGroups: [KFP.rbacGroup], resources: ['pipelines', 'pipelines/versions'], verbs: ['create', 'delete', 'update'] },
  { apiGroups: [KFP.rbacGroup], resources: ['experiments'], verbs: ['archive', 'create', 'delete', 'unarchive'] },
  { apiGroups: [KFP.rbacGroup], resources: ['runs'], verbs: ['archive', 'create', 'delete', 'retry', 'terminate', 'unarchive'] },
  { apiGroups: [KFP.rbacGroup], resources: ['jobs'], verbs: ['create', 'delete', 'disable', 'enable'] },
];

/** Pipelines' share of Kubeflow's role ladder, aggregated into `kubeflow-view` and `kubeflow-edit`. */
export class PipelineUserRoles extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    for (const [role, rules] of [['view', VIEW], ['edit', EDIT]] as const) {
      checkRules(`kubeflow-pipelines-${role}`, rules);
      new k8s.KubeClusterRole(this, role, {
        metadata: { name: `microflow-pipelines-${role}`, labels: { [KUBEFLOW_ROLES.aggregateLabel(role)]: 'true' } },
        rules: rules.map((r) => ({ ...r })),
      });
    }
  }
}
