import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { GpuConfig } from '../config';
import { GpuTimeSlicing } from './time-slicing';

export * from './placement';
export * from './time-slicing';

export interface GpuChartProps {
  /** The GPU settings (time-slicing replicas). */
  readonly gpu: GpuConfig;
}

/** What microflow adds to the GPU operator microk8s installs: the time-slicing configuration. */
export class GpuChart extends Chart {
  public static readonly COMPONENT = 'gpu';

  /** Whether this configuration needs the chart at all. */
  public static wanted(gpu: GpuConfig): boolean {
    return gpu.enabled && gpu.timeSlicing.replicas > 1;
  }

  constructor(scope: Construct, id: string, props: GpuChartProps) {
    super(scope, id);
    new GpuTimeSlicing(this, 'TimeSlicing', { gpu: props.gpu });
  }
}
