import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { Config } from '../config';
import type { ObjectStore, ObjectStoreConsole } from '../data';
import type { ArtifactGrant } from '../config';
import { Route, type Gateway } from '../gateway';
import type { MicroflowNamespace, WorkloadPolicy } from '../platform';
import type { UserNamespace } from '../users';
import { NOTEBOOKS } from './constants';
import { NotebookController } from './controller';
import { NotebookCrd } from './crd';
import { LandingPage, type LandingLink } from './landing-page';
import { Notebook } from './notebook';
import { NotebookUserRoles } from './rbac';
import { TensorBoard } from './tensorboard';
import { TensorBoardSlot } from './tensorboard-slot';
import { JupyterWebApp } from './web-app';

export * from './constants';
export * from './crd';
export * from './notebook-pod';
export * from './notebook';
export * from './notebook-template';
export * from './spawner';
export * from './controller';
export * from './web-app';
export * from './tensorboard';
export * from './tensorboard-slot';
export * from './landing-page';
export * from './rbac';

/** The part of the configuration notebooks, TensorBoards and the landing page read. */
export type NotebooksSettings = Pick<Config, 'jupyter' | 'notebooks' | 'tensorboards' | 'gpu' | 'storageClass' | 'domain' | 'gateway'>;

export interface NotebooksChartProps {
  /** The web app's defaults, the declared notebooks and TensorBoards, GPUs, storage, and the host name. */
  readonly config: NotebooksSettings;
  readonly policy: WorkloadPolicy;
  /** Kubeflow's namespace: controller, web app, landing page. */
  readonly namespace: MicroflowNamespace;
  readonly store: ObjectStore;
  /** The object-store keys user namespaces hold (Pipelines' `artifactGrants`): s3:// TensorBoards read with them. @default - none */
  readonly artifactGrants?: readonly ArtifactGrant[];
  /** The users' namespaces: declared notebooks and TensorBoards go into their owner's. */
  readonly owners: readonly UserNamespace[];
  /** The gateway: the web app, TensorBoards and the landing page are routed on it, and the controller attaches notebooks to it. */
  readonly gateway: Gateway;
  /** The header the gateway puts the signed-in user's email in. */
  readonly userIdHeader: string;
  /** Links of the landing page besides Notebooks, TensorBoards and the object store (Pipelines). */
  readonly links: readonly LandingLink[];
  /**
   * The object store's web console: routed here, beside the landing page that links it, because the
   * data layer is applied before the gateway. @default - none (SeaweedFS): no route, no link
   */
  readonly objectStoreConsole?: ObjectStoreConsole;
}

/** Landing-page link of the object store's console, which asks for S3 keys itself (docs/data.md). */
export const OBJECT_STORE_LINK = { title: 'Object store', description: 'MinIO console: browse buckets and artifacts, after logging in with an S3 access key' } as const;

/**
 * Notebooks, TensorBoards and the landing page: Kubeflow's notebook controller and Jupyter web app,
 * the notebooks and TensorBoards the configuration declares, and the page at `/` that links them.
 */
export class NotebooksChart extends Chart {
  public static readonly COMPONENT = 'notebooks';
  public readonly controller: NotebookController;
  public readonly webApp: JupyterWebApp;
  public readonly landingPage: LandingPage;
  public readonly notebooks: readonly Notebook[];
  public readonly tensorboards: readonly TensorBoard[];
  /** Each user namespace's self-service TensorBoard slot (docs/notebooks.md, "TensorBoards"). */
  public readonly tensorboardSlots: readonly TensorBoardSlot[];

