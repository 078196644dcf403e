import type { IConstruct } from 'constructs';
import type { ServiceHandle } from './service';

/**
 * How a client reaches a server: one port of its Service, and the labels the server's NetworkPolicy
 * admits. Servers hand these out (`Database.server`, `ObjectStore.server`, later routes and APIs);
 * workloads list the ones they use (`connectsTo`), which labels their pods and records the connection.
 */
export interface Endpoint {
  /** The server's Service. */
  readonly service: ServiceHandle;
  /** Service port name the client uses. */
  readonly port: string;
  /** Labels a client pod carries so the server's NetworkPolicy admits it. */
  readonly clientLabels: Record<string, string>;
}

/** A client → server relationship the stack declares; the reachability check proves each one. */
export interface Connection {
  /** The client pods. */
  readonly from: {
    /** Workload name (for reports). */
    readonly name: string;
    readonly namespace: string;
    /** Every label on the client's pod template. */
    readonly labels: Record<string, string>;
  };
  /** The server's Service. */
  readonly to: ServiceHandle;
  /** Service port name. */
  readonly port: string;
}

const REGISTRY = new WeakMap<IConstruct, Connection[]>();

/** Records a connection on the construct tree's root (the App), where `connectionsOf` finds it. */
export function declareConnection(scope: IConstruct, connection: Connection): void {
  connection.to.port(connection.port); // a connection to a port the Service lacks fails at synth time
  const root = scope.node.root;
  if (!REGISTRY.has(root)) REGISTRY.set(root, []);
  REGISTRY.get(root)!.push(connection);
}

/** Every connection declared under this tree's root, in declaration order. */
export function connectionsOf(scope: IConstruct): readonly Connection[] {
  return REGISTRY.get(scope.node.root) ?? [];
}
