import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { JupyterConfig } from '../config';
import { CLUSTER_DOMAIN, PolicyDeployment, type PodSet, type WorkloadPolicy } from '../platform';
import { NOTEBOOKS } from './constants';

export interface NotebookControllerProps {
  readonly namespace: string;
  readonly policy: WorkloadPolicy;
  readonly jupyter: JupyterConfig;
  /** The Istio Gateway the controller attaches each notebook's VirtualService to ("<namespace>/<name>"). */
  readonly gateway: string;
}

const HEALTH_PORT = { name: 'health', port: 8081 };
const METRICS_PORT = { name: 'metrics', port: 8080 };

/**
 * Kubeflow's notebook controller: runs each Notebook as a StatefulSet with a Service, routes
 * /notebook/<namespace>/<name>/ to it with a VirtualService on the platform gateway, and (when
 * culling is on) stops notebooks whose kernels were idle too long. Its environment is upstream's
 * params.env, generated from the configuration.
 */
export class NotebookController extends Construct {
  public readonly pods: PodSet;
  /** The ServiceAccount it runs as, for RBAC checks. */
  public readonly serviceAccount: string = NOTEBOOKS.controller;

  constructor(scope: Construct, id: string, props: NotebookControllerProps) {
    super(scope, id);
    const { culling } = props.jupyter;
    const env: Record<string, string> = {
      USE_ISTIO: 'true',
      ISTIO_GATEWAY: props.gateway,
      ISTIO_HOST: '*',
      CLUSTER_DOMAIN,
      ENABLE_CULLING: String(culling.enabled),
      CULL_IDLE_TIME: String(culling.idleMinutes),
      IDLENESS_CHECK_PERIOD: String(culling.checkPeriodMinutes),
      // Only when a Notebook's template sets no fsGroup (microflow's always set one).
      ADD_FSGROUP: 'true',
      // Inert: notebook-controller v1.11.0 reads no such variable and copies a Notebook's header and
      // rewrite annotations into its route as they are (docs/security.md, path 2). Removing it changes
      // the render, so it goes with the fix for that path.
      ISTIO_DISABLE_ENVOY_HEADER_MANIPULATION: 'true',
    };
    const health = k8s.IntOrString.fromString(HEALTH_PORT.name);
    const deployment = new PolicyDeployment(this, 'Deployment', {
      name: NOTEBOOKS.controller,
      namespace: props.namespace,
      policy: props.policy,
      pod: {
        apiAccess: true,
        containers: [{
          name: 'manager',
          image: 'notebookController',
          resources: 'notebookController',
          command: ['/manager'],
          env: Object.entries(env).map(([name, value]) => ({ name, value })),
          ports: [METRICS_PORT, HEALTH_PORT],
          liveness: { httpGet: { path: '/healthz', port: health }, initialDelaySeconds: 5, periodSeconds: 10 },
          readiness: { httpGet: { path: '/readyz', port: health }, initialDelaySeconds: 5, periodSeconds: 10 },
        }],
      },
    });
    this.pods = deployment.pods;

    // Upstream's ClusterRole (config/rbac/role.yaml), verb for verb where '*' was more than it uses.
    const role = new k8s.KubeClusterRole(this, 'Role', {
      metadata: { name: `microflow-${NOTEBOOKS.controller}` },
      rules: [
        { apiGroups: ['apps'], resources: ['statefulsets'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
        { apiGroups: [''], resources: ['services'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
        { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: [''], resources: ['events'], verbs: ['create', 'get', 'list', 'patch', 'watch'] },
        { apiGroups: ['kubeflow.org'], resources: ['notebooks', 'notebooks/finalizers', 'notebooks/status'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
        { apiGroups: ['networking.istio.io'], resources: ['virtualservices'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
      ],
    });
    new k8s.KubeClusterRoleBinding(this, 'RoleBinding', {
      metadata: { name: `microflow-${NOTEBOOKS.controller}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.name },
      subjects: [{ kind: 'ServiceAccount', name: NOTEBOOKS.controller, namespace: props.namespace }],
    });
  }
}
