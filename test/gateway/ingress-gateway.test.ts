/** The ingress gateway's Deployment, Service, RBAC and budget, and the gateway configuration. */
import { resolveConfig } from '../../lib/config';
import { GATEWAY, IngressGateway, SelfSignedCertificate } from '../../lib/gateway';
import { NAMESPACES } from '../../lib/platform';
import { constructHarness, find, once } from '../support/stack';

function render(input: Record<string, unknown> = {}) {
  const h = constructHarness(input);
  new IngressGateway(h.chart, 'ingress', { namespace: NAMESPACES.istio, policy: h.policy, config: h.config.gateway });
  return h.synth();
}

describe('ingress gateway pod', () => {
  // Rendered inside each test (once per file): StrykerJS credits a test only with code it runs.
  const objects = once(() => render());
  const pod = () => {
    const spec = find(objects(), 'Deployment', GATEWAY.ingress, NAMESPACES.istio).spec.template.spec;
    return { spec, proxy: spec.containers[0] };
  };

  test('Envoy from the pinned proxyv2 image in router mode, through the shared policy (restricted, no token)', () => {
    const { spec, proxy } = pod();
    expect(proxy.image).toBe('gcr.io/istio-release/proxyv2:1.30.4');
    expect(proxy.args.slice(0, 2)).toEqual(['proxy', 'router']);
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1337, seccompProfile: { type: 'RuntimeDefault' } });
    expect(proxy.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(spec.automountServiceAccountToken).toBe(false);
    // No sysctl and no capability: Envoy listens on unprivileged ports.
    expect(spec.securityContext.sysctls).toBeUndefined();
    expect(proxy.ports.map((p: any) => p.containerPort)).toEqual([8080, 8443, 15021, 15090]);
  });

  test('what the gateway injection template would add: istiod address, identity token for istio-ca, root certificate', () => {
    const { spec, proxy } = pod();
    const env = Object.fromEntries(proxy.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(env.CA_ADDR).toBe('istiod.istio-system.svc:15012');
    expect(env.PILOT_CERT_PROVIDER).toBe('istiod');
    expect(env.ISTIO_META_WORKLOAD_NAME).toBe('istio-ingressgateway');
    expect(JSON.parse(env.ISTIO_META_POD_PORTS).map((p: any) => p.name)).toEqual(['http2', 'https', 'status-port', 'http-envoy-prom']);
    const token = spec.volumes.find((v: any) => v.name === 'istio-token').projected.sources[0].serviceAccountToken;
    // An hour, not the injection template's 12 hours: it is what istiod sends config and TLS keys to.
    expect(token).toEqual({ path: 'istio-token', expirationSeconds: 3600, audience: 'istio-ca' });
    expect(spec.volumes.find((v: any) => v.name === 'istiod-ca-cert').configMap.name).toBe('istio-ca-root-cert');
    for (const m of proxy.volumeMounts) expect(spec.volumes.map((v: any) => v.name)).toContain(m.name);
  });

  test('labels upstream selects by, and never injected', () => {
    const labels = find(objects(), 'Deployment', GATEWAY.ingress).spec.template.metadata.labels;
    expect(labels).toMatchObject({ istio: 'ingressgateway', app: 'istio-ingressgateway', 'sidecar.istio.io/inject': 'false' });
  });

  test('probes: readiness on /healthz/ready, liveness only on the agent being up', () => {
    const { proxy } = pod();
    expect(proxy.readinessProbe.httpGet).toEqual({ path: '/healthz/ready', port: 15021 });
    expect(proxy.livenessProbe.tcpSocket).toEqual({ port: 15021 });
  });

  test('its ServiceAccount may only list Secrets in istio-system, which istiod checks before serving a credentialName', () => {
    expect(find(objects(), 'Role', GATEWAY.ingress, NAMESPACES.istio).rules).toEqual([{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }]);
    const binding = find(objects(), 'RoleBinding', GATEWAY.ingress, NAMESPACES.istio);
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: GATEWAY.ingress, namespace: NAMESPACES.istio }]);
    expect(binding.metadata.annotations['microflow.dev/rbac-checked-by']).toBe('istiod');
  });
});

