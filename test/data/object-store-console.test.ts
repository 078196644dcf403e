/**
 * The object-store console through the gateway, on whole stacks: MinIO's console routed at
 * /minio/ui/ (rewritten to /), told that public path from the configured gateway, reachable only
 * from the gateway's pods and only after the login, and linked from the landing page; SeaweedFS,
 * whose pages have no login, neither routed nor linked.
 */
import * as os from 'os';
import * as path from 'path';
import { GATEWAY_POLICIES, OAUTH2_PROXY, DEX } from '../../lib/auth';
import { GATEWAY } from '../../lib/gateway';
import { LANDING_FILES } from '../../lib/notebooks';
import { NAMESPACES } from '../../lib/platform';
import { buildStack } from '../../lib/stack';
import { NetworkPolicies } from '../support/netpol';
import { exampleConfig, find, rendered, type K8sObject } from '../support/stack';

const PREFIX = '/minio/ui/';
const minioPods = (objects: K8sObject[]) => find(objects, 'StatefulSet', 'minio', NAMESPACES.kubeflow).spec.template;
const redirectUrl = (objects: K8sObject[]) =>
  minioPods(objects).spec.containers[0].env.find((e: any) => e.name === 'MINIO_BROWSER_REDIRECT_URL')?.value;
const landingHtml = (objects: K8sObject[]): string =>
  objects.find((o) => o.kind === 'ConfigMap' && o.data?.[LANDING_FILES.html])!.data[LANDING_FILES.html];

