import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { KUBEFLOW_ROLES } from '../users';
import { checkRules, type Rule } from './access';
import { ARGO, KFP } from './constants';

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'update', 'patch', 'delete'];

/** What `kubeflow-view` adds for Pipelines: the API server checks these verbs (SubjectAccessReview). */
const VIEW: Rule[] = [
  { apiGroups: [KFP.rbacGroup], resources: ['pipelines', 'pipelines/versions', 'experiments', 'runs', 'jobs'], verbs: ['get', 'list'] },
  { apiGroups: [ARGO.group], resources: ['workflows', 'cronworkflows', 'workflowtemplates'], verbs: READ },
  { apiGroups: ['kubeflow.org'], resources: ['scheduledworkflows'], verbs: READ },
];
/** What `kubeflow-edit` adds on top (upstream's aggregate-to-kubeflow-pipelines-edit, verbs spelled out). */
const EDIT: Rule[] = [
  { apiGroups: [KFP.rbacGroup], resources: ['pipelines', 'pipelines/versions'], verbs: ['create', 'delete', 'update'] },
  { apiGroups: [KFP.rbacGroup], resources: ['experiments'], verbs: ['archive', 'create', 'delete', 'unarchive'] },
  { apiGroups: [KFP.rbacGroup], resources: ['runs'], verbs: ['archive', 'create', 'delete', 'retry', 'terminate', 'unarchive'] },
  { apiGroups: [KFP.rbacGroup], resources: ['jobs'], verbs: ['create', 'delete', 'disable', 'enable'] },
  { apiGroups: [ARGO.group], resources: ['workflows', 'cronworkflows', 'workflowtemplates'], verbs: WRITE },
  { apiGroups: ['kubeflow.org'], resources: ['scheduledworkflows'], verbs: WRITE },
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
