import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as yaml from 'js-yaml';
import type { GpuConfig } from '../config';
import { GPU_RESOURCE } from './placement';

/** Where microk8s' nvidia addon installs the NVIDIA GPU operator (the addon creates the namespace). */
export const GPU_OPERATOR_NAMESPACE = 'gpu-operator-resources';
/** The device plugin ConfigMap microflow renders, and the config key in it every node uses. */
export const TIME_SLICING = { configMap: 'microflow-time-slicing', key: 'any' } as const;

/** The `microk8s enable nvidia` flags that make the GPU operator use the ConfigMap. */
export const TIME_SLICING_ENABLE_FLAGS = [
  `--gpu-operator-set devicePlugin.config.name=${TIME_SLICING.configMap}`,
  `--gpu-operator-set devicePlugin.config.default=${TIME_SLICING.key}`,
];

export interface GpuTimeSlicingProps {
  readonly gpu: GpuConfig;
}

/**
 * The NVIDIA device plugin's sharing configuration: each GPU is advertised `replicas` times as
 * `nvidia.com/gpu` (renameByDefault off, so workloads keep asking for `nvidia.com/gpu`). Pods sharing a
 * GPU share its memory too: there is no isolation between them.
 */
export class GpuTimeSlicing extends Construct {
  constructor(scope: Construct, id: string, props: GpuTimeSlicingProps) {
    super(scope, id);
    const { replicas } = props.gpu.timeSlicing;
    if (!props.gpu.enabled) throw new Error('gpu.timeSlicing needs gpu.enabled');
    if (replicas < 2) throw new Error(`gpu.timeSlicing.replicas ${replicas}: time-slicing needs at least 2 replicas per GPU`);
    const config = {
      version: 'v1',
      sharing: { timeSlicing: { renameByDefault: false, resources: [{ name: GPU_RESOURCE, replicas }] } },
    };
    new k8s.KubeConfigMap(this, 'Resource', {
      metadata: { name: TIME_SLICING.configMap, namespace: GPU_OPERATOR_NAMESPACE },
      data: { [TIME_SLICING.key]: yaml.dump(config) },
    });
  }
}
