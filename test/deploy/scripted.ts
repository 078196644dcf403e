/**
 * A scripted kubectl for the read-only deploy commands' unit tests: a function lib/deploy calls in
 * place of the binary (`Kubectl`), answering from rules and recording every call. In-process on
 * purpose: StrykerJS runs these tests once per mutant, and a process per kubectl call made that hours.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Kubectl } from '../../lib/deploy';

/**
 * `when`: the start of the arguments (joined by spaces); stdout: text, or an object printed as JSON;
 * `once`: answers one call only, so the next matching rule answers the calls after it.
 */
export interface Rule { readonly when: string; readonly stdout?: unknown; readonly stderr?: string; readonly code?: number; readonly once?: boolean }

export interface Scripted {
  /** A temporary folder (removed by `cleanup`) for files a test needs beside the API, e.g. a host root. */
  readonly dir: string;
  /** What to pass as `opts.kubectl`. */
  readonly bin: Kubectl;
  /** Replaces the rules and forgets earlier calls. */
  script(rules: Rule[]): void;
  /** The calls made since the last `script`, arguments joined by spaces. */
  calls(): string[];
  /** What call number `n` (from 1) was given on stdin (`-f -`). */
  stdin(n: number): string;
  cleanup(): void;
}

export function scriptedKubectl(prefix = 'microflow-kubectl-'): Scripted {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  let rules: Rule[] = [];
  let spent = new Set<number>();
  let calls: { line: string; input?: string }[] = [];
  const bin: Kubectl = (args, input) => {
    const line = args.join(' ');
    calls.push({ line, input });
    const i = rules.findIndex((r, n) => !spent.has(n) && (line === r.when || line.startsWith(`${r.when} `)));
    // A call no rule expects fails as kubectl does on an unknown resource type, so a test sees every call.
    if (i < 0) return { status: 1, stdout: '', stderr: `error: the server doesn't have a resource type "${args[1]}" (scripted kubectl: no rule for: ${line})\n` };
    const r = rules[i];
    if (r.once) spent.add(i);
    return { status: r.code ?? 0, stdout: typeof r.stdout === 'string' ? r.stdout : r.stdout === undefined ? '' : JSON.stringify(r.stdout), stderr: r.stderr ?? '' };
  };
  return {
    dir,
    bin,
    script(list) {
      rules = list;
      spent = new Set();
      calls = [];
    },
    calls: () => calls.map((c) => c.line),
    stdin: (n) => calls[n - 1].input ?? '',
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
