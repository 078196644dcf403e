import { z } from 'zod';
import { IMAGE_KEYS, isPinned } from './images';
import { COMPONENT_KEYS } from './components';
import { jupyterSchema, notebookProblems, notebookSchema, tensorboardSchema } from './notebooks-schema';
import { cpuMillis, cpuQuantity, memoryBytes, memoryQuantity } from './quantity';
import { quotaIssues } from './quota-rules';
import { loginSchema, userIssues, userNamespaceSchema, usersSchema } from './users';
import { count } from './validators';

/**
 * The configuration schema: the single source of truth for what a microflow configuration may say.
 * TypeScript types derive from it, so library users and YAML users are checked by the same rules.
 * Every object is strict: an unknown key (a typo) is an error, never silently ignored.
 */

export const PROFILES = ['laptop', 'gpu-workstation', 'cluster'] as const;

const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
/** Five-field cron, as the CronJob controller accepts it (no seconds field). */
const CRON = /^(\S+\s+){4}\S+$/;

const dnsSubdomain = (what: string) =>
  z.string({ error: `expected ${what} as a string` }).regex(DNS_SUBDOMAIN, {
    error: (iss) => `expected ${what}: lowercase letters, digits, '-' and '.', got ${JSON.stringify(iss.input)}`,
  });

const labelKey = z.string({ error: 'expected a label key string' }).regex(LABEL_KEY, {
  error: (iss) => `expected a Kubernetes label key such as "nvidia.com/gpu.present", got ${JSON.stringify(iss.input)}`,
});

export const resourceSpecSchema = z.strictObject({
  requests: z.strictObject({ cpu: cpuQuantity, memory: memoryQuantity }),
  limits: z.strictObject({ cpu: cpuQuantity, memory: memoryQuantity }),
});

const imageRef = z.string({ error: 'expected an image reference string' }).refine(isPinned, {
  error: (iss) => `expected a pinned image "repository:tag" or "repository@sha256:..." (never "latest"), got ${JSON.stringify(iss.input)}`,
});

const timeSlicingSchema = z.strictObject({
  /** Pods sharing each GPU (the device plugin advertises each GPU this many times); 1 turns time-slicing off. */
  replicas: z.number({ error: 'expected a replica count as a whole number' }).int({ error: 'expected a replica count as a whole number' })
    .min(1, { error: 'expected at least 1 (1 turns time-slicing off)' }),
});

export const gpuSchema = z.strictObject({
  /** Whether GPU workloads (GPU notebooks, GPU pipeline steps) are offered at all. */
  enabled: z.boolean({ error: 'expected true or false' }),
  /** GPUs a GPU workload asks for unless it says otherwise. */
  defaultCount: count('a GPU count'),
  /** Node label that marks GPU nodes (set by the NVIDIA GPU operator). */
  nodeLabel: labelKey,
  /** RuntimeClass that runs containers with the NVIDIA runtime (microk8s' nvidia addon creates `nvidia`). */
  runtimeClassName: dnsSubdomain('a RuntimeClass name'),
  /** Taint key on dedicated GPU nodes; GPU workloads tolerate it. */
  taintKey: labelKey,
  /** Node label GPU feature discovery sets to the GPU model. */
  productLabel: labelKey,
  /** Only GPU nodes whose `productLabel` has this value, e.g. "NVIDIA-GeForce-RTX-4090". @default - any GPU model */
  product: z.string({ error: 'expected a GPU product label value' }).regex(LABEL_VALUE, {
    error: (iss) => `expected a label value such as "NVIDIA-GeForce-RTX-4090", got ${JSON.stringify(iss.input)}`,
  }).optional(),
  /** Physical GPUs on the profile's GPU node: no workload may ask for more than it offers. */
  perNode: count('a GPU count'),
  /**
   * GPU time-slicing: with replicas N > 1 the device plugin advertises each GPU N times, so N pods share
   * one (no memory isolation). 1 leaves it off.
   */
  timeSlicing: timeSlicingSchema,
});

export const storageSchema = z.strictObject({
  /** Size of MySQL's data volume. */
  mysql: memoryQuantity,
  /** Size of each object-store data volume (one per replica). */
  objectStore: memoryQuantity,
  /** Object-store replicas; MinIO runs in distributed mode (erasure coded) from 4 up. */
  objectStoreReplicas: count('a replica count').min(1, { error: 'expected at least 1 replica' }),
});

