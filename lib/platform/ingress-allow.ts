import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { Endpoint } from './connections';
import type { PodSet } from './service';

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
  /** The pods being protected (a workload's `pods`); the policy lives in their namespace. */
  readonly pods: PodSet;
  /**
   * Names of the container ports they may connect to. NetworkPolicy ports are matched against the
   * destination pod's port, not the Service port, so they are resolved from the pods themselves.
   */
  readonly ports: string[];
  /** Who may connect. */
  readonly from: Peer[];
}

/** An explicit ingress allow on top of the namespace's default deny. */
export class IngressAllow extends Construct {
  /** Admits an endpoint's clients (pods carrying its client labels) on its port, from the given namespaces. */
  public static forEndpoint(scope: Construct, id: string, props: {
    /** metadata.name of the NetworkPolicy. */
    readonly name: string;
    /** The endpoint whose clients are admitted. */
    readonly endpoint: Endpoint;
    /** Namespaces clients may also come from, besides the server's own. @default - none */
    readonly namespaces?: string[];
  }): IngressAllow {
    const { endpoint } = props;
    return new IngressAllow(scope, id, {
      name: props.name,
      pods: endpoint.service.pods,
      ports: [endpoint.service.port(endpoint.port).targetPort],
      from: [
        { podLabels: endpoint.clientLabels },
        ...(props.namespaces ?? []).map((namespace) => ({ podLabels: endpoint.clientLabels, namespace })),
      ],
    });
  }

  constructor(scope: Construct, id: string, props: IngressAllowProps) {
    super(scope, id);
    if (props.from.length === 0) throw new Error(`NetworkPolicy "${props.name}": an allow needs at least one peer`);
    if (props.ports.length === 0) throw new Error(`NetworkPolicy "${props.name}": an allow needs at least one port`);
    const ports = props.ports.map((name) => {
      const port = props.pods.containerPorts[name];
      if (port === undefined) {
        throw new Error(`NetworkPolicy "${props.name}": workload "${props.pods.name}" has no container port named "${name}" (it has: ${Object.keys(props.pods.containerPorts).join(', ') || 'none'})`);
      }
      return port;
    });
    new k8s.KubeNetworkPolicy(this, 'Resource', {
      metadata: { name: props.name, namespace: props.pods.namespace },
      spec: {
        podSelector: { matchLabels: props.pods.selector },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: props.from.map(peer),
            ports: ports.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) })),
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
