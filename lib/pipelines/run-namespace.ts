import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as yaml from 'js-yaml';
import { OBJECT_STORE, type ObjectStore } from '../data';
import { Grant, type AccessCheck, type Rule } from './access';
import { ARGO, KFP, pipelineRoot } from './constants';

export interface RunNamespaceProps {
  /** The namespace runs happen in (`kubeflow` single-user, each user's namespace multi-user). */
  readonly namespace: string;
  readonly store: ObjectStore;
  /** ML Metadata's gRPC address. */
  readonly metadata: { host: string; port: number };
}

/**
 * What the driver and launcher read in the run namespace (backend/src/v2/config/env.go@2.17.0):
 * `defaultPipelineRoot`, and `providers` whose `minio.default` names the endpoint and the Secret
 * holding the keys. Without it the launcher falls back to `seaweedfs.kubeflow:9000`, which exists
 * in no microflow configuration: the endpoint here comes from the object-store handle.
 */
export function launcherConfig(store: ObjectStore, namespace: string): Record<string, string> {
  return {
    defaultPipelineRoot: pipelineRoot(store.buckets.artifacts, namespace),
    providers: yaml.dump({
      minio: {
        default: {
          endpoint: `${store.host}:${store.port}`,
          region: 'minio',
          disableSSL: true,
          forcePathStyle: true,
          credentials: {
            fromEnv: false,
            secretRef: {
              secretName: store.credentials.name,
              accessKeyKey: OBJECT_STORE.secret.keys.accesskey,
              secretKeyKey: OBJECT_STORE.secret.keys.secretkey,
            },
          },
        },
      },
    }, { lineWidth: -1 }),
  };
}

/**
 * Step pods' ServiceAccount `pipeline-runner` with only what they use: Argo's executor reports
 * results (workflowtaskresults), the driver and launcher read their two ConfigMaps and the
 * artifact Secret by name, and kfp-kubernetes volume steps manage claims. Nothing else: no
 * Workflows, no other Secrets, no pods/exec (upstream grants pods, deployments and kubeflow.org `*`).
 */
export const RUNNER_RULES = (store: ObjectStore): Rule[] => [
  { apiGroups: [ARGO.group], resources: ['workflowtaskresults'], verbs: ['create', 'patch'] },
  { apiGroups: [''], resources: ['configmaps'], verbs: ['get'], resourceNames: [KFP.launcherConfigMap, KFP.metadataGrpcConfigMap] },
  { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: [store.credentials.name] },
  // The driver looks up the step's own pod when it records a Kubernetes-specific execution.
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] },
  // kfp-kubernetes CreatePVC / DeletePVC steps.
  { apiGroups: [''], resources: ['persistentvolumeclaims'], verbs: ['create', 'get', 'delete'] },
];

/** The objects every run namespace holds for KFP's step pods. */
export class RunNamespace extends Construct {
  public readonly access: AccessCheck;

  constructor(scope: Construct, id: string, props: RunNamespaceProps) {
    super(scope, id);
    const { namespace, store } = props;
    new k8s.KubeServiceAccount(this, 'Runner', {
      metadata: { name: KFP.runnerServiceAccount, namespace },
      // Argo's executor and the launcher talk to the API with it.
      automountServiceAccountToken: true,
    });
    const sa = { namespace, name: KFP.runnerServiceAccount };
    new Grant(this, 'RunnerAccess', { name: KFP.runnerServiceAccount, serviceAccount: sa, rules: RUNNER_RULES(store), where: [namespace] });
    new k8s.KubeConfigMap(this, 'Launcher', { metadata: { name: KFP.launcherConfigMap, namespace }, data: launcherConfig(store, namespace) });
    new k8s.KubeConfigMap(this, 'Metadata', {
      metadata: { name: KFP.metadataGrpcConfigMap, namespace },
      data: { METADATA_GRPC_SERVICE_HOST: props.metadata.host, METADATA_GRPC_SERVICE_PORT: String(props.metadata.port) },
    });
    this.access = {
      serviceAccount: sa,
      allowed: [
        { verb: 'create', resource: 'workflowtaskresults.argoproj.io', namespace },
        { verb: 'get', resource: `configmaps/${KFP.launcherConfigMap}`, namespace },
        { verb: 'get', resource: `secrets/${store.credentials.name}`, namespace },
      ],
      denied: [
        { verb: 'list', resource: 'secrets', namespace },
        { verb: 'get', resource: 'secrets/mysql-secret', namespace },
        { verb: 'create', resource: 'workflows.argoproj.io', namespace },
        { verb: 'get', resource: 'workflows.argoproj.io', namespace },
        { verb: 'create', resource: 'pods/exec', namespace },
        { verb: 'create', resource: 'pods', namespace },
        { verb: 'create', resource: 'rolebindings.rbac.authorization.k8s.io', namespace },
      ],
    };
  }
}
