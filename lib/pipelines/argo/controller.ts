import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as yaml from 'js-yaml';
import { OBJECT_STORE, type ObjectStore } from '../../data';
import { PolicyDeployment, type WorkloadPolicy } from '../../platform';
import { Grant, type AccessCheck, type Rule } from '../access';
import { ARGO, ARGO_KEY_FORMAT } from '../constants';

export interface ArgoControllerProps {
  readonly namespace: string;
  readonly policy: WorkloadPolicy;
  readonly store: ObjectStore;
  /**
   * Namespaces runs happen in. Exactly the controller's own namespace: it runs `--namespaced`
   * with a Role there alone; any other: it watches the cluster (a ClusterRole), as multi-user needs.
   */
  readonly runNamespaces: string[];
  /** RuntimeClass every step pod runs with (GPU steps need the NVIDIA one; the SDK cannot set it). @default - none */
  readonly stepRuntimeClassName?: string;
}

/** What the controller needs wherever runs happen (workflow/controller@v4.0.5 informers and pod handling). */
const RUN_RULES: Rule[] = [
  { apiGroups: [''], resources: ['pods'], verbs: ['create', 'get', 'list', 'watch', 'update', 'patch', 'delete'] },
  // Stopping and terminating steps signals the executor's containers.
  { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] },
  { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [''], resources: ['persistentvolumeclaims', 'persistentvolumeclaims/finalizers'], verbs: ['create', 'update', 'delete', 'get'] },
  { apiGroups: [ARGO.group], resources: ['workflows', 'workflows/finalizers', 'workflowtasksets', 'workflowtasksets/finalizers', 'workflowartifactgctasks'], verbs: ['get', 'list', 'watch', 'update', 'patch', 'delete', 'create'] },
  { apiGroups: [ARGO.group], resources: ['workflowtemplates', 'workflowtemplates/finalizers'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [ARGO.group], resources: ['workflowtaskresults'], verbs: ['list', 'watch', 'deletecollection'] },
  { apiGroups: [ARGO.group], resources: ['cronworkflows', 'cronworkflows/finalizers'], verbs: ['get', 'list', 'watch', 'update', 'patch', 'delete'] },
  { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['get', 'list'] },
  { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: ['create', 'get', 'delete'] },
];

/** Leader election, in its own namespace only. */
const OWN_RULES: Rule[] = [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create', 'get', 'update'] }];

/**
 * The Argo Workflows controller KFP runs its pipelines on: its ConfigMap (artifact repository on
 * the object-store handle, executor settings that pass Pod Security "restricted"), its RBAC and
 * its Deployment. No Argo Server (KFP's UI and API replace it) and no executor plugins.
 */
export class ArgoController extends Construct {
  public readonly deployment: PolicyDeployment;
  public readonly configMap: k8s.KubeConfigMap;
  public readonly access: AccessCheck[];

  constructor(scope: Construct, id: string, props: ArgoControllerProps) {
    super(scope, id);
    const { namespace, policy, store } = props;
    const namespaced = props.runNamespaces.length === 1 && props.runNamespaces[0] === namespace;
    this.configMap = new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: ARGO.configMap, namespace },
      data: controllerConfig(policy, store, props.stepRuntimeClassName),
    });

    this.deployment = new PolicyDeployment(this, 'Deployment', {
      name: ARGO.controller,
      namespace,
      policy,
      pod: {
        apiAccess: true,
        containers: [{
          name: ARGO.controller,
          image: 'argoWorkflowController',
          resources: 'argoController',
          command: ['workflow-controller'],
          args: [
            '--configmap', ARGO.configMap,
            '--executor-image', policy.image('argoExec').ref,
            ...(namespaced ? ['--namespaced'] : []),
          ],
          env: [{ name: 'LEADER_ELECTION_IDENTITY', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
          ports: [{ name: 'health', port: ARGO.healthPort }, { name: 'metrics', port: ARGO.metricsPort }],
          readiness: { httpGet: { path: '/healthz', port: k8s.IntOrString.fromString('health') }, periodSeconds: 10, timeoutSeconds: 5 },
          liveness: { httpGet: { path: '/healthz', port: k8s.IntOrString.fromString('health') }, initialDelaySeconds: 30, periodSeconds: 30, timeoutSeconds: 10, failureThreshold: 3 },
        }],
      },
    });

    const sa = { namespace, name: ARGO.controller };
    new Grant(this, 'Runs', { name: `argo-${ARGO.controller}`, serviceAccount: sa, rules: RUN_RULES, where: namespaced ? [namespace] : 'cluster' });
    new Grant(this, 'Own', { name: `argo-${ARGO.controller}-leases`, serviceAccount: sa, rules: OWN_RULES, where: [namespace] });

    const other = props.runNamespaces.find((n) => n !== namespace);
    this.access = [{
      serviceAccount: sa,
      allowed: [
        ...props.runNamespaces.flatMap((ns) => [
          { verb: 'create', resource: 'pods', namespace: ns },
          { verb: 'watch', resource: 'workflows.argoproj.io', namespace: ns },
          { verb: 'deletecollection', resource: 'workflowtaskresults.argoproj.io', namespace: ns },
        ]),
        { verb: 'update', resource: 'leases.coordination.k8s.io', namespace },
      ],
      denied: [
        { verb: 'get', resource: 'secrets', namespace },
        ...(other ? [{ verb: 'get', resource: 'secrets', namespace: other }] : []),
        { verb: 'create', resource: 'workflowtaskresults.argoproj.io', namespace },
        // Templates are read, never written (ClusterWorkflowTemplates are not installed at all: asking
        // can-i about a kind the API server does not serve only draws a warning).
        { verb: 'create', resource: 'workflowtemplates.argoproj.io', namespace },
        { verb: 'create', resource: 'clusterrolebindings' },
        { verb: 'update', resource: 'leases.coordination.k8s.io', namespace: other ?? 'default' },
        ...(namespaced ? [{ verb: 'create', resource: 'pods', namespace: 'default' }] : []),
      ],
    }];
  }
}

/** workflow-controller-configmap's keys (config/config.go@v4.0.5): each value is a YAML document. */
function controllerConfig(policy: WorkloadPolicy, store: ObjectStore, runtimeClassName?: string): Record<string, string> {
  const r = policy.resources('argoExecutor');
  const uid = policy.image('argoExec').uid;
  const dump = (o: object) => yaml.dump(o, { lineWidth: -1 });
  return {
    artifactRepository: dump({
      archiveLogs: true,
      s3: {
        endpoint: `${store.host}:${store.port}`,
        bucket: store.buckets.artifacts,
        keyFormat: ARGO_KEY_FORMAT,
        insecure: true,
        // Read in the workflow's namespace: each run namespace holds its own credentials.
        accessKeySecret: { name: store.credentials.name, key: OBJECT_STORE.secret.keys.accesskey },
        secretKeySecret: { name: store.credentials.name, key: OBJECT_STORE.secret.keys.secretkey },
      },
    }),
    executor: dump({
      imagePullPolicy: 'IfNotPresent',
      resources: { requests: r.requests, limits: r.limits },
      securityContext: {
        runAsNonRoot: true,
        runAsUser: uid,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      },
    }),
    // Merged under each template's own podSpecPatch (KFP sets only template-level patches).
    ...(runtimeClassName ? { workflowDefaults: dump({ spec: { podSpecPatch: JSON.stringify({ runtimeClassName }) } }) } : {}),
  };
}
