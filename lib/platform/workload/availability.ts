import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { Config } from '../../config';

/** The HorizontalPodAutoscaler a front door gets when the profile autoscales. */
export interface AutoscaleSpec {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly targetCpuPercent: number;
}

/**
 * Whether and how a workload autoscales: only `frontDoor` workloads (stateless, behind the gateway:
 * the ingress gateway, the pipeline API, the UI), only when the profile says `scaling.autoscale`.
 * At least 2 replicas then, so a node drain or a rollout never takes the front door away.
 */
export function autoscaleSpec(config: Pick<Config, 'scaling'>, frontDoor: boolean | undefined, replicas: number): AutoscaleSpec | undefined {
  if (!frontDoor || !config.scaling.autoscale) return undefined;
  const minReplicas = Math.max(2, replicas);
  return { minReplicas, maxReplicas: Math.max(minReplicas, config.scaling.maxReplicas), targetCpuPercent: config.scaling.targetCpuPercent };
}

export interface AvailabilityProps {
  /** metadata.name of the workload; the HPA and PDB take the same name. */
  readonly name: string;
  readonly namespace: string;
  /** The workload's pod selector. */
  readonly selector: Record<string, string>;
  /** The scaled object. */
  readonly target: { readonly apiVersion: string; readonly kind: string };
  /** Fixed replicas (when not autoscaled). */
  readonly replicas: number;
  /** Autoscaling, or undefined for a fixed replica count. */
  readonly autoscale?: AutoscaleSpec;
}

/**
 * What keeps a replicated workload available: a PodDisruptionBudget whenever it runs more than one
 * replica (drains evict one pod at a time), and a HorizontalPodAutoscaler when it autoscales.
 */
export class Availability extends Construct {
  public readonly hpa?: k8s.KubeHorizontalPodAutoscalerV2;
  public readonly pdb?: k8s.KubePodDisruptionBudget;

  constructor(scope: Construct, id: string, props: AvailabilityProps) {
    super(scope, id);
    const metadata = { name: props.name, namespace: props.namespace };
    if (props.autoscale) {
      const a = props.autoscale;
      this.hpa = new k8s.KubeHorizontalPodAutoscalerV2(this, 'Hpa', {
        metadata,
        spec: {
          scaleTargetRef: { apiVersion: props.target.apiVersion, kind: props.target.kind, name: props.name },
          minReplicas: a.minReplicas,
          maxReplicas: a.maxReplicas,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: a.targetCpuPercent } } }],
        },
      });
    }
    const least = props.autoscale?.minReplicas ?? props.replicas;
    if (least > 1) {
      this.pdb = new k8s.KubePodDisruptionBudget(this, 'Pdb', {
        metadata,
        spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: props.selector } },
      });
    }
  }
}
