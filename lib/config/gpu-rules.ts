/**
 * The GPU rules shared by configuration validation and the GPU placement of workloads (lib/gpu):
 * they live here because lib/config imports no component.
 */
import type { GpuConfig } from './schema';

/**
 * GPUs one node offers to the scheduler: its physical GPUs, times the time-slicing replicas (the
 * device plugin then advertises each GPU that many times).
 */
export function schedulableGpusPerNode(gpu: GpuConfig): number {
  return gpu.perNode * gpu.timeSlicing.replicas;
}

/**
 * Why `count` GPUs cannot be asked for under this configuration, or undefined when they can. The one
 * rule shared by config validation (named after the notebook and field) and `gpuPlacement`.
 */
export function gpuCountProblem(gpu: GpuConfig, count: number): string | undefined {
  if (!Number.isInteger(count) || count < 1) {
    return `expected a whole number of GPUs (1 or more), got ${count}; GPUs are not shared by fractions (see gpu.timeSlicing)`;
  }
  if (!gpu.enabled) return `asks for ${count} GPU(s) but gpu.enabled is false: set gpu.enabled, or ask for no GPU`;
  const offered = schedulableGpusPerNode(gpu);
  if (count > offered) {
    return `asks for ${count} GPUs but the GPU node offers ${offered} (gpu.perNode ${gpu.perNode} × gpu.timeSlicing.replicas ${gpu.timeSlicing.replicas}): it would never be scheduled`;
  }
  return undefined;
}
