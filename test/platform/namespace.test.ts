import { Testing } from 'cdk8s';
import { IngressAllow, MicroflowNamespace, MicroflowService, NAMESPACES, PlatformChart, type PodSet } from '../../lib/platform';
import { resolveUsers } from '../../lib/users';
import { constructHarness, find, VARIANTS, variantConfig, variantObjects } from '../support/stack';

describe('MicroflowNamespace', () => {
  test('restricted by default, enforced, warned and audited at a pinned version, with a default deny', () => {
    const { chart, synth } = constructHarness();
    new MicroflowNamespace(chart, 'ns', { name: 'team-a' });
    const objs = synth();
    const ns = find(objs, 'Namespace', 'team-a');
    expect(ns.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': 'v1.28',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    });
    expect(find(objs, 'NetworkPolicy', 'default-deny-ingress', 'team-a').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
  });

  test('baseline needs a written reason, which is kept on the namespace', () => {
    const { chart, synth } = constructHarness();
    expect(() => new MicroflowNamespace(chart, 'a', { name: 'a', podSecurity: 'baseline' })).toThrow(/needs a baselineReason/);
    new MicroflowNamespace(chart, 'b', { name: 'b', podSecurity: 'baseline', baselineReason: 'sidecar init needs NET_ADMIN' });
    const ns = find(synth(), 'Namespace', 'b');
    expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('baseline');
    expect(ns.metadata.annotations['microflow.dev/pod-security-reason']).toBe('sidecar init needs NET_ADMIN');
  });
});

describe('PlatformChart', () => {
  test('declares Kubeflow\'s well-known namespaces by their exact names', () => {
    const chart = new PlatformChart(Testing.app(), 'platform');
    const names = (Testing.synth(chart) as any[]).filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name).sort();
    expect(names).toEqual(['auth', 'istio-system', 'kubeflow', 'oauth2-proxy']);
    expect(Object.values(NAMESPACES).sort()).toEqual(names);
  });
});

/**
 * The Pod Security level of every namespace microflow renders, written out: a namespace added
 * without an entry here, or a level changed, fails. Users' namespaces are listed by the users.
 */
const POD_SECURITY: Record<string, 'restricted' | 'baseline' | 'privileged'> = {
  [NAMESPACES.kubeflow]: 'restricted',
  [NAMESPACES.auth]: 'restricted',
  [NAMESPACES.oauth2Proxy]: 'restricted',
  [NAMESPACES.istio]: 'restricted',
};
const USER_NAMESPACE_LEVEL = 'restricted';

test.each(VARIANTS.map((v) => [v]))('%s: every rendered namespace has exactly its listed Pod Security level, enforced, warned and audited', (variant) => {
  const expected = { ...POD_SECURITY, ...Object.fromEntries(resolveUsers(variantConfig(variant)).map((u) => [u.namespace, USER_NAMESPACE_LEVEL])) };
  const levels = Object.fromEntries(variantObjects(variant).filter((o) => o.kind === 'Namespace').map((n) => {
    const l = n.metadata.labels ?? {};
    const modes = ['enforce', 'warn', 'audit'].map((m) => l[`pod-security.kubernetes.io/${m}`]);
    return [n.metadata.name, new Set(modes).size === 1 ? modes[0] : modes.join('/')];
  }));
  expect(levels).toEqual(expected);
});

const pods: PodSet = { name: 'x', namespace: 'kubeflow', selector: { app: 'x' }, labels: { app: 'x' }, containerPorts: { s3: 8333, console: 9001 } };

describe('IngressAllow', () => {
  test('admits the given peers on the pods\' container ports (by name), across namespaces by the namespace name label', () => {
    const { chart, synth } = constructHarness();
    new IngressAllow(chart, 'allow', {
      name: 'allow-x', pods, from: [{ podLabels: { client: 'true' } }, { namespace: 'istio-system' }], ports: ['s3'],
    });
    const np = find(synth(), 'NetworkPolicy', 'allow-x', 'kubeflow');
    expect(np.spec.podSelector).toEqual({ matchLabels: { app: 'x' } });
    expect(np.spec.ingress[0].from).toEqual([
      { podSelector: { matchLabels: { client: 'true' } } },
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } } },
    ]);
    expect(np.spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 8333 }]);
  });

  test('an allow without peers or ports, or on a port the pods do not have, is refused', () => {
    const { chart } = constructHarness();
    expect(() => new IngressAllow(chart, 'a', { name: 'a', pods, from: [], ports: ['s3'] })).toThrow(/at least one peer/);
    expect(() => new IngressAllow(chart, 'b', { name: 'b', pods, from: [{}], ports: [] })).toThrow(/at least one port/);
    expect(() => new IngressAllow(chart, 'c', { name: 'c', pods, from: [{}], ports: ['http'] })).toThrow(/workload "x" has no container port named "http" \(it has: s3, console\)/);
  });

  test('forEndpoint admits the endpoint\'s client labels on the container port behind the Service port', () => {
    const { chart, synth } = constructHarness();
    const service = new MicroflowService(chart, 'svc', { name: 'store', pods, ports: [{ name: 'http-s3', port: 9000, targetPort: 's3' }] });
    IngressAllow.forEndpoint(chart, 'e', { name: 'clients', endpoint: { service, port: 'http-s3', clientLabels: { c: 'true' } }, namespaces: ['user-a'] });
    const np = find(synth(), 'NetworkPolicy', 'clients', 'kubeflow');
    expect(np.spec.ingress[0]).toEqual({
      from: [
        { podSelector: { matchLabels: { c: 'true' } } },
        { podSelector: { matchLabels: { c: 'true' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'user-a' } } },
      ],
      ports: [{ protocol: 'TCP', port: 8333 }],
    });
  });
});

describe('MicroflowService', () => {
  test('targets named container ports and resolves their numbers', () => {
    const { chart, synth } = constructHarness();
    const svc = new MicroflowService(chart, 's', { name: 'store', pods, ports: [{ name: 'http-s3', port: 9000, targetPort: 's3', appProtocol: 'http' }] });
    expect(svc.port('http-s3')).toEqual({ name: 'http-s3', port: 9000, targetPort: 's3', containerPort: 8333, appProtocol: 'http' });
    expect(svc.host).toBe('store.kubeflow.svc.cluster.local');
    expect(find(synth(), 'Service', 'store', 'kubeflow').spec).toEqual({
      selector: { app: 'x' }, ports: [{ name: 'http-s3', port: 9000, targetPort: 's3', appProtocol: 'http' }],
    });
    expect(() => svc.port('grpc')).toThrow(/Service "kubeflow\/store" has no port named "grpc" \(it has: http-s3\)/);
  });

  test('a port on a container port the pods lack is refused at synth time', () => {
    const { chart } = constructHarness();
    expect(() => new MicroflowService(chart, 's', { name: 'store', pods, ports: [{ name: 'http', port: 80, targetPort: 'http' }] }))
      .toThrow(/workload "x" has no container port named "http"/);
    expect(() => new MicroflowService(chart, 't', { name: 'store', pods, ports: [] })).toThrow(/at least one port/);
  });
});
