import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { Config } from '../config';
import { GpuTimeSlicing } from './time-slicing';

export * from './placement';
export * from './requests';
export * from './time-slicing';

export interface GpuChartProps {
  readonly config: Config;
}

/** What microflow adds to the GPU operator microk8s installs: the time-slicing configuration. */
export class GpuChart extends Chart {
  public static readonly COMPONENT = 'gpu';

  /** Whether this configuration needs the chart at all. */
  public static wanted(config: Config): boolean {
    return config.gpu.enabled && config.gpu.timeSlicing.replicas > 1;
  }

  constructor(scope: Construct, id: string, props: GpuChartProps) {
    super(scope, id);
    new GpuTimeSlicing(this, 'TimeSlicing', { gpu: props.config.gpu });
  }
}
