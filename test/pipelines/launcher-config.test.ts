/**
 * The launcher, the UI, the API server and Argo agree with the data layer on where the object store
 * is, whichever store is configured. The launcher's side is read from the rendered `kfp-launcher`
 * ConfigMap exactly as kfp-launcher 2.17.0 reads it (port of backend/src/v2/config/env.go
 * GetStoreSessionInfo / getBucketProviders, minio.go, s3.go ProvideSessionInfo and
 * objectstore/config.go ParseBucketPathToConfig): the resulting session's endpoint must be a
 * rendered Service port in front of the object-store pods, its Secret must exist in the run
 * namespace with the keys named.
 */
import * as yaml from 'js-yaml';
import { OBJECT_STORE } from '../../lib/data';
import { KFP } from '../../lib/pipelines';
import { grants } from '../support/rbac';
import { find, podSpecOf, VARIANTS, variantObjects, type K8sObject } from '../support/stack';

/** objectstore.DefaultEndpointInMultiUserMode at 2.17.0: where the launcher goes without a provider. */
const LAUNCHER_FALLBACK_ENDPOINT = 'seaweedfs.kubeflow:9000';
const BUCKET_PATTERN = /(^[a-z][a-z0-9]+:\/\/\/?)([^/?]+)(\/[^?]*)?(\?.+)?$/;

interface Session { provider: string; params: Record<string, string> }

/** config.FromConfigMap + GetStoreSessionInfo for the pipeline root the driver resolves. */
function launcherSession(configMap: K8sObject | undefined): { root: string; session: Session } {
  const data: Record<string, string> = configMap?.data ?? {};
  const root = data.defaultPipelineRoot || 'minio://mlpipeline/v2/artifacts';
  const m = BUCKET_PATTERN.exec(root);
  if (!m) throw new Error(`parse bucket config failed: unrecognized pipeline root format: ${root}`);
  const provider = m[1].replace(/:\/\/\/?$/, '');
  if (!['minio', 's3', 'gs'].includes(provider)) throw new Error(`unsupported provider ${provider}`);
  const providers = data.providers ? (yaml.load(data.providers) as any) : undefined;
  const p = providers?.[provider];
  if (provider === 'minio' && !p?.default && !p?.Overrides && !m[4]) {
    return { root, session: { provider: 'minio', params: { endpoint: LAUNCHER_FALLBACK_ENDPOINT, secretName: 'mlpipeline-minio-artifact', accessKeyKey: 'accesskey', secretKeyKey: 'secretkey', disableSSL: 'true', fromEnv: 'false' } } };
  }
  if (!p?.default?.credentials) throw new Error('invalid provider config: missing default credentials');
  const d = p.default;
  const params: Record<string, string> = {
    endpoint: d.endpoint, region: d.region, disableSSL: String(d.disableSSL ?? false),
    forcePathStyle: String(d.forcePathStyle ?? true), fromEnv: String(d.credentials.fromEnv ?? false),
  };
  if (!d.credentials.fromEnv) Object.assign(params, d.credentials.secretRef);
  return { root, session: { provider, params } };
}

/** The rendered Service behind "host:port" (host as a Service DNS name), and the port's target. */
function serviceAt(objects: K8sObject[], endpoint: string): { service: K8sObject; targetPort: string } | undefined {
  const [host, port] = endpoint.split(':');
  const [name, namespace] = host.split('.');
  const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === name && o.metadata.namespace === (namespace ?? 'default'));
  const p = service?.spec.ports.find((x: any) => x.port === Number(port));
  return service && p ? { service, targetPort: p.targetPort } : undefined;
}

const env = (container: any) => Object.fromEntries((container.env ?? []).map((e: any) => [e.name, e.value]));

