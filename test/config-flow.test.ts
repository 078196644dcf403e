/**
 * Non-default configuration values arrive where they must in the rendered stack: a value that is
 * validated and then ignored would pass every other test (they mostly render the defaults).
 */
import { COMPONENT_KEYS, IMAGE_KEYS, resolveConfig, type ComponentKey, type ResourceSpec } from '../lib/config';
import { gpuPlacement } from '../lib/gpu';
import { podSpecOf, rendered, WORKLOAD_KINDS, type K8sObject } from './support/stack';

const allContainers = (objects: K8sObject[]) => objects.filter((o) => WORKLOAD_KINDS.includes(o.kind)).flatMap((w) => {
  const spec = podSpecOf(w);
  return [...(spec.initContainers ?? []), ...spec.containers].map((c: any) => ({ id: `${w.kind}/${w.metadata.name}/${c.name}`, c }));
});
const claims = (objects: K8sObject[]) => objects.filter((o) => o.kind === 'StatefulSet')
  .flatMap((s) => s.spec.volumeClaimTemplates.map((t: any) => ({ id: `${s.metadata.name}/${t.metadata.name}`, class: t.spec.storageClassName, size: t.spec.resources.requests.storage })));

/** A distinct, valid sizing per component, so each container's sizing says whose it is. */
const sizing = (i: number): ResourceSpec => ({ requests: { cpu: `${11 + i}m`, memory: `${21 + i}Mi` }, limits: { cpu: `${311 + i}m`, memory: `${421 + i}Mi` } });
const RESOURCES = Object.fromEntries(COMPONENT_KEYS.map((k, i) => [k, sizing(i)])) as Record<ComponentKey, ResourceSpec>;
const IMAGES = Object.fromEntries(IMAGE_KEYS.map((k) => [k, `registry.example.test:5000/mirror/${k}:9.9.9`]));

/** Which component's sizing and which image each container must get (a new container fails until listed). */
const EXPECTED: Record<string, [ComponentKey, string]> = {
  'Job/microflow-secrets/generate': ['secrets', 'kubectl'],
  'StatefulSet/mysql/accounts': ['mysql', 'mysql'],
  'StatefulSet/mysql/mysql': ['mysql', 'mysql'],
  'StatefulSet/minio/minio': ['minio', 'minio'],
  'StatefulSet/seaweedfs/s3-identities': ['seaweedfs', 'seaweedfs'],
  'StatefulSet/seaweedfs/seaweedfs': ['seaweedfs', 'seaweedfs'],
  'Job/object-store-buckets/create-buckets': ['buckets', 'mc'],
  'CronJob/mysql-backup/dump': ['mysqlBackup', 'mysql'],
  'CronJob/mysql-backup/upload': ['mysqlBackup', 'mc'],
  'Deployment/istiod/discovery': ['istiod', 'istiod'],
  'Deployment/istio-ingressgateway/istio-proxy': ['gateway', 'istioProxy'],
  'Job/kubeflow-gateway-tls-certificate/generate': ['gatewayCertificate', 'mysql'],
  'Job/kubeflow-gateway-tls-certificate/store': ['gatewayCertificate', 'kubectl'],
  'Deployment/dex/dex': ['dex', 'dex'],
  'Deployment/oauth2-proxy/oauth2-proxy': ['oauth2Proxy', 'oauth2Proxy'],
  'Deployment/cluster-jwks-proxy/kubectl-proxy': ['jwksProxy', 'kubectl'],
  'Job/login-secrets/hash': ['secrets', 'htpasswd'],
  'Job/login-secrets/generate': ['secrets', 'kubectl'],
  'Deployment/metadata-grpc-deployment/server-config': ['metadataGrpc', 'mlmdServer'],
  'Deployment/metadata-grpc-deployment/metadata-grpc': ['metadataGrpc', 'mlmdServer'],
  'Deployment/metadata-envoy-deployment/metadata-envoy': ['metadataEnvoy', 'kfpMetadataEnvoy'],
  'Deployment/ml-pipeline/ml-pipeline-api-server': ['pipelineApi', 'kfpApiServer'],
  'Deployment/ml-pipeline-guard/nginx': ['pipelineApiGuard', 'nginx'],
  'Deployment/ml-pipeline-persistenceagent/ml-pipeline-persistenceagent': ['persistenceAgent', 'kfpPersistenceAgent'],
  'Deployment/ml-pipeline-scheduledworkflow/ml-pipeline-scheduledworkflow': ['scheduledWorkflow', 'kfpScheduledWorkflow'],
  'Deployment/ml-pipeline-ui/ml-pipeline-ui': ['pipelineUi', 'kfpFrontend'],
  'Deployment/workflow-controller/workflow-controller': ['argoController', 'argoWorkflowController'],
  'Deployment/notebook-controller/manager': ['notebookController', 'notebookController'],
  'Deployment/jupyter-web-app/jupyter-web-app': ['jupyterWebApp', 'jupyterWebApp'],
  'Deployment/landing-page/nginx': ['landingPage', 'webServer'],
  'Job/pipelines-artifact-secrets/generate': ['secrets', 'kubectl'],
};
/** The Job registering user namespaces' keys speaks the store's own admin tool: mc, or SeaweedFS' IAM API from its image. */
const expectedFor = (store: 'minio' | 'seaweedfs'): Record<string, [ComponentKey, string]> => ({
  ...EXPECTED, 'Job/pipelines-artifact-users/configure-users': ['pipelineArtifactUsers', store === 'minio' ? 'mc' : 'seaweedfs'],
});

