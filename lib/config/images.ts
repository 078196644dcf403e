/**
 * Every image microflow runs, pinned to a real release. Config `images.<key>` overrides one
 * (for example to pull from a local registry); an override must be pinned as well.
 * `version` feeds the app.kubernetes.io/version label of whatever runs the image.
 */
export interface ImageSpec {
  /** Full reference: repository plus tag or digest. */
  readonly ref: string;
  /** Upstream release the image belongs to. */
  readonly version: string;
  /** UID the image is built to run as; the pod's runAsUser. */
  readonly uid: number;
  /** Primary GID the image expects (its files' group); the pod's runAsGroup and fsGroup. @default - the uid */
  readonly gid?: number;
}

export const IMAGES = {
  /** kubectl with a POSIX shell, for the in-cluster secret generator. */
  kubectl: { ref: 'docker.io/alpine/k8s:1.36.2', version: '1.36.2', uid: 65532 },
  /** MySQL 8.4 LTS, the series Kubeflow Pipelines runs on. */
  mysql: { ref: 'docker.io/library/mysql:8.4.11', version: '8.4.11', uid: 999 },
  /** The last MinIO community release published as an image (MinIO stopped publishing them in 2025). */
  minio: { ref: 'quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z', version: 'RELEASE.2025-09-07T16-13-09Z', uid: 1000 },
  /** MinIO client, for bucket creation and backup upload (works against SeaweedFS' S3 too). */
  mc: { ref: 'quay.io/minio/mc:RELEASE.2025-08-13T08-35-41Z', version: 'RELEASE.2025-08-13T08-35-41Z', uid: 1000 },
  /**
   * SeaweedFS, the S3 store kubeflow/manifests 1.11 made its default. 4.53 is the release of the
   * source the native test builds and runs (scripts/programs/seaweedfs.sh); upstream publishes each release
   * as chrislusf/seaweedfs:<version> on Docker Hub and ghcr.io, and Kubeflow pulls it from ghcr.io.
   */
  seaweedfs: { ref: 'ghcr.io/chrislusf/seaweedfs:4.53', version: '4.53', uid: 1000 },
  // Kubeflow Pipelines 2.17.0 (kustomize newTag of manifests/kustomize/base/**@2.17.0).
  kfpApiServer: { ref: 'ghcr.io/kubeflow/kfp-api-server:2.17.0', version: '2.17.0', uid: 1000 },
  kfpPersistenceAgent: { ref: 'ghcr.io/kubeflow/kfp-persistence-agent:2.17.0', version: '2.17.0', uid: 1000 },
  kfpScheduledWorkflow: { ref: 'ghcr.io/kubeflow/kfp-scheduled-workflow-controller:2.17.0', version: '2.17.0', uid: 1000 },
  kfpFrontend: { ref: 'ghcr.io/kubeflow/kfp-frontend:2.17.0', version: '2.17.0', uid: 1000 },
  kfpMetadataEnvoy: { ref: 'ghcr.io/kubeflow/kfp-metadata-envoy:2.17.0', version: '2.17.0', uid: 1000 },
  /** Step-pod images the API server writes into every Workflow (V2_DRIVER_IMAGE, V2_LAUNCHER_IMAGE). */
  kfpDriver: { ref: 'ghcr.io/kubeflow/kfp-driver:2.17.0', version: '2.17.0', uid: 1000 },
  kfpLauncher: { ref: 'ghcr.io/kubeflow/kfp-launcher:2.17.0', version: '2.17.0', uid: 1000 },
  /** ML Metadata's gRPC server, unchanged since KFP 2.15; the image has no USER, it runs as nobody here. */
  mlmdServer: { ref: 'gcr.io/tfx-oss-public/ml_metadata_store_server:1.14.0', version: '1.14.0', uid: 65534 },
  /** Argo Workflows v4.0.5, the line KFP 2.17.0 pins (third_party/argo/VERSION); images run as 8737. */
  argoWorkflowController: { ref: 'quay.io/argoproj/workflow-controller:v4.0.5', version: 'v4.0.5', uid: 8737 },
  argoExec: { ref: 'quay.io/argoproj/argoexec:v4.0.5', version: 'v4.0.5', uid: 8737 },
  /** The identity-header guard in front of the Pipeline API server (nginx, unprivileged build: uid 101). */
  nginx: { ref: 'docker.io/nginxinc/nginx-unprivileged:1.28.0-alpine', version: '1.28.0', uid: 101 },
  /**
   * Apache httpd's image, for its `htpasswd -B`: the login's password Job hashes each generated
   * password with bcrypt in the cluster, so no hash is ever rendered.
   */
  htpasswd: { ref: 'docker.io/library/httpd:2.4.69-alpine3.24', version: '2.4.69', uid: 82 },
  /** Dex, the OpenID Connect provider users log in with (the release kubeflow/community-distribution pins). */
  dex: { ref: 'ghcr.io/dexidp/dex:v2.45.1', version: 'v2.45.1', uid: 1001 },
  /** oauth2-proxy, the gateway's authorization server (>= 7.15.2 for the auth-bypass fixes); distroless nonroot. */
  oauth2Proxy: { ref: 'quay.io/oauth2-proxy/oauth2-proxy:v7.15.6', version: 'v7.15.6', uid: 65532 },
  /** Istio's control plane (pilot-discovery), newest 1.30 patch. Its Deployment comes from vendor/istio/. */
  istiod: { ref: 'gcr.io/istio-release/pilot:1.30.4', version: '1.30.4', uid: 1337 },
  /** Istio's Envoy proxy, run as the ingress gateway (same release as istiod). */
  istioProxy: { ref: 'gcr.io/istio-release/proxyv2:1.30.4', version: '1.30.4', uid: 1337 },
  /** Kubeflow's notebook controller (runs Notebooks as StatefulSets; uid 1000 as upstream runs it). */
  notebookController: { ref: 'ghcr.io/kubeflow/notebooks/notebook-controller:v1.11.0', version: 'v1.11.0', uid: 1000 },
  /** Kubeflow's Jupyter web app (the image has no USER; it runs unprivileged as any uid). */
  jupyterWebApp: { ref: 'ghcr.io/kubeflow/notebooks/jupyter-web-app:v1.11.0', version: 'v1.11.0', uid: 1000 },
  /** nginx built to run unprivileged (uid 101, port 8080): serves the landing page. */
  webServer: { ref: 'docker.io/nginxinc/nginx-unprivileged:1.28.0-alpine', version: '1.28.0', uid: 101 },
  /** TensorFlow's image, for its `tensorboard` (runs unprivileged as any uid with HOME on /tmp). */
  tensorboard: { ref: 'docker.io/tensorflow/tensorflow:2.20.0', version: '2.20.0', uid: 1000 },
} as const satisfies Record<string, ImageSpec>;

