import type { KubeOptions } from './kube';
import type { Manifest } from './phases';
import { allDone, formatTable, readStatus, waitingOn, type ComponentStatus } from './status';
import { diagnose } from './diagnose';

export interface ProgressOptions extends KubeOptions {
  /** Give up after this many seconds. @default 600 */
  readonly timeoutSeconds?: number;
  /** Seconds between polls. @default 2 */
  readonly intervalSeconds?: number;
  /** Where the display goes. @default process.stdout */
  readonly out?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Redraw a live table (a terminal) or print one line per change (logs, CI). @default out.isTTY */
  readonly tty?: boolean;
}

/** The platform did not become Available in time; the message names what is stuck and why. */
export class DeployTimeoutError extends Error {
  constructor(message: string, public readonly stuck: string[]) {
    super(message);
    this.name = 'DeployTimeoutError';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until every rendered workload is Available (Jobs: Complete), showing progress per component:
 * on a terminal a table redrawn in place, otherwise one plain line each time a component changes.
 * On timeout (or a failed Job) throws DeployTimeoutError with each stuck workload's diagnosis.
 */
export async function waitUntilAvailable(objects: Manifest[], opts: ProgressOptions = {}): Promise<ComponentStatus[]> {
  const out = opts.out ?? process.stdout;
  const tty = opts.tty ?? Boolean(out.isTTY);
  const timeoutMs = (opts.timeoutSeconds ?? 600) * 1000;
  const start = Date.now();
  let drawn = 0;
  const last = new Map<string, string>();
  for (;;) {
    const rows = readStatus(objects, opts);
    const elapsed = (Date.now() - start) / 1000;
    if (tty) {
      const frame = formatTable(rows, elapsed);
      out.write(`${drawn ? `\x1b[${drawn}A\x1b[J` : ''}${frame}\n`);
      drawn = frame.split('\n').length;
    } else {
      for (const r of rows) {
        const line = r.ready === r.total ? `${r.component}: ${r.ready}/${r.total} Available` : `${r.component}: ${r.ready}/${r.total} ready, waiting: ${waitingOn(r)}`;
        if (last.get(r.component) !== line) out.write(`[${Math.round(elapsed)}s] ${line}\n`);
        last.set(r.component, line);
      }
    }
    const failed = rows.flatMap((r) => r.workloads).filter((w) => w.failed);
    if (allDone(rows)) return rows;
    if (failed.length || Date.now() - start >= timeoutMs) {
      const stuck = rows.flatMap((r) => r.workloads).filter((w) => !w.done);
      const why = failed.length ? 'a Job failed' : `not Available after ${Math.round(timeoutMs / 1000)}s`;
      const details = stuck.map((w) => diagnose(w, opts)).join('\n\n');
      throw new DeployTimeoutError(`${why}: ${stuck.map((w) => `${w.kind}/${w.namespace}/${w.name}`).join(', ')}\n\n${details}\n\n`
        + 'The objects were applied; fix the cause and run the deploy again (it is safe to repeat), or `npm run status` to look again.',
      stuck.map((w) => `${w.kind}/${w.namespace}/${w.name}`));
    }
    await sleep((opts.intervalSeconds ?? 2) * 1000);
  }
}
