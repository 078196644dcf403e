import * as os from 'os';
import * as path from 'path';
import { LANDING_FILES, type LandingUser } from '../../lib/notebooks';
import { buildStack } from '../../lib/stack';
import { exampleConfig } from '../support/stack';

/**
 * The landing page as the stack renders it for examples/cluster.yaml (two users, one with a
 * TensorBoard, MinIO), with `overrides` on top: its ConfigMap data, the users it knows with their
 * TensorBoards, and the header the gateway sets. Taken from the stack, not built for the test, so
 * the links checked are the ones shipped.
 */
export function landingConfigMap(overrides: Record<string, unknown> = {}): { data: Record<string, string>; users: LandingUser[]; userIdHeader: string } {
  const stack = buildStack(exampleConfig('cluster', overrides), path.join(os.tmpdir(), 'microflow-never-written'));
  const cm = (stack.notebooks.toJson() as any[]).find((o) => o.kind === 'ConfigMap' && o.data?.[LANDING_FILES.html]);
  if (!cm) throw new Error('the notebooks chart rendered no landing page ConfigMap');
  const users = stack.users.users.map((u) => ({
    email: u.email,
    namespace: u.namespace,
    tensorboards: stack.notebooks.tensorboards.filter((t) => t.namespace === u.namespace).map((t) => ({ name: t.name, path: t.path })),
  }));
  return { data: cm.data, users, userIdHeader: stack.auth.login.userIdHeader };
}
