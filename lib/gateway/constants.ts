/**
 * Names and ports of the ingress path that other software addresses. One constant per fact;
 * components take the `Gateway` handle instead of spelling these.
 */
export const GATEWAY = {
  /** The Istio Gateway Kubeflow's apps attach their VirtualServices to (in `kubeflow`). */
  name: 'kubeflow-gateway',
  /** Deployment, Service and ServiceAccount of the ingress gateway (in `istio-system`), as upstream names them. */
  ingress: 'istio-ingressgateway',
  /** Pod labels upstream Gateways and AuthorizationPolicies select the ingress gateway by. */
  podLabels: { istio: 'ingressgateway', app: 'istio-ingressgateway' },
  /**
   * Lifetime of the gateway's istio-ca token (the identity istiod checks before it sends the
   * gateway its config and TLS keys): the kubelet renews it at 80%, pilot-agent rereads the file.
   * Upstream's injection template asks for 12 hours; a leaked copy is good for one at most.
   */
  istioTokenSeconds: 3600,
  /**
   * The Gateway and VirtualService (in `istio-system`) that answer the HTTP port with a redirect to
   * HTTPS; only objects of that namespace can attach to it.
   */
  httpsRedirect: 'http-to-https',
  /**
   * HSTS on every route's responses: one year, this host only. No includeSubDomains or preload: they
   * would commit other hosts of the domain, which microflow does not serve.
   */
  strictTransportSecurity: 'max-age=31536000',
  /** The EnvoyFilter removing identity look-alike headers clients send (client-headers.ts). */
  clientHeaderFilter: 'gateway-remove-client-identity-headers',
  /**
   * The ingress gateway's ports. Envoy listens on unprivileged container ports (no
   * `ip_unprivileged_port_start` sysctl, no capability); the Service maps 80/443 onto them and
   * istiod translates a Gateway server's port through the Service's targetPort.
   */
  ports: {
    http: { name: 'http2', port: 80, containerPort: 8080 },
    https: { name: 'https', port: 443, containerPort: 8443 },
    /**
     * pilot-agent's health endpoint (/healthz/ready): the kubelet probes it on the pod, so it is not
     * on the Service (no node port) and no NetworkPolicy opens it (traffic from the pod's own node is
     * always admitted). Add it back only for a load balancer that probes the gateway through it.
     */
    status: { name: 'status-port', port: 15021, containerPort: 15021 },
    /** Envoy's Prometheus metrics. */
    metrics: { name: 'http-envoy-prom', port: 15090, containerPort: 15090 },
  },
} as const;

/** istiod's Service and ports, as the vendored release declares them. */
export const ISTIOD = {
  name: 'istiod',
  /** XDS and certificate signing (mTLS), what proxies connect to. */
  xdsPort: 15012,
  /** The mesh ConfigMap istiod reads (`mesh` key). */
  meshConfigMap: 'istio',
  /** ConfigMap istiod publishes in every namespace with its root certificate. */
  rootCertConfigMap: 'istio-ca-root-cert',
  /** Audience of the token proxies present to istiod. */
  tokenAudience: 'istio-ca',
} as const;

/** Istio's trust domain and cluster ID defaults (single cluster). */
export const TRUST_DOMAIN = 'cluster.local';
export const ISTIO_CLUSTER_ID = 'Kubernetes';
