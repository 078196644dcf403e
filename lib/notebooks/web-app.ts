import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { Config } from '../config';
import type { ObjectStore } from '../data';
import { configHashAnnotation, MicroflowService, PolicyDeployment, type ServiceHandle, type WorkloadPolicy } from '../platform';
import { NOTEBOOKS } from './constants';
import { WEB_APP_TEMPLATE_PATH, webAppNotebookTemplate } from './notebook-template';
import { spawnerUiConfig } from './spawner';

export interface JupyterWebAppProps {
  readonly namespace: string;
  /** The spawner's defaults and the first notebook image, GPU choices, the workspace StorageClass. */
  readonly config: Pick<Config, 'jupyter' | 'gpu' | 'storageClass'>;
  readonly policy: WorkloadPolicy;
  /** The header the gateway puts the user's email in. */
  readonly userIdHeader: string;
  /** Mark the app's cookies Secure (only over HTTPS: over plain HTTP the browser drops them and forms fail with XSRF errors). */
  readonly secureCookies: boolean;
  /** The object store whose key every user namespace holds, for spawned notebooks' environment. @default - none */
  readonly store?: ObjectStore;
}

const CONFIG_DIR = '/etc/config';
const SPAWNER_KEY = 'spawner_ui_config.yaml';
const TEMPLATE_KEY = 'notebook_template.yaml';
const HTTP = { name: 'http', port: 5000 };

/**
 * Kubeflow's Jupyter web app: users spawn, list and delete notebooks in their namespace. It acts with
 * its own ServiceAccount after a SubjectAccessReview of the user named in `kubeflow-userid`, so users
 * need the notebook rights themselves (the aggregated edit role, rbac.ts).
 */
export class JupyterWebApp extends Construct {
  /** Its Service (port `http-web`), for the route at /jupyter/. */
  public readonly service: ServiceHandle;
  /** The Service port the route targets. */
  public readonly port = 'http-web';

  constructor(scope: Construct, id: string, props: JupyterWebAppProps) {
    super(scope, id);
    const name = NOTEBOOKS.webApp;
    const data = { [SPAWNER_KEY]: spawnerUiConfig(props.config), [TEMPLATE_KEY]: webAppNotebookTemplate(props.config, props.policy, props.store) };
    const configMap = new k8s.KubeConfigMap(this, 'Config', { metadata: { name: `${name}-config`, namespace: props.namespace }, data });
    const env: Record<string, string> = {
      APP_PREFIX: NOTEBOOKS.webAppPrefix.replace(/\/$/, ''),
      UI: 'default',
      USERID_HEADER: props.userIdHeader,
      USERID_PREFIX: '',
      APP_SECURE_COOKIES: String(props.secureCookies),
      METRICS: 'false',
    };
    const tcp = { tcpSocket: { port: k8s.IntOrString.fromString(HTTP.name) } };
    const deployment = new PolicyDeployment(this, 'Deployment', {
      name,
      namespace: props.namespace,
      policy: props.policy,
      // The form's options and the notebook template are subPath mounts, which running pods never
      // see change: a changed image list, GPU option or store key must roll the pods.
      podAnnotations: configHashAnnotation(data[SPAWNER_KEY], data[TEMPLATE_KEY]),
      pod: {
        apiAccess: true,
        containers: [{
          name,
          image: 'jupyterWebApp',
          resources: 'jupyterWebApp',
          env: Object.entries(env).map(([k, value]) => ({ name: k, value })),
          ports: [HTTP],
          readiness: { ...tcp, periodSeconds: 10 },
          liveness: { ...tcp, initialDelaySeconds: 15, periodSeconds: 20 },
          volumeMounts: [
            { name: 'config', mountPath: `${CONFIG_DIR}/${SPAWNER_KEY}`, subPath: SPAWNER_KEY, readOnly: true },
            { name: 'config', mountPath: WEB_APP_TEMPLATE_PATH, subPath: TEMPLATE_KEY, readOnly: true },
            // gunicorn's worker heartbeat files.
            { name: 'tmp', mountPath: '/tmp' },
          ],
        }],
        volumes: [
          { name: 'config', configMap: { name: configMap.name } },
          { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
        ],
      },
    });
    this.service = new MicroflowService(this, 'Service', {
      name: `${name}-service`,
      pods: deployment.pods,
      ports: [{ name: this.port, port: 80, targetPort: HTTP.name }],
    });

    // The app's own rights (upstream's cluster-role.yaml): it reads namespaces, checks the user's
    // rights, and manages notebooks and their claims in the user's namespace on the user's behalf.
    const role = new k8s.KubeClusterRole(this, 'Role', {
      metadata: { name: `microflow-${name}` },
      rules: [
        { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list'] },
        { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
        { apiGroups: ['kubeflow.org'], resources: ['notebooks', 'notebooks/finalizers', 'poddefaults'], verbs: ['get', 'list', 'create', 'delete', 'patch', 'update'] },
        { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['create', 'delete', 'get', 'list'] },
        { apiGroups: [''], resources: ['events', 'nodes'], verbs: ['list'] },
        { apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get', 'list'] },
        { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['get', 'list', 'watch'] },
      ],
    });
    new k8s.KubeClusterRoleBinding(this, 'RoleBinding', {
      metadata: { name: `microflow-${name}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.name },
      subjects: [{ kind: 'ServiceAccount', name, namespace: props.namespace }],
    });
  }
}
