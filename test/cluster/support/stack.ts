/**
 * For cluster test files that must not rely on another file having applied the stack: renders the
 * variant under test (MICROFLOW_PROFILE, e.g. `laptop` or `laptop+seaweedfs`), creates the machine
 * fixtures and applies everything with the deploy code path (server-side apply is idempotent).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Config } from '../../../lib/config';
import { applyPhases, planPhases, readRendered, type Phase } from '../../../lib/deploy';
import { renderTo } from '../../../lib/render';
import { buildStack, type Stack } from '../../../lib/stack';
import { exampleConfig, type Example } from '../../support/stack';
import { createMachineFixtures, type FakeNode } from './fixtures';

export interface AppliedStack {
  readonly profile: Example;
  readonly config: Config;
  /** The stack's constructs (handles, access data), from the same configuration. */
  readonly stack: Stack;
  readonly phases: Phase[];
  readonly nodes: FakeNode[];
  /** Temporary folder holding the render (removed by `cleanup`). */
  readonly dir: string;
  /** Error of the apply, if any (tests assert on it). */
  readonly applyError?: unknown;
  cleanup(): void;
}

export function variantUnderTest(): { profile: Example; config: Config } {
  const [profile, objectStore] = (process.env.MICROFLOW_PROFILE ?? 'laptop').split('+') as [Example, string | undefined];
  return { profile, config: exampleConfig(profile, objectStore ? { objectStore } : {}) };
}

export async function applyStack(): Promise<AppliedStack> {
  const { profile, config } = variantUnderTest();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `microflow-cluster-${profile}-`));
  renderTo(config, path.join(dir, 'dist'));
  const stack = buildStack(config, path.join(dir, 'unused'));
  const phases = planPhases(readRendered(path.join(dir, 'dist')));
  const nodes = await createMachineFixtures(profile, config);
  let applyError: unknown;
  try {
    applyPhases(phases, { log: () => undefined });
  } catch (e) {
    applyError = e;
  }
  return { profile, config, stack, phases, nodes, dir, applyError, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
