/**
 * An app that uses microflow as a construct library: the platform, plus a chart of the team's own
 * that reads the object store through microflow's handles. Run it as a cdk8s app
 * (examples/library/README.md); test/library.test.ts renders it, and test/pack.test.ts renders it
 * from the packed package in an empty folder.
 */
import { loadConfigFile, Microflow, resolveConfig, StackApp } from 'microflow';
import { ArtifactsReport } from './artifacts-report';

/** Declares the app; `configFile` as `microflow synth --config` takes it. */
export function buildApp(outdir: string, configFile?: string): StackApp {
  const app = new StackApp({ outdir });
  const config = configFile ? loadConfigFile(configFile) : resolveConfig({ users: ['ada@example.com'] }, 'examples/library');
  const mf = new Microflow(app, 'microflow', { config });
  const report = new ArtifactsReport(app, 'artifacts-report', {
    store: mf.objectStore, policy: mf.policy, namespace: mf.namespaces.kubeflow.name,
  });
  // Applied after the data layer it reads (numbered after microflow's files, its own file in dist/).
  app.follow(report, mf.charts.data);
  return app;
}

if (require.main === module) buildApp(process.env.CDK8S_OUTDIR ?? 'dist', process.env.MICROFLOW_CONFIG).synth();
