/** Every rendered object validates against the Kubernetes (or Istio) schema of its kind. */
import { validateAgainstSchema } from './support/schema';
import { VARIANTS, variantObjects } from './support/stack';

describe.each(VARIANTS)('%s', (variant) => {
  const objects = variantObjects(variant);
  test.each(objects.map((o) => [`${o.kind} ${o.metadata.namespace ?? '-'}/${o.metadata.name}`, o] as const))('%s', (_label, o) => {
    expect(() => validateAgainstSchema(o)).not.toThrow();
  });
});

test('the validator really rejects a malformed object', () => {
  const bad = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { replicas: 'two', selector: {}, template: {} } };
  expect(() => validateAgainstSchema(bad as any)).toThrow(/replicas/);
});
