/** Every rendered object validates against the Kubernetes (or Istio) schema of its kind. */
import { validateAgainstSchema } from './support/schema';
import { VARIANTS, variantObjects } from './support/stack';

test.each(VARIANTS)('%s: every object validates against its kind\'s schema', (variant) => {
  const objects = variantObjects(variant);
  expect(objects.length).toBeGreaterThan(10);
  const invalid = objects.flatMap((o) => {
    try {
      validateAgainstSchema(o);
      return [];
    } catch (e) {
      return [`${o.kind} ${o.metadata.namespace ?? '-'}/${o.metadata.name}: ${(e as Error).message}`];
    }
  });
  expect(invalid).toEqual([]);
});

test('the validator really rejects a malformed object', () => {
  const bad = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { replicas: 'two', selector: {}, template: {} } };
  expect(() => validateAgainstSchema(bad as any)).toThrow(/replicas/);
});
