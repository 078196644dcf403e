/** The Route construct and the Gateway handle: what login, users, pipelines and notebooks build on. */
import { Construct } from 'constructs';
import { GATEWAY, IngressGateway, KubeflowGateway, Route, routesOf } from '../../lib/gateway';
import { PLAIN_HTTP_WARNING } from '../../lib/config';
import { connectionsOf, DEPLOY_HINT_ANNOTATIONS, MicroflowService, NAMESPACES, PolicyDeployment, type ContainerProps } from '../../lib/platform';
import { NetworkPolicies } from '../support/netpol';
import { constructHarness, find } from '../support/stack';

const probe = { tcpSocket: { port: 80 } } as any;
const web: ContainerProps = { name: 'web', image: 'mysql', resources: 'mysql', readiness: probe, liveness: probe, ports: [{ name: 'http', port: 3000 }] };

/** A gateway and one app Service (port 80 → container port "http" 3000) in a fresh chart. */
function setup(input: Record<string, unknown> = {}) {
  const h = constructHarness(input);
  const ingress = new IngressGateway(h.chart, 'ingress', { namespace: NAMESPACES.istio, policy: h.policy, config: h.config.gateway });
  const gateway = new KubeflowGateway(h.chart, 'gw', { namespace: NAMESPACES.kubeflow, workload: ingress.pods, config: h.config.gateway, domain: h.config.domain });
  const app = new PolicyDeployment(h.chart, 'app', { name: 'web-app', namespace: NAMESPACES.kubeflow, policy: h.policy, pod: { containers: [web] } });
  const service = new MicroflowService(h.chart, 'svc', { name: 'web-app', pods: app.pods, ports: [{ name: 'http', port: 80, targetPort: 'http' }] });
  return { ...h, ingress, gateway, service };
}

describe('Route', () => {
  test('one call: a VirtualService on kubeflow/kubeflow-gateway for the prefix → the Service port', () => {
    const { chart, gateway, service, synth } = setup();
    new Route(chart, 'r', { gateway, name: 'web-app', prefix: '/web/', to: service, port: 'http', rewrite: '/', timeout: '300s' });
    const vs = find(synth(), 'VirtualService', 'web-app', NAMESPACES.kubeflow);
    expect(vs.apiVersion).toBe('networking.istio.io/v1');
    expect(vs.spec).toEqual({
      hosts: ['*'],
      gateways: ['kubeflow/kubeflow-gateway'],
      http: [{
        name: 'web-app',
        match: [{ uri: { prefix: '/web/' } }],
        rewrite: { uri: '/' },
        route: [{ destination: { host: 'web-app.kubeflow.svc.cluster.local', port: { number: 80 } } }],
        headers: { response: { set: { 'Strict-Transport-Security': 'max-age=31536000' } } },
        timeout: '300s',
      }],
    });
  });

  test('admits the gateway\'s pods (istio-system) on the target pod\'s container port, not the Service port', () => {
    const { chart, gateway, service, synth } = setup();
    new Route(chart, 'r', { gateway, name: 'web-app', prefix: '/web/', to: service, port: 'http' });
    const objects = synth();
    const np = find(objects, 'NetworkPolicy', 'web-app-from-gateway', NAMESPACES.kubeflow);
    expect(np.spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 3000 }]);
    const policies = new NetworkPolicies([...objects, { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'kubeflow' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } }]);
    const to = { namespace: NAMESPACES.kubeflow, labels: service.pods.labels };
    expect(policies.allows({ namespace: NAMESPACES.istio, labels: gateway.workload.labels }, to, 3000)).toBe(true);
    expect(policies.allows({ namespace: NAMESPACES.istio, labels: gateway.workload.labels }, to, 80)).toBe(false);
    expect(policies.allows({ namespace: NAMESPACES.istio, labels: { app: 'other' } }, to, 3000)).toBe(false);
    expect(policies.allows({ namespace: 'some-user', labels: gateway.workload.labels }, to, 3000)).toBe(false);
  });

  test('declares the gateway → Service connection and lists the route', () => {
    const { chart, gateway, service } = setup();
    new Route(chart, 'r', { gateway, name: 'web-app', prefix: '/web/', to: service, port: 'http' });
    expect(connectionsOf(chart).map((c) => `${c.from.namespace}/${c.from.name} → ${c.to.name}:${c.port}`)).toEqual(['istio-system/istio-ingressgateway → web-app:http']);
    expect(routesOf(chart).map((r) => `${r.prefix} → ${r.to.name}:${r.port}`)).toEqual(['/web/ → web-app:http']);
  });

  test('a Service port that does not exist fails at synth time, naming the route and the ports there are', () => {
    const { chart, gateway, service } = setup();
    expect(() => new Route(chart, 'r', { gateway, name: 'web-app', prefix: '/web/', to: service, port: 'grpc' }))
      .toThrow('Route "web-app" → kubeflow/web-app: Service "kubeflow/web-app" has no port named "grpc" (it has: http)');
  });

  test.each([
    ['web/', /prefix must start and end with "\/"/],
    ['/web', /prefix must start and end with "\/"/],
    ['/we b/', /prefix must start and end with "\/"/],
  ])('prefix %j is refused', (prefix, message) => {
    const { chart, gateway, service } = setup();
    expect(() => new Route(chart, 'r', { gateway, name: 'web-app', prefix, to: service, port: 'http' })).toThrow(message);
  });

  test('a bad name, a relative rewrite or a prefix routed twice are refused', () => {
    const { chart, gateway, service } = setup();
    expect(() => new Route(chart, 'a', { gateway, name: 'Web_App', prefix: '/web/', to: service, port: 'http' })).toThrow(/DNS label/);
    expect(() => new Route(chart, 'b', { gateway, name: 'web-app', prefix: '/web/', to: service, port: 'http', rewrite: 'x/' })).toThrow(/rewrite must start with/);
    new Route(chart, 'c', { gateway, name: 'web-app', prefix: '/web/', to: service, port: 'http' });
    expect(() => new Route(chart, 'd', { gateway, name: 'web-too', prefix: '/web/', to: service, port: 'http' })).toThrow('prefix /web/ is already routed by "web-app"');
  });

  test('withinSegment: a prefix ending inside a segment (a gRPC method family), matched as written', () => {
    const { chart, gateway, service, synth } = setup();
    new Route(chart, 'r', { gateway, name: 'reads', prefix: '/pkg.Service/Get', withinSegment: true, to: service, port: 'http' });
    expect(find(synth(), 'VirtualService', 'reads').spec.http[0].match).toEqual([{ uri: { prefix: '/pkg.Service/Get' } }]);
  });

  test.each([
    ['/pkg.Service/Get', false, /prefix must start and end with "\/"/],
    ['/pkg.Service/', true, /with withinSegment, prefix must start with "\/" and end inside a segment/],
    ['pkg.Service/Get', true, /with withinSegment/],
    ['/pkg.Service/Get*', true, /with withinSegment/],
  ])('prefix %j with withinSegment=%j is refused', (prefix, withinSegment, message) => {
    const { chart, gateway, service } = setup();
    expect(() => new Route(chart, 'r', { gateway, name: 'reads', prefix, withinSegment, to: service, port: 'http' })).toThrow(message);
  });

  test('the root prefix "/" is a valid route', () => {
    const { chart, gateway, service, synth } = setup();
    new Route(chart, 'r', { gateway, name: 'home', prefix: '/', to: service, port: 'http' });
    expect(find(synth(), 'VirtualService', 'home').spec.http[0].match).toEqual([{ uri: { prefix: '/' } }]);
  });
});

