/**
 * Where the natively built upstream programs are (test/native/build.sh builds and caches them).
 * A test asks for its program; when it is not built the test is skipped locally with the command
 * that builds it, and fails in CI (MICROFLOW_REQUIRE_NATIVE=1), where a skipped real-program test
 * would hide a broken install step.
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
 * The programs a test needs, or undefined (with a console note) when one is missing and the run
 * does not require them; throws when MICROFLOW_REQUIRE_NATIVE=1.
 */
export function requireNative<N extends string>(...names: N[]): Record<N, NativeProgram> | undefined {
  const found = names.map((n) => [n, nativeProgram(n)] as const);
  const missing = found.filter(([, p]) => !p).map(([n]) => n);
  if (!missing.length) return Object.fromEntries(found) as Record<N, NativeProgram>;
  const how = `build with: test/native/build.sh ${missing.join(' ')}`;
  if (process.env.MICROFLOW_REQUIRE_NATIVE === '1') throw new Error(`native programs missing: ${missing.join(', ')} (${how})`);
  console.warn(`skipping: native programs not built: ${missing.join(', ')} (${how})`);
  return undefined;
}
