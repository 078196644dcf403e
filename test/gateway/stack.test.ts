/**
 * Whole-stack gateway rules over every example: routes attach to kubeflow-gateway and reach a
 * Service port that exists; Istio runs gateway-only (no injector, no injection label, no sidecar).
 */
import * as yaml from 'js-yaml';
import { GATEWAY, SelfSignedCertificate } from '../../lib/gateway';
import { NAMESPACES, serviceHost } from '../../lib/platform';
import type { Config } from '../../lib/config';
import { VARIANTS, variantConfig, variantObjects, podTemplateLabels, WORKLOAD_KINDS, type K8sObject } from '../support/stack';

describe.each(VARIANTS)('%s', (variant) => {
  let objects: K8sObject[], config: Config;
  // In beforeEach, so each test runs the render it checks: StrykerJS credits a test only with code it runs.
  beforeEach(() => {
    objects = variantObjects(variant);
    config = variantConfig(variant);
  });
  const of = (kind: string) => objects.filter((o) => o.kind === kind);

  test('the Gateway kubeflow/kubeflow-gateway exists and selects the ingress gateway pods', () => {
    const gw = of('Gateway').find((g) => g.metadata.name === GATEWAY.name && g.metadata.namespace === NAMESPACES.kubeflow)!;
    expect(gw).toBeDefined();
    const pods = of('Deployment').find((d) => d.metadata.name === GATEWAY.ingress && d.metadata.namespace === NAMESPACES.istio)!;
    for (const [k, v] of Object.entries(gw.spec.selector)) expect(podTemplateLabels(pods)[k]).toBe(v);
  });

  test('every VirtualService is on kubeflow-gateway and every route target is a rendered Service port', () => {
    // Not the HTTP port's redirect to HTTPS, which routes to nothing (test/gateway/https-default.test.ts).
    for (const vs of of('VirtualService').filter((v) => !(v.metadata.name === GATEWAY.httpsRedirect && v.metadata.namespace === NAMESPACES.istio))) {
      expect({ vs: vs.metadata.name, gateways: vs.spec.gateways }).toEqual({ vs: vs.metadata.name, gateways: [`${NAMESPACES.kubeflow}/${GATEWAY.name}`] });
      for (const route of vs.spec.http.flatMap((h: any) => h.route ?? [])) {
        const { host, port } = route.destination;
        const svc = of('Service').find((s) => serviceHost(s.metadata.name, s.metadata.namespace!) === host);
        expect({ vs: vs.metadata.name, host, found: Boolean(svc) }).toEqual({ vs: vs.metadata.name, host, found: true });
        expect(svc!.spec.ports.map((p: any) => p.port)).toContain(port.number);
      }
    }
  });

  test('gateway-only Istio: no injector webhook, no injection-enabled namespace, no sidecar asked for', () => {
    expect(of('MutatingWebhookConfiguration')).toEqual([]);
    for (const ns of of('Namespace')) {
      expect(ns.metadata.labels?.['istio-injection']).toBeUndefined();
      expect(ns.metadata.labels?.['istio.io/rev']).toBeUndefined();
    }
    for (const w of objects.filter((o) => WORKLOAD_KINDS.includes(o.kind))) {
      expect(podTemplateLabels(w)['sidecar.istio.io/inject']).not.toBe('true');
      expect(podSpecContainers(w).map((c: any) => c.name)).not.toContain('istio-init');
    }
  });

  test('the HTTPS certificate Secret is generated in istio-system, or the configuration says the user supplies it', () => {
    const gw = of('Gateway').find((g) => g.metadata.name === GATEWAY.name)!;
    const secret = gw.spec.servers.find((s: any) => s.tls?.credentialName).tls.credentialName;
    const generated = of('Job').filter((j) => j.metadata.namespace === NAMESPACES.istio)
      .flatMap((j) => (j.metadata.annotations?.[SelfSignedCertificate.ANNOTATION] ?? '').split(','));
    expect(generated.includes(secret)).toBe(config.gateway.tls.selfSigned);
  });

  test('the gateway\'s status port (15021) is on no Service and in no any-source NetworkPolicy: only the kubelet probes it, on the node', () => {
    const gatewayPods = of('Deployment').find((d) => d.metadata.name === GATEWAY.ingress && d.metadata.namespace === NAMESPACES.istio)!;
    const selects = (selector: Record<string, string> = {}) => Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => podTemplateLabels(gatewayPods)[k] === v);
    const status = GATEWAY.ports.status;
    const onServices = of('Service').filter((s) => s.metadata.namespace === NAMESPACES.istio && selects(s.spec.selector))
      .flatMap((s) => s.spec.ports.filter((p: any) => [status.name, status.containerPort].includes(p.targetPort) || p.port === status.port).map(() => s.metadata.name));
    expect(onServices).toEqual([]);
    const open = of('NetworkPolicy').filter((n) => n.metadata.namespace === NAMESPACES.istio && selects(n.spec.podSelector.matchLabels))
      .flatMap((n) => (n.spec.ingress ?? []).filter((r: any) => !r.from?.length).flatMap((r: any) => (r.ports ?? [{ port: 'all' }]).map((p: any) => `${n.metadata.name}:${p.port}`)));
    expect(open.length).toBeGreaterThan(0);
    expect(open.filter((p: string) => p.endsWith(`:${status.containerPort}`) || p.endsWith(':all'))).toEqual([]);
  });

  test('the gateway removes identity look-alike headers clients send, on every route configuration it serves', () => {
    const filters = of('EnvoyFilter');
    expect(filters.map((f) => `${f.metadata.namespace}/${f.metadata.name}`)).toEqual([`${NAMESPACES.istio}/${GATEWAY.clientHeaderFilter}`]);
    const [filter] = filters;
    const pods = of('Deployment').find((d) => d.metadata.name === GATEWAY.ingress && d.metadata.namespace === NAMESPACES.istio)!;
    const selector = filter.spec.workloadSelector.labels;
    expect(Object.keys(selector).length).toBeGreaterThan(0);
    for (const [k, v] of Object.entries(selector)) expect({ label: k, value: podTemplateLabels(pods)[k] }).toEqual({ label: k, value: v });
    // One patch, on every route configuration of the gateway (no routeConfiguration match narrows it).
    expect(filter.spec.configPatches).toHaveLength(1);
    const [patch] = filter.spec.configPatches;
    expect({ applyTo: patch.applyTo, match: patch.match, operation: patch.patch.operation })
      .toEqual({ applyTo: 'ROUTE_CONFIGURATION', match: { context: 'GATEWAY' }, operation: 'MERGE' });
    const removed: string[] = patch.patch.value.request_headers_to_remove;
    // oauth2-proxy v7.15.6's names toward upstreams (auth_request and reverse-proxy modes), and the client's host claim.
    for (const h of ['x-auth-request-user', 'x-auth-request-email', 'x-auth-request-groups', 'x-auth-request-preferred-username',
      'x-forwarded-user', 'x-forwarded-email', 'x-forwarded-groups', 'x-forwarded-host']) expect(removed).toContain(h);
    // What the gateway itself writes for the apps must survive: the JWT filter's identity, the token oauth2-proxy returns.
    const mesh = yaml.load(of('ConfigMap').find((c) => c.metadata.name === 'istio' && c.metadata.namespace === NAMESPACES.istio)!.data.mesh) as any;
    const copiedUpstream: string[] = mesh.extensionProviders.flatMap((p: any) => p.envoyExtAuthzHttp.headersToUpstreamOnAllow ?? []);
    const written = objects.filter((o) => o.kind === 'RequestAuthentication').flatMap((r) => r.spec.jwtRules.flatMap((j: any) => (j.outputClaimToHeaders ?? []).map((o: any) => o.header)));
    expect(written.length).toBeGreaterThan(0);
    expect([...copiedUpstream, ...written].filter((h) => removed.includes(h.toLowerCase()))).toEqual([]);
  });

  test('the gateway\'s Envoy refuses header names with an underscore (kubeflow_userid), through its ProxyConfig', () => {
    const pods = of('Deployment').find((d) => d.metadata.name === GATEWAY.ingress && d.metadata.namespace === NAMESPACES.istio)!;
    const env = podSpecContainers(pods)[0].env.find((e: any) => e.name === 'PROXY_CONFIG');
    expect(JSON.parse(env.value)).toEqual({ connectionSettings: { httpHeadersWithUnderscoresAction: 'HEADERS_WITH_UNDERSCORES_REJECT_REQUEST' } });
  });

  test('istiod and the gateway are sized by the profile, far below upstream istiod\'s 500m/2Gi', () => {
    const istiod = of('Deployment').find((d) => d.metadata.name === 'istiod')!.spec.template.spec.containers[0];
    expect(istiod.resources.requests).toEqual(config.resources.istiod!.requests);
    expect(istiod.resources.limits).toEqual(config.resources.istiod!.limits);
  });
});

const podSpecContainers = (w: any) => {
  const spec = w.kind === 'CronJob' ? w.spec.jobTemplate.spec.template.spec : w.spec.template.spec;
  return [...(spec.initContainers ?? []), ...spec.containers];
};