describe('Gateway handle', () => {
  test('kubeflow-gateway in kubeflow: HTTPS only, with the TLS Secret, any host, on the ingress pods', () => {
    const { gateway, synth } = setup();
    expect([gateway.name, gateway.namespace]).toEqual(['kubeflow-gateway', 'kubeflow']);
    const gw = find(synth(), 'Gateway', 'kubeflow-gateway', 'kubeflow');
    expect(gw.apiVersion).toBe('networking.istio.io/v1');
    expect(gw.spec).toEqual({
      selector: { istio: 'ingressgateway' },
      servers: [
        { port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['*'], tls: { mode: 'SIMPLE', credentialName: 'kubeflow-gateway-tls' } },
      ],
    });
    expect(gw.metadata.annotations).toBeUndefined();
  });

  test('plainHttp: kubeflow-gateway serves HTTP on 80 too, no redirect objects, and carries the deploy warning', () => {
    const { synth } = setup({ gateway: { plainHttp: true } });
    const objects = synth();
    const gw = find(objects, 'Gateway', 'kubeflow-gateway', 'kubeflow');
    expect(gw.spec.servers.map((s: any) => [s.port.number, s.port.protocol, s.tls])).toEqual([
      [80, 'HTTP', undefined],
      [443, 'HTTPS', { mode: 'SIMPLE', credentialName: 'kubeflow-gateway-tls' }],
    ]);
    expect(gw.metadata.annotations).toEqual({ [DEPLOY_HINT_ANNOTATIONS.warning]: PLAIN_HTTP_WARNING });
    expect(objects.filter((o: any) => o.metadata.name === GATEWAY.httpsRedirect)).toEqual([]);
  });

  test('the workload is the ingress gateway\'s pods, carrying the labels the Gateway selects', () => {
    const { gateway } = setup();
    expect(gateway.workload.namespace).toBe('istio-system');
    expect(gateway.workload.labels).toMatchObject(GATEWAY.podLabels);
    expect(gateway.workload.selector).toEqual({ 'app.kubernetes.io/name': 'istio-ingressgateway', 'app.kubernetes.io/instance': 'microflow' });
  });

  test.each([
    [{}, ['https://microflow.local:30443']],
    [{ gateway: { serviceType: 'LoadBalancer' } }, ['https://microflow.local']],
    [{ domain: 'ml.example.org', gateway: { nodePorts: { http: 31080, https: 31443 } } }, ['https://ml.example.org:31443']],
    [{ gateway: { plainHttp: true } }, ['https://microflow.local:30443', 'http://microflow.local:30080']],
    [{ gateway: { plainHttp: true, serviceType: 'LoadBalancer' } }, ['https://microflow.local', 'http://microflow.local']],
  ])('externalUrls for %j', (input, urls) => {
    expect(setup(input).gateway.externalUrls).toEqual(urls);
  });

  test('addExtensionProvider admits the gateway to the provider\'s pods and declares the connection', () => {
    const { chart, gateway, service, synth } = setup();
    gateway.addExtensionProvider({ name: 'authz', service, port: 'http', includeRequestHeadersInCheck: ['cookie'] });
    const np = find(synth(), 'NetworkPolicy', 'web-app-from-gateway', 'kubeflow');
    expect(np.spec.ingress[0]).toEqual({
      from: [{ podSelector: { matchLabels: gateway.workload.selector }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } } }],
      ports: [{ protocol: 'TCP', port: 3000 }],
    });
    expect(connectionsOf(chart).map((c) => `${c.from.name} → ${c.to.name}:${c.port}`)).toEqual(['istio-ingressgateway → web-app:http']);
    expect(() => gateway.addExtensionProvider({ name: 'authz', service, port: 'http' })).toThrow(/already defined/);
    expect(() => gateway.addExtensionProvider({ name: 'other', service, port: 'grpc' })).toThrow(/has no port named "grpc"/);
  });

  test('a Construct can hold routes of several components (routes are listed per app)', () => {
    const { chart, gateway, service } = setup();
    const component = new Construct(chart, 'component');
    new Route(component, 'a', { gateway, name: 'a', prefix: '/a/', to: service, port: 'http' });
    new Route(component, 'b', { gateway, name: 'b', prefix: '/b/', to: service, port: 'http' });
    expect(routesOf(component).map((r) => r.name)).toEqual(['a', 'b']);
  });
});