export type ImageKey = keyof typeof IMAGES;
export const IMAGE_KEYS = Object.keys(IMAGES) as [ImageKey, ...ImageKey[]];

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/**
 * True for "repo:tag" (tag not `latest`) or "repo[:tag]@sha256:<64 hex>". Anything after an `@` must
 * be a whole sha256 digest: "repo@sha256:abc" names no image, however tag-like its tail looks.
 */
export function isPinned(ref: string): boolean {
  const at = ref.indexOf('@');
  if (at >= 0) return at > 0 && DIGEST.test(ref.slice(at + 1));
  const lastSlash = ref.lastIndexOf('/');
  const colon = ref.indexOf(':', lastSlash + 1);
  // No tag, or a tag with no name before it (":8.4", "registry/:8.4").
  if (colon <= lastSlash + 1) return false;
  const tag = ref.slice(colon + 1);
  return TAG.test(tag) && tag !== 'latest';
}

/** The Kubeflow Notebooks release whose notebook server images the spawner offers. */
export const NOTEBOOK_SERVERS_VERSION = 'v1.11.0';

/**
 * Kubeflow's notebook server images (all run as jovyan, uid 1000, group users, gid 100). A notebook
 * in the configuration names one by its short name, or gives any other pinned reference.
 */
export const NOTEBOOK_SERVER_IMAGES = [
  'jupyter-scipy',
  'jupyter-pytorch-full',
  'jupyter-pytorch-cuda-full',
  'jupyter-tensorflow-full',
  'jupyter-tensorflow-cuda-full',
  'codeserver-python',
  'rstudio-tidyverse',
] as const;
export type NotebookServerImage = (typeof NOTEBOOK_SERVER_IMAGES)[number];

/** A notebook server image by short name, or a full pinned reference as it is. */
export function notebookServerImage(nameOrRef: string): ImageSpec {
  const short = (NOTEBOOK_SERVER_IMAGES as readonly string[]).includes(nameOrRef);
  const ref = short ? `ghcr.io/kubeflow/kubeflow/notebook-servers/${nameOrRef}:${NOTEBOOK_SERVERS_VERSION}` : nameOrRef;
  const tag = ref.slice(ref.lastIndexOf(':') + 1);
  return { ref, version: short ? NOTEBOOK_SERVERS_VERSION : tag.slice(0, 63), uid: 1000, gid: 100 };
}
