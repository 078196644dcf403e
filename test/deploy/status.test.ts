/**
 * `npm run status`, the deploy's progress display and its diagnosis of a stuck workload, against a
 * scripted kubectl (test/deploy/scripted.ts). KWOK makes every pod Ready at once, so the control-plane
 * suite never sees a workload stuck, a Job failing or a pod waiting on an image.
 */
import { PassThrough } from 'stream';
import {
  allDone, DeployTimeoutError, diagnose, formatTable, groupByComponent, readStatus, stateOf, waitingOn, waitUntilAvailable,
  workloadsOf, type Manifest, type WorkloadStatus,
} from '../../lib/deploy';
import { LABEL } from '../../lib/platform/labels';
import { scriptedKubectl, type Rule, type Scripted } from './scripted';

let k: Scripted;
beforeEach(() => { k = scriptedKubectl('microflow-status-'); });
afterEach(() => k.cleanup());

const workload = (kind: string, name: string, component: string | undefined, extra: object = {}): Manifest => ({
  apiVersion: kind === 'Job' ? 'batch/v1' : 'apps/v1', kind,
  metadata: { name, namespace: 'kubeflow', labels: component ? { [LABEL.component]: component } : {} },
  spec: { selector: { matchLabels: { app: name } } }, ...extra,
} as Manifest);
const RENDERED: Manifest[] = [
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'kubeflow' } },
  workload('StatefulSet', 'mysql', 'data'),
  workload('Job', 'microflow-secrets', 'data'),
  workload('Deployment', 'ml-pipeline', 'pipelines'),
  { ...workload('DaemonSet', 'node-thing', undefined), metadata: { name: 'node-thing', labels: {} } } as Manifest,
];
const liveDeployment = (available: number) => ({
  kind: 'Deployment', metadata: { name: 'ml-pipeline', namespace: 'kubeflow', generation: 1 }, spec: { replicas: 1 },
  status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: available },
});
const LIVE_OK = [
  { kind: 'StatefulSet', metadata: { name: 'mysql', namespace: 'kubeflow', generation: 1 }, spec: { replicas: 1 }, status: { observedGeneration: 1, readyReplicas: 1 } },
  { kind: 'Job', metadata: { name: 'microflow-secrets', namespace: 'kubeflow' }, spec: {}, status: { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] } },
  liveDeployment(1),
  { kind: 'DaemonSet', metadata: { name: 'node-thing', namespace: 'default', generation: 1 }, status: { observedGeneration: 1, desiredNumberScheduled: 2, numberReady: 2, updatedNumberScheduled: 2 } },
];
const LIST = 'get statefulsets,jobs,deployments,daemonsets --all-namespaces';
const listRule = (items: object[], when = LIST): Rule => ({ when, stdout: { items } });
const DEPLOYMENTS = 'get deployments --all-namespaces';

