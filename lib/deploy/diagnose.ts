import { getJson, labelSelector, listItems, type KubeOptions } from './kube';
import type { WorkloadStatus } from './status';

/** How many of the newest events to show per object. */
const EVENTS_SHOWN = 5;

/**
 * Explains why a workload is not Available: its least-ready pod, that pod's phase and scheduling,
 * each container's state (waiting reason, last termination), and the newest events of the pod and
 * of the workload (a ReplicaSet's FailedCreate from PodSecurity lands there, not on a pod).
 */
export function diagnose(w: WorkloadStatus, opts: KubeOptions = {}): string {
  const lines = [`${w.kind} ${w.namespace}/${w.name} (${w.component}): ${w.failed ?? (w.missing ? 'does not exist' : `${w.ready}/${w.desired} ready`)}`];
  const pods = listItems(['get', 'pods', '-n', w.namespace, '-l', labelSelector(w.podSelector)], opts);
  const stuck = pods.filter((p) => !isReady(p)).sort((a, b) => rank(a) - rank(b));
  if (pods.length === 0) lines.push('  no pods were created');
  for (const pod of stuck.slice(0, 1)) {
    lines.push(`  stuck pod: ${pod.metadata.name} — phase ${pod.status?.phase ?? 'unknown'}${pod.spec?.nodeName ? `, on node ${pod.spec.nodeName}` : ''}`);
    const scheduled = (pod.status?.conditions ?? []).find((c: any) => c.type === 'PodScheduled');
    if (scheduled?.status === 'False') lines.push(`  not scheduled: ${scheduled.reason}: ${scheduled.message}`);
    for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
      lines.push(`  container ${c.name} (${c.image}): ${containerState(pod, c.name)}`);
    }
    lines.push(...eventLines(w.namespace, 'Pod', pod.metadata.name, opts));
  }
  const owners = w.kind === 'Deployment' ? replicaSetsOf(w, opts) : [{ kind: w.kind, name: w.name }];
  for (const o of owners) lines.push(...eventLines(w.namespace, o.kind, o.name, opts, /* only warnings */ true));
  return lines.join('\n');
}

const isReady = (pod: any) => pod.status?.phase === 'Succeeded'
  || (pod.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');

/** Unscheduled first, then pending, then running-but-not-ready. */
const rank = (pod: any) => (!pod.spec?.nodeName ? 0 : pod.status?.phase === 'Pending' ? 1 : 2);

function containerState(pod: any, name: string): string {
  const all = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const s = all.find((x: any) => x.name === name);
  if (!s) return 'no status reported yet (the kubelet has not started it: image pull, volume mount or node not running it)';
  const parts: string[] = [];
  if (s.state?.waiting) parts.push(`waiting${said(s.state.waiting.reason, ': ')}${said(s.state.waiting.message, ' — ')}`);
  if (s.state?.running) parts.push(`running since ${s.state.running.startedAt}, ${s.ready ? 'ready' : 'not ready (readiness probe failing)'}`);
  if (s.state?.terminated) parts.push(`terminated: ${said(s.state.terminated.reason, '', ' ')}exit ${s.state.terminated.exitCode}`);
  const last = s.lastState?.terminated;
  if (last) parts.push(`last termination: ${said(last.reason, '', ' ')}exit ${last.exitCode}${said(last.message, ' — ')}`);
  if (s.restartCount) parts.push(`${s.restartCount} restarts`);
  return parts.join('; ') || 'unknown state';
}

/** `text` between `before` and `after`; nothing at all when the API left the field out or empty. */
const said = (text: string | undefined, before: string, after = '') => (text ? `${before}${text}${after}` : '');

function replicaSetsOf(w: WorkloadStatus, opts: KubeOptions): { kind: string; name: string }[] {
  return listItems(['get', 'replicasets', '-n', w.namespace, '-l', labelSelector(w.podSelector)], opts)
    .filter((rs) => (rs.metadata.ownerReferences ?? []).some((o: any) => o.kind === 'Deployment' && o.name === w.name))
    .map((rs) => ({ kind: 'ReplicaSet', name: rs.metadata.name }));
}

function eventLines(namespace: string, kind: string, name: string, opts: KubeOptions, warningsOnly = false): string[] {
  let items: any[];
  try {
    items = getJson(['get', 'events', '-n', namespace, '--field-selector', `involvedObject.kind=${kind},involvedObject.name=${name}`], opts).items ?? [];
  } catch {
    return [];
  }
  const when = (e: any) => e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? '';
  const shown = items.filter((e) => !warningsOnly || e.type === 'Warning')
    .sort((a, b) => String(when(a)).localeCompare(String(when(b)))).slice(-EVENTS_SHOWN);
  if (shown.length === 0) return warningsOnly ? [] : [`  no events for ${kind.toLowerCase()} ${name}`];
  return [`  last events of ${kind.toLowerCase()} ${name}:`,
    ...shown.map((e) => `    ${when(e)} ${e.type} ${e.reason}${said(String(e.message ?? '').trim(), ': ')}${e.count > 1 ? ` (×${e.count})` : ''}`)];
}
