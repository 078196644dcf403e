import { cpuMillis, memoryBytes } from './quantity';
import type { UserConfig, UserNamespaceConfig, UserQuota } from './users';

/**
 * The least `objects` a quota may allow: the platform itself keeps a few objects of a kind in every
 * user namespace (ServiceAccounts, the object-store key Secret, `kube-root-ca.crt`, a TensorBoard's
 * Deployment and Service), and a quota below them would refuse the platform's own apply.
 * test/users/quota.test.ts checks the rendered stack stays within half of it.
 */
export const MIN_OBJECTS = 20;

type Field = keyof UserQuota;
type Issue = { path: (string | number)[]; message: string };
/** A broken rule: the quota fields it involves (the first is where it is reported) and why. */
type Broken = { fields: Field[]; message: string };

type Defaults = UserNamespaceConfig['containerDefaults'];

/** What makes a quota unusable, whoever set it: each broken rule with the fields it involves. */
function brokenRules(q: UserQuota, defaults: Defaults): Broken[] {
  const out: Broken[] = [];
  if (q.pods < 1) out.push({ fields: ['pods'], message: 'expected at least 1: with 0 no notebook, pipeline step or TensorBoard could start in the namespace' });
  if (q.objects < MIN_OBJECTS) {
    out.push({ fields: ['objects'], message: `expected at least ${MIN_OBJECTS}: the platform keeps some objects of several kinds in every user namespace, and the API server would refuse them` });
  }
  if (cpuMillis(q.cpuLimit) < cpuMillis(q.cpu)) {
    out.push({ fields: ['cpuLimit', 'cpu'], message: `cpuLimit ${q.cpuLimit} is below cpu ${q.cpu}: a container's limit is at least its request, so these requests could never be used: raise cpuLimit` });
  }
  if (memoryBytes(q.memoryLimit) < memoryBytes(q.memory)) {
    out.push({ fields: ['memoryLimit', 'memory'], message: `memoryLimit ${q.memoryLimit} is below memory ${q.memory}: a container's limit is at least its request, so these requests could never be used: raise memoryLimit` });
  }
  // The LimitRange's `max` is the quota's limit; the API server refuses a default above its max.
  const parse = { cpu: cpuMillis, memory: memoryBytes, ephemeralStorage: memoryBytes };
  for (const [key, field] of [['cpu', 'cpuLimit'], ['memory', 'memoryLimit'], ['ephemeralStorage', 'ephemeralStorage']] as const) {
    if (parse[key](q[field]) < parse[key](defaults.limits[key])) {
      out.push({ fields: [field], message: `expected at least userNamespace.containerDefaults.limits.${key} (${defaults.limits[key]}), got ${q[field]}: a container's default limit may not exceed the most one container may have` });
    }
  }
  return out;
}

/**
 * Quota values the cluster could not work with, reported at the field that sets them: on
 * `userNamespace.quota`, and on a user's own `quota` when one of its fields takes part in the
 * broken rule (a rule broken by the shared quota alone is reported once, there).
 */
export function quotaIssues(users: UserConfig[], userNamespace: UserNamespaceConfig): Issue[] {
  const defaults = userNamespace.containerDefaults;
  // A value that is no quantity at all is reported by its field's own rule; nothing to compare then.
  const broken = (q: UserQuota): Broken[] => { try { return brokenRules(q, defaults); } catch { return []; } };
  const issues: Issue[] = broken(userNamespace.quota)
    .map((b) => ({ path: ['userNamespace', 'quota', b.fields[0]], message: b.message }));
  users.forEach((u, i) => {
    const own = u.quota ?? {};
    for (const b of broken({ ...userNamespace.quota, ...own })) {
      const field = b.fields.find((f) => f in own);
      if (field) issues.push({ path: ['users', i, 'quota', field], message: `${b.message} (${u.email}'s quota, over userNamespace.quota)` });
    }
  });
  const { requests, limits } = defaults;
  const above = () => { try { return memoryBytes(requests.ephemeralStorage) > memoryBytes(limits.ephemeralStorage); } catch { return false; } };
  if (above()) {
    issues.push({ path: ['userNamespace', 'containerDefaults', 'requests', 'ephemeralStorage'], message: `expected at most the limit ${limits.ephemeralStorage}, got ${requests.ephemeralStorage}` });
  }
  return issues;
}
