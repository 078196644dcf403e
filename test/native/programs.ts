/**
 * Where the natively built upstream programs are (scripts/programs/build.sh builds and caches them).
 * A test asks for its program; when it is not built the test is skipped locally with the command
 * that builds it, and fails in CI (MICROFLOW_REQUIRE_NATIVE=1), where a skipped real-program test
 * would hide a broken install step.
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
 * The programs a test needs, or undefined (with a console note) when one is missing and the run
 * does not require them; throws when MICROFLOW_REQUIRE_NATIVE=1.
 */
export function requireNative<N extends string>(...names: N[]): Record<N, NativeProgram> | undefined {
  const found = names.map((n) => [n, nativeProgram(n)] as const);
  const missing = found.filter(([, p]) => !p).map(([n]) => n);
  if (!missing.length) return Object.fromEntries(found) as Record<N, NativeProgram>;
  const how = `build with: scripts/programs/build.sh ${missing.join(' ')}`;
  if (process.env.MICROFLOW_REQUIRE_NATIVE === '1') throw new Error(`native programs missing: ${missing.join(', ')} (${how})`);
  console.warn(`skipping: native programs not built: ${missing.join(', ')} (${how})`);
  return undefined;
}
