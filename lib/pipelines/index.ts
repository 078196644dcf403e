import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { Config } from '../config';
import type { Database, ObjectStore } from '../data';
import { gpuPlacement } from '../gpu';
import { Route, type Gateway } from '../gateway';
import { declareConnection, IngressAllow, type MicroflowNamespace, type Peer, type WorkloadPolicy } from '../platform';
import type { AccessCheck } from './access';
import { ApiGuard } from './api-guard';
import { ApiServer } from './api-server';
import { ArgoController } from './argo';
import { artifactGrants, type ArtifactGrant } from '../config';
import { ArtifactUsers } from './artifact-users';
import { KFP } from './constants';
import { PipelineControllers } from './controllers';
import { ArgoCrds, ScheduledWorkflowCrd } from './crds';
import { InstallConfig } from './install-config';
import { Metadata } from './metadata';
import { MetadataReadRoute } from './metadata-route';
import { RunNamespace } from './run-namespace';
import { PipelinesUi } from './ui';
import { PipelineUserRoles } from './user-roles';
import type { UserNamespace } from '../users';

export * from './access';
export * from './constants';
export * from './crds';
export * from './argo';
export * from './install-config';
export * from './api-server';
export * from './api-guard';
export * from './api-service';
export * from './controllers';
export * from './metadata';
export * from './metadata-route';
export * from './ui';
export * from './run-namespace';
export * from './artifact-users';
export * from './user-roles';

/** The part of the configuration Pipelines reads. */
export type PipelinesSettings = Pick<Config, 'pipelines' | 'gpu'>;

export interface PipelinesChartProps {
  /** How steps run (user, GPU runtime) and the GPU placement. */
  readonly config: PipelinesSettings;
  readonly policy: WorkloadPolicy;
  /** Kubeflow's namespace: every service of Pipelines runs there. */
  readonly namespace: MicroflowNamespace;
  readonly database: Database;
  readonly store: ObjectStore;
  /** The gateway the UI is routed on (`/pipeline/`, and MLMD's read methods). */
  readonly gateway: Gateway;
  /** Users' namespaces: each user's runs happen in theirs, and their notebooks call the API from there. */
  readonly users: readonly UserNamespace[];
}

/**
 * Kubeflow Pipelines 2.17 on Argo Workflows v4.0: the API server behind its identity guard,
 * the persistence agent, the scheduled workflow controller, ML Metadata and its Envoy, the UI,
 * Argo's controller, and what each run namespace needs. Left out (v2 runs do not use them): the
 * v1 cache webhook and its deployer, the visualization server, the viewer (TensorBoard) controller,
 * the metadata writer (v1 lineage), the Argo Server, metacontroller and the profile controller
 * (per-user objects are rendered here instead).
 */
export class PipelinesChart extends Chart {
  public static readonly COMPONENT = 'pipelines';
  /** Namespaces runs happen in. */
  public readonly runNamespaces: string[];
  /** Every ServiceAccount's allowed and denied actions, for the control-plane `can-i` matrix. */
  public readonly access: AccessCheck[] = [];
  public readonly api: ApiGuard;
  public readonly ui: PipelinesUi;
  public readonly crdNames: string[];
  /** Whether the object store limits each user's key to their prefix (both stores do). */
  public readonly artifactsIsolated: boolean = false;
  /** The user namespaces holding an object-store key, and what each key opens. */
  public readonly artifactGrants: readonly ArtifactGrant[];

