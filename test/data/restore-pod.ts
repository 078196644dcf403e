import * as os from 'os';
import * as path from 'path';
import { resolveConfig } from '../../lib/config';
import { MySqlRestore } from '../../lib/data';
import { buildStack } from '../../lib/stack';
import { constructHarness, find, podSpecOf } from '../support/stack';

/**
 * The pod of the restore Job for `backup`, wired to the default stack's database and object store
 * as `npm run restore` wires it. Built when called, so mutation testing sees which test covers it.
 */
export function restorePod(backup: string): any {
  const stack = buildStack(resolveConfig({}), path.join(os.tmpdir(), 'microflow-unused'));
  const { chart, policy, synth } = constructHarness();
  new MySqlRestore(chart, 'r', { database: stack.data.database, store: stack.data.objectStore, policy, backup });
  return podSpecOf(find(synth(), 'Job', 'mysql-restore', 'kubeflow'));
}
