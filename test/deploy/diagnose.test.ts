/**
 * The diagnosis of a stuck workload (`diagnose`, shown when a deploy times out) against a scripted
 * kubectl (test/deploy/scripted.ts): which pod it picks among several, how it words each container
 * state the kubelet reports, whose events it shows. The whole report is in status.test.ts.
 */
import { diagnose, type WorkloadStatus } from '../../lib/deploy';
import { scriptedKubectl, type Rule, type Scripted } from './scripted';

let k: Scripted;
beforeEach(() => { k = scriptedKubectl('microflow-diagnose-'); });
afterEach(() => k.cleanup());

const stuck = (kind: string, name: string): WorkloadStatus => ({
  kind: kind as 'Deployment', name, namespace: 'kubeflow', component: 'data', podSelector: { app: name }, ready: 0, desired: 1, done: false,
});
const pods = (name: string, items: object[]): Rule => ({ when: `get pods -n kubeflow -l app=${name}`, stdout: { items } });
const events = (kind: string, name: string, items: object[]): Rule => ({ when: `get events -n kubeflow --field-selector involvedObject.kind=${kind},involvedObject.name=${name}`, stdout: { items } });
/** Conditions as the kubelet reports them: every type, not only Ready. */
const conditions = (ready: boolean, scheduled = true) => [
  { type: 'PodReadyToStartContainers', status: 'True' }, { type: 'Initialized', status: 'True' },
  { type: 'Ready', status: ready ? 'True' : 'False', reason: ready ? undefined : 'ContainersNotReady' },
  { type: 'ContainersReady', status: ready ? 'True' : 'False' }, { type: 'PodScheduled', status: scheduled ? 'True' : 'False' },
];
const pod = (name: string, nodeName: string | undefined, phase: string, ready = false) => ({
  metadata: { name }, spec: { ...(nodeName ? { nodeName } : {}), containers: [] }, status: { phase, conditions: nodeName ? conditions(ready) : [] },
});
/** The "stuck pod" line of a StatefulSet `db` with these pods (events cannot be read: left out). */
const stuckPodLine = (items: object[]) => {
  k.script([pods('db', items)]);
  return diagnose(stuck('StatefulSet', 'db'), { kubectl: k.bin }).split('\n').filter((l) => l.startsWith('  stuck pod:'));
};

describe('the pod shown is the least ready one', () => {
  test.each([
    ['a Ready pod listed first is skipped for a running one that is not Ready', [pod('fine', 'n1', 'Running', true), pod('sick', 'n1', 'Running')], 'sick — phase Running, on node n1'],
    ['a Job\'s Succeeded pod (Ready False once done) is not stuck', [{ ...pod('done', 'n1', 'Succeeded'), status: { phase: 'Succeeded', conditions: conditions(false) } }, pod('failing', 'n1', 'Running')], 'failing — phase Running, on node n1'],
    ['a Pending pod on a node (pulling, mounting) before a running one', [pod('running', 'n1', 'Running'), pod('pending', 'n1', 'Pending')], 'pending — phase Pending, on node n1'],
    ['an unscheduled pod before a Pending one on a node', [pod('pending', 'n1', 'Pending'), pod('nowhere', undefined, 'Pending')], 'nowhere — phase Pending'],
  ])('%s', (_what, items, line) => {
    expect(stuckPodLine(items)).toEqual([`  stuck pod: ${line}`]);
  });

  test('every pod Ready or done: no pod shown', () => {
    expect(stuckPodLine([pod('a', 'n1', 'Running', true), { ...pod('b', 'n1', 'Succeeded'), status: { phase: 'Succeeded' } }])).toEqual([]);
  });
});

