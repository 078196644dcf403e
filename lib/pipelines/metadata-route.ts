import { Construct } from 'constructs';
import { AuthorizationPolicy, AuthorizationPolicySpecAction } from '../../imports/security.istio.io';
import { GATEWAY_HTTP_PORTS } from '../auth';
import { Route, type Gateway } from '../gateway';
import type { ServiceHandle } from '../platform';
import { KFP } from './constants';

export interface MetadataReadRouteProps {
  readonly gateway: Gateway;
  /** The UI's Service: its server proxies `/ml_metadata.*` to MLMD's Envoy. */
  readonly ui: ServiceHandle;
  /** Name of the UI Service's port. */
  readonly port: string;
}

/** Names of what MetadataReadRoute renders, for people and the whole-stack checks. */
export const METADATA_ROUTE = {
  route: 'ml-metadata-read',
  /** The gateway DENY policy (istio-system) refusing every other `/ml_metadata` path. */
  policy: 'ml-metadata-read-only',
} as const;

/**
 * ML Metadata's read methods on the gateway, for the UI's run details and lineage pages: the browser
 * calls gRPC-web at `/ml_metadata.MetadataStoreService/<Method>`, from the site's root. Two controls
 * keep every write (Put*) off MLMD through the gateway (issue #18, path 6; writes reopen path 4):
 * - the route matches `Get*` only, so any other method falls to the landing page;
 * - a DENY policy on the gateway refuses every `/ml_metadata…` path that is not `Get*`, should a
 *   later route (a wider prefix, a catch-all to the UI) ever send one there.
 * Both compare the path after Envoy normalised it (`..`, `//`), case-sensitively as the UI proxies.
 * Reads are not per-user: MLMD has no namespaces, so any logged-in user reads every run's metadata
 * (docs/security.md, "knowingly left open").
 */
export class MetadataReadRoute extends Construct {
  public readonly route: Route;

  constructor(scope: Construct, id: string, props: MetadataReadRouteProps) {
    super(scope, id);
    const { gateway } = props;
    this.route = new Route(this, 'Route', {
      gateway,
      name: METADATA_ROUTE.route,
      prefix: KFP.mlmd.readPrefix,
      withinSegment: true,
      to: props.ui,
      port: props.port,
    });
    new AuthorizationPolicy(this, 'ReadOnly', {
      metadata: { name: METADATA_ROUTE.policy, namespace: gateway.workload.namespace },
      spec: {
        selector: { matchLabels: gateway.workload.selector },
        action: AuthorizationPolicySpecAction.DENY,
        rules: [{
          to: [{ operation: { ports: GATEWAY_HTTP_PORTS, paths: [`${KFP.mlmd.pathRoot}*`], notPaths: [`${KFP.mlmd.readPrefix}*`] } }],
        }],
      },
    });
  }
}