describe('workloads and their state', () => {
  test('the tracked kinds of a render, in order, with component (else "other"), namespace (else "default") and pod selector', () => {
    expect(workloadsOf(RENDERED)).toEqual([
      { kind: 'StatefulSet', name: 'mysql', namespace: 'kubeflow', component: 'data', podSelector: { app: 'mysql' } },
      { kind: 'Job', name: 'microflow-secrets', namespace: 'kubeflow', component: 'data', podSelector: { 'job-name': 'microflow-secrets' } },
      { kind: 'Deployment', name: 'ml-pipeline', namespace: 'kubeflow', component: 'pipelines', podSelector: { app: 'ml-pipeline' } },
      { kind: 'DaemonSet', name: 'node-thing', namespace: 'default', component: 'other', podSelector: { app: 'node-thing' } },
    ]);
    expect(workloadsOf([{ ...workload('Deployment', 'x', 'a'), spec: {} } as Manifest])[0].podSelector).toEqual({});
  });

  test.each([
    ['Deployment, replicas unset, 1 available', 'Deployment', { metadata: {}, spec: {}, status: { updatedReplicas: 1, availableReplicas: 1, replicas: 1 } }, { ready: 1, desired: 1, done: true }],
    ['Deployment with an old replica still running', 'Deployment', { metadata: {}, spec: { replicas: 1 }, status: { updatedReplicas: 1, availableReplicas: 1, replicas: 2 } }, { ready: 1, desired: 1, done: false }],
    ['Deployment not all updated', 'Deployment', { metadata: {}, spec: { replicas: 2 }, status: { updatedReplicas: 1, availableReplicas: 2, replicas: 2 } }, { ready: 2, desired: 2, done: false }],
    ['Deployment without status', 'Deployment', { metadata: {}, spec: { replicas: 1 } }, { ready: 0, desired: 1, done: false }],
    ['StatefulSet ready, revisions equal', 'StatefulSet', { metadata: { generation: 3 }, spec: { replicas: 2 }, status: { observedGeneration: 3, readyReplicas: 2, currentRevision: 'a', updateRevision: 'a' } }, { ready: 2, desired: 2, done: true }],
    ['StatefulSet ready, rolled out by count', 'StatefulSet', { metadata: {}, spec: {}, status: { readyReplicas: 1, currentRevision: 'a', updateRevision: 'b', updatedReplicas: 1 } }, { ready: 1, desired: 1, done: true }],
    ['StatefulSet not observed yet', 'StatefulSet', { metadata: { generation: 4 }, spec: { replicas: 1 }, status: { observedGeneration: 3, readyReplicas: 1 } }, { ready: 1, desired: 1, done: false }],
    ['StatefulSet not ready', 'StatefulSet', { metadata: {}, spec: { replicas: 2 }, status: { readyReplicas: 1 } }, { ready: 1, desired: 2, done: false }],
    ['DaemonSet on every node', 'DaemonSet', { metadata: {}, status: { desiredNumberScheduled: 3, numberReady: 3, updatedNumberScheduled: 3 } }, { ready: 3, desired: 3, done: true }],
    ['DaemonSet not updated everywhere', 'DaemonSet', { metadata: {}, status: { desiredNumberScheduled: 3, numberReady: 3, updatedNumberScheduled: 2 } }, { ready: 3, desired: 3, done: false }],
    ['DaemonSet not ready everywhere', 'DaemonSet', { metadata: {}, status: { desiredNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3 } }, { ready: 2, desired: 3, done: false }],
    ['DaemonSet without status (nothing scheduled)', 'DaemonSet', { metadata: {} }, { ready: 0, desired: 0, done: true }],
    ['Job with 3 completions, 2 done', 'Job', { spec: { completions: 3 }, status: { succeeded: 2 } }, { ready: 2, desired: 3, done: false, failed: undefined }],
    ['Job complete', 'Job', { spec: {}, status: { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] } }, { ready: 1, desired: 1, done: true, failed: undefined }],
    ['Job whose Failed condition is False', 'Job', { spec: {}, status: { conditions: [{ type: 'Failed', status: 'False' }] } }, { ready: 0, desired: 1, done: false, failed: undefined }],
    ['Job failed with a reason only', 'Job', { spec: {}, status: { conditions: [{ type: 'Failed', status: 'True', reason: 'DeadlineExceeded' }] } }, { ready: 0, desired: 1, done: false, failed: 'Job failed: DeadlineExceeded' }],
    ['Job failed with reason and message', 'Job', { spec: {}, status: { conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }] } }, { ready: 0, desired: 1, done: false, failed: 'Job failed: BackoffLimitExceeded Job has reached the specified backoff limit' }],
  ])('%s', (_what, kind, live, expected) => {
    expect(stateOf(kind as 'Job', live)).toEqual(expected);
  });
});