  constructor(scope: Construct, id: string, props: PipelinesChartProps) {
    super(scope, id);
    const { config, policy, database, store } = props;
    const namespace = props.namespace.name;
    const users = props.users;
    // Multi-user always (MULTIUSER=true): runs happen in their user's namespace, never in the
    // platform's, where a run could borrow the platform's ServiceAccounts, Secrets and labels
    // (docs/security.md, path 3). One user is one namespace.
    if (users.length === 0) throw new Error('pipelines: runs happen in users\' namespaces, and there are no users (config `users`)');
    if (users.some((u) => u.namespace === namespace)) throw new Error(`pipelines: a user namespace cannot be "${namespace}"`);
    this.runNamespaces = users.map((u) => u.namespace);
    const runPeers: Peer[] = this.runNamespaces.map((ns) => ({ namespace: ns, podLabels: KFP.stepPodLabel }));

    const crds = new ArgoCrds(this, 'ArgoCrds');
    new ScheduledWorkflowCrd(this, 'ScheduledWorkflowCrd');
    this.crdNames = [...crds.names, 'scheduledworkflows.kubeflow.org'];

    const installConfig = new InstallConfig(this, 'InstallConfig', { namespace, database, store, stepRunAsUser: config.pipelines.stepRunAsUser });
    const metadata = new Metadata(this, 'Metadata', { namespace, policy, database, installConfig, stepPods: runPeers });
    const server = new ApiServer(this, 'ApiServer', {
      namespace, policy, database, store, installConfig, runNamespaces: this.runNamespaces, metadata: metadata.address,
    });
    // Notebooks and step pods' own code (in users' namespaces) call `ml-pipeline`. The driver and
    // launcher do not: step caching is off, and the guard refuses the TaskService (path 4).
    const callers: Peer[] = [...runPeers, ...users.map((u) => u.peer)];
    this.api = new ApiGuard(this, 'ApiGuard', { namespace, policy, http: server.http, grpc: server.grpc, callers });
    new IngressAllow(this, 'ApiBackendClients', {
      name: `${KFP.apiInternalService}-clients`,
      pods: server.service.pods,
      ports: ['http', 'grpc'],
      from: [{ podLabels: server.http.clientLabels }],
    });
    const controllers = new PipelineControllers(this, 'Controllers', { namespace, policy, installConfig, api: [this.api.http, this.api.grpc] });
    this.ui = new PipelinesUi(this, 'Ui', {
      namespace, policy, api: server.http, metadataEnvoy: metadata.envoy, store, runNamespaces: this.runNamespaces,
    });
    new Route(this, 'UiRoute', { gateway: props.gateway, name: KFP.ui, prefix: KFP.uiPrefix, to: this.ui.service, port: 'http', timeout: '600s' });
    new MetadataReadRoute(this, 'MetadataReadRoute', { gateway: props.gateway, ui: this.ui.service, port: 'http' });
    const argo = new ArgoController(this, 'Argo', {
      namespace, policy, store, runNamespaces: this.runNamespaces,
      stepRuntimeClassName: config.pipelines.gpuRuntimeForAllSteps ? gpuPlacement(config.gpu).runtimeClassName : undefined,
    });

    // Step pods read and write artifacts (launcher) and archive logs (Argo's executor).
    if (runPeers.length) {
      new IngressAllow(this, 'StepPodsToObjectStore', {
        name: 'object-store-pipeline-steps',
        pods: store.server.service.pods,
        ports: [store.server.service.port(store.server.port).targetPort],
        from: runPeers,
      });
      for (const p of runPeers) {
        declareConnection(this, { from: { name: 'pipeline step pods', namespace: p.namespace!, labels: KFP.stepPodLabel }, to: store.server.service, port: store.server.port });
      }
    }

    new PipelineUserRoles(this, 'UserRoles');
    this.artifactGrants = artifactGrants(users.map((u) => u.namespace));
    if (this.artifactGrants.length) {
      const isolated = new ArtifactUsers(this, 'ArtifactUsers', { namespace, policy, store, grants: this.artifactGrants }).isolated;
      this.artifactsIsolated = isolated;
    }
    const runs = this.runNamespaces.map((ns) => new RunNamespace(this, `Run-${ns}`, { namespace: ns, store, metadata: metadata.address }));
    this.access.push(...argo.access, ...server.access, ...controllers.access, ...this.ui.access, ...runs.map((r) => r.access));
  }
}
