/**
 * Where the natively built upstream programs are (test/native/build.sh builds and caches them).
 * A test asks for its program; which test files run at all is test/native/tier.js' decision.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

export const BUILD_SCRIPT = path.join(__dirname, 'build.sh');

export interface NativeProgram {
  readonly name: string;
  /** The cached binary (or interpreter, for a Python client). */
  readonly path: string;
}

/** The cached program, or undefined if `test/native/build.sh NAME` has not built it yet. */
export function nativeProgram(name: string): NativeProgram | undefined {
  const r = spawnSync(BUILD_SCRIPT, ['--path', name], { encoding: 'utf8' });
  if (r.status === 3) return undefined;
  if (r.status !== 0) throw new Error(`${BUILD_SCRIPT} --path ${name} failed (${r.status}): ${r.stderr}`);
  return { name, path: r.stdout.trim() };
}

/**
 * The programs a test needs; throws when one is not built (test/native/tier.js skips the native
 * test files whose programs are missing before they start, so here a missing one is an error).
 */
export function requireNative<N extends string>(...names: N[]): Record<N, NativeProgram> {
  const found = names.map((n) => [n, nativeProgram(n)] as const);
  const missing = found.filter(([, p]) => !p).map(([n]) => n);
  if (missing.length) throw new Error(`native programs missing: ${missing.join(', ')} (build with: test/native/build.sh ${missing.join(' ')})`);
  return Object.fromEntries(found) as Record<N, NativeProgram>;
}
