import { planPhases, type Manifest } from '../../lib/deploy';
import { PLATFORM_PRIORITY } from '../../lib/platform';
import { exampleObjects, podSpecOf } from '../support/stack';

const m = (kind: string, name: string): Manifest => ({ apiVersion: 'v1', kind, metadata: { name } });

test('CRDs go first and are waited for; namespaces next; everything else follows in render order', () => {
  const phases = planPhases([m('Namespace', 'a'), m('CustomResourceDefinition', 'x.example.com'), m('ConfigMap', 'c'), m('ConfigMap', 'd')]);
  expect(phases.map((p) => p.name)).toEqual(['definitions', 'namespaces', 'platform']);
  expect(phases[0].waitEstablished).toEqual(['x.example.com']);
  expect(phases[1].objects.map((o) => o.metadata.name)).toEqual(['a']);
  expect(phases[1].waitQuotas).toBeUndefined();
  expect(phases[2].objects.map((o) => o.metadata.name)).toEqual(['c', 'd']);
});

test('quotas and container defaults come with their namespaces, before what they count, and are waited for', () => {
  const q = (name: string, namespace: string): Manifest => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name, namespace } });
  const phases = planPhases([m('Namespace', 'a'), { ...m('Notebook', 'nb'), metadata: { name: 'nb', namespace: 'a' } }, q('kf-resource-quota', 'a'),
    { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'defaults', namespace: 'a' } }, q('no-priority-class', 'a')]);
  expect(phases.map((p) => [p.name, p.objects.map((o) => o.kind)])).toEqual([
    ['namespaces', ['Namespace', 'ResourceQuota', 'LimitRange', 'ResourceQuota']],
    ['platform', ['Notebook']],
  ]);
  expect(phases[0].waitQuotas).toEqual(['a/kf-resource-quota', 'a/no-priority-class']);
});

test('PriorityClasses go in the first phase with the CRDs: no pod naming one is created before it exists', () => {
  const phases = planPhases([m('ConfigMap', 'c'), m('PriorityClass', 'p')]);
  expect(phases.map((p) => p.name)).toEqual(['definitions', 'platform']);  // no namespace, no namespaces phase
  expect(phases[0].objects.map((o) => o.kind)).toEqual(['PriorityClass']);
  expect(phases[0].waitEstablished).toEqual([]);
});

test('the rendered stack: the platform PriorityClass is in the first phase, and no workload shares that phase', () => {
  const objects = exampleObjects('laptop') as unknown as Manifest[];
  const [first, ...rest] = planPhases(objects);
  expect(first.objects.filter((o) => o.kind === 'PriorityClass').map((o) => o.metadata.name)).toEqual([PLATFORM_PRIORITY.name]);
  expect(first.objects.filter((o) => podSpecOf(o as any))).toEqual([]);
  const naming = rest.flatMap((p) => p.objects).filter((o) => podSpecOf(o as any)?.priorityClassName === PLATFORM_PRIORITY.name);
  expect(naming.length).toBeGreaterThan(10);
});

test('the rendered laptop stack applies namespaces before anything that lives in them, and ServiceAccounts before their pods', () => {
  const objects = exampleObjects('laptop') as unknown as Manifest[];
  const phase = planPhases(objects).find((p) => p.name === 'platform')!;
  const order = phase.objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
  for (const [i, o] of phase.objects.entries()) {
    if (o.metadata.namespace) expect(order.indexOf(`Namespace//${o.metadata.namespace}`)).toBeLessThan(i);
    const sa = (o as any).spec?.template?.spec?.serviceAccountName ?? (o as any).spec?.jobTemplate?.spec?.template?.spec?.serviceAccountName;
    if (sa) expect(order.indexOf(`ServiceAccount/${o.metadata.namespace}/${sa}`)).toBeLessThan(i);
  }
});

describe('admission webhooks', () => {
  const webhook = (objectSelector?: object): Manifest => ({
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'istio-validator-istio-system' },
    webhooks: [{ name: 'rev.validation.istio.io', clientConfig: { service: { name: 'istiod', namespace: 'istio-system' } }, rules: [{ apiGroups: ['networking.istio.io'] }], ...(objectSelector ? { objectSelector } : {}) }],
  } as any);
  const istiod: Manifest[] = [
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'istiod', namespace: 'istio-system' }, spec: { selector: { istio: 'pilot' } } } as any,
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'istiod', namespace: 'istio-system' }, spec: { template: { metadata: { labels: { istio: 'pilot', app: 'istiod' } } } } } as any,
  ];
  const gateway = (labels?: Record<string, string>): Manifest => ({ apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'g', namespace: 'kubeflow', ...(labels ? { labels } : {}) } } as any);

  test('objects a webhook validates wait until its server is Available and has put in its CA bundle', () => {
    const phases = planPhases([...istiod, webhook(), gateway(), m('ConfigMap', 'c')]);
    expect(phases.map((p) => p.name)).toEqual(['platform', 'webhook-validated']);
    expect(phases[0].waitAvailable).toEqual(['istio-system/istiod']);
    expect(phases[0].waitWebhooks).toEqual(['ValidatingWebhookConfiguration/istio-validator-istio-system']);
    expect(phases[1].objects.map((o) => o.kind)).toEqual(['Gateway']);
  });

  test('Istio\'s revision validator sees only objects labelled istio.io/rev: unlabelled ones need no boundary', () => {
    const selector = { matchExpressions: [{ key: 'istio.io/rev', operator: 'In', values: ['default'] }] };
    expect(planPhases([...istiod, webhook(selector), gateway()]).map((p) => p.name)).toEqual(['platform']);
    expect(planPhases([...istiod, webhook(selector), gateway({ 'istio.io/rev': 'default' })]).map((p) => p.name)).toEqual(['platform', 'webhook-validated']);
  });

  test('the rendered stack: istiod\'s validator selects none of microflow\'s Istio objects, so one platform phase follows the CRDs', () => {
    const objects = exampleObjects('laptop') as unknown as Manifest[];
    expect(objects.some((o) => o.kind === 'ValidatingWebhookConfiguration')).toBe(true);
    expect(planPhases(objects).map((p) => p.name)).toEqual(['definitions', 'namespaces', 'platform']);
  });
});