describe('status table', () => {
  test('one list call for every tracked kind; rows per component in render order; a missing object counts as not done', () => {
    k.script([listRule(LIVE_OK.filter((o) => o.kind !== 'Job'))]);
    const rows = readStatus(RENDERED, { kubectl: k.bin });
    expect(k.calls()).toEqual([`${LIST} -o json`]);
    expect(rows.map((r) => [r.component, r.ready, r.total])).toEqual([['data', 1, 2], ['pipelines', 1, 1], ['other', 1, 1]]);
    expect(allDone(rows)).toBe(false);
    expect(waitingOn(rows[0])).toBe('Job/microflow-secrets missing');
  });
  test('nothing tracked: no call at all', () => {
    k.script([]);
    expect(readStatus([RENDERED[0]], { kubectl: k.bin })).toEqual([]);
    expect(k.calls()).toEqual([]);
  });
  test('the table: columns padded to the longest component, ELAPSED only when given, what each row waits on', () => {
    const w = (name: string, component: string, state: Partial<WorkloadStatus>): WorkloadStatus => ({
      kind: 'Deployment', name, namespace: 'kubeflow', component, podSelector: {}, ready: 0, desired: 1, done: false, ...state,
    });
    const rows = groupByComponent([
      w('a', 'data', { ready: 1, done: true }), w('b', 'a-long-component', { ready: 1, desired: 2 }),
      w('c', 'a-long-component', { failed: 'Job failed: X', kind: 'Job' }), w('d', 'a-long-component', { missing: true }),
    ]);
    expect(formatTable(rows)).toBe([
      'COMPONENT         READY   STATE',
      'data              1/1     Available',
      'a-long-component  0/3     waiting: Deployment/b 1/2, Job/c FAILED, Deployment/d missing',
    ].join('\n'));
    expect(formatTable(rows.slice(0, 1), 12.6)).toBe('COMPONENT  READY   ELAPSED  STATE\ndata       1/1     13s      Available');
    expect(allDone(rows.slice(0, 1))).toBe(true);
  });
});

