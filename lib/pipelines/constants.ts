/**
 * Names, ports and keys that Kubeflow Pipelines 2.17 and its clients (the kfp SDK, the UI, the
 * driver and launcher in step pods) expect. One constant per fact; the constructs read them from here.
 */
import { ARTIFACT_PREFIX, namespacePrefix } from '../config';

export const KFP_VERSION = '2.17.0';

export const KFP = {
  /** The Service every in-cluster client addresses: the SDK (a notebook, a step's own code), KFP's own controllers. */
  apiService: 'ml-pipeline',
  /** The API server's own Service, reachable only from the guard and the UI (they may carry the identity header). */
  apiInternalService: 'ml-pipeline-apiserver',
  apiDeployment: 'ml-pipeline',
  /** The identity guard behind `ml-pipeline`: removes kubeflow-userid/-groups, so any in-cluster caller may reach it. */
  apiGuard: 'ml-pipeline-guard',
  httpPort: 8888,
  grpcPort: 8887,
  healthPath: '/apis/v1beta1/healthz',
  installConfig: 'pipeline-install-config',
  persistenceAgent: 'ml-pipeline-persistenceagent',
  scheduledWorkflow: 'ml-pipeline-scheduledworkflow',
  /** The ScheduledWorkflow controller's metrics listener (METRICS_PORT); its probes check it. */
  scheduledWorkflowMetricsPort: 9090,
  ui: 'ml-pipeline-ui',
  uiPort: 3000,
  uiServicePort: 80,
  /** URI prefix of the UI on the gateway (the frontend's BASEPATH). */
  uiPrefix: '/pipeline/',
  metadataGrpc: 'metadata-grpc-service',
  metadataGrpcDeployment: 'metadata-grpc-deployment',
  metadataGrpcPort: 8080,
  metadataEnvoy: 'metadata-envoy-service',
  metadataEnvoyDeployment: 'metadata-envoy-deployment',
  metadataEnvoyPort: 9090,
  /** ConfigMap step pods load with envFrom (METADATA_GRPC_SERVICE_HOST/_PORT). */
  metadataGrpcConfigMap: 'metadata-grpc-configmap',
  /** ConfigMap the driver and launcher read in the run namespace (backend/src/v2/config/env.go). */
  launcherConfigMap: 'kfp-launcher',
  /** The ServiceAccount step pods run as (DEFAULTPIPELINERUNNERSERVICEACCOUNT). */
  runnerServiceAccount: 'pipeline-runner',
  /** Audience of the projected tokens KFP's API server accepts (TOKEN_REVIEW_AUDIENCE default). */
  tokenAudience: 'pipelines.kubeflow.org',
  /** Where the kfp SDK reads its projected token in a pod (KF_PIPELINES_SA_TOKEN_PATH default). */
  sdkTokenPath: '/var/run/secrets/kubeflow/pipelines/token',
  /** Label KFP puts on every v2 step pod (compiled workflow podMetadata). */
  stepPodLabel: { 'pipelines.kubeflow.org/v2_component': 'true' } as Record<string, string>,
  /** API group of KFP's own authorization checks (SubjectAccessReview resources). */
  rbacGroup: 'pipelines.kubeflow.org',
  /**
   * The UI's check of a namespace (frontend/server/helpers/auth.ts → the API server's AuthorizeV1):
   * SubjectAccessReview `get` on this group/version/resource, before artifact previews, live logs and
   * pod details. No such API is served: it exists only as RBAC.
   */
  viewers: { group: 'kubeflow.org', version: 'v1beta1', resource: 'viewers' },
  /**
   * ML Metadata's gRPC-web at the site's root (the UI's client has no base path; the UI server proxies
   * `/ml_metadata.*` to MLMD's Envoy). Every method the 2.17.0 UI calls starts with `Get`.
   */
  mlmd: { pathRoot: '/ml_metadata', readPrefix: '/ml_metadata.MetadataStoreService/Get' },
} as const;

/** Identity headers: set by the ingress gateway from a verified login, never accepted from anyone else. */
export const IDENTITY_HEADERS = { userId: 'kubeflow-userid', groups: 'kubeflow-groups' } as const;

export const ARGO = {
  controller: 'workflow-controller',
  configMap: 'workflow-controller-configmap',
  healthPort: 6060,
  metricsPort: 9090,
  group: 'argoproj.io',
} as const;

/** Argo's key format for logs and artifacts: under the workflow's namespace prefix. */
export const ARGO_KEY_FORMAT = `${ARTIFACT_PREFIX}/{{workflow.namespace}}/{{workflow.name}}/{{workflow.creationTimestamp.Y}}/{{workflow.creationTimestamp.m}}/{{workflow.creationTimestamp.d}}/{{pod.name}}`;
/** The v2 pipeline root of a run namespace (the launcher's defaultPipelineRoot). */
export const pipelineRoot = (bucket: string, namespace: string) => `minio://${bucket}/${namespacePrefix(namespace)}v2/artifacts`;
