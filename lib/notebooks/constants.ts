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
  storeEndpointEnv: 'S3_ENDPOINT',
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
