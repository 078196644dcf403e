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
