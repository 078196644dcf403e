import { ConfigError, resolveConfig } from '../../lib/config';

/** The problems a configuration raises, or [] when it is valid. */
export function problems(input: unknown): string[] {
  try {
    resolveConfig(input as any);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}