  constructor(scope: Construct, id: string, props: NotebooksChartProps) {
    super(scope, id);
    const { config, policy } = props;
    const namespace = props.namespace.name;
    const { gateway } = props;
    const ownerOf = (email: string, what: string) => {
      const owner = props.owners.find((o) => o.email === email.toLowerCase());
      if (!owner) throw new Error(`${what}: owner ${email} has no user namespace`);
      return owner;
    };
    const namespaceOf = (email: string, what: string) => ownerOf(email, what).namespace;

    new NotebookCrd(this, 'Crd');
    this.controller = new NotebookController(this, 'Controller', {
      namespace, policy, jupyter: config.jupyter, gateway: `${gateway.namespace}/${gateway.name}`,
    });
    // Secure cookies unless plain HTTP is opted into: over plain HTTP the browser drops them.
    const secureCookies = !gateway.plainHttp;
    // Every user namespace holds an object-store key (lib/pipelines ArtifactUsers): notebooks get it in
    // their environment, spawned from the form or declared in code.
    const keyed = (ns: string) => (props.artifactGrants ?? []).some((g) => g.namespace === ns);
    const everyUserKeyed = props.owners.length > 0 && props.owners.every((o) => keyed(o.namespace));
    this.webApp = new JupyterWebApp(this, 'WebApp', { namespace, config, policy, userIdHeader: props.userIdHeader, secureCookies, store: everyUserKeyed ? props.store : undefined });
    new Route(this, 'WebAppRoute', { gateway, name: NOTEBOOKS.webApp, prefix: NOTEBOOKS.webAppPrefix, to: this.webApp.service, port: this.webApp.port, rewrite: '/' });
    // Notebook servers and TensorBoards under a user's prefixes answer only their owner.
    for (const owner of props.owners) {
      owner.ownerOnly(`${NOTEBOOKS.serverPrefix}${owner.namespace}/`);
      owner.ownerOnly(`${NOTEBOOKS.tensorboardPrefix}${owner.namespace}/`);
      // Culling asks each notebook's Jupyter for its kernels' activity, straight from the controller.
      if (config.jupyter.culling.enabled) {
        new k8s.KubeNetworkPolicy(this, `CullingProbe-${owner.namespace}`, {
          metadata: { name: 'notebooks-from-controller', namespace: owner.namespace },
          spec: {
            podSelector: { matchExpressions: [{ key: NOTEBOOKS.podLabel, operator: 'Exists' }] },
            policyTypes: ['Ingress'],
            ingress: [{
              from: [{ podSelector: { matchLabels: this.controller.pods.selector }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } }],
              ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(NOTEBOOKS.serverPort.port) }],
            }],
          },
        });
      }
    }
    new NotebookUserRoles(this, 'UserRoles', { users: props.owners.map((o) => o.email) });

    this.notebooks = config.notebooks.map((nb) => {
      const ns = namespaceOf(nb.owner, `notebook "${nb.name}"`);
      return new Notebook(this, `Notebook-${nb.owner}-${nb.name}`, { notebook: nb, namespace: ns, config, policy, store: keyed(ns) ? props.store : undefined });
    });
    this.tensorboards = config.tensorboards.map((tb) => {
      const ns = namespaceOf(tb.owner, `TensorBoard "${tb.name}"`);
      const grant = props.artifactGrants?.find((g) => g.namespace === ns);
      const board = new TensorBoard(this, `TensorBoard-${tb.owner}-${tb.name}`, { tensorboard: tb, namespace: ns, policy, store: props.store, grant });
      new Route(board, 'Route', { gateway, name: board.service.name, prefix: board.path, to: board.service, port: board.port, rewrite: '/', timeout: '300s' });
      return board;
    });
    // After the declared ones: configuration validation refuses a declared TensorBoard of the slot's
    // name, and the route would refuse its prefix a second time if one slipped through.
    this.tensorboardSlots = props.owners.map((owner) => new TensorBoardSlot(this, `TensorBoardSlot-${owner.namespace}`, { owner, gateway }));

    // Any signed-in user may open it (the gateway's login covers every path but the login pages);
    // what they see is decided by the S3 keys they log in with.
    const storeConsole = props.objectStoreConsole;
    if (storeConsole) {
      new Route(this, 'ObjectStoreConsoleRoute', {
        gateway, name: storeConsole.service.name, prefix: storeConsole.prefix, to: storeConsole.service, port: storeConsole.port, rewrite: '/',
      });
    }

    const slotOf = (ns: string) => {
      const slot = this.tensorboardSlots.find((s) => s.namespace === ns);
      if (!slot) throw new Error(`user namespace ${ns} has no self-service TensorBoard slot`);
      return slot;
    };
    this.landingPage = new LandingPage(this, 'Landing', {
      namespace,
      policy,
      domain: config.domain,
      userIdHeader: props.userIdHeader,
      links: [
        { title: 'Notebooks', href: `${NOTEBOOKS.webAppPrefix}?ns={namespace}`, description: 'Jupyter servers with a persistent workspace, on a GPU when you ask for one' },
        ...props.links,
        { title: 'TensorBoards', href: '#tensorboards', description: 'training curves of your log directories (listed below)' },
        ...(storeConsole ? [{ ...OBJECT_STORE_LINK, href: storeConsole.prefix }] : []),
      ],
      users: props.owners.map((o) => ({
        email: o.email,
        namespace: o.namespace,
        tensorboards: this.tensorboards.filter((t) => t.namespace === o.namespace).map((t) => ({ name: t.name, path: t.path })),
        tensorboardSlot: slotOf(o.namespace),
      })),
    });
    new Route(this, 'LandingRoute', { gateway, name: 'landing-page', prefix: '/', to: this.landingPage.service, port: this.landingPage.port });
  }
}
