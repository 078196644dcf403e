import { App, Chart, YamlOutputType } from 'cdk8s';
import type { Config } from './config';
import { DataChart } from './data';
import { PipelinesChart } from './pipelines';
import { applyStandardLabels, PlatformChart, WorkloadPolicy } from './platform';

/** microflow's own release; the version label of objects that are not an upstream app. */
export const MICROFLOW_VERSION = '0.1.0';

/** The charts of one rendering, in apply order. */
export interface Stack {
  readonly app: App;
  readonly platform: PlatformChart;
  readonly data: DataChart;
  readonly pipelines: PipelinesChart;
}

/**
 * Declares the whole platform. Charts depend on each other so that cdk8s numbers the output files
 * in apply order: CRDs, namespaces and platform, data, gateway and login, applications.
 */
export function buildStack(config: Config, outdir: string): Stack {
  const app = new App({ outdir, yamlOutputType: YamlOutputType.FILE_PER_CHART, outputFileExtension: '.k8s.yaml' });
  const policy = new WorkloadPolicy(config);

  const platform = new PlatformChart(app, 'platform', { config });
  const data = new DataChart(app, 'data', { config, policy, namespace: platform.namespaces.kubeflow });
  data.addDependency(platform);
  const pipelines = new PipelinesChart(app, 'pipelines', {
    config, policy, namespace: platform.namespaces.kubeflow, database: data.database, store: data.objectStore,
  });
  pipelines.addDependency(data);

  for (const [chart, component] of [
    [platform, PlatformChart.COMPONENT],
    [data, DataChart.COMPONENT],
    [pipelines, PipelinesChart.COMPONENT],
  ] as [Chart, string][]) {
    applyStandardLabels(chart, component, MICROFLOW_VERSION);
  }
  return { app, platform, data, pipelines };
}
