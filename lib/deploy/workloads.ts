import { LABEL } from '../platform/labels';
import type { Manifest } from './phases';

/** Kinds the deploy commands wait for and report on. */
export const TRACKED_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'] as const;
export type TrackedKind = (typeof TRACKED_KINDS)[number];

/** A workload of the rendered platform, as the progress display and status table know it. */
export interface Workload {
  readonly kind: TrackedKind;
  readonly name: string;
  readonly namespace: string;
  /** The chart it belongs to (`app.kubernetes.io/component`): platform, data, gateway, … */
  readonly component: string;
  /** Labels of its pods (for a Job, the `job-name` label the Job controller sets). */
  readonly podSelector: Record<string, string>;
}

/** The workloads of a rendered folder, in render (apply) order. */
export function workloadsOf(objects: Manifest[]): Workload[] {
  return objects.filter((o): o is Manifest & { kind: TrackedKind } => (TRACKED_KINDS as readonly string[]).includes(o.kind)).map((o) => {
    const labels = (o.metadata.labels ?? {}) as Record<string, string>;
    const spec = (o as any).spec ?? {};
    return {
      kind: o.kind,
      name: o.metadata.name,
      namespace: o.metadata.namespace ?? 'default',
      component: labels[LABEL.component] ?? 'other',
      podSelector: o.kind === 'Job' ? { 'job-name': o.metadata.name } : (spec.selector?.matchLabels ?? {}),
    };
  });
}

/** Where one workload stands. */
export interface WorkloadState {
  /** Pods ready (for a Job: pods succeeded). */
  readonly ready: number;
  /** Pods wanted (for a Job: completions). */
  readonly desired: number;
  /** Available (Deployment, StatefulSet, DaemonSet: every replica ready and up to date) or Complete (Job). */
  readonly done: boolean;
  /** A failure that waiting will not fix (a Job that failed), else undefined. */
  readonly failed?: string;
  /** `missing` when the object does not exist in the cluster. */
  readonly missing?: boolean;
}

const cond = (live: any, type: string) => (live.status?.conditions ?? []).find((c: any) => c.type === type && c.status === 'True');

/**
 * Reads a live object's status the way `kubectl rollout status` does: the controller has seen the
 * latest spec (observedGeneration), every replica runs the latest template and is ready.
 */
export function stateOf(kind: TrackedKind, live: any | undefined): WorkloadState {
  if (!live) return { ready: 0, desired: 1, done: false, missing: true };
  const s = live.status ?? {};
  const observed = (s.observedGeneration ?? 0) >= (live.metadata?.generation ?? 0);
  switch (kind) {
    case 'Deployment': {
      const desired = live.spec?.replicas ?? 1;
      const ready = s.availableReplicas ?? 0;
      return { ready, desired, done: observed && (s.updatedReplicas ?? 0) >= desired && ready >= desired && (s.replicas ?? 0) <= desired };
    }
    case 'StatefulSet': {
      const desired = live.spec?.replicas ?? 1;
      const ready = s.readyReplicas ?? 0;
      const updated = s.updateRevision === undefined || s.currentRevision === s.updateRevision || (s.updatedReplicas ?? 0) >= desired;
      return { ready, desired, done: observed && ready >= desired && updated };
    }
    case 'DaemonSet': {
      const desired = s.desiredNumberScheduled ?? 0;
      const ready = s.numberReady ?? 0;
      return { ready, desired, done: observed && ready >= desired && (s.updatedNumberScheduled ?? 0) >= desired };
    }
    case 'Job': {
      const desired = live.spec?.completions ?? 1;
      const failed = cond(live, 'Failed');
      return {
        ready: s.succeeded ?? 0,
        desired,
        done: Boolean(cond(live, 'Complete')),
        failed: failed ? `Job failed: ${failed.reason ?? ''} ${failed.message ?? ''}`.trim() : undefined,
      };
    }
  }
}
