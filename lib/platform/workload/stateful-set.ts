import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { PodSet } from '../service';
import { Availability } from './availability';
import { workloadParts, type WorkloadProps } from './base';

/** A persistent volume each replica gets, kept when the StatefulSet is deleted or scaled down. */
export interface DataVolume {
  /** Volume (and claim template) name; containers mount it by this name. */
  readonly name: string;
  /** Requested size, e.g. "20Gi". */
  readonly size: string;
  /** StorageClass of the claim. */
  readonly storageClass: string;
}

export interface PolicyStatefulSetProps extends WorkloadProps {
  /** Headless Service that gives the pods stable DNS names. */
  readonly serviceName: string;
  /** The data volume of each replica. */
  readonly dataVolume: DataVolume;
  /** @default 1 */
  readonly replicas?: number;
  /** Parallel suits peers that form a cluster together (distributed MinIO). @default 'OrderedReady' */
  readonly podManagementPolicy?: 'OrderedReady' | 'Parallel';
}

/**
 * A StatefulSet whose pods go through the workload policy and whose data survives: claims are
 * retained on delete and on scale-down, because losing them is losing the user's work.
 */
export class PolicyStatefulSet extends Construct {
  public readonly statefulSet: k8s.KubeStatefulSet;
  public readonly serviceAccount: k8s.KubeServiceAccount;
  /** The pods, for Services, routes and NetworkPolicies. */
  public readonly pods: PodSet;
  public readonly selector: Record<string, string>;
  /** Its PodDisruptionBudget, when it runs more than one replica. */
  public readonly availability: Availability;

  constructor(scope: Construct, id: string, props: PolicyStatefulSetProps) {
    super(scope, id);
    const parts = workloadParts(this, props);
    this.serviceAccount = parts.serviceAccount;
    this.pods = parts.pods;
    this.selector = parts.selector;
    this.statefulSet = new k8s.KubeStatefulSet(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace, labels: parts.labels },
      spec: {
        replicas: props.replicas ?? 1,
        serviceName: props.serviceName,
        podManagementPolicy: props.podManagementPolicy ?? 'OrderedReady',
        selector: { matchLabels: parts.selector },
        template: parts.template,
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        volumeClaimTemplates: [
          {
            metadata: { name: props.dataVolume.name, labels: parts.selector },
            spec: {
              accessModes: ['ReadWriteOnce'],
              storageClassName: props.dataVolume.storageClass,
              resources: { requests: { storage: k8s.Quantity.fromString(props.dataVolume.size) } },
            },
          },
        ],
      },
    });
    this.availability = new Availability(this, 'Availability', {
      name: props.name, namespace: props.namespace, selector: parts.selector,
      target: { apiVersion: this.statefulSet.apiVersion, kind: this.statefulSet.kind }, replicas: props.replicas ?? 1,
    });
  }
}
