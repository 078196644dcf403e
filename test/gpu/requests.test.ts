import { gpuCountProblem, resolveConfig, schedulableGpusPerNode } from '../../lib/config';
import { gpuNodeAffinity, gpuPlacement } from '../../lib/gpu';

const users = ['ada@example.org'];
const invalid = (input: Record<string, unknown>) => {
  try {
    resolveConfig(input);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected the configuration to be refused');
};

describe('synth-time validation names the notebook and the field', () => {
  test('a GPU notebook when GPUs are disabled', () => {
    expect(invalid({ users, notebooks: [{ name: 'train', owner: users[0], gpus: 1 }] }))
      .toMatch(/notebooks\.0\.gpus: notebook "train" asks for 1 GPU\(s\) but gpu\.enabled is false.*\(profile "laptop"\)/);
  });
  test('more GPUs than the profile\'s GPU node offers', () => {
    expect(invalid({ profile: 'gpu-workstation', users, notebooks: [{ name: 'big', owner: users[0], gpus: 2 }] }))
      .toMatch(/notebooks\.0\.gpus: notebook "big" asks for 2 GPUs but the GPU node offers 1 \(gpu\.perNode 1 × gpu\.timeSlicing\.replicas 1\)/);
  });
  test('a GPU quota smaller than a declared notebook\'s request (alone, or with the owner\'s other notebooks)', () => {
    expect(invalid({ profile: 'gpu-workstation', users, userNamespace: { quota: { gpus: 0 } }, notebooks: [{ name: 'train', owner: users[0], gpus: 1 }] }))
      .toMatch(/notebooks\.0\.gpus: notebook "train" asks for 1 GPU\(s\), but their namespace's GPU quota is 0/);
    expect(invalid({
      profile: 'gpu-workstation', users, gpu: { timeSlicing: { replicas: 2 } },
      notebooks: [{ name: 'a', owner: users[0], gpus: 1 }, { name: 'b', owner: users[0], gpus: 1 }],
    })).toMatch(/notebooks\.1\.gpus: notebook "b" asks for 1 GPU\(s\), 2 with ada@example.org's notebooks declared before it, but their namespace's GPU quota is 1/);
  });
  test('a fractional count', () => {
    expect(invalid({ profile: 'gpu-workstation', users, notebooks: [{ name: 'half', owner: users[0], gpus: 0.5 }] }))
      .toMatch(/notebooks\.0\.gpus: notebook "half" .*expected a whole number of GPUs \(1 or more\), got 0\.5/);
  });
  test('time-slicing makes room: 2 of a GPU advertised 4 times fit', () => {
    const c = resolveConfig({ profile: 'gpu-workstation', users: [{ email: users[0], quota: { gpus: 2 } }], gpu: { timeSlicing: { replicas: 4 } }, notebooks: [{ name: 'big', owner: users[0], gpus: 2 }] });
    expect(schedulableGpusPerNode(c.gpu)).toBe(4);
  });
  test('an owner who is not a user, a data volume with both size and claim', () => {
    const msg = invalid({ users, notebooks: [{ name: 'nb', owner: 'eve@example.org', dataVolumes: [{ name: 'data', mountPath: '/data', size: '1Gi', claim: 'x' }] }] });
    expect(msg).toMatch(/notebooks\.0\.owner: notebook "nb": owner eve@example\.org is not one of users/);
    expect(msg).toMatch(/notebooks\.0\.dataVolumes\.0: notebook "nb": data volume "data" needs exactly one of size/);
  });
});

test('gpuPlacement keeps its signature and form checks; the product label narrows the nodes', () => {
  const { gpu } = resolveConfig({ profile: 'cluster', gpu: { product: 'NVIDIA-A100-SXM4-40GB' } });
  const p = gpuPlacement(gpu, 3); // more than a node has: still placed; the scheduler or synth validation refuses
  expect(p.nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true', 'nvidia.com/gpu.product': 'NVIDIA-A100-SXM4-40GB' });
  expect(p.limits).toEqual({ 'nvidia.com/gpu': '3' });
  expect(gpuCountProblem(gpu, 3)).toMatch(/offers 1/);
  expect(gpuNodeAffinity(gpu).nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms[0].matchExpressions).toEqual([
    { key: 'nvidia.com/gpu.present', operator: 'In', values: ['true'] },
    { key: 'nvidia.com/gpu.product', operator: 'In', values: ['NVIDIA-A100-SXM4-40GB'] },
  ]);
  expect(() => gpuPlacement(gpu, 1.5)).toThrow(/whole number of GPUs >= 1, got 1.5/);
});
