import type { PodSet, ServiceHandle } from '../platform';

/**
 * An Envoy external-authorization provider of istiod's mesh config (`extensionProviders`,
 * `envoyExtAuthzHttp`); a CUSTOM AuthorizationPolicy on the gateway names it as its provider.
 */
export interface ExtAuthzProvider {
  /** Provider name, referenced by `spec.provider.name` of CUSTOM AuthorizationPolicies. */
  readonly name: string;
  /** The authorization server's Service. */
  readonly service: ServiceHandle;
  /** Name of the Service port the gateway calls. */
  readonly port: string;
  /** Request headers sent to the authorization server. @default - Istio's default (none but the basics) */
  readonly includeRequestHeadersInCheck?: string[];
  /** Headers of the server's OK response copied onto the upstream request. @default - none */
  readonly headersToUpstreamOnAllow?: string[];
  /** Headers of the server's denial copied onto the response to the client. @default - all */
  readonly headersToDownstreamOnDeny?: string[];
  /** Timeout of one check, e.g. "10s". @default - Istio's default (600s) */
  readonly timeout?: string;
}

/** The platform's one ingress: the Istio Gateway every route attaches to, and the pods behind it. */
export interface Gateway {
  /** The Istio Gateway every route attaches to: `kubeflow-gateway`. */
  readonly name: string;
  /** Its namespace: `kubeflow`. */
  readonly namespace: string;
  /**
   * The ingress gateway's pods (istio-system). Their `selector` is the selector of gateway-level
   * AuthorizationPolicies/RequestAuthentications; NetworkPolicies admit them as a peer.
   */
  readonly workload: PodSet;
  /** The URL(s) users reach the platform on (scheme://host[:port]), for redirect URLs and cookies. HTTPS first. */
  readonly externalUrls: readonly string[];
  /**
   * Whether apps are served on plain HTTP too (`gateway.plainHttp`, an opt-out): then cookies cannot
   * be Secure. Otherwise the HTTP port only redirects to HTTPS.
   */
  readonly plainHttp: boolean;
  /** The gateway's container ports on which requests are routed to apps: the policies' ports. */
  readonly routedPorts: readonly number[];
  /** The Strict-Transport-Security value every route's responses carry. @default - none (plain HTTP) */
  readonly strictTransportSecurity?: string;
  /**
   * Adds an envoyExtAuthzHttp provider to istiod's mesh config (extensionProviders), admits the
   * gateway's pods to the provider's pods (NetworkPolicy) and declares the connection.
   */
  addExtensionProvider(provider: ExtAuthzProvider): void;
}
