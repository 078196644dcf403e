/**
 * The configuration rules on notebooks and TensorBoards that need the whole configuration (owners,
 * duplicates, GPU quota per owner) and the notebook image rule, each refused with the path and a
 * message naming what is wrong, and the neighbouring valid cases accepted.
 */
import { refusals as problems, resolveInput as resolve } from './support';

const ada = 'ada@example.org';
const bob = 'bob@example.org';
const users = [ada, bob];

describe('notebooks', () => {
  test('an owner who is not a user: the users are listed', () => {
    expect(problems({ users, notebooks: [{ name: 'nb', owner: 'eve@example.org' }] }))
      .toEqual([`notebooks.0.owner: notebook "nb": owner eve@example.org is not one of users (${ada}, ${bob})`]);
  });

  test('two notebooks of one name for one owner: the second is refused; the same name for two owners is fine', () => {
    expect(problems({ users, notebooks: [{ name: 'nb', owner: ada }, { name: 'nb', owner: ada }] }))
      .toEqual([`notebooks.1.name: notebook "nb": ${ada} already has a notebook of that name`]);
    expect(resolve({ users, notebooks: [{ name: 'nb', owner: ada }, { name: 'nb', owner: bob }] }).notebooks).toHaveLength(2);
  });

  test('gpus: 0 is a CPU notebook, accepted where GPUs are off', () => {
    expect(resolve({ profile: 'laptop', users, notebooks: [{ name: 'cpu', owner: ada, gpus: 0 }] }).notebooks[0].gpus).toBe(0);
  });

  test('a count the profile cannot place: the profile is named after the "expected" wording', () => {
    expect(problems({ profile: 'gpu-workstation', users, notebooks: [{ name: 'half', owner: ada, gpus: 0.5 }] }))
      .toEqual(['notebooks.0.gpus: notebook "half" (profile "gpu-workstation"): expected a whole number of GPUs (1 or more), got 0.5; GPUs are not shared by fractions (see gpu.timeSlicing)']);
  });

  test('the GPU quota counts the owner\'s own notebooks declared up to this one, against their own quota', () => {
    const gpu = { profile: 'gpu-workstation', gpu: { timeSlicing: { replicas: 4 } } };
    // Quota 1 (userNamespace default): the second of ada's notebooks is refused, not the first.
    expect(problems({ ...gpu, users, userNamespace: { quota: { gpus: 1 } }, notebooks: [{ name: 'a', owner: ada, gpus: 1 }, { name: 'b', owner: ada, gpus: 1 }] }))
      .toEqual([`notebooks.1.gpus: notebook "b" asks for 1 GPU(s), 2 with ${ada}'s notebooks declared before it, but their namespace's GPU quota is 1 (users[].quota.gpus or userNamespace.quota.gpus): the API server would refuse its pod`]);
    // Another owner's GPU notebooks do not count against ada's quota.
    expect(resolve({ ...gpu, users, userNamespace: { quota: { gpus: 1 } }, notebooks: [{ name: 'a', owner: bob, gpus: 1 }, { name: 'b', owner: ada, gpus: 1 }] }).notebooks).toHaveLength(2);
    // A CPU notebook between them adds nothing.
    expect(resolve({ ...gpu, users, userNamespace: { quota: { gpus: 1 } }, notebooks: [{ name: 'c', owner: ada }, { name: 'b', owner: ada, gpus: 1 }] }).notebooks).toHaveLength(2);
    // The user's own quota wins over userNamespace's.
    expect(resolve({ ...gpu, users: [{ email: ada, quota: { gpus: 2 } }], userNamespace: { quota: { gpus: 1 } }, notebooks: [{ name: 'a', owner: ada, gpus: 1 }, { name: 'b', owner: ada, gpus: 1 }] }).notebooks).toHaveLength(2);
    expect(problems({ ...gpu, users: [{ email: ada, quota: { gpus: 1 } }], userNamespace: { quota: { gpus: 2 } }, notebooks: [{ name: 'a', owner: ada, gpus: 2 }] }))
      .toEqual([`notebooks.0.gpus: notebook "a" asks for 2 GPU(s), but their namespace's GPU quota is 1 (users[].quota.gpus or userNamespace.quota.gpus): the API server would refuse its pod`]);
  });

  test.each([
    ['a short name of Kubeflow\'s servers', 'jupyter-scipy', true],
    ['a pinned reference', 'registry.example.org/team/lab:1.2.3', true],
    ['a pinned reference without a registry host', 'team/lab:1.2.3', true],
    ['an unknown short name', 'scipy', false],
    ['a tag but no repository path', 'lab:1.2.3', false],
    ['an unpinned reference', 'registry.example.org/team/lab:latest', false],
    ['no tag', 'registry.example.org/team/lab', false],
  ])('notebook image: %s (%s)', (_, image, ok) => {
    const input = { users, notebooks: [{ name: 'nb', owner: ada, image }] };
    if (ok) expect(resolve(input).notebooks[0].image).toBe(image);
    else expect(problems(input)).toEqual([expect.stringMatching(new RegExp(`^notebooks\\.0\\.image: expected one of jupyter-scipy, .* or a pinned "repository:tag" reference, got "${image}"$`))]);
  });
});

describe('TensorBoards', () => {
  const logs = 'pvc://runs/logs';

  test('an owner who is not a user: the users are listed, and no logs check is made for them', () => {
    expect(problems({ users, tensorboards: [{ name: 'tb', owner: 'eve@example.org', logs: 's3://elsewhere/x/' }] }))
      .toEqual([`tensorboards.0.owner: TensorBoard "tb": owner eve@example.org is not one of users (${ada}, ${bob})`]);
  });

  test('two TensorBoards of one name for one owner: the second is refused; the same name for two owners is fine', () => {
    expect(problems({ users, tensorboards: [{ name: 'tb', owner: ada, logs }, { name: 'tb', owner: ada, logs }] }))
      .toEqual([`tensorboards.1.name: TensorBoard "tb": ${ada} already has a TensorBoard of that name`]);
    expect(resolve({ users, tensorboards: [{ name: 'tb', owner: ada, logs }, { name: 'tb', owner: bob, logs }] }).tensorboards).toHaveLength(2);
  });

  test('logs that are neither s3:// nor pvc:// are refused with both forms named', () => {
    expect(problems({ users, tensorboards: [{ name: 'tb', owner: ada, logs: '/var/log/runs' }] }))
      .toEqual(['tensorboards.0.logs: expected "s3://<bucket>/<prefix>" or "pvc://<claim>/<path>", got "/var/log/runs"']);
  });
});
