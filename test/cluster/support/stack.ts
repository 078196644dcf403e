/**
 * Renders the configuration under test (MICROFLOW_PROFILE, e.g. `laptop` or `laptop+seaweedfs`, or a
 * profile and configuration a suite file names) and applies it with the deploy code path, so a suite
 * file does not depend on another having applied the stack (jest runs the files one after another
 * against the same cluster, in no set order). Server-side apply is idempotent: applying again what
 * another file applied changes nothing.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Config } from '../../../lib/config';
import { applyPhases, planPhases, readRendered, type Manifest, type Phase } from '../../../lib/deploy';
import { renderTo } from '../../../lib/render';
import { exampleConfig, type Example } from '../../support/stack';
import { createMachineFixtures, FakeProvisioner, type FakeNode } from './fixtures';
import { getJson, k, waitFor } from './kube';

export interface AppliedStack {
  readonly profile: Example;
  readonly config: Config;
  /** The render (`dist/` inside); the caller removes it (`release`). */
  readonly dir: string;
  readonly phases: Phase[];
  readonly objects: Manifest[];
  readonly nodes: FakeNode[];
  /** Binds the stack's claims (KWOK provisions no volumes); stopped by `release`. */
  readonly provisioner: FakeProvisioner;
  /** The apply's error, if it failed (the first test reports it). */
  readonly applyError?: unknown;
  /** Stops the provisioner and removes the render. */
  release(): Promise<void>;
}

export function profileUnderTest(): { profile: Example; config: Config } {
  const [profile, objectStore] = (process.env.MICROFLOW_PROFILE ?? 'laptop').split('+') as [Example, string | undefined];
  return { profile, config: exampleConfig(profile, objectStore ? { objectStore } : {}) };
}

/** Applies the given profile's stack, by default the variant under test (MICROFLOW_PROFILE). */
export async function applyStack(profile?: Example, config?: Config): Promise<AppliedStack> {
  const chosen = profile && config ? { profile, config } : profileUnderTest();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `microflow-cluster-${chosen.profile}-`));
  renderTo(chosen.config, path.join(dir, 'dist'));
  const phases = planPhases(readRendered(path.join(dir, 'dist')));
  const nodes = await createMachineFixtures(chosen.profile, chosen.config);
  const provisioner = new FakeProvisioner();
  provisioner.start();
  let applyError: unknown;
  try {
    applyPhases(phases, { log: () => undefined });
  } catch (e) {
    applyError = e;
  }
  return {
    ...chosen, dir, phases, objects: phases.flatMap((p) => p.objects), nodes, provisioner, applyError,
    release: async () => {
      await provisioner.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until each Deployment is Available with all its replicas, and each Job Complete. */
export async function waitAvailable(objects: Manifest[], timeoutMs = 180_000): Promise<void> {
  const pending = async () => {
    const out: string[] = [];
    for (const o of objects) {
      const live = await getJson(['get', o.kind.toLowerCase(), o.metadata.name, '-n', o.metadata.namespace!]);
      if (o.kind === 'Job') {
        if (!(live.status.conditions ?? []).some((c: any) => c.type === 'Complete' && c.status === 'True')) out.push(`Job/${o.metadata.name} not complete`);
      } else if ((live.status.availableReplicas ?? 0) < live.spec.replicas) {
        out.push(`${o.kind}/${o.metadata.name} ${live.status.availableReplicas ?? 0}/${live.spec.replicas} available`);
      }
    }
    return out;
  };
  await waitFor(`${objects.map((o) => o.metadata.name).join(', ')} to become available`, async () => (await pending()).length === 0, timeoutMs,
    async () => `still waiting: ${(await pending()).join('; ')}\n${await k(['get', 'pods,events', '-A', '-o', 'wide'])}`);
}
