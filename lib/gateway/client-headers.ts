import { Construct } from 'constructs';
import {
  EnvoyFilter,
  EnvoyFilterSpecConfigPatchesApplyTo,
  EnvoyFilterSpecConfigPatchesMatchContext,
  EnvoyFilterSpecConfigPatchesPatchOperation,
} from '../../imports/networking.istio.io';
import type { PodSet } from '../platform';

/**
 * Request headers the gateway removes from every request before it is routed: names an app (now
 * or added later) could take for the caller's identity, which no client has a reason to send.
 * - what oauth2-proxy v7.15.6 sets toward upstreams in its other modes (nginx `auth_request`:
 *   `X-Auth-Request-*`; reverse proxy: `X-Forwarded-User`/`-Email`/`-Groups`/…), the names
 *   oauth2-proxy-aware apps trust. microflow's ext-authz copies only `authorization` upstream
 *   (lib/auth/gateway-policies.ts), so any such header an app sees came from the client;
 * - `X-Forwarded-Host`: the gateway is the edge, so a client's value is a claim about the address
 *   it used, which apps building absolute URLs (redirects, links) would believe. Nothing between
 *   client and app sets it: oauth2-proxy is not a reverse proxy (it would ignore it) and the check
 *   does not carry it; Envoy would add one only for a route rewriting the authority, and none does.
 * The identity headers themselves (`kubeflow-userid`, `kubeflow-groups`) are not here: the JWT
 * filter removes and rewrites them. Their underscore spellings are refused by Envoy (IngressGateway).
 */
export const CLIENT_HEADERS_REMOVED: readonly string[] = [
  'x-auth-request-user',
  'x-auth-request-email',
  'x-auth-request-groups',
  'x-auth-request-preferred-username',
  'x-auth-request-access-token',
  'x-auth-request-redirect',
  'x-forwarded-user',
  'x-forwarded-email',
  'x-forwarded-groups',
  'x-forwarded-preferred-username',
  'x-forwarded-access-token',
  'x-forwarded-host',
];

export interface ClientHeaderFilterProps {
  /** metadata.name of the EnvoyFilter. */
  readonly name: string;
  /** The ingress gateway's pods (the filter lives in their namespace and selects them). */
  readonly workload: PodSet;
  /** Lower-case header names to remove. @default CLIENT_HEADERS_REMOVED */
  readonly headers?: readonly string[];
}

/**
 * Removes the given headers from every request on the gateway's routes (every route configuration
 * of the gateway: microflow's VirtualServices and those notebook-controller writes). Route
 * configuration level is Envoy's least specific, evaluated last (Istio leaves
 * `most_specific_header_mutations_wins` false), so a route that sets one of these headers loses
 * it too. It runs in the router, after ext-authz and the JWT filter: neither reads these headers
 * (the check carries only authorization, cookie and accept), so no app ever sees a client's.
 */
export class ClientHeaderFilter extends Construct {
  public readonly headers: readonly string[];

  constructor(scope: Construct, id: string, props: ClientHeaderFilterProps) {
    super(scope, id);
    this.headers = props.headers ?? CLIENT_HEADERS_REMOVED;
    const bad = this.headers.filter((h) => !/^[a-z0-9-]+$/.test(h));
    if (bad.length) throw new Error(`EnvoyFilter "${props.name}": header names must be lower-case letters, digits and '-' (got ${bad.join(', ')})`);
    new EnvoyFilter(this, 'Resource', {
      metadata: { name: props.name, namespace: props.workload.namespace },
      spec: {
        workloadSelector: { labels: { ...props.workload.selector } },
        configPatches: [{
          applyTo: EnvoyFilterSpecConfigPatchesApplyTo.ROUTE_UNDERSCORE_CONFIGURATION,
          match: { context: EnvoyFilterSpecConfigPatchesMatchContext.GATEWAY },
          patch: { operation: EnvoyFilterSpecConfigPatchesPatchOperation.MERGE, value: { request_headers_to_remove: [...this.headers] } },
        }],
      },
    });
  }
}