export const backupSchema = z.strictObject({
  /** Whether the MySQL backup CronJob is rendered. */
  enabled: z.boolean({ error: 'expected true or false' }),
  /** Cron schedule, five fields, in the cluster's time zone. */
  schedule: z.string({ error: 'expected a cron schedule string' }).regex(CRON, {
    error: (iss) => `expected a five-field cron schedule such as "0 3 * * *", got ${JSON.stringify(iss.input)}`,
  }),
  /** How many dumps to keep in the backups bucket; older ones are deleted after each backup. */
  keep: count('a number of backups').min(1, { error: 'expected at least 1 backup to keep' }),
});

export const pipelinesSchema = z.strictObject({
  /** UID pipeline step containers run as (Pod Security "restricted" refuses root). */
  stepRunAsUser: count('a user id').min(1, { error: 'expected a non-root user id (1 or more)' }),
  /**
   * Run every step pod with the GPU RuntimeClass (`gpu.runtimeClassName`): the kfp SDK cannot set
   * runtimeClassName per step. Only where every node has the NVIDIA runtime (one GPU machine).
   */
  gpuRuntimeForAllSteps: z.boolean({ error: 'expected true or false' }),
});

export const scalingSchema = z.strictObject({
  /** HorizontalPodAutoscalers for the stateless front doors (gateway, pipeline API, UI); needs metrics-server. */
  autoscale: z.boolean({ error: 'expected true or false' }),
  /** Most replicas an autoscaled front door may run. */
  maxReplicas: count('a replica count').min(2, { error: 'expected at least 2 replicas' }),
  /** Average CPU use (percent of the request) the autoscalers aim for. */
  targetCpuPercent: count('a percentage').min(10, { error: 'expected 10 to 100' }).max(100, { error: 'expected 10 to 100' }),
});

const GIT_URL = /^(https?:\/\/|ssh:\/\/|git@)[^\s]+$/;
const REPO_PATH = /^(?!\/)(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9._/-]+$/;

export const gitopsSchema = z.strictObject({
  /**
   * Git repository that holds the rendered dist/ (what Argo CD and Flux pull).
   * @example gitops.repoURL: https://github.com/me/platform.git
   */
  repoURL: z.string({ error: 'expected a Git URL string' }).regex(GIT_URL, {
    error: (iss) => `expected a Git URL such as "https://github.com/me/platform.git" or "ssh://git@host/me/platform.git", got ${JSON.stringify(iss.input)}`,
  }),
  /**
   * Branch (or full commit SHA) to follow.
   * @example gitops.revision: main
   */
  revision: z.string({ error: 'expected a branch name or commit' }).regex(/^[A-Za-z0-9._/-]+$/, { error: (iss) => `expected a branch name or commit SHA, got ${JSON.stringify(iss.input)}` }),
  /**
   * Folder of the repository where dist/ is committed; the GitOps files go in a "gitops" folder beside it.
   * @example gitops.path: clusters/home/dist
   */
  path: z.string({ error: 'expected a path string' }).regex(REPO_PATH, { error: (iss) => `expected a relative path inside the repository such as "dist" or "clusters/laptop/dist", got ${JSON.stringify(iss.input)}` }),
});

const nodePort = z.number({ error: 'expected a node port number' }).int({ error: 'expected a whole node port number' })
  .min(30000, { error: 'expected a node port in Kubernetes\' default range 30000-32767' })
  .max(32767, { error: 'expected a node port in Kubernetes\' default range 30000-32767' });

export const GATEWAY_SERVICE_TYPES = ['NodePort', 'LoadBalancer'] as const;

