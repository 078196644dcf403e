import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { PodSet } from '../service';
import { Availability, autoscaleSpec } from './availability';
import { workloadParts, type WorkloadProps } from './base';

export interface PolicyDeploymentProps extends WorkloadProps {
  /** Replicas; with autoscaling, the least the autoscaler keeps (at least 2). @default 1 */
  readonly replicas?: number;
  /**
   * A stateless front door (the ingress gateway, the pipeline API, the UI): when the profile
   * autoscales (`scaling.autoscale`), it gets a HorizontalPodAutoscaler and its Deployment leaves
   * `replicas` to it. Any workload running more than one replica gets a PodDisruptionBudget.
   * @default false
   */
  readonly frontDoor?: boolean;
}

/** A Deployment whose pods go through the workload policy. */
export class PolicyDeployment extends Construct {
  public readonly deployment: k8s.KubeDeployment;
  public readonly serviceAccount: k8s.KubeServiceAccount;
  /** The pods, for Services, routes and NetworkPolicies. */
  public readonly pods: PodSet;
  public readonly selector: Record<string, string>;
  /** Its PodDisruptionBudget and HorizontalPodAutoscaler, when it has them. */
  public readonly availability: Availability;

  constructor(scope: Construct, id: string, props: PolicyDeploymentProps) {
    super(scope, id);
    const parts = workloadParts(this, props);
    this.serviceAccount = parts.serviceAccount;
    this.pods = parts.pods;
    this.selector = parts.selector;
    const replicas = props.replicas ?? 1;
    const autoscale = autoscaleSpec(props.policy.config, props.frontDoor, replicas);
    this.deployment = new k8s.KubeDeployment(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: parts.labels },
      spec: {
        // An autoscaled Deployment leaves replicas to its HPA: applying a number would undo every scaling.
        replicas: autoscale ? undefined : replicas,
        selector: { matchLabels: parts.selector },
        template: parts.template,
      },
    });
    this.availability = new Availability(this, 'Availability', {
      name: props.name, namespace: props.namespace, selector: parts.selector,
      target: { apiVersion: this.deployment.apiVersion, kind: this.deployment.kind }, replicas, autoscale,
    });
  }
}
