import { Construct } from 'constructs';
import { Route, type Gateway } from '../gateway';
import { MicroflowService, type PodSet, type ServiceHandle } from '../platform';
import type { UserNamespace } from '../users';
import { NOTEBOOKS, TENSORBOARD_PORT, TENSORBOARD_SELF_SERVICE, tensorboardPath } from './constants';

export interface TensorBoardSlotProps {
  /** The user namespace the slot belongs to (its owner alone may open the path). */
  readonly owner: UserNamespace;
  /** The gateway the slot's route attaches to. */
  readonly gateway: Gateway;
}

/**
 * The self-service TensorBoard slot of one user namespace: a Service selecting the pods labelled
 * `microflow.dev/tensorboard: self-service` (which the user runs themselves, e.g. from
 * examples/tensorboard-self-service.yaml) and a route at /tensorboard/<namespace>/self-service/,
 * rewritten to /. Users may not make VirtualServices (one on the shared gateway could take another
 * user's paths), so microflow makes this one, pinned to their namespace's Service; the path lies
 * under /tensorboard/<namespace>/, which the namespace's owner-only gateway policy keeps to them.
 * The route's NetworkPolicy admits the gateway's pods, and nothing else, to the labelled pods'
 * TensorBoard port.
 */
export class TensorBoardSlot extends Construct {
  /** The user namespace the slot belongs to. */
  public readonly namespace: string;
  /** The slot's path on the gateway. */
  public readonly path: string;
  /** The slot's Service: its endpoints are whatever the user labels, none until they do. */
  public readonly service: ServiceHandle;
  /** The Service port the route targets. */
  public readonly port = 'http-tensorboard';
  public readonly route: Route;

  constructor(scope: Construct, id: string, props: TensorBoardSlotProps) {
    super(scope, id);
    const ns = props.owner.namespace;
    this.namespace = ns;
    const { key, value } = TENSORBOARD_SELF_SERVICE.podLabel;
    this.path = tensorboardPath(ns, TENSORBOARD_SELF_SERVICE.slot);
    // The slot serves whatever the user labels: it must answer its owner alone. /tensorboard/<ns>/ is
    // owner-only already (PER_NAMESPACE_PREFIXES); saying it here too (ownerOnly is idempotent) keeps
    // that true of the slot if that list ever changes.
    props.owner.ownerOnly(`${NOTEBOOKS.tensorboardPrefix}${ns}/`);
    // No workload of ours runs these pods: this states what the user's pods must look like (the
    // label and the named container port), and the Service, route and policy are checked against it.
    const pods: PodSet = {
      name: `${TENSORBOARD_SELF_SERVICE.name} (the user's own pods)`,
      namespace: ns,
      selector: { [key]: value },
      labels: { [key]: value },
      containerPorts: { [TENSORBOARD_PORT.name]: TENSORBOARD_PORT.port },
    };
    this.service = new MicroflowService(this, 'Service', {
      name: TENSORBOARD_SELF_SERVICE.name,
      pods,
      ports: [{ name: this.port, port: 80, targetPort: TENSORBOARD_PORT.name }],
    });
    this.route = new Route(this, 'Route', {
      gateway: props.gateway, name: TENSORBOARD_SELF_SERVICE.name, prefix: this.path, to: this.service, port: this.port, rewrite: '/', timeout: '300s',
    });
  }
}