describe('diagnose', () => {
  const stuck = (kind: string, name: string, state: Partial<WorkloadStatus> = {}): WorkloadStatus => ({
    kind: kind as 'Deployment', name, namespace: 'kubeflow', component: 'pipelines', podSelector: { app: name }, ready: 0, desired: 1, done: false, ...state,
  });
  const events = (kind: string, name: string, items: object[]): Rule => ({ when: `get events -n kubeflow --field-selector involvedObject.kind=${kind},involvedObject.name=${name}`, stdout: { items } });
  const ev = (t: string, type: string, reason: string, message: string, count = 1) => ({ lastTimestamp: t, type, reason, message, count });

  test('the least-ready pod: scheduling, every container\'s state, its newest five events; the ReplicaSet\'s warnings', () => {
    const pods = [
      { metadata: { name: 'ready-pod' }, spec: { nodeName: 'n1' }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } },
      { metadata: { name: 'running-pod' }, spec: { nodeName: 'n1', containers: [{ name: 'x', image: 'i' }] }, status: { phase: 'Running' } },
      {
        metadata: { name: 'ml-pipeline-1' },
        spec: { initContainers: [{ name: 'init', image: 'busybox:1' }], containers: [{ name: 'api', image: 'kfp/api:2.17.0' }, { name: 'side', image: 's:1' }, { name: 'never', image: 'n:1' }, { name: 'odd', image: 'o:1' }] },
        status: {
          phase: 'Pending',
          conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: 1 Insufficient memory.' }],
          initContainerStatuses: [{ name: 'init', state: { terminated: { reason: 'Completed', exitCode: 0 } } }],
          containerStatuses: [
            { name: 'api', state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s' } }, lastState: { terminated: { reason: 'Error', exitCode: 1, message: 'cannot reach mysql' } }, restartCount: 7 },
            { name: 'side', state: { running: { startedAt: '2026-11-29T08:00:00Z' } }, ready: false },
            { name: 'odd', state: {} },
          ],
        },
      },
    ];
    const podEvents = Array.from({ length: 7 }, (_, i) => ev(`2026-11-29T08:0${i}:00Z`, i % 2 ? 'Warning' : 'Normal', `R${i}`, ` m${i} `, i));
    k.script([
      { when: 'get pods -n kubeflow -l app=ml-pipeline', stdout: { items: pods } },
      events('Pod', 'ml-pipeline-1', [...podEvents].reverse()),
      { when: 'get replicasets -n kubeflow -l app=ml-pipeline', stdout: { items: [
        { metadata: { name: 'ml-pipeline-abc', ownerReferences: [{ kind: 'Deployment', name: 'ml-pipeline' }] } },
        { metadata: { name: 'other-rs', ownerReferences: [{ kind: 'Deployment', name: 'someone-else' }] } },
        { metadata: { name: 'orphan' } },
      ] } },
      events('ReplicaSet', 'ml-pipeline-abc', [{ eventTime: '2026-11-29T07:00:00Z', type: 'Warning', reason: 'FailedCreate', message: 'pods "x" is forbidden: violates PodSecurity "restricted:latest"' }, ev('2026-11-29T07:01:00Z', 'Normal', 'SuccessfulCreate', 'ok')]),
    ]);
    expect(diagnose(stuck('Deployment', 'ml-pipeline'), { kubectl: k.bin }).split('\n')).toEqual([
      'Deployment kubeflow/ml-pipeline (pipelines): 0/1 ready',
      '  stuck pod: ml-pipeline-1 — phase Pending',
      '  not scheduled: Unschedulable: 0/1 nodes are available: 1 Insufficient memory.',
      '  container init (busybox:1): terminated: Completed exit 0',
      '  container api (kfp/api:2.17.0): waiting: CrashLoopBackOff — back-off 5m0s; last termination: Error exit 1 — cannot reach mysql; 7 restarts',
      '  container side (s:1): running since 2026-11-29T08:00:00Z, not ready (readiness probe failing)',
      '  container never (n:1): no status reported yet (the kubelet has not started it: image pull, volume mount or node not running it)',
      '  container odd (o:1): unknown state',
      '  last events of pod ml-pipeline-1:',
      '    2026-11-29T08:02:00Z Normal R2: m2 (×2)',
      '    2026-11-29T08:03:00Z Warning R3: m3 (×3)',
      '    2026-11-29T08:04:00Z Normal R4: m4 (×4)',
      '    2026-11-29T08:05:00Z Warning R5: m5 (×5)',
      '    2026-11-29T08:06:00Z Normal R6: m6 (×6)',
      '  last events of replicaset ml-pipeline-abc:',
      '    2026-11-29T07:00:00Z Warning FailedCreate: pods "x" is forbidden: violates PodSecurity "restricted:latest"',
    ]);
  });

  test('no pods at all, a failed Job, a missing object; events that cannot be read are skipped', () => {
    k.script([
      { when: 'get pods -n kubeflow -l job-name=j', stdout: { items: [] } },
      { when: 'get events', code: 1, stderr: 'Error from server (Forbidden)' },
      { when: 'get pods', stdout: { items: [] } },
    ]);
    expect(diagnose(stuck('Job', 'j', { podSelector: { 'job-name': 'j' }, failed: 'Job failed: BackoffLimitExceeded' }), { kubectl: k.bin }))
      .toBe('Job kubeflow/j (pipelines): Job failed: BackoffLimitExceeded\n  no pods were created');
    expect(diagnose(stuck('StatefulSet', 'gone', { missing: true }), { kubectl: k.bin })).toBe('StatefulSet kubeflow/gone (pipelines): does not exist\n  no pods were created');
  });

  test('a running pod on a node; a pod without events says so; a StatefulSet\'s own warnings only', () => {
    k.script([
      { when: 'get pods -n kubeflow -l app=mysql', stdout: { items: [{ metadata: { name: 'mysql-0' }, spec: { nodeName: 'n1', containers: [] }, status: { phase: 'Running', conditions: [{ type: 'PodScheduled', status: 'True' }] } }] } },
      events('Pod', 'mysql-0', []),
      events('StatefulSet', 'mysql', [ev('t1', 'Normal', 'SuccessfulCreate', 'fine')]),
    ]);
    expect(diagnose(stuck('StatefulSet', 'mysql'), { kubectl: k.bin })).toBe([
      'StatefulSet kubeflow/mysql (pipelines): 0/1 ready',
      '  stuck pod: mysql-0 — phase Running, on node n1',
      '  no events for pod mysql-0',
    ].join('\n'));
  });
});

