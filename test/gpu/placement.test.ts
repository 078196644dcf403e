import { resolveConfig } from '../../lib/config';
import { GPU_RESOURCE, gpuPlacement } from '../../lib/gpu';

test('GPU pods use the nvidia runtime, select labelled nodes, tolerate the GPU taint, and ask for whole GPUs', () => {
  const { gpu } = resolveConfig({ profile: 'gpu-workstation' });
  expect(gpuPlacement(gpu)).toEqual({
    runtimeClassName: 'nvidia',
    nodeSelector: { 'nvidia.com/gpu.present': 'true' },
    tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
    limits: { [GPU_RESOURCE]: '1' },
  });
  expect(gpuPlacement(gpu, 2).limits).toEqual({ 'nvidia.com/gpu': '2' });
});

test('configured label, runtime class and taint are honoured', () => {
  const { gpu } = resolveConfig({ profile: 'cluster', gpu: { nodeLabel: 'example.com/gpu', runtimeClassName: 'nvidia-cdi', taintKey: 'example.com/gpu' } });
  const p = gpuPlacement(gpu);
  expect(p.nodeSelector).toEqual({ 'example.com/gpu': 'true' });
  expect(p.runtimeClassName).toBe('nvidia-cdi');
  expect(p.tolerations[0].key).toBe('example.com/gpu');
});

test('refused when GPUs are disabled or the count is not a whole positive number', () => {
  expect(() => gpuPlacement(resolveConfig({}).gpu)).toThrow(/gpu.enabled is false/);
  expect(() => gpuPlacement(resolveConfig({ profile: 'gpu-workstation' }).gpu, 0)).toThrow(/>= 1/);
});
