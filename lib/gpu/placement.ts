import type { k8s } from 'cdk8s-plus-28';
import type { GpuConfig } from '../config';

/** The extended resource the NVIDIA device plugin advertises (whole GPUs). */
export const GPU_RESOURCE = 'nvidia.com/gpu';

/** Where and how a GPU pod runs. */
export interface GpuPlacement {
  /** The NVIDIA container runtime; microk8s' nvidia addon no longer makes it the default. */
  readonly runtimeClassName: string;
  /** Only nodes the GPU operator labelled. */
  readonly nodeSelector: Record<string, string>;
  /** microk8s has no ExtendedResourceToleration admission: the toleration must be explicit. */
  readonly tolerations: k8s.Toleration[];
  /** Container limits to add (requests default to limits for extended resources). */
  readonly limits: Record<string, string>;
}

/**
 * The one place that decides GPU placement, so notebooks, pipeline steps and tests agree.
 * @param count GPUs to ask for. @default gpu.defaultCount
 */
export function gpuPlacement(gpu: GpuConfig, count: number = gpu.defaultCount): GpuPlacement {
  if (!gpu.enabled) throw new Error('gpu.enabled is false: enable GPUs in the configuration to place GPU workloads');
  if (!Number.isInteger(count) || count < 1) throw new Error(`a GPU workload needs a whole number of GPUs >= 1, got ${count}`);
  return {
    runtimeClassName: gpu.runtimeClassName,
    nodeSelector: { [gpu.nodeLabel]: 'true' },
    tolerations: [{ key: gpu.taintKey, operator: 'Exists', effect: 'NoSchedule' }],
    limits: { [GPU_RESOURCE]: String(count) },
  };
}
