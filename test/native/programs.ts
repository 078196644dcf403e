/**
 * Where the natively built upstream programs are (scripts/programs/build.sh builds and caches them).
 * A test asks for its program; which test files run at all is test/native/tier.js' decision.
 */
import { programPath } from '../support/programs';

export interface NativeProgram {
  readonly name: string;
  /** The cached binary (or interpreter, for a Python client). */
  readonly path: string;
}

/** The cached program, or undefined if `scripts/programs/build.sh NAME` has not built it yet. */
export function nativeProgram(name: string): NativeProgram | undefined {
  const p = programPath(name);
  return p === undefined ? undefined : { name, path: p };
}

/**
 * The programs a test needs; throws when one is not built (test/native/tier.js skips the native
 * test files whose programs are missing before they start, so here a missing one is an error).
 */
export function requireNative<N extends string>(...names: N[]): Record<N, NativeProgram> {
  const found = names.map((n) => [n, nativeProgram(n)] as const);
  const missing = found.filter(([, p]) => !p).map(([n]) => n);
  if (missing.length) throw new Error(`native programs missing: ${missing.join(', ')} (build with: scripts/programs/build.sh ${missing.join(' ')})`);
  return Object.fromEntries(found) as Record<N, NativeProgram>;
}
