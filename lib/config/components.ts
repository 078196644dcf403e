/**
 * Every container microflow runs, by key. Config `resources.<key>` overrides the profile's sizing.
 * Each component issue adds its keys here, with a size per profile (see profiles.ts).
 */
export const COMPONENT_KEYS = [
  'secrets',
  'mysql',
  'minio',
  'seaweedfs',
  'buckets',
  'mysqlBackup',
  // Kubeflow Pipelines (lib/pipelines)
  'argoController',
  'argoExecutor',
  'pipelineApi',
  'pipelineApiGuard',
  'persistenceAgent',
  'scheduledWorkflow',
  'metadataGrpc',
  'metadataEnvoy',
  'pipelineUi',
  'pipelineArtifactUsers',
  'istiod',
  'gateway',
  'gatewayCertificate',
  'dex',
  'oauth2Proxy',
  'jwksProxy',
  'notebookController',
  'jupyterWebApp',
  'landingPage',
  'tensorboard',
  'tensorboardSync',
] as const;

export type ComponentKey = (typeof COMPONENT_KEYS)[number];