describe.each(VARIANTS)('%s', (variant) => {
  let objects: K8sObject[], store: K8sObject, launchers: K8sObject[], storeService: K8sObject, storeEndpoint: string;
  // In beforeEach, so each test runs the render it checks: StrykerJS credits a test only with code it runs.
  beforeEach(() => {
    objects = variantObjects(variant);
    store = objects.find((o) => o.kind === 'StatefulSet' && ['minio', 'seaweedfs'].includes(o.metadata.name))!;
    launchers = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.name === KFP.launcherConfigMap);
    storeService = find(objects, 'Service', OBJECT_STORE.service);
    storeEndpoint = `${storeService.metadata.name}.${storeService.metadata.namespace}.svc.cluster.local:${OBJECT_STORE.port}`;
  });

  test('the S3 front selects the store that is configured and serves its S3 container port', () => {
    const s3 = storeService.spec.ports.find((p: any) => p.port === OBJECT_STORE.port);
    expect(Object.entries(storeService.spec.selector).every(([k, v]) => store.spec.template.metadata.labels[k] === v)).toBe(true);
    expect(podSpecOf(store).containers.flatMap((c: any) => c.ports ?? []).map((p: any) => p.name)).toContain(s3.targetPort);
  });

  test('every run namespace has a kfp-launcher ConfigMap (guards the checks below)', () => {
    const runNamespaces = objects.filter((o) => o.kind === 'ServiceAccount' && o.metadata.name === KFP.runnerServiceAccount).map((o) => o.metadata.namespace);
    expect(runNamespaces.length).toBeGreaterThan(0);
    expect(launchers.map((c) => c.metadata.namespace).sort()).toEqual([...runNamespaces].sort());
  });

  test('the launcher, reading kfp-launcher as 2.17.0 does, goes to the rendered store Service with a Secret that exists', () => {
    for (const cm of launchers) {
      const ns = cm.metadata.namespace!;
      const { root, session } = launcherSession(cm);
      expect(session.provider).toBe('minio');
      expect(session.params.endpoint).toBe(storeEndpoint);
      expect(serviceAt(objects, session.params.endpoint)?.service.metadata.name).toBe(OBJECT_STORE.service);
      expect(session.params.disableSSL).toBe('true');
      expect(root).toBe(`minio://${OBJECT_STORE.buckets.artifacts}/private-artifacts/${ns}/v2/artifacts`);
      // The Secret: generated in kubeflow by the data layer, or per user in their namespace.
      const generated = objects.filter((o) => o.kind === 'Job').flatMap((j) => (j.metadata.annotations?.['microflow.dev/generates-secrets'] ?? '').split(',').map((n: string) => (n.includes('/') ? n : `${j.metadata.namespace}/${n}`)));
      expect(generated).toContain(`${ns}/${session.params.secretName}`);
      expect([session.params.accessKeyKey, session.params.secretKeyKey]).toEqual([OBJECT_STORE.secret.keys.accesskey, OBJECT_STORE.secret.keys.secretkey]);
    }
  });

  test('pipeline-runner may only get the launcher\'s Secret, by name: no other Secret, no list or watch, nowhere else', () => {
    // Step pods run bob's code with this token: a list, a watch or an unnamed get would hand them
    // every Secret of the namespace (other keys, other services' credentials).
    const all = grants(objects);
    for (const cm of launchers) {
      const ns = cm.metadata.namespace!;
      const { session } = launcherSession(cm);
      const runner = (g: ReturnType<typeof grants>[number]) => (g.subject.kind === 'ServiceAccount' && g.subject.name === KFP.runnerServiceAccount && g.subject.namespace === ns)
        || (g.subject.kind === 'Group' && ['system:authenticated', 'system:serviceaccounts', `system:serviceaccounts:${ns}`].includes(g.subject.name));
      const secretRules = all.filter(runner).flatMap((g) => g.rules
        .filter((r) => ['', '*'].some((x) => (r.apiGroups ?? []).includes(x)) && ['secrets', '*'].some((x) => (r.resources ?? []).includes(x)))
        .map((r) => ({ where: g.namespace, verbs: r.verbs, resourceNames: r.resourceNames })));
      expect({ ns, secretRules }).toEqual({ ns, secretRules: [{ where: ns, verbs: ['get'], resourceNames: [session.params.secretName] }] });
    }
  });

  test('without the ConfigMap the launcher would fall back to seaweedfs.kubeflow:9000, which nothing serves', () => {
    const { session } = launcherSession(undefined);
    expect(session.params.endpoint).toBe(LAUNCHER_FALLBACK_ENDPOINT);
    expect(serviceAt(objects, session.params.endpoint)).toBeUndefined();
  });

  test('the API server, the UI and Argo use the same Service and port', () => {
    const api = env(podSpecOf(find(objects, 'Deployment', KFP.apiDeployment)).containers[0]);
    expect(`${api.OBJECTSTORECONFIG_HOST}:${api.OBJECTSTORECONFIG_PORT}`).toBe(storeEndpoint);
    const ui = env(podSpecOf(find(objects, 'Deployment', KFP.ui)).containers[0]);
    // frontend/server/configs.ts: endPoint = `${MINIO_HOST}.${MINIO_NAMESPACE}`, resolved by cluster DNS.
    expect(serviceAt(objects, `${ui.MINIO_HOST}.${ui.MINIO_NAMESPACE}:${ui.MINIO_PORT}`)?.service.metadata.name).toBe(OBJECT_STORE.service);
    const argo = yaml.load(find(objects, 'ConfigMap', 'workflow-controller-configmap').data.artifactRepository) as any;
    expect(argo.s3.endpoint).toBe(storeEndpoint);
    expect(argo.s3.bucket).toBe(OBJECT_STORE.buckets.artifacts);
  });
});
