import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { PolicyDeployment, type Endpoint, type WorkloadPolicy } from '../platform';
import { Grant, type AccessCheck, type Rule } from './access';
import { ARGO, KFP } from './constants';
import type { InstallConfig } from './install-config';

export interface PipelineControllersProps {
  readonly namespace: string;
  readonly policy: WorkloadPolicy;
  readonly installConfig: InstallConfig;
  /** `ml-pipeline` (the guard): both controllers report to the API server with a projected token. */
  readonly api: Endpoint[];
}

const TOKENS_DIR = '/var/run/secrets/kubeflow/tokens';

/** A projected token for the API server (TokenReview audience), refreshed by the kubelet. */
function tokenVolume(name: string): k8s.Volume {
  return {
    name,
    projected: { sources: [{ serviceAccountToken: { path: name, audience: KFP.tokenAudience, expirationSeconds: 3600 } }] },
  };
}

/**
 * The persistence agent (copies Workflow and ScheduledWorkflow status into the run history) and
 * the scheduled workflow controller (turns ScheduledWorkflows into Workflows). They watch the whole
 * cluster (NAMESPACE=""), as upstream's multi-user install: runs happen in users' namespaces.
 */
export class PipelineControllers extends Construct {
  public readonly access: AccessCheck[];

  constructor(scope: Construct, id: string, props: PipelineControllersProps) {
    super(scope, id);
    const { namespace, policy, installConfig: cfg } = props;
    const watchNamespace: k8s.EnvVar = { name: 'NAMESPACE', value: '' };
    const where = 'cluster' as const;

    const agentToken = 'persistenceagent-sa-token';
    // The agent serves no health endpoint: its probes check that its process is still there.
    const running = { exec: { command: ['pgrep', 'persistence'] }, timeoutSeconds: 3 };
    new PolicyDeployment(this, 'PersistenceAgent', {
      name: KFP.persistenceAgent,
      namespace,
      policy,
      connectsTo: props.api,
      pod: {
        apiAccess: true,
        containers: [{
          name: 'ml-pipeline-persistenceagent',
          image: 'kfpPersistenceAgent',
          resources: 'persistenceAgent',
          env: [
            watchNamespace,
            { name: 'TTL_SECONDS_AFTER_WORKFLOW_FINISH', value: '86400' },
            { name: 'NUM_WORKERS', value: '2' },
            { name: 'LOG_LEVEL', value: 'info' },
          ],
          readiness: { ...running, periodSeconds: 30 },
          liveness: { ...running, periodSeconds: 60 },
          volumeMounts: [{ name: agentToken, mountPath: TOKENS_DIR, readOnly: true }],
        }],
        volumes: [tokenVolume(agentToken)],
      },
    });
    const agent = { namespace, name: KFP.persistenceAgent };
    const agentRules: Rule[] = [
      { apiGroups: [ARGO.group], resources: ['workflows'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['kubeflow.org'], resources: ['scheduledworkflows'], verbs: ['get', 'list', 'watch'] },
      // Checked by the API server (SubjectAccessReview) when the agent reports.
      { apiGroups: [KFP.rbacGroup], resources: ['runs'], verbs: ['reportMetrics', 'readArtifact'] },
      { apiGroups: [KFP.rbacGroup], resources: ['workflows', 'scheduledworkflows'], verbs: ['report'] },
      { apiGroups: [''], resources: ['namespaces'], verbs: ['get'] },
    ];
    new Grant(this, 'AgentAccess', { name: KFP.persistenceAgent, serviceAccount: agent, rules: agentRules, where });

    const swfToken = 'scheduledworkflow-sa-token';
    const metrics = { tcpSocket: { port: k8s.IntOrString.fromString('metrics') }, timeoutSeconds: 3 };
    new PolicyDeployment(this, 'ScheduledWorkflow', {
      name: KFP.scheduledWorkflow,
      namespace,
      policy,
      connectsTo: props.api,
      pod: {
        apiAccess: true,
        containers: [{
          name: 'ml-pipeline-scheduledworkflow',
          image: 'kfpScheduledWorkflow',
          resources: 'scheduledWorkflow',
          env: [
            watchNamespace,
            cfg.env('CRON_SCHEDULE_TIMEZONE', 'cronScheduleTimezone'),
            { name: 'METRICS_PORT', value: String(KFP.scheduledWorkflowMetricsPort) },
            { name: 'LOG_LEVEL', value: 'info' },
            { name: 'CLIENT_QPS', value: '10' },
            { name: 'CLIENT_BURST', value: '20' },
          ],
          ports: [{ name: 'metrics', port: KFP.scheduledWorkflowMetricsPort }],
          readiness: { ...metrics, periodSeconds: 10 },
          liveness: { ...metrics, periodSeconds: 20 },
          volumeMounts: [{ name: swfToken, mountPath: TOKENS_DIR, readOnly: true }],
        }],
        volumes: [tokenVolume(swfToken)],
      },
    });
    const swf = { namespace, name: KFP.scheduledWorkflow };
    const swfRules: Rule[] = [
      { apiGroups: [ARGO.group], resources: ['workflows'], verbs: ['create', 'get', 'list', 'watch', 'update', 'patch', 'delete'] },
      { apiGroups: ['kubeflow.org'], resources: ['scheduledworkflows', 'scheduledworkflows/finalizers'], verbs: ['create', 'get', 'list', 'watch', 'update', 'patch', 'delete'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
      { apiGroups: [KFP.rbacGroup], resources: ['runs'], verbs: ['create'] },
      { apiGroups: [KFP.rbacGroup], resources: ['pipelines'], verbs: ['get'] },
    ];
    new Grant(this, 'SwfAccess', { name: KFP.scheduledWorkflow, serviceAccount: swf, rules: swfRules, where });

    this.access = [
      {
        serviceAccount: agent,
        allowed: [{ verb: 'watch', resource: 'workflows.argoproj.io' }, { verb: 'list', resource: 'scheduledworkflows.kubeflow.org' }],
        denied: [
          { verb: 'create', resource: 'workflows.argoproj.io', namespace },
          { verb: 'get', resource: 'secrets', namespace },
          { verb: 'list', resource: 'pods', namespace },
        ],
      },
      {
        serviceAccount: swf,
        allowed: [{ verb: 'create', resource: 'workflows.argoproj.io' }, { verb: 'update', resource: 'scheduledworkflows.kubeflow.org' }],
        denied: [
          { verb: 'get', resource: 'secrets', namespace },
          { verb: 'create', resource: 'pods', namespace },
          { verb: 'delete', resource: 'namespaces' },
        ],
      },
    ];
  }
}
