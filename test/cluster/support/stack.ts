/**
 * Renders and applies a profile's stack for a cluster test file that must not rely on another file
 * having done it (jest runs the files in an order it chooses, against one cluster). Server-side
 * apply is idempotent, so applying again what another file applied changes nothing.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Config } from '../../../lib/config';
import { applyPhases, planPhases, readRendered, type Manifest, type Phase } from '../../../lib/deploy';
import { renderTo } from '../../../lib/render';
import type { Example } from '../../support/stack';
import { createMachineFixtures, FakeProvisioner } from './fixtures';
import { getJson, waitFor } from './kube';

export interface AppliedStack {
  readonly dir: string;
  readonly phases: Phase[];
  readonly objects: Manifest[];
  readonly provisioner: FakeProvisioner;
  /** The apply's error, if it failed (the first test reports it). */
  readonly applyError?: unknown;
}

export async function applyStack(profile: Example, config: Config): Promise<AppliedStack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `microflow-cluster-${profile}-`));
  renderTo(config, path.join(dir, 'dist'));
  const phases = planPhases(readRendered(path.join(dir, 'dist')));
  await createMachineFixtures(profile, config);
  const provisioner = new FakeProvisioner();
  provisioner.start();
  let applyError: unknown;
  try {
    applyPhases(phases, { log: () => undefined });
  } catch (e) {
    applyError = e;
  }
  return { dir, phases, objects: phases.flatMap((p) => p.objects), provisioner, applyError };
}

/** Waits until each named Deployment reports all its replicas available. */
export async function waitAvailable(deployments: Manifest[], timeoutMs = 180_000): Promise<void> {
  const pending = async () => {
    const out: string[] = [];
    for (const d of deployments) {
      const live = await getJson(['get', 'deployment', d.metadata.name, '-n', d.metadata.namespace!]);
      if ((live.status.availableReplicas ?? 0) < live.spec.replicas) out.push(`${d.metadata.namespace}/${d.metadata.name}`);
    }
    return out;
  };
  await waitFor('deployments to become Available', async () => (await pending()).length === 0, timeoutMs, async () => `still waiting: ${(await pending()).join(', ')}`);
}
