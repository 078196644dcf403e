import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { secretEnv, type ObjectStore } from '../data';
import { MicroflowService, PolicyDeployment, type Endpoint, type WorkloadPolicy } from '../platform';
import { Grant, type AccessCheck } from './access';
import { ARGO, ARGO_KEY_FORMAT, IDENTITY_HEADERS, KFP } from './constants';

export interface PipelinesUiProps {
  readonly namespace: string;
  readonly policy: WorkloadPolicy;
  /** The API server itself: the UI forwards the gateway's identity header to it. */
  readonly api: Endpoint;
  readonly metadataEnvoy: Endpoint;
  readonly store: ObjectStore;
  /** Namespaces whose step pods' logs and artifacts the UI shows. */
  readonly runNamespaces: string[];
}

/**
 * The Pipelines UI (`ml-pipeline-ui`, served under /pipeline): a Node server that proxies the API,
 * ML Metadata (through its Envoy) and artifacts. Every address comes from a handle: service links
 * are off, so nothing falls back to upstream's defaults (`seaweedfs`, `localhost`).
 */
export class PipelinesUi extends Construct {
  public readonly service: MicroflowService;
  public readonly access: AccessCheck[];

  constructor(scope: Construct, id: string, props: PipelinesUiProps) {
    super(scope, id);
    const { namespace, policy, store, api, metadataEnvoy } = props;
    const env: k8s.EnvVar[] = [
      { name: 'ML_PIPELINE_SERVICE_HOST', value: api.service.host },
      { name: 'ML_PIPELINE_SERVICE_PORT', value: String(api.service.port(api.port).port) },
      { name: 'METADATA_ENVOY_SERVICE_SERVICE_HOST', value: metadataEnvoy.service.host },
      { name: 'METADATA_ENVOY_SERVICE_SERVICE_PORT', value: String(metadataEnvoy.service.port(metadataEnvoy.port).port) },
      // The frontend joins MINIO_HOST and MINIO_NAMESPACE with a dot (frontend/server/configs.ts).
      { name: 'MINIO_HOST', value: store.service },
      { name: 'MINIO_NAMESPACE', value: store.namespace },
      { name: 'MINIO_PORT', value: String(store.port) },
      { name: 'MINIO_SSL', value: 'false' },
      secretEnv('MINIO_ACCESS_KEY', store.credentials, 'accesskey'),
      secretEnv('MINIO_SECRET_KEY', store.credentials, 'secretkey'),
      { name: 'ARGO_ARCHIVE_LOGS', value: 'true' },
      { name: 'ARGO_ARCHIVE_BUCKETNAME', value: store.buckets.artifacts },
      { name: 'ARGO_KEYFORMAT', value: ARGO_KEY_FORMAT },
      { name: 'DISABLE_GKE_METADATA', value: 'true' },
      // No visualization server or viewer controller here (see docs/pipelines.md, "Left out").
      { name: 'ALLOW_CUSTOM_VISUALIZATIONS', value: 'false' },
      { name: 'FRONTEND_SERVER_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      { name: 'ENABLE_AUTHZ', value: 'true' },
      { name: 'DEPLOYMENT', value: 'KUBEFLOW' },
      { name: 'KUBEFLOW_USERID_HEADER', value: IDENTITY_HEADERS.userId },
      { name: 'KUBEFLOW_USERID_PREFIX', value: '' },
    ];
    const deployment = new PolicyDeployment(this, 'Deployment', {
      name: KFP.ui,
      // Stateless, behind the gateway or in front of the API server: autoscaled where the profile says.
      frontDoor: true,
      namespace,
      policy,
      connectsTo: [api, metadataEnvoy, store.server],
      pod: {
        apiAccess: props.runNamespaces.length > 0,
        containers: [{
          name: KFP.ui,
          image: 'kfpFrontend',
          resources: 'pipelineUi',
          env,
          ports: [{ name: 'http', port: KFP.uiPort }],
          readiness: { httpGet: { path: KFP.healthPath, port: k8s.IntOrString.fromString('http') }, periodSeconds: 10, timeoutSeconds: 5 },
          liveness: { tcpSocket: { port: k8s.IntOrString.fromString('http') }, periodSeconds: 20, timeoutSeconds: 3 },
          volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
        }],
        volumes: [{ name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('256Mi') } }],
      },
    });
    this.service = new MicroflowService(this, 'Service', {
      name: KFP.ui,
      pods: deployment.pods,
      ports: [{ name: 'http', port: KFP.uiServicePort, targetPort: 'http', appProtocol: 'http' }],
    });

    const sa = { namespace, name: KFP.ui };
    new Grant(this, 'Access', {
      name: KFP.ui,
      serviceAccount: sa,
      where: props.runNamespaces,
      rules: [
        // Step logs while a run is live (archived logs come from the object store).
        { apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get'] },
        { apiGroups: [ARGO.group], resources: ['workflows'], verbs: ['get'] },
        // The artifact credentials the launcher recorded for a run's namespace.
        { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: [store.credentials.name] },
      ],
    });
    const ns = props.runNamespaces[props.runNamespaces.length - 1];
    this.access = [{
      serviceAccount: sa,
      allowed: [{ verb: 'get', resource: 'pods/log', namespace: ns }, { verb: 'get', resource: `secrets/${store.credentials.name}`, namespace: ns }],
      denied: [
        { verb: 'list', resource: 'secrets', namespace: ns },
        { verb: 'get', resource: 'secrets/mysql-secret', namespace },
        { verb: 'create', resource: 'pods', namespace: ns },
        { verb: 'delete', resource: 'workflows.argoproj.io', namespace: ns },
      ],
    }];
  }
}
