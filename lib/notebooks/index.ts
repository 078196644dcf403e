import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { Config } from '../config';
import type { ObjectStore } from '../data';
import type { MicroflowNamespace, WorkloadPolicy } from '../platform';
import { NOTEBOOKS } from './constants';
import { NotebookController } from './controller';
import { NotebookCrd } from './crd';
import { LandingPage, type LandingLink } from './landing-page';
import { Notebook } from './notebook';
import { NotebookUserRoles } from './rbac';
import { TensorBoard } from './tensorboard';
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
export * from './landing-page';
export * from './rbac';

/** A user's namespace as the notebooks component needs it (the users component's handle). */
export interface NotebookOwner {
  readonly email: string;
  readonly namespace: string;
}

export interface NotebooksChartProps {
  readonly config: Config;
  readonly policy: WorkloadPolicy;
  /** Kubeflow's namespace: controller, web app, landing page. */
  readonly namespace: MicroflowNamespace;
  readonly store: ObjectStore;
  /** The users' namespaces: declared notebooks and TensorBoards go into their owner's. */
  readonly owners: readonly NotebookOwner[];
  /** The Istio Gateway ("<namespace>/<name>") the controller attaches notebook routes to. */
  readonly gateway: string;
  /** The header the gateway puts the signed-in user's email in. */
  readonly userIdHeader: string;
  /** Whether users reach the platform over HTTPS (the web app's cookies are Secure only then). */
  readonly https: boolean;
  /** Links of the landing page besides Notebooks and TensorBoards (Pipelines, the object-store console). */
  readonly links: readonly LandingLink[];
}

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

  constructor(scope: Construct, id: string, props: NotebooksChartProps) {
    super(scope, id);
    const { config, policy } = props;
    const namespace = props.namespace.name;
    const namespaceOf = (email: string, what: string) => {
      const owner = props.owners.find((o) => o.email === email);
      if (!owner) throw new Error(`${what}: owner ${email} has no user namespace`);
      return owner.namespace;
    };

    new NotebookCrd(this, 'Crd');
    this.controller = new NotebookController(this, 'Controller', { namespace, policy, jupyter: config.jupyter, gateway: props.gateway });
    this.webApp = new JupyterWebApp(this, 'WebApp', { namespace, config, policy, userIdHeader: props.userIdHeader, secureCookies: props.https });
    new NotebookUserRoles(this, 'UserRoles', { users: config.users });

    this.notebooks = config.notebooks.map((nb) => new Notebook(this, `Notebook-${nb.owner}-${nb.name}`, {
      notebook: nb, namespace: namespaceOf(nb.owner, `notebook "${nb.name}"`), config, policy,
    }));
    this.tensorboards = config.tensorboards.map((tb) => new TensorBoard(this, `TensorBoard-${tb.owner}-${tb.name}`, {
      tensorboard: tb, namespace: namespaceOf(tb.owner, `TensorBoard "${tb.name}"`), policy, store: props.store,
    }));

    this.landingPage = new LandingPage(this, 'Landing', {
      namespace,
      policy,
      domain: config.domain,
      userIdHeader: props.userIdHeader,
      links: [
        { title: 'Notebooks', href: `${NOTEBOOKS.webAppPrefix}?ns={namespace}`, description: 'Jupyter servers with a persistent workspace, on a GPU when you ask for one' },
        ...props.links,
        { title: 'TensorBoards', href: '#tensorboards', description: 'training curves of your log directories (listed below)' },
      ],
      users: props.owners.map((o) => ({
        email: o.email,
        namespace: o.namespace,
        tensorboards: this.tensorboards.filter((t) => t.namespace === o.namespace).map((t) => ({ name: t.name, path: t.path })),
      })),
    });
  }
}
