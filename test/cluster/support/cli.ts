/**
 * Runs the platform's own commands (build/scripts/microflow.js, what `npm run deploy` etc. run)
 * against the harness, asynchronously so the suite's fake volume provisioner keeps running meanwhile.
 */
import { execFile } from 'child_process';
import * as path from 'path';
import { ROOT } from '../../support/stack';

export interface CliResult { code: number; stdout: string; stderr: string; output: string }

export function microflow(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [path.join(ROOT, 'build', 'scripts', 'microflow.js'), ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 64 * 2 ** 20, timeout: 15 * 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as any).code ?? 1) : 0, stdout, stderr, output: stdout + stderr }));
    child.stdin?.end();
  });
}

/**
 * Files of this suite share one cluster in an order nobody controls, and the platform's namespaces
 * are fixed: a file that needs an empty cluster removes what another left, with the destroy command.
 */
export async function startFromEmpty(dist: string, env: Record<string, string>, namespace: string, gone: () => Promise<boolean>, waitFor: (what: string, check: () => Promise<boolean>, ms: number) => Promise<unknown>): Promise<void> {
  if (await gone()) return;
  const r = await microflow(['destroy', '--purge-data', '--yes', dist], env);
  if (r.code !== 0) throw new Error(`could not clear the cluster first:\n${r.output}`);
  await waitFor(`namespace ${namespace} to go`, gone, 180_000);
}