describe('waitUntilAvailable', () => {
  const sink = (tty: boolean) => {
    const out = new PassThrough() as PassThrough & { isTTY?: boolean };
    out.isTTY = tty;
    let text = '';
    out.on('data', (d) => { text += String(d); });
    return { out, text: () => text };
  };
  const objects = [workload('Deployment', 'ml-pipeline', 'pipelines')];

  test('returns as soon as everything is Available; in a log, one line per component change', async () => {
    k.script([listRule([liveDeployment(1)], DEPLOYMENTS)]);
    const s = sink(false);
    const rows = await waitUntilAvailable(objects, { kubectl: k.bin, out: s.out, intervalSeconds: 0 });
    expect(rows.map((r) => r.component)).toEqual(['pipelines']);
    expect(s.text()).toMatch(/^\[\d+s\] pipelines: 1\/1 Available\n$/);
  });

  test('on a terminal, the second frame redraws the first in place', async () => {
    k.script([{ when: DEPLOYMENTS, once: true, stdout: { items: [liveDeployment(0)] } }, listRule([liveDeployment(1)], DEPLOYMENTS)]);
    const s = sink(true);
    await waitUntilAvailable(objects, { kubectl: k.bin, out: s.out, intervalSeconds: 0 });
    const frames = s.text().split('COMPONENT');
    expect(frames).toHaveLength(3);
    expect(frames[0]).toBe(''); // the first frame draws without moving the cursor
    // eslint-disable-next-line no-control-regex -- the cursor-up and clear escapes the live display writes
    expect(frames[1]).toMatch(/waiting: Deployment\/ml-pipeline 0\/1\n\x1b\[2A\x1b\[J$/);
    expect(frames[2]).toMatch(/Available\n$/);
  });

  test('stops at the timeout with each stuck workload\'s diagnosis', async () => {
    k.script([listRule([liveDeployment(0)], DEPLOYMENTS), { when: 'get pods', stdout: { items: [] } }, { when: 'get replicasets', stdout: { items: [] } }]);
    const s = sink(true);
    const error = await waitUntilAvailable(objects, { kubectl: k.bin, out: s.out, timeoutSeconds: 0, intervalSeconds: 0 }).catch((e) => e);
    expect(error).toBeInstanceOf(DeployTimeoutError);
    expect(error.stuck).toEqual(['Deployment/kubeflow/ml-pipeline']);
    expect(error.message).toMatch(/^not Available after 0s: Deployment\/kubeflow\/ml-pipeline\n\nDeployment kubeflow\/ml-pipeline \(pipelines\): 0\/1 ready\n {2}no pods were created\n\nThe objects were applied; fix the cause and run the deploy again/);
  });

  test('a failed Job stops the wait at once, without waiting for the timeout; unchanged lines are not repeated', async () => {
    const job = workload('Job', 'microflow-secrets', 'data');
    k.script([
      listRule([{ kind: 'Job', metadata: { name: 'microflow-secrets', namespace: 'kubeflow' }, spec: {}, status: { conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] } }], 'get jobs --all-namespaces'),
      { when: 'get pods', stdout: { items: [] } },
    ]);
    const s = sink(false);
    const error = await waitUntilAvailable([job], { kubectl: k.bin, out: s.out, timeoutSeconds: 600, intervalSeconds: 0 }).catch((e) => e);
    expect(error.message).toMatch(/^a Job failed: Job\/kubeflow\/microflow-secrets\n/);
    expect(s.text()).toMatch(/^\[\d+s\] data: 0\/1 ready, waiting: Job\/microflow-secrets FAILED\n$/);
  });

  test('a log shows a component again only when its line changes', async () => {
    const waiting = { when: DEPLOYMENTS, once: true, stdout: { items: [liveDeployment(0)] } };
    k.script([waiting, waiting, listRule([liveDeployment(1)], DEPLOYMENTS)]);
    const s = sink(false);
    await waitUntilAvailable(objects, { kubectl: k.bin, out: s.out, intervalSeconds: 0 });
    expect(k.calls()).toHaveLength(3);
    expect(s.text().split('\n').filter(Boolean).map((l) => l.replace(/^\[\d+s\] /, ''))).toEqual([
      'pipelines: 0/1 ready, waiting: Deployment/ml-pipeline 0/1', 'pipelines: 1/1 Available',
    ]);
  });
});