describe('HTTPS by default (docs/security.md, path 7)', () => {
  test.each([
    // Envoy keeps the request's Host, port included, unless the redirect names one: the HTTPS node port.
    ['NodePort', {}, 30443],
    ['other node ports', { gateway: { nodePorts: { http: 31080, https: 31443 } } }, 31443],
    // Istio drops 443 for https; the Host of a load balancer's address carries no port.
    ['LoadBalancer', { gateway: { serviceType: 'LoadBalancer' } }, 443],
  ])('%s: port 80 is its own Gateway in istio-system, whose one VirtualService redirects to HTTPS on the external HTTPS port', (_, input, port) => {
    const objects = setup(input).synth();
    const gw = find(objects, 'Gateway', GATEWAY.httpsRedirect, NAMESPACES.istio);
    // "./*": only VirtualServices of istio-system attach to port 80, never an app's or a notebook's.
    expect(gw.spec).toEqual({ selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['./*'] }] });
    const vs = find(objects, 'VirtualService', GATEWAY.httpsRedirect, NAMESPACES.istio);
    expect(vs.spec).toEqual({
      hosts: ['*'],
      gateways: [`${NAMESPACES.istio}/${GATEWAY.httpsRedirect}`],
      http: [{ name: GATEWAY.httpsRedirect, redirect: { scheme: 'https', port, redirectCode: 301 } }],
    });
    // No other Gateway server listens on 80.
    const on80 = objects.filter((o: any) => o.kind === 'Gateway').flatMap((g: any) => g.spec.servers.filter((s: any) => s.port.number === 80).map(() => g.metadata.name));
    expect(on80).toEqual([GATEWAY.httpsRedirect]);
  });

  test('routes are HTTPS-only ports; HSTS (one year, no includeSubDomains or preload) on every route, none with plainHttp', () => {
    const https = setup();
    new Route(https.chart, 'r', { gateway: https.gateway, name: 'web-app', prefix: '/web/', to: https.service, port: 'http' });
    expect(https.gateway.routedPorts).toEqual([GATEWAY.ports.https.containerPort]);
    expect(find(https.synth(), 'VirtualService', 'web-app').spec.http[0].headers).toEqual({ response: { set: { 'Strict-Transport-Security': 'max-age=31536000' } } });

    const plain = setup({ gateway: { plainHttp: true } });
    new Route(plain.chart, 'r', { gateway: plain.gateway, name: 'web-app', prefix: '/web/', to: plain.service, port: 'http' });
    expect(plain.gateway.routedPorts).toEqual([GATEWAY.ports.http.containerPort, GATEWAY.ports.https.containerPort]);
    expect(find(plain.synth(), 'VirtualService', 'web-app').spec.http[0].headers).toBeUndefined();
  });
});