describe('ingress gateway Service', () => {
  test('NodePort by default, with the fixed node ports, 80/443 onto the unprivileged container ports, and nothing else', () => {
    const svc = find(render(), 'Service', GATEWAY.ingress, NAMESPACES.istio);
    expect(svc.spec.type).toBe('NodePort');
    // No status port: Kubernetes would give it a node port of its choosing, open to any source.
    expect(svc.spec.ports).toEqual([
      { name: 'http2', port: 80, targetPort: 'http2', nodePort: 30080 },
      { name: 'https', port: 443, targetPort: 'https', nodePort: 30443 },
    ]);
  });

  test('LoadBalancer for MetalLB, node ports still fixed', () => {
    const svc = find(render({ gateway: { serviceType: 'LoadBalancer', nodePorts: { http: 31080, https: 31443 } } }), 'Service', GATEWAY.ingress);
    expect(svc.spec.type).toBe('LoadBalancer');
    expect(svc.spec.ports.map((p: any) => p.nodePort)).toEqual([31080, 31443]);
  });
});

describe('replicas and disruption budget', () => {
  test('one replica, no budget on a laptop (a budget of one would block node drains)', () => {
    const objects = render();
    expect(find(objects, 'Deployment', GATEWAY.ingress).spec.replicas).toBe(1);
    expect(objects.filter((o) => o.kind === 'PodDisruptionBudget')).toEqual([]);
  });

  test('the cluster profile autoscales it from two, spread over nodes, and keeps one through drains', () => {
    const objects = render({ profile: 'cluster' });
    const d = find(objects, 'Deployment', GATEWAY.ingress);
    expect(d.spec.replicas).toBeUndefined(); // the HPA owns the count
    expect(find(objects, 'HorizontalPodAutoscaler', GATEWAY.ingress, NAMESPACES.istio).spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: GATEWAY.ingress }, minReplicas: 2,
    });
    expect(d.spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe('kubernetes.io/hostname');
    const pdb = find(objects, 'PodDisruptionBudget', GATEWAY.ingress, NAMESPACES.istio);
    expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: d.spec.selector.matchLabels } });
  });

  test('without autoscaling, two replicas are fixed and budgeted', () => {
    const objects = render({ profile: 'cluster', scaling: { autoscale: false } });
    expect(find(objects, 'Deployment', GATEWAY.ingress).spec.replicas).toBe(2);
    expect(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')).toEqual([]);
    expect(find(objects, 'PodDisruptionBudget', GATEWAY.ingress, NAMESPACES.istio).spec.maxUnavailable).toBe(1);
  });
});

describe('self-signed certificate Job', () => {
  test('creates the TLS Secret in istio-system only if absent; may create Secrets and read only that one', () => {
    const h = constructHarness();
    new SelfSignedCertificate(h.chart, 'cert', { namespace: NAMESPACES.istio, secretName: 'kubeflow-gateway-tls', domain: 'microflow.local', policy: h.policy });
    const objects = h.synth();
    const job = find(objects, 'Job', 'kubeflow-gateway-tls-certificate', NAMESPACES.istio);
    expect(job.metadata.annotations['microflow.dev/generates-secrets']).toBe('kubeflow-gateway-tls');
    const spec = job.spec.template.spec;
    expect(spec.initContainers[0].command[2]).toContain('openssl req -x509');
    expect(spec.containers[0].command[2]).toContain('kubectl -n "$NAMESPACE" create secret tls "$CERTIFICATE"');
    expect(spec.containers[0].command[2]).toContain('exists: kept as it is');
    expect(find(objects, 'Role', 'kubeflow-gateway-tls-certificate').rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['kubeflow-gateway-tls'] },
    ]);
  });
});

describe('gateway configuration', () => {
  const problems = (gateway: unknown) => {
    try {
      resolveConfig({ gateway } as any);
      return [];
    } catch (e) {
      return (e as any).problems as string[];
    }
  };
  test.each([
    [{ serviceType: 'ClusterIP' }, 'gateway.serviceType: expected "NodePort" or "LoadBalancer"'],
    [{ nodePorts: { http: 80, https: 30443 } }, 'gateway.nodePorts.http: expected a node port in Kubernetes\' default range 30000-32767'],
    [{ nodePorts: { http: 30080, https: 30080 } }, 'gateway.nodePorts.https: expected a node port other than the HTTP one (30080)'],
    [{ replicas: 0 }, 'gateway.replicas: expected at least 1 replica'],
    [{ tls: { secretName: 'My Cert', selfSigned: true } }, 'gateway.tls.secretName: expected a Secret name: lowercase letters, digits, \'-\' and \'.\', got "My Cert"'],
    [{ tls: { selfsigned: true } }, 'gateway.tls: unknown key "selfsigned" (check the spelling; see README "Configuration")'],
  ])('%j is refused', (gateway, message) => {
    expect(problems(gateway)).toContain(message);
  });
});
