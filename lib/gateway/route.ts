import { Construct, type IConstruct } from 'constructs';
import { VirtualService } from '../../imports/networking.istio.io';
import { DNS_LABEL } from '../config';
import { declareConnection, IngressAllow, type ServiceHandle } from '../platform';
import type { Gateway } from './handles';

export interface RouteProps {
  /** The gateway the route attaches to. */
  readonly gateway: Gateway;
  /** metadata.name of the VirtualService (and, suffixed, of its NetworkPolicy). */
  readonly name: string;
  /** URI prefix, starting and ending in '/', e.g. '/pipeline/' (see `withinSegment`). */
  readonly prefix: string;
  /**
   * Let the prefix end inside a path segment, e.g. `/ml_metadata.MetadataStoreService/Get`: every
   * gRPC method whose name starts with `Get`, and no other. The prefix then must not end in '/'.
   * @default false - the prefix ends in '/', so `/pipeline/` never serves `/pipelinex`
   */
  readonly withinSegment?: boolean;
  /** Target Service (a typed handle, never a host string). */
  readonly to: ServiceHandle;
  /** Name of the target Service's port. */
  readonly port: string;
  /** Rewrite the prefix to this before forwarding, e.g. '/'. @default - no rewrite */
  readonly rewrite?: string;
  /** Per-request timeout, e.g. "300s" (long uploads, streaming logs). @default - Istio's default (none) */
  readonly timeout?: string;
}

/** What a route sends where, as the whole-stack checks and the login side read it. */
export interface RouteInfo {
  readonly name: string;
  readonly namespace: string;
  readonly prefix: string;
  readonly to: ServiceHandle;
  readonly port: string;
  readonly gateway: Gateway;
}

const ROUTES = new WeakMap<IConstruct, RouteInfo[]>();

/** Every route declared under this tree's root (the App), in declaration order. */
export function routesOf(scope: IConstruct): readonly RouteInfo[] {
  return ROUTES.get(scope.node.root) ?? [];
}

/** Suffix of the NetworkPolicy that admits the gateway to a route's pods. */
export const ROUTE_POLICY_SUFFIX = '-from-gateway';

/**
 * One call per path: a VirtualService on the gateway for `prefix` → the Service port, the
 * NetworkPolicy that admits the gateway's pods on the target pods' container port (the namespace
 * denies ingress by default), and the declared connection the reachability check proves. A route
 * to a port the Service does not have, or a prefix another route already serves, fails at synth.
 */
export class Route extends Construct implements RouteInfo {
  public readonly name: string;
  public readonly namespace: string;
  public readonly prefix: string;
  public readonly to: ServiceHandle;
  public readonly port: string;
  public readonly gateway: Gateway;
  public readonly virtualService: VirtualService;

  constructor(scope: Construct, id: string, props: RouteProps) {
    super(scope, id);
    const where = `Route "${props.name}"`;
    if (!DNS_LABEL.test(props.name) || props.name.length > 63 - ROUTE_POLICY_SUFFIX.length) {
      throw new Error(`${where}: the name must be a DNS label of at most ${63 - ROUTE_POLICY_SUFFIX.length} characters`);
    }
    if (props.withinSegment) {
      if (!/^\/([-._~a-zA-Z0-9]+\/)*[-._~a-zA-Z0-9]+$/.test(props.prefix)) {
        throw new Error(`${where}: with withinSegment, prefix must start with "/" and end inside a segment (e.g. "/a.B/Get"), got ${JSON.stringify(props.prefix)}`);
      }
    } else if (!/^\/([-._~a-zA-Z0-9]+\/)*$/.test(props.prefix)) {
      throw new Error(`${where}: prefix must start and end with "/" (e.g. "/pipeline/"), got ${JSON.stringify(props.prefix)}`);
    }
    if (props.rewrite !== undefined && !props.rewrite.startsWith('/')) {
      throw new Error(`${where}: rewrite must start with "/", got ${JSON.stringify(props.rewrite)}`);
    }
    let port;
    try {
      port = props.to.port(props.port);
    } catch (e) {
      throw new Error(`${where} → ${props.to.namespace}/${props.to.name}: ${(e as Error).message}`, { cause: e });
    }
    const routes = ROUTES.get(this.node.root) ?? [];
    const clash = routes.find((r) => r.gateway === props.gateway && r.prefix === props.prefix);
    if (clash) throw new Error(`${where}: prefix ${props.prefix} is already routed by "${clash.name}"`);
    ROUTES.set(this.node.root, [...routes, this]);

    this.name = props.name;
    this.namespace = props.to.namespace;
    this.prefix = props.prefix;
    this.to = props.to;
    this.port = props.port;
    this.gateway = props.gateway;

    this.virtualService = new VirtualService(this, 'Resource', {
      metadata: { name: props.name, namespace: this.namespace },
      spec: {
        // Any host: the platform must answer on https://<node address>:<port> as well as on its domain.
        hosts: ['*'],
        gateways: [`${props.gateway.namespace}/${props.gateway.name}`],
        http: [{
          name: props.name,
          match: [{ uri: { prefix: props.prefix } }],
          ...(props.rewrite !== undefined ? { rewrite: { uri: props.rewrite } } : {}),
          route: [{ destination: { host: props.to.host, port: { number: port.port } } }],
          // HSTS on every route: a host needs it once, and every login passes /oauth2/ and the landing page.
          ...(props.gateway.strictTransportSecurity
            ? { headers: { response: { set: { 'Strict-Transport-Security': props.gateway.strictTransportSecurity } } } }
            : {}),
          ...(props.timeout ? { timeout: props.timeout } : {}),
        }],
      },
    });
    new IngressAllow(this, 'FromGateway', {
      name: `${props.name}${ROUTE_POLICY_SUFFIX}`,
      pods: props.to.pods,
      ports: [port.targetPort],
      from: [{ podLabels: props.gateway.workload.selector, namespace: props.gateway.workload.namespace }],
    });
    declareConnection(this, { from: props.gateway.workload, to: props.to, port: props.port });
  }
}
