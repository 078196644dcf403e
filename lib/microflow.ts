import * as fs from 'fs';
import * as path from 'path';
import type { Chart } from 'cdk8s';
import { App } from 'cdk8s';
import { Construct } from 'constructs';
import { AuthChart } from './auth';
import type { Config } from './config';
import { DataChart, type Database, type ObjectStore, type ObjectStoreConsole } from './data';
import { GatewayChart, type Gateway } from './gateway';
import { GpuChart } from './gpu';
import { NotebooksChart } from './notebooks';
import { KFP, PipelinesChart } from './pipelines';
import { applyStandardLabels, PlatformChart, WorkloadPolicy } from './platform';
import { StackApp } from './stack-app';
import { resolveUsers, UsersChart, type UserNamespace } from './users';

/** microflow's own release (package.json's `version`); the version label of objects that are not an upstream app. */
export const MICROFLOW_VERSION: string = packageVersion();

/** The version of the package this file belongs to: found upward from here, in a checkout, build/ or node_modules. */
function packageVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (pkg.name === 'microflow') return pkg.version;
    }
    if (path.dirname(dir) === dir) throw new Error(`cannot find microflow's package.json above ${__dirname}`);
  }
}

/** microflow's charts, in apply order. */
export interface MicroflowCharts {
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

export interface MicroflowProps {
  /** The validated configuration: `resolveConfig({ profile, users, ... })` or `loadConfigFile(file)`. */
  readonly config: Config;
}

/**
 * The whole platform as one construct: its charts, in apply order, and the handles a chart of your
 * own uses to sit beside it (the database, the object store, the gateway's routes, the users'
 * namespaces, the workload policy). Its scope must belong to a {@link StackApp}, which numbers the
 * files in apply order; your charts follow microflow's with `app.follow(yourChart, mf.charts.data)`.
 *
 *   const app = new StackApp({ outdir: 'dist' });
 *   const mf = new Microflow(app, 'microflow', { config: resolveConfig({ users: ['me@example.com'] }) });
 *   const team = new TeamChart(app, 'team', { store: mf.objectStore, gateway: mf.gateway, user: mf.userNamespaces[0] });
 *   app.follow(team, mf.charts.users);
 *   app.synth();
 */
export class Microflow extends Construct {
  /** The charts, one per component, for `app.follow(yourChart, mf.charts.pipelines)`. */
  public readonly charts: MicroflowCharts;

  /** The one policy every workload goes through (pinned images, resources, probes, security context): use it for yours. */
  public readonly policy: WorkloadPolicy;
  /** The platform's namespaces, by role (`kubeflow`, `auth`, `oauth2Proxy`, `istio`). */
  public readonly namespaces: PlatformChart['namespaces'];
  /** MySQL: its Service, port, databases and the labels a client pod needs. */
  public readonly database: Database;
  /** The S3 object store: endpoint, buckets, credentials Secret and the labels a client pod needs. */
  public readonly objectStore: ObjectStore;
  /** MinIO's console (none with SeaweedFS). */
  public readonly objectStoreConsole?: ObjectStoreConsole;
  /** The gateway every route attaches to: `new Route(chart, id, { gateway: mf.gateway, ... })`. */
  public readonly gateway: Gateway;
  /** One handle per configured user: their namespace, ServiceAccounts, `ownerOnly(prefix)` for a route of theirs. */
  public readonly userNamespaces: readonly UserNamespace[];

  constructor(scope: Construct, id: string, props: MicroflowProps) {
    super(scope, id);
    const app = App.of(scope);
    if (!(app instanceof StackApp)) {
      throw new Error(`Microflow "${id}": its scope must belong to a StackApp (import { StackApp } from 'microflow'), which writes the charts' files in apply order; got ${app.constructor.name}`);
    }
    const { config } = props;
    this.policy = new WorkloadPolicy(config);
    const policy = this.policy;

    const platform = new PlatformChart(this, 'platform');
    this.namespaces = platform.namespaces;
    const data = new DataChart(this, 'data', { config, policy, namespace: platform.namespaces.kubeflow });
    app.follow(data, platform);
    const gateway = new GatewayChart(this, 'gateway', {
      config, policy, istioNamespace: platform.namespaces.istio, kubeflowNamespace: platform.namespaces.kubeflow,
    });
    app.follow(gateway, platform);
    const auth = new AuthChart(this, 'auth', {
      config, policy, gateway: gateway.gateway, istiod: gateway.istio.pods, users: resolveUsers(config),
      authNamespace: platform.namespaces.auth, oauth2ProxyNamespace: platform.namespaces.oauth2Proxy,
    });
    app.follow(auth, gateway);
    const users = new UsersChart(this, 'users', { config, gateway: gateway.gateway, userIdHeader: auth.login.userIdHeader });
    app.follow(users, auth);
    const pipelines = new PipelinesChart(this, 'pipelines', {
      config, policy, namespace: platform.namespaces.kubeflow, database: data.database, store: data.objectStore,
      gateway: gateway.gateway, users: users.users,
    });
    app.follow(pipelines, data, users);
    const notebooks = new NotebooksChart(this, 'notebooks', {
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
    const gpu = GpuChart.wanted(config.gpu) ? new GpuChart(this, 'gpu', { gpu: config.gpu }) : undefined;
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
    this.charts = { platform, data, gateway, auth, users, pipelines, notebooks, gpu };
    this.database = data.database;
    this.objectStore = data.objectStore;
    this.objectStoreConsole = data.objectStoreConsole;
    this.gateway = gateway.gateway;
    this.userNamespaces = users.users;
  }
}