export const gatewaySchema = z.strictObject({
  /**
   * How the ingress gateway is exposed: `NodePort` on the machine's own address (one microk8s node,
   * no load balancer), or `LoadBalancer` (microk8s' metallb addon hands out an address).
   */
  serviceType: z.enum(GATEWAY_SERVICE_TYPES, { error: 'expected "NodePort" or "LoadBalancer"' }),
  /** Fixed node ports of the gateway (reserved with both service types, used by NodePort). */
  nodePorts: z.strictObject({
    /** Node port of plain HTTP (the Service's port 80). */
    http: nodePort,
    /** Node port of HTTPS (the Service's port 443). */
    https: nodePort,
  }),
  /** The gateway's TLS certificate. */
  tls: z.strictObject({
    /** Secret in `istio-system` (type kubernetes.io/tls) holding the gateway's certificate and key. */
    secretName: dnsSubdomain('a Secret name'),
    /**
     * Generate a self-signed certificate into that Secret in the cluster when it does not exist yet.
     * A Secret created beforehand (your own certificate) always wins and is never replaced.
     */
    selfSigned: z.boolean({ error: 'expected true or false' }),
  }),
  /**
   * Opt out of HTTPS (docs/security.md, path 7): serve the platform on plain HTTP too, without the
   * redirect to HTTPS, the Secure flag on the session cookie or HSTS. Users' passwords, session cookies
   * and tokens then cross the network in clear on the HTTP port; `npm run synth` and `deploy` warn.
   * @default false - the HTTP port only redirects to HTTPS, and HTTPS responses carry HSTS
   */
  plainHttp: z.boolean({ error: 'expected true or false' }),
  /** Ingress gateway pods; with 2 or more a PodDisruptionBudget keeps one up during node drains. */
  replicas: count('a replica count').min(1, { error: 'expected at least 1 replica' }),
});