describe('MinIO console through the gateway', () => {
  test('VirtualService minio-console: /minio/ui/ rewritten to / on the console Service port 9001, attached to kubeflow-gateway', () => {
    const { objects } = rendered(exampleConfig('laptop'));
    const vs = find(objects, 'VirtualService', 'minio-console', NAMESPACES.kubeflow);
    expect(vs.spec).toEqual({
      hosts: ['*'],
      gateways: [`${NAMESPACES.kubeflow}/${GATEWAY.name}`],
      http: [{
        name: 'minio-console',
        match: [{ uri: { prefix: PREFIX } }],
        rewrite: { uri: '/' },
        route: [{ destination: { host: 'minio-console.kubeflow.svc.cluster.local', port: { number: 9001 } } }],
        headers: { response: { set: { 'Strict-Transport-Security': GATEWAY.strictTransportSecurity } } },
      }],
    });
    const svc = find(objects, 'Service', 'minio-console', NAMESPACES.kubeflow);
    expect(svc.spec.ports).toEqual([expect.objectContaining({ port: 9001, targetPort: 'console' })]);
    expect(minioPods(objects).spec.containers[0].ports).toContainEqual(expect.objectContaining({ name: 'console', containerPort: 9001 }));
  });

  test.each([
    ['NodePort (the laptop profile)', {}, 'https://microflow.local:30443/minio/ui'],
    ['other domain and node ports', { domain: 'ml.example.org', gateway: { nodePorts: { http: 31080, https: 31443 } } }, 'https://ml.example.org:31443/minio/ui'],
    ['LoadBalancer', { domain: 'ml.example.org', gateway: { serviceType: 'LoadBalancer' } }, 'https://ml.example.org/minio/ui'],
    ['plain HTTP opted into', { gateway: { plainHttp: true } }, 'https://microflow.local:30443/minio/ui'],
  ])('MINIO_BROWSER_REDIRECT_URL is the gateway\'s HTTPS URL and the route\'s prefix: %s', (_, overrides, expected) => {
    const config = exampleConfig('laptop', overrides);
    const { objects } = rendered(config);
    expect(redirectUrl(objects)).toBe(expected);
    // The same URL the gateway hands the login and the cookies, and the path the route serves.
    const stack = buildStack(config, path.join(os.tmpdir(), 'microflow-never-written'));
    expect(redirectUrl(objects)).toBe(`${stack.gateway.gateway.externalUrls[0]}${PREFIX.slice(0, -1)}`);
    expect(find(objects, 'VirtualService', 'minio-console', NAMESPACES.kubeflow).spec.http[0].match[0].uri.prefix).toBe(PREFIX);
  });

  test('only the ingress gateway\'s pods reach the console port: one policy admits it, none from the whole of istio-system', () => {
    for (const example of ['laptop', 'cluster'] as const) {
      const { objects } = rendered(exampleConfig(example));
      const gatewayPods = find(objects, 'Deployment', GATEWAY.ingress, NAMESPACES.istio).spec.template.metadata.labels;
      const minio = { namespace: NAMESPACES.kubeflow, labels: minioPods(objects).metadata.labels };
      const netpol = new NetworkPolicies(objects);
      expect(netpol.allows({ namespace: NAMESPACES.istio, labels: gatewayPods }, minio, 9001)).toBe(true);
      expect(netpol.allows({ namespace: NAMESPACES.istio, labels: { app: 'istiod', istio: 'pilot' } }, minio, 9001)).toBe(false);
      expect(netpol.allows({ namespace: NAMESPACES.kubeflow, labels: { 'microflow.dev/object-store-client': 'true' } }, minio, 9001)).toBe(false);
      expect(netpol.allows({ namespace: 'you-microflow-local', labels: gatewayPods }, minio, 9001)).toBe(false);
      const admitting = objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === NAMESPACES.kubeflow
        && (o.spec.ingress ?? []).some((i: any) => (i.ports ?? []).some((p: any) => p.port === 9001)));
      expect(admitting.map((p) => p.metadata.name)).toEqual(['minio-console-from-gateway']);
      expect(admitting[0].spec.ingress).toEqual([{
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': NAMESPACES.istio } }, podSelector: { matchLabels: expect.any(Object) } }],
        ports: [{ protocol: 'TCP', port: 9001 }],
      }]);
    }
  });

  test('every signed-in user may open it, no one else: behind the login, not public, not owner-only', () => {
    const { objects } = rendered(exampleConfig('cluster'));
    const policy = (name: string) => find(objects, 'AuthorizationPolicy', name, NAMESPACES.istio);
    const publicPaths = [`${DEX.pathPrefix}*`, `${OAUTH2_PROXY.pathPrefix}*`];
    expect(policy(GATEWAY_POLICIES.extAuthz).spec.rules).toEqual([{ to: [{ operation: { ports: [String(GATEWAY.ports.https.containerPort)], notPaths: publicPaths } }] }]);
    expect(policy(GATEWAY_POLICIES.requirePrincipal).spec.rules[0].to[0].operation.notPaths).toEqual(publicPaths);
    const covering = (patterns: string[]) => patterns.filter((p) => PREFIX.startsWith(p.replace(/\*$/, '')));
    expect(covering(publicPaths)).toEqual([]);
    const authz = objects.filter((o) => o.kind === 'AuthorizationPolicy');
    expect(authz.filter((p) => p.spec.action === 'ALLOW')).toEqual([]);
    const ownerPaths: string[] = authz.filter((p) => p.metadata.name.startsWith('owner-only-'))
      .flatMap((p) => p.spec.rules.flatMap((r: any) => r.to.flatMap((t: any) => t.operation.paths)));
    expect(ownerPaths.length).toBeGreaterThan(2);
    expect(covering(ownerPaths)).toEqual([]);
  });

  test('the landing page links it as "Object store"', () => {
    const html = landingHtml(rendered(exampleConfig('laptop')).objects);
    expect(html).toContain(`<li><a href="${PREFIX}">Object store</a>`);
  });
});

describe('SeaweedFS: no console', () => {
  test('no route, no gateway policy into its pods, no link, and MinIO\'s variable nowhere', () => {
    const { objects } = rendered(exampleConfig('laptop', { objectStore: 'seaweedfs' }));
    expect(objects.filter((o) => o.kind === 'VirtualService').map((v) => v.spec.http[0].match?.[0].uri.prefix)).not.toContain(PREFIX);
    expect(objects.filter((o) => o.metadata?.name?.startsWith('minio-console'))).toEqual([]);
    const gatewayPods = find(objects, 'Deployment', GATEWAY.ingress, NAMESPACES.istio).spec.template.metadata.labels;
    const sts = find(objects, 'StatefulSet', 'seaweedfs', NAMESPACES.kubeflow).spec.template;
    const netpol = new NetworkPolicies(objects);
    for (const port of [8333, 8888, 9333, 8080, 23646]) {
      expect(netpol.allows({ namespace: NAMESPACES.istio, labels: gatewayPods }, { namespace: NAMESPACES.kubeflow, labels: sts.metadata.labels }, port)).toBe(false);
    }
    const html = landingHtml(objects);
    expect(html).not.toContain('Object store');
    expect(html).not.toContain(PREFIX);
    expect(JSON.stringify(objects)).not.toContain('MINIO_BROWSER_REDIRECT_URL');
  });
});
