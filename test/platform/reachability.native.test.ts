/**
 * The reachability questions of reachability.test.ts, answered by cyclonus, a real NetworkPolicy
 * engine (test/support/cyclonus.ts), which must agree with the JS evaluator on every one.
 * Native tier: needs cyclonus (test/native/tier.js).
 */
import { cyclonusAllows, findCyclonus } from '../support/cyclonus';
import { rendered, VARIANTS, variantConfig } from '../support/stack';
import { cases, expectedVerdicts, servicePortBug, verdicts } from './reachability';

const cyclonus = () => {
  const bin = findCyclonus();
  if (!bin) throw new Error('cyclonus is not built: run scripts/programs/build.sh cyclonus');
  return bin;
};

test.each(VARIANTS)('%s: cyclonus agrees on every question', (variant) => {
  const { objects, connections } = rendered(variantConfig(variant));
  const list = cases(connections);
  expect(list.length).toBeGreaterThan(0);
  expect(verdicts(list, cyclonusAllows(cyclonus(), objects, list))).toEqual(expectedVerdicts(list));
});

test('cyclonus catches the bug class (policy on the Service port instead of the pod\'s): it refuses every S3 client', () => {
  const { objects, list } = servicePortBug();
  expect(list.length).toBeGreaterThanOrEqual(2);
  expect(cyclonusAllows(cyclonus(), objects, list)).toEqual(list.map(() => false));
});
