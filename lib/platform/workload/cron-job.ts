import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { PodSet } from '../service';
import { workloadParts, type WorkloadProps } from './base';

export interface PolicyCronJobProps extends WorkloadProps {
  /** Five-field cron schedule. */
  readonly schedule: string;
  /** Retries per run. @default 2 */
  readonly backoffLimit?: number;
  /** Hard stop for one run, in seconds. @default 3600 */
  readonly activeDeadlineSeconds?: number;
}

/** A CronJob whose pods go through the workload policy; runs never overlap. */
export class PolicyCronJob extends Construct {
  public readonly cronJob: k8s.KubeCronJob;
  public readonly serviceAccount: k8s.KubeServiceAccount;
  /** The pods, for Services, routes and NetworkPolicies. */
  public readonly pods: PodSet;

  constructor(scope: Construct, id: string, props: PolicyCronJobProps) {
    super(scope, id);
    const parts = workloadParts(this, { ...props, pod: { restartPolicy: 'OnFailure', ...props.pod } });
    this.serviceAccount = parts.serviceAccount;
    this.pods = parts.pods;
    this.cronJob = new k8s.KubeCronJob(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: parts.labels },
      spec: {
        schedule: props.schedule,
        concurrencyPolicy: 'Forbid',
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          spec: {
            backoffLimit: props.backoffLimit ?? 2,
            activeDeadlineSeconds: props.activeDeadlineSeconds ?? 3600,
            template: parts.template,
          },
        },
      },
    });
  }
}