describe('scheduling', () => {
  const lines = (status: object) => {
    k.script([pods('db', [{ metadata: { name: 'db-0' }, spec: { containers: [] }, status }])]);
    return diagnose(stuck('StatefulSet', 'db'), { kubectl: k.bin }).split('\n').slice(1, 3);
  };
  test('the scheduler\'s reason is the PodScheduled condition\'s, not another condition\'s', () => {
    expect(lines({ phase: 'Pending', conditions: [{ type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'x' }, { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available' }] }))
      .toEqual(['  stuck pod: db-0 — phase Pending', '  not scheduled: Unschedulable: 0/1 nodes are available']);
  });
  test('a pod the scheduler has not looked at yet (no conditions) is shown without a scheduling line', () => {
    expect(lines({ phase: 'Pending' })).toEqual(['  stuck pod: db-0 — phase Pending']);
  });
});

describe('container states, as the kubelet reports them', () => {
  test.each([
    ['waiting with reason and message', { state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "x"' } } }, 'waiting: ImagePullBackOff — Back-off pulling image "x"'],
    ['waiting with a reason only', { state: { waiting: { reason: 'ContainerCreating' } } }, 'waiting: ContainerCreating'],
    ['waiting without a reason', { state: { waiting: {} } }, 'waiting'],
    ['running and ready (another container holds the pod back)', { state: { running: { startedAt: 't0' } }, ready: true }, 'running since t0, ready'],
    ['running, not ready', { state: { running: { startedAt: 't0' } }, ready: false }, 'running since t0, not ready (readiness probe failing)'],
    ['terminated with a reason', { state: { terminated: { reason: 'OOMKilled', exitCode: 137 } } }, 'terminated: OOMKilled exit 137'],
    ['terminated without a reason', { state: { terminated: { exitCode: 2 } } }, 'terminated: exit 2'],
    ['restarted, last termination with reason and message', { state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { reason: 'Error', exitCode: 1, message: 'no db' } }, restartCount: 3 }, 'waiting: CrashLoopBackOff; last termination: Error exit 1 — no db; 3 restarts'],
    ['last termination without reason or message', { state: { running: { startedAt: 't1' } }, ready: false, lastState: { terminated: { exitCode: 143 } }, restartCount: 1 }, 'running since t1, not ready (readiness probe failing); last termination: exit 143; 1 restarts'],
    ['nothing reported in the state', { state: {} }, 'unknown state'],
  ])('%s', (_what, status, text) => {
    const init = { name: 'init', state: { terminated: { reason: 'Completed', exitCode: 0 } } };
    k.script([pods('db', [{
      metadata: { name: 'db-0' }, spec: { nodeName: 'n1', initContainers: [{ name: 'init', image: 'i:1' }], containers: [{ name: 'db', image: 'd:1' }] },
      status: { phase: 'Running', conditions: conditions(false), initContainerStatuses: [init], containerStatuses: [{ name: 'db', ...status }] },
    }])]);
    expect(diagnose(stuck('StatefulSet', 'db'), { kubectl: k.bin }).split('\n').filter((l) => l.startsWith('  container'))).toEqual([
      '  container init (i:1): terminated: Completed exit 0', `  container db (d:1): ${text}`,
    ]);
  });
});

describe('events', () => {
  test('a time from lastTimestamp, else eventTime, else when the event was created; a count of 1 is not shown; no message, no colon', () => {
    k.script([
      pods('db', []),
      events('StatefulSet', 'db', [
        { lastTimestamp: 't3', eventTime: 'x', type: 'Warning', reason: 'Late', message: 'm3', count: 1 },
        { lastTimestamp: null, eventTime: 't2', type: 'Warning', reason: 'New', message: 'm2' },
        { lastTimestamp: null, eventTime: null, metadata: { creationTimestamp: 't1' }, type: 'Warning', reason: 'Bare' },
      ]),
    ]);
    expect(diagnose(stuck('StatefulSet', 'db'), { kubectl: k.bin }).split('\n').slice(2)).toEqual([
      '  last events of statefulset db:', '    t1 Warning Bare', '    t2 Warning New: m2', '    t3 Warning Late: m3',
    ]);
  });

  test('a StatefulSet\'s (or DaemonSet\'s, Job\'s) own warnings, read for it alone', () => {
    k.script([pods('db', []), events('StatefulSet', 'db', [{ lastTimestamp: 't', type: 'Warning', reason: 'FailedCreate', message: 'forbidden' }])]);
    expect(diagnose(stuck('StatefulSet', 'db'), { kubectl: k.bin }).split('\n').slice(2)).toEqual(['  last events of statefulset db:', '    t Warning FailedCreate: forbidden']);
    expect(k.calls()).toEqual(['get pods -n kubeflow -l app=db -o json', 'get events -n kubeflow --field-selector involvedObject.kind=StatefulSet,involvedObject.name=db -o json']);
  });

  test('a Deployment\'s warnings come from the ReplicaSets it owns, not from ones of another owner or of none', () => {
    const rs = (name: string, ownerReferences?: object[]) => ({ metadata: { name, ...(ownerReferences ? { ownerReferences } : {}) } });
    k.script([
      pods('web', []),
      { when: 'get replicasets -n kubeflow -l app=web', stdout: { items: [
        rs('orphan'), rs('theirs', [{ kind: 'Deployment', name: 'other' }]), rs('rollout', [{ kind: 'Rollout', name: 'web' }]), rs('web-1', [{ kind: 'Deployment', name: 'web' }]),
      ] } },
      // Every ReplicaSet has a warning: only the Deployment's own must show.
      ...['orphan', 'theirs', 'rollout', 'web-1'].map((name) => events('ReplicaSet', name, [{ lastTimestamp: 't', type: 'Warning', reason: 'FailedCreate', message: 'm' }])),
    ]);
    expect(diagnose(stuck('Deployment', 'web'), { kubectl: k.bin }).split('\n').slice(2)).toEqual(['  last events of replicaset web-1:', '    t Warning FailedCreate: m']);
  });
});
