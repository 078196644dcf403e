/**
 * Quota values the cluster could not work with are refused at the field that sets them, for the
 * shared quota and for a user's own; the boundary just inside each rule is accepted.
 */
import { MIN_OBJECTS, PROFILE_DEFAULTS } from '../../lib/config';
import { refusals as problems, resolveInput as resolve } from './support';

const ada = 'ada@example.org';
const users = [ada];
const shared = (quota: object) => ({ profile: 'laptop', users, userNamespace: { quota } });
const own = (quota: object) => ({ profile: 'laptop', users: [{ email: ada, quota }] });

test('every profile\'s defaults pass the rules', () => {
  for (const profile of Object.keys(PROFILE_DEFAULTS)) expect(resolve({ profile, users }).userNamespace.quota.pods).toBeGreaterThan(0);
});

test('pods: 0 is refused (no pod could start), 1 is fine', () => {
  expect(problems(shared({ pods: 0 }))).toEqual(['userNamespace.quota.pods: expected at least 1: with 0 no notebook, pipeline step or TensorBoard could start in the namespace']);
  expect(problems(own({ pods: 0 }))).toEqual([`users.0.quota.pods: expected at least 1: with 0 no notebook, pipeline step or TensorBoard could start in the namespace (${ada}'s quota, over userNamespace.quota)`]);
  expect(resolve(own({ pods: 1 })).users[0].quota?.pods).toBe(1);
});

test(`objects below ${MIN_OBJECTS} are refused (the platform's own objects would not fit)`, () => {
  expect(problems(shared({ objects: MIN_OBJECTS - 1 }))).toEqual([
    `userNamespace.quota.objects: expected at least ${MIN_OBJECTS}: the platform keeps some objects of several kinds in every user namespace, and the API server would refuse them`,
  ]);
  expect(resolve(shared({ objects: MIN_OBJECTS })).userNamespace.quota.objects).toBe(MIN_OBJECTS);
});

describe('limits below requests are refused', () => {
  test('CPU: on the shared quota, and on a user who raised requests only', () => {
    expect(problems(shared({ cpu: '4', cpuLimit: '3500m' })))
      .toEqual(['userNamespace.quota.cpuLimit: cpuLimit 3500m is below cpu 4: a container\'s limit is at least its request, so these requests could never be used: raise cpuLimit']);
    // Her own `cpu` breaks the rule against the shared cpuLimit: reported at her field, not the shared one.
    expect(problems(own({ cpu: '7' })))
      .toEqual([`users.0.quota.cpu: cpuLimit 6 is below cpu 7: a container's limit is at least its request, so these requests could never be used: raise cpuLimit (${ada}'s quota, over userNamespace.quota)`]);
    expect(resolve(own({ cpu: '7', cpuLimit: '7' })).users[0].quota?.cpuLimit).toBe('7');
  });

  test('memory', () => {
    expect(problems(shared({ memory: '8Gi', memoryLimit: '7Gi' })))
      .toEqual(['userNamespace.quota.memoryLimit: memoryLimit 7Gi is below memory 8Gi: a container\'s limit is at least its request, so these requests could never be used: raise memoryLimit']);
    expect(problems(own({ memoryLimit: '3Gi' })))
      .toEqual([`users.0.quota.memoryLimit: memoryLimit 3Gi is below memory 4Gi: a container's limit is at least its request, so these requests could never be used: raise memoryLimit (${ada}'s quota, over userNamespace.quota)`]);
    expect(resolve(shared({ memory: '8Gi', memoryLimit: '8192Mi' })).userNamespace.quota.memoryLimit).toBe('8192Mi');
  });
});

describe('a quota limit below the container default limit is refused (the LimitRange\'s default would exceed its max)', () => {
  test.each([
    ['cpuLimit', { cpu: '500m', cpuLimit: '900m' }, 'cpu', '1', '900m'],
    ['memoryLimit', { memory: '512Mi', memoryLimit: '768Mi' }, 'memory', '1Gi', '768Mi'],
    ['ephemeralStorage', { ephemeralStorage: '1Gi' }, 'ephemeralStorage', '2Gi', '1Gi'],
  ])('%s', (field, quota, key, limit, value) => {
    expect(problems(own(quota))).toEqual([
      `users.0.quota.${field}: expected at least userNamespace.containerDefaults.limits.${key} (${limit}), got ${value}: a container's default limit may not exceed the most one container may have (${ada}'s quota, over userNamespace.quota)`,
    ]);
    expect(resolve(own({ ...quota, [field]: limit })).users[0].quota).toMatchObject({ [field]: limit });
  });
});

test('a rule the shared quota alone breaks is reported once, not again for every user', () => {
  expect(problems({ profile: 'laptop', users: [ada, { email: 'bob@example.org', quota: { gpus: 0 } }], userNamespace: { quota: { pods: 0 } } }))
    .toEqual(['userNamespace.quota.pods: expected at least 1: with 0 no notebook, pipeline step or TensorBoard could start in the namespace']);
});

test('the default local-disk request may not exceed its limit', () => {
  const defaults = (requests: string) => ({ profile: 'laptop', users, userNamespace: { containerDefaults: { requests: { ephemeralStorage: requests } } } });
  expect(problems(defaults('3Gi'))).toEqual(['userNamespace.containerDefaults.requests.ephemeralStorage: expected at most the limit 2Gi, got 3Gi']);
  expect(resolve(defaults('2Gi')).userNamespace.containerDefaults.requests.ephemeralStorage).toBe('2Gi');
});

test('a declared notebook whose limits exceed its owner\'s per-container max is refused at its field', () => {
  const nb = (cpu: string, memory: string) => ({ profile: 'laptop', users, notebooks: [{ name: 'big', owner: ada, cpu, memory }] });
  // laptop: limitFactor 1.2, cpuLimit 6, memoryLimit 6Gi.
  expect(problems(nb('5100m', '5Gi'))).toEqual([
    `notebooks.0.cpu: notebook "big"'s CPU limit 6120m (cpu × jupyter.limitFactor) is above ${ada}'s cpuLimit 6, the most one container may have: the API server would refuse its pod`,
  ]);
  expect(problems(nb('5', '5121Mi'))).toEqual([
    `notebooks.0.memory: notebook "big"'s memory limit 6146Mi (memory × jupyter.limitFactor) is above ${ada}'s memoryLimit 6Gi, the most one container may have: the API server would refuse its pod`,
  ]);
  expect(resolve(nb('5', '5Gi')).notebooks).toHaveLength(1);
  // Her own raised limits raise her max.
  expect(resolve({ ...nb('5100m', '5Gi'), users: [{ email: ada, quota: { cpuLimit: '7' } }] }).notebooks).toHaveLength(1);
});
