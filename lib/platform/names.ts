/**
 * Names other software addresses microflow's objects by. One constant per fact; never spell these
 * as literals elsewhere.
 */
export const NAMESPACES = {
  /** Kubeflow's well-known namespace: pipelines, notebooks controller, web apps, MySQL, object store. */
  kubeflow: 'kubeflow',
  /** Dex, the OIDC identity provider. */
  auth: 'auth',
  /** oauth2-proxy, the login gate in front of every app. */
  oauth2Proxy: 'oauth2-proxy',
  /** Istio's ingress gateway. */
  istio: 'istio-system',
} as const;

export type NamespaceName = (typeof NAMESPACES)[keyof typeof NAMESPACES];

/** The value of app.kubernetes.io/part-of and /instance on every object. */
export const PART_OF = 'microflow';

/** Cluster DNS suffix for Service host names (microk8s' CoreDNS default). */
export const CLUSTER_DOMAIN = 'cluster.local';

/** In-cluster DNS name of a Service. */
export const serviceHost = (name: string, namespace: string) => `${name}.${namespace}.svc.${CLUSTER_DOMAIN}`;
