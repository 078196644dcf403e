/**
 * Istio and the ingress gateway on the control plane: the vendored CRDs, istiod, its webhook and the
 * gateway are accepted in one pass, become Available under Pod Security `restricted`, and their
 * ServiceAccounts hold exactly the rights they need. Nothing runs (KWOK): istiod's webhook is never
 * called, because its objectSelector (istio.io/rev) selects none of microflow's objects.
 */
import { GATEWAY, ISTIOD } from '../../lib/gateway';
import { NAMESPACES } from '../../lib/platform';
import { applyStack, waitAvailable, type AppliedStack } from './support/stack';
import { canI, getJson, requireCluster, run } from './support/kube';

const istio = NAMESPACES.istio;
let stack: AppliedStack;

beforeAll(async () => {
  requireCluster();
  stack = await applyStack();
});

afterAll(async () => {
  await stack?.release();
});

const deployments = () => stack.objects.filter((o) => o.kind === 'Deployment' && o.metadata.namespace === istio);

test('Istio\'s CRDs, istiod, its webhook and the gateway are accepted in one pass', () => {
  expect(stack.applyError).toBeUndefined();
  const kinds = new Set(stack.objects.filter((o) => o.metadata.namespace === istio || o.kind === 'CustomResourceDefinition' || o.kind.endsWith('WebhookConfiguration')).map((o) => o.kind));
  expect([...kinds]).toEqual(expect.arrayContaining(['CustomResourceDefinition', 'Deployment', 'ValidatingWebhookConfiguration', 'Service', 'ConfigMap']));
});

test('the CRDs are the release\'s own: the API server enforces their CEL rules', async () => {
  const crd = await getJson(['get', 'crd', 'virtualservices.networking.istio.io']);
  expect(crd.spec.versions.find((v: any) => v.storage).name).toBe('v1');
  const vs = (spec: object) => JSON.stringify({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'cel-check', namespace: NAMESPACES.kubeflow }, spec });
  // A route destination needs a host: refused by the schema itself, no webhook involved.
  const bad = await run(['apply', '--dry-run=server', '-f', '-'], vs({ hosts: ['*'], http: [{ route: [{ destination: { port: { number: 80 } } }] }] }));
  expect(bad.code).not.toBe(0);
  expect(bad.stderr).toMatch(/destination\.host|host: Required/);
});

test('istiod and the ingress gateway become Available; PodSecurity restricted admitted their pods', async () => {
  expect(deployments().map((d) => d.metadata.name).sort()).toEqual([GATEWAY.ingress, ISTIOD.name].sort());
  await waitAvailable(deployments());
  const events = await getJson(['get', 'events', '-n', istio, '--field-selector', 'reason=FailedCreate']);
  expect(events.items.map((e: any) => e.message)).toEqual([]);
  const ns = await getJson(['get', 'namespace', istio]);
  expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
});

test('the gateway Service exposes the configured node ports', async () => {
  const svc = await getJson(['get', 'service', GATEWAY.ingress, '-n', istio]);
  expect(svc.spec.type).toBe(stack.config.gateway.serviceType);
  const byName = Object.fromEntries(svc.spec.ports.map((p: any) => [p.name, p.nodePort]));
  expect([byName[GATEWAY.ports.http.name], byName[GATEWAY.ports.https.name]]).toEqual([stack.config.gateway.nodePorts.http, stack.config.gateway.nodePorts.https]);
});

test('the self-signed certificate Job completes', async () => {
  if (!stack.config.gateway.tls.selfSigned) return;
  const job = stack.objects.find((o) => o.kind === 'Job' && o.metadata.namespace === istio)!;
  const { waitFor } = await import('./support/kube');
  await waitFor('certificate job', async () => ((await getJson(['get', 'job', job.metadata.name, '-n', istio])).status.conditions ?? []).some((c: any) => c.type === 'Complete' && c.status === 'True'), 120_000);
});

describe('RBAC', () => {
  const sa = (name: string) => ({ namespace: istio, name });
  test('istiod: watches the mesh and writes its own webhook, never reads Secrets outside what Istio grants', async () => {
    expect(await canI(sa(ISTIOD.name), 'list', 'services')).toBe(true);
    expect(await canI(sa(ISTIOD.name), 'watch', 'virtualservices.networking.istio.io')).toBe(true);
    expect(await canI(sa(ISTIOD.name), 'update', 'validatingwebhookconfigurations.admissionregistration.k8s.io')).toBe(true);
    expect(await canI(sa(ISTIOD.name), 'create', 'subjectaccessreviews.authorization.k8s.io')).toBe(true);
    expect(await canI(sa(ISTIOD.name), 'create', 'configmaps', NAMESPACES.kubeflow)).toBe(true); // istio-ca-root-cert in every namespace
    expect(await canI(sa(ISTIOD.name), 'delete', 'namespaces')).toBe(false);
    expect(await canI(sa(ISTIOD.name), 'create', 'clusterrolebindings')).toBe(false);
    expect(await canI(sa(ISTIOD.name), 'create', 'pods', NAMESPACES.kubeflow)).toBe(false);
  });

  test('the ingress gateway: may list Secrets in istio-system (istiod checks it before serving a certificate), nothing else', async () => {
    expect(await canI(sa(GATEWAY.ingress), 'list', 'secrets', istio)).toBe(true);
    expect(await canI(sa(GATEWAY.ingress), 'get', 'secrets', istio)).toBe(false);
    expect(await canI(sa(GATEWAY.ingress), 'list', 'secrets', NAMESPACES.kubeflow)).toBe(false);
    expect(await canI(sa(GATEWAY.ingress), 'list', 'pods', istio)).toBe(false);
    expect(await canI(sa(GATEWAY.ingress), '*', '*')).toBe(false);
  });

  test('the certificate Job: creates Secrets in istio-system and reads only its own', async () => {
    if (!stack.config.gateway.tls.selfSigned) return;
    const job = `${stack.config.gateway.tls.secretName}-certificate`;
    expect(await canI(sa(job), 'create', 'secrets', istio)).toBe(true);
    expect(await canI(sa(job), 'get', `secrets/${stack.config.gateway.tls.secretName}`, istio)).toBe(true);
    expect(await canI(sa(job), 'get', 'secrets/other', istio)).toBe(false);
    expect(await canI(sa(job), 'create', 'secrets', NAMESPACES.kubeflow)).toBe(false);
  });
});

test('no admission webhook of istiod selects microflow\'s Istio objects (so a not-yet-running istiod never blocks an apply)', async () => {
  const hooks = (await getJson(['get', 'validatingwebhookconfigurations'])).items.flatMap((c: any) => c.webhooks);
  const istioHooks = hooks.filter((h: any) => h.clientConfig.service?.name === ISTIOD.name);
  expect(istioHooks.length).toBeGreaterThan(0);
  for (const h of istioHooks) expect(h.objectSelector).toEqual({ matchExpressions: [{ key: 'istio.io/rev', operator: 'In', values: ['default'] }] });
  const labelled = stack.objects.filter((o) => o.apiVersion.includes('istio.io') && (o.metadata as any).labels?.['istio.io/rev']);
  expect(labelled).toEqual([]);
  expect((await getJson(['get', 'mutatingwebhookconfigurations'])).items).toEqual([]);
});
