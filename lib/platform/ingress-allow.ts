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
            from: props.from.map(peer),
            ports: props.ports.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) })),
          },
        ],
      },
    });
  }
}

/**
 * One `from` entry, written the way the API server stores it: an empty selector is `{}`, never
 * `{ matchLabels: {} }`, or every apply would show a diff and bump the policy's generation.
 */
function peer(p: Peer): k8s.NetworkPolicyPeer {
  const pods = p.podLabels && Object.keys(p.podLabels).length ? { matchLabels: p.podLabels } : {};
  if (!p.namespace) return { podSelector: pods };
  const namespaceSelector = { matchLabels: { 'kubernetes.io/metadata.name': p.namespace } };
  return Object.keys(pods).length ? { podSelector: pods, namespaceSelector } : { namespaceSelector };
}
