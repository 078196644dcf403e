import type { ComponentKey } from './components';
import type { Config, Profile, ResourceSpec } from './schema';

/**
 * Built-in profiles. A configuration file names one and overrides any part of it.
 * Sizes are set so the whole platform fits an 8 GB laptop: requests are what the idle component
 * really uses, limits leave room for bursts without letting one component starve the machine.
 */

const size = (reqCpu: string, reqMem: string, limCpu: string, limMem: string): ResourceSpec => ({
  requests: { cpu: reqCpu, memory: reqMem },
  limits: { cpu: limCpu, memory: limMem },
});

const SMALL: Record<ComponentKey, ResourceSpec> = {
  secrets: size('10m', '32Mi', '100m', '64Mi'),
  mysql: size('100m', '384Mi', '1', '1Gi'),
  minio: size('50m', '256Mi', '1', '1Gi'),
  seaweedfs: size('50m', '256Mi', '1', '1Gi'),
  buckets: size('10m', '32Mi', '200m', '128Mi'),
  mysqlBackup: size('50m', '128Mi', '500m', '512Mi'),
  // Pipelines: idle services on a laptop; limits leave room for a run's bursts.
  argoController: size('20m', '96Mi', '500m', '384Mi'),
  // Argo's init/wait containers in every step pod (not part of the idle footprint).
  argoExecutor: size('10m', '32Mi', '500m', '256Mi'),
  pipelineApi: size('40m', '160Mi', '1', '512Mi'),
  pipelineApiGuard: size('5m', '16Mi', '200m', '64Mi'),
  persistenceAgent: size('10m', '48Mi', '200m', '256Mi'),
  scheduledWorkflow: size('10m', '32Mi', '200m', '128Mi'),
  metadataGrpc: size('10m', '48Mi', '500m', '256Mi'),
  metadataEnvoy: size('10m', '32Mi', '200m', '128Mi'),
  pipelineUi: size('20m', '96Mi', '500m', '384Mi'),
  pipelineArtifactUsers: size('10m', '32Mi', '200m', '128Mi'),
  // Upstream istiod asks 500m/2Gi; for one machine's handful of Services it idles near 50Mi.
  istiod: size('50m', '128Mi', '500m', '512Mi'),
  // Envoy for one user's browser and SDK traffic.
  gateway: size('50m', '64Mi', '1', '512Mi'),
  gatewayCertificate: size('10m', '32Mi', '100m', '64Mi'),
  // Dex and oauth2-proxy idle near 20Mi each; a login burst is a few bcrypt compares.
  dex: size('20m', '48Mi', '500m', '128Mi'),
  oauth2Proxy: size('10m', '32Mi', '500m', '128Mi'),
  // `kubectl proxy` relaying the API server's public token keys to istiod.
  jwksProxy: size('5m', '24Mi', '100m', '64Mi'),
  notebookController: size('20m', '64Mi', '500m', '256Mi'),
  // gunicorn with upstream's three workers.
  jupyterWebApp: size('20m', '192Mi', '500m', '512Mi'),
  landingPage: size('5m', '16Mi', '100m', '64Mi'),
  tensorboard: size('50m', '256Mi', '1', '1Gi'),
  tensorboardSync: size('10m', '32Mi', '200m', '128Mi'),
};

const LARGE: Record<ComponentKey, ResourceSpec> = {
  ...SMALL,
  mysql: size('500m', '1Gi', '2', '4Gi'),
  minio: size('250m', '512Mi', '2', '2Gi'),
  seaweedfs: size('250m', '512Mi', '2', '2Gi'),
  mysqlBackup: size('100m', '256Mi', '1', '1Gi'),
  argoController: size('100m', '256Mi', '2', '1Gi'),
  pipelineApi: size('200m', '384Mi', '2', '1Gi'),
  pipelineApiGuard: size('20m', '32Mi', '500m', '128Mi'),
  persistenceAgent: size('50m', '128Mi', '500m', '512Mi'),
  scheduledWorkflow: size('20m', '64Mi', '500m', '256Mi'),
  metadataGrpc: size('50m', '128Mi', '1', '512Mi'),
  metadataEnvoy: size('20m', '64Mi', '500m', '256Mi'),
  pipelineUi: size('50m', '192Mi', '1', '512Mi'),
  istiod: size('200m', '512Mi', '1', '1Gi'),
  gateway: size('100m', '128Mi', '2', '1Gi'),
  dex: size('50m', '64Mi', '1', '256Mi'),
  oauth2Proxy: size('50m', '64Mi', '1', '256Mi'),
  notebookController: size('50m', '128Mi', '1', '512Mi'),
  tensorboard: size('100m', '512Mi', '2', '2Gi'),
};

