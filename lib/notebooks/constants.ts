import { TENSORBOARD_SELF_SERVICE_SLOT } from '../config';
import { S3_ENDPOINT_ENV } from '../data/constants';
import { NOTEBOOK } from '../users/constants';

/** Names, paths and ports Kubeflow's notebook components and clients expect. One source for each. */
export const NOTEBOOKS = {
  /** Route prefix of notebook servers: the controller routes /notebook/<namespace>/<name>/ itself. */
  serverPrefix: '/notebook/',
  /** The Jupyter web app's route prefix (JWA_PREFIX). */
  webAppPrefix: '/jupyter/',
  /** Route prefix of TensorBoards: /tensorboard/<namespace>/<name>/. */
  tensorboardPrefix: '/tensorboard/',
  controller: 'notebook-controller',
  webApp: 'jupyter-web-app',
  /** The port notebook servers listen on, and the name the controller gives it. */
  serverPort: { name: 'notebook-port', port: NOTEBOOK.port },
  /** Where the workspace volume is mounted in Kubeflow's notebook images (jovyan's home). */
  workspaceMount: '/home/jovyan',
  /** Workspace claim name of a notebook, as the Jupyter web app names it ("{notebook-name}-workspace"). */
  workspaceClaim: (notebook: string) => `${notebook}-workspace`,
  /** The ServiceAccount notebooks run as in a user's namespace (the web app hard-codes it). */
  serviceAccount: 'default-editor',
  /** Pod label the controller sets on every notebook pod (value: the notebook's name). */
  podLabel: NOTEBOOK.podLabel,
  /**
   * The in-cluster pipelines SDK path: a projected token with this audience, read from this file
   * (what Kubeflow's `access-ml-pipeline` PodDefault mounts; the SDK reads KF_PIPELINES_SA_TOKEN_PATH).
   */
  pipelinesToken: {
    audience: 'pipelines.kubeflow.org',
    dir: '/var/run/secrets/kubeflow/pipelines',
    file: 'token',
    env: 'KF_PIPELINES_SA_TOKEN_PATH',
    expirationSeconds: 7200,
  },
  /** Where a notebook finds the object store's S3 endpoint (examples/notebooks/read_artifacts.py reads it). */
  storeEndpointEnv: S3_ENDPOINT_ENV,
  /** Annotations the controller and the web app read. */
  annotations: {
    serverType: 'notebooks.kubeflow.org/server-type',
    creator: 'notebooks.kubeflow.org/creator',
  },
} as const;

/** The route of one notebook server, as the controller writes its VirtualService. */
export const notebookPath = (namespace: string, name: string) => `${NOTEBOOKS.serverPrefix}${namespace}/${name}/`;
/** The route of one TensorBoard. */
export const tensorboardPath = (namespace: string, name: string) => `${NOTEBOOKS.tensorboardPrefix}${namespace}/${name}/`;

/** metadata.name of a TensorBoard's Deployment, Service and route. */
export const tensorboardWorkload = (name: string) => `tensorboard-${name}`;

/** The port `tensorboard` serves on, by the name its pods give it (config-declared and self-service alike). */
export const TENSORBOARD_PORT = { name: 'http', port: 6006 } as const;

/**
 * The self-service TensorBoard slot every user namespace has: microflow renders the Service and the
 * owner-only route, the user brings the pods (docs/notebooks.md, "TensorBoards", examples/tensorboard-self-service.yaml).
 * Users may create Deployments and Services but not VirtualServices (one on the shared gateway could
 * take other users' paths), so the route is the one thing they cannot make themselves.
 */
export const TENSORBOARD_SELF_SERVICE = {
  /** The slot's name in its path, /tensorboard/<namespace>/self-service/; no declared TensorBoard may take it. */
  slot: TENSORBOARD_SELF_SERVICE_SLOT,
  /** metadata.name of the slot's Service and route (what a declared TensorBoard of the slot's name would get). */
  name: tensorboardWorkload(TENSORBOARD_SELF_SERVICE_SLOT),
  /** The label the user's pods carry to be served by the slot. */
  podLabel: { key: 'microflow.dev/tensorboard', value: 'self-service' },
} as const;
