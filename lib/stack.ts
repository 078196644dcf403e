import type { Chart } from 'cdk8s';
import { AuthChart } from './auth';
import type { Config } from './config';
import { DataChart } from './data';
import { GatewayChart } from './gateway';
import { GpuChart } from './gpu';
import { NotebooksChart } from './notebooks';
import { KFP, PipelinesChart } from './pipelines';
import { applyStandardLabels, PlatformChart, WorkloadPolicy } from './platform';
import { StackApp } from './stack-app';
import { resolveUsers, UsersChart } from './users';

/** microflow's own release; the version label of objects that are not an upstream app. */
export const MICROFLOW_VERSION = '0.1.0';

/** The charts of one rendering, in apply order. */
export interface Stack {
  readonly app: StackApp;
  readonly platform: PlatformChart;
  readonly data: DataChart;
  readonly gateway: GatewayChart;
  readonly auth: AuthChart;
  readonly users: UsersChart;
  readonly pipelines: PipelinesChart;
  readonly notebooks: NotebooksChart;
  /** Only when GPU time-slicing is on. */
  readonly gpu?: GpuChart;
}

/**
 * Declares the whole platform. Each chart follows the charts it needs (StackApp.follow), which
 * numbers the output files in apply order: CRDs, namespaces and platform, data, gateway and login,
 * applications.
 */
export function buildStack(config: Config, outdir: string): Stack {
  const app = new StackApp({ outdir });
  const policy = new WorkloadPolicy(config);

  const platform = new PlatformChart(app, 'platform');
  const data = new DataChart(app, 'data', { config, policy, namespace: platform.namespaces.kubeflow });
  app.follow(data, platform);
  const gateway = new GatewayChart(app, 'gateway', {
    config, policy, istioNamespace: platform.namespaces.istio, kubeflowNamespace: platform.namespaces.kubeflow,
  });
  app.follow(gateway, platform);
  const auth = new AuthChart(app, 'auth', {
    config, policy, gateway: gateway.gateway, istiod: gateway.istio.pods, users: resolveUsers(config),
    authNamespace: platform.namespaces.auth, oauth2ProxyNamespace: platform.namespaces.oauth2Proxy,
  });
  app.follow(auth, gateway);
  const users = new UsersChart(app, 'users', { config, gateway: gateway.gateway, userIdHeader: auth.login.userIdHeader });
  app.follow(users, auth);
  const pipelines = new PipelinesChart(app, 'pipelines', {
    config, policy, namespace: platform.namespaces.kubeflow, database: data.database, store: data.objectStore,
    gateway: gateway.gateway, users: users.users,
  });
  app.follow(pipelines, data, users);

  const notebooks = new NotebooksChart(app, 'notebooks', {
    config,
    policy,
    namespace: platform.namespaces.kubeflow,
    store: data.objectStore,
    artifactGrants: pipelines.artifactGrants,
    objectStoreConsole: data.objectStoreConsole,
    owners: users.users,
    gateway: gateway.gateway,
    userIdHeader: auth.login.userIdHeader,
    links: [
      { title: 'Pipelines', href: `${KFP.uiPrefix}?ns={namespace}`, description: 'Kubeflow Pipelines: runs, experiments and artifacts' },
    ],
  });
  app.follow(notebooks, users);
  const gpu = GpuChart.wanted(config.gpu) ? new GpuChart(app, 'gpu', { gpu: config.gpu }) : undefined;
  if (gpu) app.follow(gpu, platform);

  for (const [chart, component] of [
    [platform, PlatformChart.COMPONENT],
    [data, DataChart.COMPONENT],
    [gateway, GatewayChart.COMPONENT],
    [auth, AuthChart.COMPONENT],
    [users, UsersChart.COMPONENT],
    [pipelines, PipelinesChart.COMPONENT],
    [notebooks, NotebooksChart.COMPONENT],
    ...(gpu ? [[gpu, GpuChart.COMPONENT]] : []),
  ] as [Chart, string][]) {
    applyStandardLabels(chart, component, MICROFLOW_VERSION);
  }
  return { app, platform, data, gateway, auth, users, pipelines, notebooks, gpu };
}
