import * as os from 'os';
import * as path from 'path';
import { LANDING_FILES, TENSORBOARD_SELF_SERVICE, type LandingUser } from '../../lib/notebooks';
import { buildStack } from '../../lib/stack';
import { exampleConfig } from '../support/stack';

/**
 * The landing page as the stack renders it for examples/cluster.yaml (two users, one with a
 * TensorBoard, MinIO), with `overrides` on top: its ConfigMap data, the users it knows with their
 * TensorBoards and their self-service slot, and the header the gateway sets. Taken from the stack, not
 * built for the test, so the links checked are the ones shipped; the slot's path is the prefix of the
 * route the stack renders in the user's own namespace, so a link that reaches no route of theirs fails.
 */
export function landingConfigMap(overrides: Record<string, unknown> = {}): { data: Record<string, string>; users: LandingUser[]; userIdHeader: string } {
  const stack = buildStack(exampleConfig('cluster', overrides), path.join(os.tmpdir(), 'microflow-never-written'));
  const objects = stack.notebooks.toJson() as any[];
  const cm = objects.find((o) => o.kind === 'ConfigMap' && o.data?.[LANDING_FILES.html]);
  if (!cm) throw new Error('the notebooks chart rendered no landing page ConfigMap');
  const slotRoute = (namespace: string): string => {
    const vs = objects.filter((o) => o.kind === 'VirtualService' && o.metadata.name === TENSORBOARD_SELF_SERVICE.name && o.metadata.namespace === namespace);
    if (vs.length !== 1) throw new Error(`expected one self-service TensorBoard route in ${namespace}, got ${vs.length}`);
    return vs[0].spec.http[0].match[0].uri.prefix;
  };
  const users = stack.users.users.map((u) => ({
    email: u.email,
    namespace: u.namespace,
    tensorboards: stack.notebooks.tensorboards.filter((t) => t.namespace === u.namespace).map((t) => ({ name: t.name, path: t.path })),
    tensorboardSlot: { path: slotRoute(u.namespace) },
  }));
  return { data: cm.data, users, userIdHeader: stack.auth.login.userIdHeader };
}
