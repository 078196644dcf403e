import { getJson, type KubeOptions } from './kube';
import type { Manifest } from './phases';
import { stateOf, workloadsOf, type Workload, type WorkloadState } from './workloads';

/** One workload and where it stands. */
export interface WorkloadStatus extends Workload, WorkloadState {}

/** A component's row in the status table and the progress display. */
export interface ComponentStatus {
  readonly component: string;
  /** Workloads done (Available / Complete). */
  readonly ready: number;
  readonly total: number;
  readonly workloads: WorkloadStatus[];
}

const key = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`;

/** Reads every rendered workload's live state with one API list call. */
export function readStatus(objects: Manifest[], opts: KubeOptions = {}): ComponentStatus[] {
  const workloads = workloadsOf(objects);
  if (workloads.length === 0) return [];
  const live = new Map<string, any>();
  const kinds = [...new Set(workloads.map((w) => w.kind.toLowerCase() + 's'))].join(',');
  for (const item of getJson(['get', kinds, '--all-namespaces'], opts).items ?? []) {
    live.set(key(item.kind, item.metadata.namespace, item.metadata.name), item);
  }
  return groupByComponent(workloads.map((w) => ({ ...w, ...stateOf(w.kind, live.get(key(w.kind, w.namespace, w.name))) })));
}

/** Groups workload states into component rows, in the order components first appear (apply order). */
export function groupByComponent(workloads: WorkloadStatus[]): ComponentStatus[] {
  const rows = new Map<string, WorkloadStatus[]>();
  for (const w of workloads) rows.set(w.component, [...(rows.get(w.component) ?? []), w]);
  return [...rows].map(([component, ws]) => ({ component, ready: ws.filter((w) => w.done).length, total: ws.length, workloads: ws }));
}

/** Every workload is Available or Complete. */
export const allDone = (rows: ComponentStatus[]) => rows.every((r) => r.ready === r.total);

/** A short description of what a component still waits for. */
export function waitingOn(row: ComponentStatus): string {
  return row.workloads.filter((w) => !w.done)
    .map((w) => `${w.kind}/${w.name} ${w.failed ? 'FAILED' : w.missing ? 'missing' : `${w.ready}/${w.desired}`}`)
    .join(', ');
}

/** The status table (`npm run status`, and each frame of the progress display). */
export function formatTable(rows: ComponentStatus[], elapsedSeconds?: number): string {
  const width = Math.max(9, ...rows.map((r) => r.component.length)) + 2;
  const lines = [`${'COMPONENT'.padEnd(width)}${'READY'.padEnd(8)}${elapsedSeconds === undefined ? '' : 'ELAPSED'.padEnd(9)}STATE`];
  for (const r of rows) {
    const state = r.ready === r.total ? 'Available' : `waiting: ${waitingOn(r)}`;
    const elapsed = elapsedSeconds === undefined ? '' : `${Math.round(elapsedSeconds)}s`.padEnd(9);
    lines.push(`${r.component.padEnd(width)}${`${r.ready}/${r.total}`.padEnd(8)}${elapsed}${state}`);
  }
  return lines.join('\n');
}
