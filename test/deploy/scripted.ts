/**
 * A scripted kubectl for the read-only deploy commands' unit tests (test/deploy/scripted-kubectl.sh):
 * each test gets its own folder of rules, a binary bound to it, and the log of calls made.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * `when`: the start of the arguments (joined by spaces); stdout: text, or an object printed as JSON;
 * `once`: answers one call only, so the next matching rule answers the calls after it.
 */
export interface Rule { readonly when: string; readonly stdout?: unknown; readonly stderr?: string; readonly code?: number; readonly once?: boolean }

export interface Scripted {
  /** The temporary folder (removed by `cleanup`); tests may put other files in it. */
  readonly dir: string;
  /** The kubectl binary to pass as `opts.kubectl`. */
  readonly bin: string;
  /** Replaces the rules and forgets earlier calls. */
  script(rules: Rule[]): void;
  /** The calls made since the last `script`, arguments joined by spaces. */
  calls(): string[];
  /** What call number `n` (from 1) read on stdin (calls with `-f -` only). */
  stdin(n: number): string;
  cleanup(): void;
}

export function scriptedKubectl(prefix = 'microflow-kubectl-'): Scripted {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const rules = path.join(dir, 'rules');
  const bin = path.join(dir, 'kubectl');
  fs.writeFileSync(bin, `#!/bin/sh\nSCRIPTED_KUBECTL='${rules}' exec '${path.join(__dirname, 'scripted-kubectl.sh')}' "$@"\n`, { mode: 0o755 });
  return {
    dir,
    bin,
    script(list) {
      fs.rmSync(rules, { recursive: true, force: true });
      fs.mkdirSync(rules);
      list.forEach((r, n) => {
        fs.writeFileSync(`${rules}/${n}.when`, r.when);
        fs.writeFileSync(`${rules}/${n}.out`, typeof r.stdout === 'string' ? r.stdout : r.stdout === undefined ? '' : JSON.stringify(r.stdout));
        fs.writeFileSync(`${rules}/${n}.err`, r.stderr ?? '');
        fs.writeFileSync(`${rules}/${n}.code`, String(r.code ?? 0));
        if (r.once) fs.writeFileSync(`${rules}/${n}.once`, '');
      });
    },
    calls: () => (fs.existsSync(`${rules}/calls`) ? fs.readFileSync(`${rules}/calls`, 'utf8').split('\n').filter(Boolean) : []),
    stdin: (n) => fs.readFileSync(`${rules}/stdin.${n}`, 'utf8'),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
