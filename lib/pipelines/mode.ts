import type { Config } from '../config';

export type PipelinesMode = 'single-user' | 'multi-user';

/** The mode a configuration runs Pipelines in: `auto` is multi-user when more than one user is configured. */
export function pipelinesMode(config: Config): PipelinesMode {
  const mode = config.pipelines.mode;
  if (mode !== 'auto') return mode;
  return config.users.length > 1 ? 'multi-user' : 'single-user';
}
