import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { PodSet } from '../platform';

/** Annotation carrying the written reason a NetworkPolicy admits any source. */
export const ANY_SOURCE_REASON_ANNOTATION = 'microflow.dev/any-source-reason';

export interface OpenPortsProps {
  /** metadata.name of the NetworkPolicy. */
  readonly name: string;
  /** The pods whose ports are opened. */
  readonly pods: PodSet;
  /** Names of their container ports that accept any source. */
  readonly ports: string[];
  /** Why these ports must accept connections from anywhere (clients outside the cluster, the API server). */
  readonly reason: string;
}

/**
 * An ingress allow with no peer restriction, for ports whose clients are not pods: browsers and SDKs
 * through the node port or load balancer, the API server calling a webhook. Every other allow names
 * its peers (IngressAllow).
 */
export class OpenPorts extends Construct {
  constructor(scope: Construct, id: string, props: OpenPortsProps) {
    super(scope, id);
    if (!props.reason.trim()) throw new Error(`NetworkPolicy "${props.name}": say why these ports accept any source`);
    const ports = props.ports.map((name) => {
      const port = props.pods.containerPorts[name];
      if (port === undefined) throw new Error(`NetworkPolicy "${props.name}": workload "${props.pods.name}" has no container port named "${name}"`);
      return { protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) };
    });
    new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: props.name, namespace: props.pods.namespace, annotations: { [ANY_SOURCE_REASON_ANNOTATION]: props.reason } },
      spec: { podSelector: { matchLabels: props.pods.selector }, policyTypes: ['Ingress'], ingress: [{ ports }] },
    });
  }
}
