import { resolveConfig } from '../../lib/config';

/** YAML-shaped input (partial quotas and all), checked at run time as a configuration file is. */
export const resolveInput = (input: Record<string, unknown>) => resolveConfig(input as never);

/** The problems of a configuration that must be refused, one per entry, as `resolveConfig` lists them. */
export function refusals(input: Record<string, unknown>): string[] {
  try {
    resolveInput(input);
  } catch (e) {
    return (e as Error).message.split('\n').slice(1).map((l) => l.replace(/^ {2}- /, ''));
  }
  throw new Error('expected the configuration to be refused');
}
