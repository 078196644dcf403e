import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { serviceHost } from './names';

/**
 * The pods of one workload, as a Service, a route or a NetworkPolicy needs to know them. Workload
 * constructs expose one (`pods`), so nothing downstream repeats a selector or a port number.
 */
export interface PodSet {
  /** metadata.name of the workload (for messages and reports). */
  readonly name: string;
  /** Namespace the pods run in. */
  readonly namespace: string;
  /** Labels that select exactly these pods. */
  readonly selector: Record<string, string>;
  /** Every label on the pod template (selector, version, client labels). */
  readonly labels: Record<string, string>;
  /** Container ports by name, across the pod's main containers. */
  readonly containerPorts: Record<string, number>;
}

/** One port of a Service, resolved down to the container port NetworkPolicies are matched against. */
export interface ServicePort {
  /** Service port name; the prefix tells Istio the protocol (`http-`, `grpc-`, `tcp-`). */
  readonly name: string;
  /** Port clients connect to on the Service. */
  readonly port: number;
  /** Name of the container port it forwards to. */
  readonly targetPort: string;
  /** Number of that container port: NetworkPolicy ports are matched against this, not the Service port. */
  readonly containerPort: number;
  /** `appProtocol` of the Service port. @default - none */
  readonly appProtocol?: string;
  /** Fixed node port (NodePort and LoadBalancer Services). @default - none */
  readonly nodePort?: number;
}

/** A Service and its ports: what clients, routes and NetworkPolicies take instead of host strings. */
export interface ServiceHandle {
  /** metadata.name of the Service. */
  readonly name: string;
  /** Namespace of the Service. */
  readonly namespace: string;
  /** Fully qualified in-cluster host name. */
  readonly host: string;
  /** The pods behind the Service. */
  readonly pods: PodSet;
  /** Every port the Service exposes. */
  readonly ports: readonly ServicePort[];
  /** A port by its Service port name; throws (at synth time) when the Service has no such port. */
  port(name: string): ServicePort;
}

/** A port to expose: a Service port number in front of a named container port. */
export interface ServicePortSpec {
  /** Service port name, with Istio's protocol prefix (`http-`, `grpc-`, `tcp-`). */
  readonly name: string;
  /** Port clients connect to. */
  readonly port: number;
  /** Name of the container port on the pods; must exist on them. */
  readonly targetPort: string;
  /** `appProtocol` of the port. @default - none */
  readonly appProtocol?: string;
  /** Fixed node port (NodePort and LoadBalancer Services only). @default - none (allocated, if any) */
  readonly nodePort?: number;
}

export interface MicroflowServiceProps {
  /** metadata.name of the Service. */
  readonly name: string;
  /** The pods behind it (a workload's `pods`). */
  readonly pods: PodSet;
  /** Ports to expose; at least one. */
  readonly ports: ServicePortSpec[];
  /** Headless (no cluster IP): clients resolve the pods directly. @default false */
  readonly headless?: boolean;
  /** Publish pods before they are ready (peers that must find each other to become ready). @default false */
  readonly publishNotReadyAddresses?: boolean;
  /** How the Service is exposed outside the cluster. @default 'ClusterIP' */
  readonly type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
}

/**
 * A Service in front of a workload's pods whose target ports are checked against the pods' named
 * container ports at synth time: a Service can never point at a port nothing listens on.
 */
export class MicroflowService extends Construct implements ServiceHandle {
  public readonly name: string;
  public readonly namespace: string;
  public readonly host: string;
  public readonly pods: PodSet;
  public readonly ports: readonly ServicePort[];

  constructor(scope: Construct, id: string, props: MicroflowServiceProps) {
    super(scope, id);
    if (props.ports.length === 0) throw new Error(`Service "${props.name}": expose at least one port`);
    const type = props.type ?? 'ClusterIP';
    for (const p of props.ports) {
      if (p.nodePort !== undefined && (type === 'ClusterIP' || props.headless)) {
        throw new Error(`Service "${props.name}" port "${p.name}": a nodePort needs type NodePort or LoadBalancer, not ${props.headless ? 'a headless Service' : type}`);
      }
    }
    this.name = props.name;
    this.namespace = props.pods.namespace;
    this.host = serviceHost(props.name, this.namespace);
    this.pods = props.pods;
    this.ports = props.ports.map((p) => {
      const containerPort = props.pods.containerPorts[p.targetPort];
      if (containerPort === undefined) {
        const known = Object.keys(props.pods.containerPorts);
        throw new Error(`Service "${props.name}" port "${p.name}": workload "${props.pods.name}" has no container port named "${p.targetPort}" (it has: ${known.join(', ') || 'none'})`);
      }
      return { ...p, containerPort };
    });
    new k8s.KubeService(this, 'Resource', {
      metadata: { name: props.name, namespace: this.namespace },
      spec: {
        ...(props.headless ? { clusterIp: 'None' } : {}),
        ...(props.publishNotReadyAddresses ? { publishNotReadyAddresses: true } : {}),
        ...(type !== 'ClusterIP' ? { type } : {}),
        selector: props.pods.selector,
        ports: this.ports.map((p) => ({
          name: p.name,
          port: p.port,
          targetPort: k8s.IntOrString.fromString(p.targetPort),
          ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
          ...(p.nodePort !== undefined ? { nodePort: p.nodePort } : {}),
        })),
      },
    });
  }

  public port(name: string): ServicePort {
    const hit = this.ports.find((p) => p.name === name);
    if (!hit) throw new Error(`Service "${this.namespace}/${this.name}" has no port named "${name}" (it has: ${this.ports.map((p) => p.name).join(', ')})`);
    return hit;
  }
}
