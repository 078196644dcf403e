import { planPhases, type Manifest } from '../../lib/deploy';
import { exampleObjects } from '../support/stack';

const m = (kind: string, name: string): Manifest => ({ apiVersion: 'v1', kind, metadata: { name } });

test('CRDs go first and are waited for; everything else follows in render order', () => {
  const phases = planPhases([m('Namespace', 'a'), m('CustomResourceDefinition', 'x.example.com'), m('ConfigMap', 'c')]);
  expect(phases.map((p) => p.name)).toEqual(['crds', 'platform']);
  expect(phases[0].waitEstablished).toEqual(['x.example.com']);
  expect(phases[1].objects.map((o) => o.metadata.name)).toEqual(['a', 'c']);
});

test('the rendered laptop stack applies namespaces before anything that lives in them, and ServiceAccounts before their pods', () => {
  const objects = exampleObjects('laptop') as unknown as Manifest[];
  const [phase] = planPhases(objects);
  const order = phase.objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
  for (const [i, o] of phase.objects.entries()) {
    if (o.metadata.namespace) expect(order.indexOf(`Namespace//${o.metadata.namespace}`)).toBeLessThan(i);
    const sa = (o as any).spec?.template?.spec?.serviceAccountName ?? (o as any).spec?.jobTemplate?.spec?.template?.spec?.serviceAccountName;
    if (sa) expect(order.indexOf(`ServiceAccount/${o.metadata.namespace}/${sa}`)).toBeLessThan(i);
  }
});
