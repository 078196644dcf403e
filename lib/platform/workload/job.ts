import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { PodSet } from '../service';
import { workloadParts, type WorkloadProps } from './base';

export interface PolicyJobProps extends WorkloadProps {
  /** Retries before the Job is marked failed. @default 6 */
  readonly backoffLimit?: number;
  /** Hard stop for the whole Job, in seconds. @default 900 */
  readonly activeDeadlineSeconds?: number;
}

/**
 * A one-shot Job whose pod goes through the workload policy. Jobs here must be idempotent: GitOps
 * tools and a second `kubectl apply` may run them again.
 */
export class PolicyJob extends Construct {
  public readonly job: k8s.KubeJob;
  public readonly serviceAccount: k8s.KubeServiceAccount;
  /** The pods, for Services, routes and NetworkPolicies. */
  public readonly pods: PodSet;

  constructor(scope: Construct, id: string, props: PolicyJobProps) {
    super(scope, id);
    const parts = workloadParts(this, { ...props, pod: { restartPolicy: 'OnFailure', ...props.pod } });
    this.serviceAccount = parts.serviceAccount;
    this.pods = parts.pods;
    this.job = new k8s.KubeJob(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: parts.labels },
      spec: {
        backoffLimit: props.backoffLimit ?? 6,
        activeDeadlineSeconds: props.activeDeadlineSeconds ?? 900,
        template: parts.template,
      },
    });
  }
}
