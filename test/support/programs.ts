/**
 * The one lookup of the upstream programs tests run (weed, cyclonus, istioctl, the kfp SDK venv, ...):
 * scripts/programs/build.sh builds and caches them, one recipe each (scripts/programs/<name>.sh).
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

export const PROGRAMS_SCRIPT = path.resolve(__dirname, '..', '..', 'scripts', 'programs', 'build.sh');

/** The cached program's path, or undefined when `scripts/programs/build.sh NAME` has not built it. */
export function programPath(name: string): string | undefined {
  const r = spawnSync(PROGRAMS_SCRIPT, ['--path', name], { encoding: 'utf8' });
  if (r.status === 3) return undefined;
  if (r.status !== 0) throw new Error(`${PROGRAMS_SCRIPT} --path ${name} failed (exit ${r.status}): ${r.stderr}`);
  return r.stdout.trim();
}

/**
 * Builds the program if it is missing (for cheap ones a test may build on first use, like the kfp
 * SDK venv) and returns its path, or the build's log when it could not be built.
 */
export function buildProgram(name: string, timeoutMs = 600_000): { path?: string; log: string } {
  const r = spawnSync(PROGRAMS_SCRIPT, [name], { encoding: 'utf8', timeout: timeoutMs });
  if (r.status !== 0) return { log: `${PROGRAMS_SCRIPT} ${name} failed (exit ${r.status}):\n${r.stderr}` };
  return { path: programPath(name), log: r.stderr };
}
