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
  notebookController: size('50m', '128Mi', '1', '512Mi'),
  tensorboard: size('100m', '512Mi', '2', '2Gi'),
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
    productLabel: 'nvidia.com/gpu.product',
    perNode: 1,
    timeSlicing: { replicas: 1 },
  },
  objectStore: 'minio',
  storage: { mysql: '10Gi', objectStore: '20Gi', objectStoreReplicas: 1 },
  backup: { enabled: true, schedule: '0 3 * * *', keep: 7 },
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
  },
  cluster: {
    ...BASE,
    profile: 'cluster',
    gpu: { ...BASE.gpu, enabled: true, defaultCount: 1 },
    storage: { mysql: '50Gi', objectStore: '100Gi', objectStoreReplicas: 4 },
    resources: LARGE,
  },
};
