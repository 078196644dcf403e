import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as yaml from 'js-yaml';
import { OBJECT_STORE, type ObjectStore } from '../../data';
import { PolicyDeployment, type WorkloadPolicy } from '../../platform';
import type { AccessCheck } from '../access';
import { ARGO, ARGO_KEY_FORMAT } from '../constants';
import { ArgoControllerRbac } from './rbac';

export interface ArgoControllerProps {
  readonly namespace: string;
  readonly policy: WorkloadPolicy;
  readonly store: ObjectStore;
  /** Namespaces runs happen in (users' namespaces): it watches every namespace and acts in these (./rbac.ts). */
  readonly runNamespaces: string[];
  /** RuntimeClass every step pod runs with (GPU steps need the NVIDIA one; the SDK cannot set it). @default - none */
  readonly stepRuntimeClassName?: string;
}

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
          ],
          env: [{ name: 'LEADER_ELECTION_IDENTITY', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
          ports: [{ name: 'health', port: ARGO.healthPort }, { name: 'metrics', port: ARGO.metricsPort }],
          readiness: { httpGet: { path: '/healthz', port: k8s.IntOrString.fromString('health') }, periodSeconds: 10, timeoutSeconds: 5 },
          liveness: { httpGet: { path: '/healthz', port: k8s.IntOrString.fromString('health') }, initialDelaySeconds: 30, periodSeconds: 30, timeoutSeconds: 10, failureThreshold: 3 },
        }],
      },
    });

    const rbac = new ArgoControllerRbac(this, 'Rbac', { serviceAccount: { namespace, name: ARGO.controller }, runNamespaces: props.runNamespaces });
    this.access = [rbac.access];
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
