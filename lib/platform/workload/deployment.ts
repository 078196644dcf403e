import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { PodSet } from '../service';
import { workloadParts, type WorkloadProps } from './base';

export interface PolicyDeploymentProps extends WorkloadProps {
  /** @default 1 */
  readonly replicas?: number;
}

/** A Deployment whose pods go through the workload policy. */
export class PolicyDeployment extends Construct {
  public readonly deployment: k8s.KubeDeployment;
  public readonly serviceAccount: k8s.KubeServiceAccount;
  /** The pods, for Services, routes and NetworkPolicies. */
  public readonly pods: PodSet;
  public readonly selector: Record<string, string>;

  constructor(scope: Construct, id: string, props: PolicyDeploymentProps) {
    super(scope, id);
    const parts = workloadParts(this, props);
    this.serviceAccount = parts.serviceAccount;
    this.pods = parts.pods;
    this.selector = parts.selector;
    this.deployment = new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: parts.labels },
      spec: {
        replicas: props.replicas ?? 1,
        selector: { matchLabels: parts.selector },
        template: parts.template,
      },
    });
  }
}
