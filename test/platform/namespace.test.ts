import { Testing } from 'cdk8s';
import { IngressAllow, MicroflowNamespace, PlatformChart, NAMESPACES } from '../../lib/platform';
import { constructHarness, find } from '../support/stack';

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
    const { config } = constructHarness();
    const chart = new PlatformChart(Testing.app(), 'platform', { config });
    const names = (Testing.synth(chart) as any[]).filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name).sort();
    expect(names).toEqual(['auth', 'istio-system', 'kubeflow', 'oauth2-proxy']);
    expect(Object.values(NAMESPACES).sort()).toEqual(names);
  });
});

describe('IngressAllow', () => {
  test('admits the given peers on the given ports, across namespaces by the namespace name label', () => {
    const { chart, synth } = constructHarness();
    new IngressAllow(chart, 'allow', {
      name: 'allow-x', namespace: 'kubeflow', podSelector: { app: 'x' },
      from: [{ podLabels: { client: 'true' } }, { namespace: 'istio-system' }], ports: [9000],
    });
    const np = find(synth(), 'NetworkPolicy', 'allow-x', 'kubeflow');
    expect(np.spec.podSelector).toEqual({ matchLabels: { app: 'x' } });
    expect(np.spec.ingress[0].from).toEqual([
      { podSelector: { matchLabels: { client: 'true' } } },
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } } },
    ]);
    expect(np.spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 9000 }]);
  });

  test('an allow without peers is refused (it would silently allow nothing)', () => {
    const { chart } = constructHarness();
    expect(() => new IngressAllow(chart, 'a', { name: 'a', namespace: 'n', podSelector: { a: 'b' }, from: [], ports: [1] })).toThrow(/at least one peer/);
  });
});