const BASE: Omit<Config, 'profile'> = {
  domain: 'microflow.local',
  storageClass: 'microk8s-hostpath',
  // One user, so `npm run synth` with no configuration renders a working login. Their password is
  // generated in the cluster (docs/login.md).
  users: [{ email: 'you@microflow.local' }],
  login: {
    // microk8s' kube-apiserver --service-account-issuer.
    serviceAccountTokens: { issuer: 'https://kubernetes.default.svc', audience: 'microflow-gateway' },
    connectors: [],
  },
  userNamespace: {
    // Limits: a notebook (600m/1.2Gi), two TensorBoards (1.2/1.1Gi and the self-service one's
    // 1/1Gi) and a pipeline step with Argo's wait container (1.5/1.25Gi) fit at once; one container
    // may take all of it. Local disk: 2Gi a container by default, so the same four fit too.
    quota: {
      cpu: '2', memory: '4Gi', cpuLimit: '6', memoryLimit: '6Gi', ephemeralStorage: '20Gi',
      gpus: 0, storage: '20Gi', persistentVolumeClaims: 10, pods: 20, objects: 100,
    },
    containerDefaults: {
      requests: { cpu: '100m', memory: '256Mi', ephemeralStorage: '64Mi' },
      limits: { cpu: '1', memory: '1Gi', ephemeralStorage: '2Gi' },
    },
  },
  gpu: {
    enabled: false,
    defaultCount: 0,
    nodeLabel: 'nvidia.com/gpu.present',
    runtimeClassName: 'nvidia',
    taintKey: 'nvidia.com/gpu',
    productLabel: 'nvidia.com/gpu.product',
    perNode: 1,
    timeSlicing: { replicas: 1 },
  },
  objectStore: 'minio',
  storage: { mysql: '10Gi', objectStore: '20Gi', objectStoreReplicas: 1 },
  backup: { enabled: true, schedule: '0 3 * * *', keep: 7 },
  pipelines: { stepRunAsUser: 1000, gpuRuntimeForAllSteps: false },
  // One machine: nothing to spread replicas over, so no autoscaling (and no metrics-server needed).
  scaling: { autoscale: false, maxReplicas: 3, targetCpuPercent: 75 },
  gateway: {
    serviceType: 'NodePort',
    nodePorts: { http: 30080, https: 30443 },
    tls: { secretName: 'kubeflow-gateway-tls', selfSigned: true },
    plainHttp: false,
    replicas: 1,
  },
  resources: SMALL,
  images: {},
  jupyter: {
    images: ['jupyter-scipy', 'jupyter-pytorch-full', 'jupyter-pytorch-cuda-full', 'jupyter-tensorflow-full', 'jupyter-tensorflow-cuda-full'],
    cpu: '500m',
    memory: '1Gi',
    limitFactor: 1.2,
    workspaceSize: '5Gi',
    // Off as upstream; the laptop turns it on to give memory back.
    culling: { enabled: false, idleMinutes: 1440, checkPeriodMinutes: 1 },
  },
  notebooks: [],
  tensorboards: [],
};

export const PROFILE_DEFAULTS: Record<Profile, Config> = {
  laptop: {
    ...BASE,
    profile: 'laptop',
    // An idle notebook holds its memory: cull after an hour without kernel activity.
    jupyter: { ...BASE.jupyter, culling: { enabled: true, idleMinutes: 60, checkPeriodMinutes: 1 } },
  },
  'gpu-workstation': {
    ...BASE,
    profile: 'gpu-workstation',
    gpu: { ...BASE.gpu, enabled: true, defaultCount: 1 },
    storage: { ...BASE.storage, mysql: '20Gi', objectStore: '50Gi' },
    // One machine: every step pod may run with the NVIDIA runtime, which GPU steps need.
    pipelines: { ...BASE.pipelines, gpuRuntimeForAllSteps: true },
    userNamespace: {
      ...BASE.userNamespace,
      quota: {
        cpu: '6', memory: '24Gi', cpuLimit: '12', memoryLimit: '32Gi', ephemeralStorage: '50Gi',
        gpus: 1, storage: '100Gi', persistentVolumeClaims: 20, pods: 50, objects: 250,
      },
    },
  },
  cluster: {
    ...BASE,
    profile: 'cluster',
    gpu: { ...BASE.gpu, enabled: true, defaultCount: 1 },
    storage: { mysql: '50Gi', objectStore: '100Gi', objectStoreReplicas: 4 },
    gateway: { ...BASE.gateway, replicas: 2 },
    userNamespace: {
      ...BASE.userNamespace,
      quota: {
        cpu: '8', memory: '32Gi', cpuLimit: '16', memoryLimit: '48Gi', ephemeralStorage: '100Gi',
        gpus: 1, storage: '200Gi', persistentVolumeClaims: 20, pods: 100, objects: 250,
      },
    },
    scaling: { ...BASE.scaling, autoscale: true },
    resources: LARGE,
  },
};
