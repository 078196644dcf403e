import type { Config } from './config';
import { Microflow, type MicroflowCharts } from './microflow';
import { StackApp } from './stack-app';

export { MICROFLOW_VERSION } from './microflow';

/** The charts of one rendering, in apply order, and the app that writes them. */
export interface Stack extends MicroflowCharts {
  readonly app: StackApp;
}

/**
 * Declares the whole platform in an app of its own (what `microflow synth` renders). Each chart
 * follows the charts it needs (StackApp.follow), which numbers the output files in apply order:
 * CRDs, namespaces and platform, data, gateway and login, applications.
 */
export function buildStack(config: Config, outdir: string): Stack {
  const app = new StackApp({ outdir });
  const microflow = new Microflow(app, 'microflow', { config });
  return { app, ...microflow.charts };
}