describe.each(['minio', 'seaweedfs'] as const)('with objectStore %s', (objectStore) => {
  const config = resolveConfig({
    objectStore, storageClass: 'fast-nvme', storage: { mysql: '33Gi', objectStore: '44Gi' },
    resources: RESOURCES, images: IMAGES as any, backup: { schedule: '7 5 * * 1', keep: 9 },
  });
  let objects: K8sObject[] = [];
  beforeEach(() => { objects = rendered(config).objects; });

  test('every claim uses the configured StorageClass and sizes', () => {
    expect(claims(objects)).toEqual([
      { id: 'mysql/data', class: 'fast-nvme', size: '33Gi' },
      { id: `${objectStore}/data`, class: 'fast-nvme', size: '44Gi' },
    ]);
  });

  test('every container gets its own component\'s configured resources and its configured image', () => {
    const got = Object.fromEntries(allContainers(objects).map(({ id, c }) => [id, { resources: c.resources, image: c.image }]));
    const want = Object.fromEntries(Object.entries(expectedFor(objectStore)).filter(([id]) => id in got)
      .map(([id, [component, image]]) => [id, { resources: RESOURCES[component], image: IMAGES[image] }]));
    expect(Object.keys(want).length).toBeGreaterThanOrEqual(6);
    expect(got).toEqual(want);
  });

  test('backup schedule and retention', () => {
    const cron = objects.find((o) => o.kind === 'CronJob' && o.metadata.name === 'mysql-backup')!;
    expect(cron.spec.schedule).toBe('7 5 * * 1');
    expect(podSpecOf(cron).containers[0].env).toContainEqual({ name: 'KEEP', value: '9' });
  });
});

test('the configured GPU count is what a GPU workload asks for by default', () => {
  const { gpu } = resolveConfig({ profile: 'gpu-workstation', gpu: { defaultCount: 3 } });
  expect(gpuPlacement(gpu).limits).toEqual({ 'nvidia.com/gpu': '3' });
});

test('MinIO replicas from the configuration (distributed mode)', () => {
  const { objects } = rendered(resolveConfig({ storage: { objectStoreReplicas: 6 } }));
  const minio = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'minio')!;
  expect(minio.spec.replicas).toBe(6);
  expect(minio.spec.template.spec.containers[0].args[1]).toBe('http://minio-{0...5}.minio-headless.kubeflow.svc.cluster.local/data');
});
