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

/**
 * The PriorityClass of every pod in the platform's namespaces (the workload policy sets it). Far
 * above users' pods (priority 0) and below Kubernetes' own classes (2000000000 and up), so the
 * node's DNS and network pods still come first.
 */
export const PLATFORM_PRIORITY = { name: 'microflow-platform', value: 1_000_000 } as const;

/** The value of app.kubernetes.io/part-of and /instance on every object. */
export const PART_OF = 'microflow';

/** Cluster DNS suffix for Service host names (microk8s' CoreDNS default). */
export const CLUSTER_DOMAIN = 'cluster.local';

/** In-cluster DNS name of a Service. */
export const serviceHost = (name: string, namespace: string) => `${name}.${namespace}.svc.${CLUSTER_DOMAIN}`;

/** Annotation on a Job that generates Secrets in the cluster, listing them (comma-separated). */
export const GENERATES_SECRETS_ANNOTATION = 'microflow.dev/generates-secrets';

/**
 * Annotations a component puts on one of its objects to tell `npm run deploy` what to print at the
 * end (the login component: where to log in and how to read the generated password). The deploy
 * command reads them from the rendered objects, so it needs no knowledge of any component.
 */
export const DEPLOY_HINT_ANNOTATIONS = {
  /** URL of the login page. */
  loginUrl: 'microflow.dev/login-url',
  /** A shell command that prints the generated first password. */
  passwordCommand: 'microflow.dev/password-command',
  /** A risk the configuration opted into (plain HTTP): the deploy prints it first and last. */
  warning: 'microflow.dev/deploy-warning',
} as const;

/**
 * Annotations that stop GitOps tools from ever deleting an object: Flux's garbage collection skips
 * it, Argo CD neither prunes it nor deletes it with its Application. Namespaces holding data claims
 * and generated Secrets carry them, because deleting such a namespace deletes the data.
 */
export const KEEP_ON_PRUNE_ANNOTATIONS = {
  'kustomize.toolkit.fluxcd.io/prune': 'disabled',
  'argocd.argoproj.io/sync-options': 'Prune=false,Delete=false',
} as const;