export const configSchema = z.strictObject({
  /** Built-in profile whose defaults this configuration starts from. */
  profile: z.enum(PROFILES, { error: `expected one of ${PROFILES.map((p) => `"${p}"`).join(', ')}` }),
  /** Host name users reach the gateway on. */
  domain: dnsSubdomain('a host name such as "microflow.local"'),
  /** StorageClass for every PersistentVolumeClaim. */
  storageClass: dnsSubdomain('a StorageClass name'),
  /**
   * Users allowed to log in: emails, or `{ email, namespace?, quota? }`. Each gets a namespace; at least one.
   * @example users: ["ada@example.com", { email: "bob@example.com", namespace: "bob", quota: { gpus: 1 } }]
   */
  users: usersSchema,
  /** Machine-client tokens and upstream identity providers (Dex connectors). */
  login: loginSchema,
  /** Quota and container defaults of every user namespace. */
  userNamespace: userNamespaceSchema,
  /** GPU workloads: whether they are offered and how they are placed on GPU nodes. */
  gpu: gpuSchema,
  /** Which S3 server answers behind `minio-service`: "minio" (default) or "seaweedfs". */
  objectStore: z.enum(['minio', 'seaweedfs'], { error: 'expected "minio" or "seaweedfs"' }),
  /** Volume sizes and replicas of the data layer. */
  storage: storageSchema,
  /** Nightly MySQL dumps into the object store. */
  backup: backupSchema,
  /** Kubeflow Pipelines. */
  pipelines: pipelinesSchema,
  /** The Istio ingress gateway every request enters through. */
  gateway: gatewaySchema,
  /** Autoscaling of the stateless front doors (and with it PodDisruptionBudgets of at least 2 replicas). */
  scaling: scalingSchema,
  /** Argo CD and Flux renderings of the stack (written by synth into a gitops/ folder beside dist/). @default - none rendered */
  gitops: gitopsSchema.optional(),
  /** Per-component resource overrides; see lib/config/components.ts for the keys. */
  resources: z.partialRecord(z.enum(COMPONENT_KEYS, { error: `expected a component name: ${COMPONENT_KEYS.join(', ')}` }), resourceSpecSchema),
  /** Image overrides (for example a local registry); see lib/config/images.ts for the keys. */
  images: z.partialRecord(z.enum(IMAGE_KEYS, { error: `expected an image key: ${IMAGE_KEYS.join(', ')}` }), imageRef),
  /** The Jupyter web app's spawner defaults, and idle culling. */
  jupyter: jupyterSchema,
  /** Notebooks declared in code, each in its owner's namespace. */
  notebooks: z.array(notebookSchema, { error: 'expected a list of notebooks' }),
  /** TensorBoards declared in code, each in its owner's namespace. */
  tensorboards: z.array(tensorboardSchema, { error: 'expected a list of TensorBoards' }),
}).superRefine((c, ctx) => {
  for (const problem of notebookProblems(c)) ctx.addIssue({ code: 'custom', ...problem });
  const replicas = c.storage.objectStoreReplicas;
  if (c.objectStore === 'seaweedfs' && replicas !== 1) {
    ctx.addIssue({ code: 'custom', path: ['storage', 'objectStoreReplicas'], message: `expected 1 with objectStore "seaweedfs" (microflow runs it as one server), got ${replicas}` });
  }
  if (c.objectStore === 'minio' && replicas > 1 && replicas < 4) {
    ctx.addIssue({ code: 'custom', path: ['storage', 'objectStoreReplicas'], message: `expected 1 (single server) or 4 and more (MinIO distributed mode needs at least 4 drives), got ${replicas}` });
  }
  if (c.gateway.nodePorts.http === c.gateway.nodePorts.https) {
    ctx.addIssue({ code: 'custom', path: ['gateway', 'nodePorts', 'https'], message: `expected a node port other than the HTTP one (${c.gateway.nodePorts.http})` });
  }
  for (const issue of userIssues(c.users, c.login)) ctx.addIssue({ code: 'custom', ...issue });
  // A connector's callback over plain HTTP would carry the upstream's authorization code in clear,
  // and with HTTPS on the HTTP port only redirects to HTTPS.
  c.login.connectors.forEach((conn, i) => {
    const uri = conn.config.redirectURI;
    if (!c.gateway.plainHttp && typeof uri === 'string' && /^http:/i.test(uri)) {
      ctx.addIssue({ code: 'custom', path: ['login', 'connectors', i, 'config', 'redirectURI'], message: `expected an https:// URL while gateway.plainHttp is false (HTTPS is the default), got ${JSON.stringify(uri)}` });
    }
  });
  for (const issue of quotaIssues(c.users, c.userNamespace)) ctx.addIssue({ code: 'custom', ...issue });
  if (c.pipelines.gpuRuntimeForAllSteps && !c.gpu.enabled) {
    ctx.addIssue({ code: 'custom', path: ['pipelines', 'gpuRuntimeForAllSteps'], message: 'expected false while gpu.enabled is false (there is no GPU runtime to use)' });
  }
  const defaults = c.userNamespace.containerDefaults;
  if (cpuMillis(defaults.requests.cpu) > cpuMillis(defaults.limits.cpu)) {
    ctx.addIssue({ code: 'custom', path: ['userNamespace', 'containerDefaults', 'requests', 'cpu'], message: `expected at most the limit ${defaults.limits.cpu}, got ${defaults.requests.cpu}` });
  }
  if (memoryBytes(defaults.requests.memory) > memoryBytes(defaults.limits.memory)) {
    ctx.addIssue({ code: 'custom', path: ['userNamespace', 'containerDefaults', 'requests', 'memory'], message: `expected at most the limit ${defaults.limits.memory}, got ${defaults.requests.memory}` });
  }
  for (const [key, r] of Object.entries(c.resources)) {
    if (r && cpuMillis(r.requests.cpu) > cpuMillis(r.limits.cpu)) {
      ctx.addIssue({ code: 'custom', path: ['resources', key, 'requests', 'cpu'], message: `expected at most the limit ${r.limits.cpu}, got ${r.requests.cpu}` });
    }
    if (r && memoryBytes(r.requests.memory) > memoryBytes(r.limits.memory)) {
      ctx.addIssue({ code: 'custom', path: ['resources', key, 'requests', 'memory'], message: `expected at most the limit ${r.limits.memory}, got ${r.requests.memory}` });
    }
  }
});

/** A complete, validated configuration. */
export type Config = z.infer<typeof configSchema>;
export type Profile = Config['profile'];
export type ResourceSpec = z.infer<typeof resourceSpecSchema>;
export type GpuConfig = Config['gpu'];
export type GatewayConfig = Config['gateway'];
export type PipelinesConfig = Config['pipelines'];
export type JupyterConfig = Config['jupyter'];
export type NotebookConfig = Config['notebooks'][number];
export type TensorBoardConfig = Config['tensorboards'][number];
