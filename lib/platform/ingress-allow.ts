import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';

/** A set of peers allowed in: pods with labels, optionally in another namespace. */
export interface Peer {
  /** Labels the client pods carry. @default - any pod */
  readonly podLabels?: Record<string, string>;
  /** Namespace of the client pods. @default - the policy's own namespace */
  readonly namespace?: string;
}

export interface IngressAllowProps {
  /** metadata.name of the NetworkPolicy. */
  readonly name: string;
  /** Namespace of the pods being protected. */
  readonly namespace: string;
  /** Labels of the pods being protected. */
  readonly podSelector: Record<string, string>;
  /** Who may connect. */
  readonly from: Peer[];
  /** TCP ports they may connect to. */
  readonly ports: number[];
}

/** An explicit ingress allow on top of the namespace's default deny. */
export class IngressAllow extends Construct {
  constructor(scope: Construct, id: string, props: IngressAllowProps) {
    super(scope, id);
    if (props.from.length === 0) throw new Error(`NetworkPolicy "${props.name}": an allow needs at least one peer`);
    new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: props.name, namespace: props.namespace },
      spec: {
        podSelector: { matchLabels: props.podSelector },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: props.from.map((p) => ({
              podSelector: { matchLabels: p.podLabels ?? {} },
              ...(p.namespace ? { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': p.namespace } } } : {}),
            })),
            ports: props.ports.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) })),
          },
        ],
      },
    });
  }
}
