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
};

const BASE: Omit<Config, 'profile'> = {
  domain: 'microflow.local',
  storageClass: 'microk8s-hostpath',
  users: [],
  gpu: {
    enabled: false,
    defaultCount: 0,
    nodeLabel: 'nvidia.com/gpu.present',
    runtimeClassName: 'nvidia',
    taintKey: 'nvidia.com/gpu',
  },
  objectStore: 'minio',
  storage: { mysql: '10Gi', objectStore: '20Gi', objectStoreReplicas: 1 },
  backup: { enabled: true, schedule: '0 3 * * *', keep: 7 },
  pipelines: { mode: 'auto', stepRunAsUser: 1000 },
  resources: SMALL,
  images: {},
};

export const PROFILE_DEFAULTS: Record<Profile, Config> = {
  laptop: { ...BASE, profile: 'laptop' },
  'gpu-workstation': {
    ...BASE,
    profile: 'gpu-workstation',
    gpu: { ...BASE.gpu, enabled: true, defaultCount: 1 },
    storage: { ...BASE.storage, mysql: '20Gi', objectStore: '50Gi' },
  },
  cluster: {
    ...BASE,
    profile: 'cluster',
    gpu: { ...BASE.gpu, enabled: true, defaultCount: 1 },
    storage: { mysql: '50Gi', objectStore: '100Gi', objectStoreReplicas: 4 },
    resources: LARGE,
  },
};
