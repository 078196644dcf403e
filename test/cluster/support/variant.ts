/**
 * The variant under test (MICROFLOW_PROFILE, e.g. `laptop` or `laptop+seaweedfs`) applied with
 * `applyStack`, plus the stack's constructs (handles, access data) built from the same configuration.
 */
import * as path from 'path';
import type { Config } from '../../../lib/config';
import { buildStack, type Stack } from '../../../lib/stack';
import type { Example } from '../../support/stack';
import { applyStack, profileUnderTest, type AppliedStack } from './stack';

export interface AppliedVariant extends AppliedStack {
  readonly profile: Example;
  readonly config: Config;
  readonly stack: Stack;
  /** Stops the claim provisioner and removes the render. */
  cleanup(): Promise<void>;
}

/** The variant under test (MICROFLOW_PROFILE), as `applyStack` reads it. */
export const variantUnderTest = profileUnderTest;

export async function applyVariant(): Promise<AppliedVariant> {
  const { profile, config } = variantUnderTest();
  const applied = await applyStack(profile, config);
  const stack = buildStack(config, path.join(applied.dir, 'constructs'));
  return {
    ...applied, profile, config, stack,
    cleanup: () => applied.release(),
  };
}
