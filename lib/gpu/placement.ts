import type { k8s } from 'cdk8s-plus-28';
import type { GpuConfig } from '../config';

/** The extended resource the NVIDIA device plugin advertises (whole GPUs, or time slices of them). */
export const GPU_RESOURCE = 'nvidia.com/gpu';

/** Where and how a GPU pod runs. */
export interface GpuPlacement {
  /** The NVIDIA container runtime; microk8s' nvidia addon no longer makes it the default. */
  readonly runtimeClassName: string;
  /** Only nodes the GPU operator labelled (and, when configured, of one GPU model). */
  readonly nodeSelector: Record<string, string>;
  /** microk8s has no ExtendedResourceToleration admission: the toleration must be explicit. */
  readonly tolerations: k8s.Toleration[];
  /** Container limits to add (requests default to limits for extended resources). */
  readonly limits: Record<string, string>;
}

/** The node labels a GPU pod selects: GPU nodes, and the GPU model when `gpu.product` is set. */
export function gpuNodeSelector(gpu: GpuConfig): Record<string, string> {
  return { [gpu.nodeLabel]: 'true', ...(gpu.product ? { [gpu.productLabel]: gpu.product } : {}) };
}

/** The toleration of the GPU nodes' NoSchedule taint. */
export function gpuToleration(gpu: GpuConfig): k8s.Toleration {
  return { key: gpu.taintKey, operator: 'Exists', effect: 'NoSchedule' };
}

/**
 * The same node choice as a required node affinity, for places that take an affinity rather than a
 * node selector (the Jupyter web app's affinity options).
 */
export function gpuNodeAffinity(gpu: GpuConfig): k8s.Affinity {
  return {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{
          matchExpressions: Object.entries(gpuNodeSelector(gpu)).map(([key, value]) => ({ key, operator: 'In', values: [value] })),
        }],
      },
    },
  };
}

/**
 * The one place that decides GPU placement, so notebooks, pipeline steps and tests agree. It checks
 * the count's form only: whether a node can offer that many is the configuration's check
 * (`gpuCountProblem`), and a test may ask for too many on purpose to see the scheduler refuse.
 * @param count GPUs to ask for. @default gpu.defaultCount
 */
export function gpuPlacement(gpu: GpuConfig, count: number = gpu.defaultCount): GpuPlacement {
  if (!gpu.enabled) throw new Error('gpu.enabled is false: enable GPUs in the configuration to place GPU workloads');
  if (!Number.isInteger(count) || count < 1) throw new Error(`a GPU workload needs a whole number of GPUs >= 1, got ${count}`);
  return {
    runtimeClassName: gpu.runtimeClassName,
    nodeSelector: gpuNodeSelector(gpu),
    tolerations: [gpuToleration(gpu)],
    limits: { [GPU_RESOURCE]: String(count) },
  };
}
