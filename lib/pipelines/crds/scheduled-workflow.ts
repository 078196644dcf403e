import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';

const time = { type: 'string', format: 'date-time' };
const schedule = (extra: Record<string, unknown>) => ({
  type: 'object',
  properties: { startTime: time, endTime: time, ...extra },
});

/**
 * KFP's ScheduledWorkflow (kubeflow.org/v1beta1), the recurring-run object the API server creates
 * and the scheduled workflow controller turns into Workflows. Field names and meanings follow
 * backend/src/crd/pkg/apis/scheduledworkflow/v1beta1/types.go; the embedded Workflow spec and the
 * status stay open, as upstream's CRD leaves them. No status subresource: the controller writes
 * status with a plain update (`+genclient:noStatus`).
 */
export function scheduledWorkflowCrdSpec(): k8s.CustomResourceDefinitionSpec {
  return {
    group: 'kubeflow.org',
    names: { kind: 'ScheduledWorkflow', listKind: 'ScheduledWorkflowList', plural: 'scheduledworkflows', singular: 'scheduledworkflow', shortNames: ['swf'] },
    scope: 'Namespaced',
    versions: [{
      name: 'v1beta1',
      served: true,
      storage: true,
      schema: {
        openApiv3Schema: {
          type: 'object',
          required: ['spec'],
          properties: {
            apiVersion: { type: 'string' },
            kind: { type: 'string' },
            metadata: { type: 'object' },
            spec: {
              type: 'object',
              xKubernetesPreserveUnknownFields: true,
              properties: {
                enabled: { type: 'boolean', description: 'If the schedule is disabled, it does not create any new workflow.' },
                maxConcurrency: { type: 'integer', format: 'int64', minimum: 1, maximum: 10, description: 'Max number of created workflows that can coexist (default 1).' },
                noCatchup: { type: 'boolean', description: 'Only schedule the last missed period when the controller cannot catch up.' },
                maxHistory: { type: 'integer', format: 'int64', minimum: 0, maximum: 100, description: 'Completed workflows to keep track of (default 10).' },
                trigger: {
                  type: 'object',
                  properties: {
                    cronSchedule: schedule({ cron: { type: 'string' } }),
                    periodicSchedule: schedule({ intervalSecond: { type: 'integer', format: 'int64' } }),
                  },
                },
                workflow: {
                  type: 'object',
                  properties: {
                    parameters: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, value: { type: 'string' } } } },
                    spec: { type: 'object', xKubernetesPreserveUnknownFields: true },
                  },
                },
                serviceAccount: { type: 'string' },
                pipelineId: { type: 'string' },
                pipelineName: { type: 'string' },
                pipelineVersionId: { type: 'string' },
                experimentId: { type: 'string' },
              },
            },
            status: { type: 'object', xKubernetesPreserveUnknownFields: true },
          },
        },
      },
    }],
  };
}

export const SCHEDULED_WORKFLOW_CRD = 'scheduledworkflows.kubeflow.org';

/** The ScheduledWorkflow CRD. */
export class ScheduledWorkflowCrd extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new k8s.KubeCustomResourceDefinition(this, 'Resource', { metadata: { name: SCHEDULED_WORKFLOW_CRD }, spec: scheduledWorkflowCrdSpec() });
  }
}
