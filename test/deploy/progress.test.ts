/**
 * The deploy's wait for the platform (`waitUntilAvailable`) on jest's fake clock: when it polls, when it
 * gives up by default, what the log says at which second, and the error that names what is stuck. No
 * real time passes, so nothing here depends on the machine's speed. The display itself is in status.test.ts.
 */
import { DeployTimeoutError, waitUntilAvailable, type Manifest } from '../../lib/deploy';
import { LABEL } from '../../lib/platform/labels';
import { scriptedKubectl, type Scripted } from './scripted';

let k: Scripted;
beforeEach(() => {
  k = scriptedKubectl('microflow-progress-');
  jest.useFakeTimers({ now: new Date('2026-11-29T12:00:00Z') });
});
afterEach(() => {
  jest.useRealTimers();
  k.cleanup();
});

const workload = (kind: string, name: string, component: string): Manifest => ({
  apiVersion: 'apps/v1', kind, metadata: { name, namespace: 'kubeflow', labels: { [LABEL.component]: component } },
  spec: { replicas: 2, selector: { matchLabels: { app: name } } },
} as Manifest);
const live = (kind: string, name: string, ready: number) => ({
  kind, metadata: { name, namespace: 'kubeflow', generation: 1 }, spec: { replicas: 2 },
  status: { observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: ready, readyReplicas: ready },
});
const OBJECTS = [workload('Deployment', 'a', 'web'), workload('Deployment', 'b', 'web'), workload('StatefulSet', 'db', 'data')];
const LIST = 'get deployments,statefulsets --all-namespaces';
const log = () => {
  let text = '';
  const out = { write: (t: string) => { text += t; return true; } } as unknown as NodeJS.WritableStream;
  return { out, lines: () => text.split('\n').filter(Boolean) };
};
/** The wait, run on the fake clock; `state()` tells whether it has returned or thrown yet. */
function start(opts: { timeoutSeconds?: number; intervalSeconds?: number } = {}) {
  const sink = log();
  let settled: { value?: unknown; error?: any } | undefined;
  void waitUntilAvailable(OBJECTS, { kubectl: k.bin, out: sink.out, tty: false, ...opts })
    .then((value) => { settled = { value }; }, (error) => { settled = { error }; });
  const polls = () => k.calls().filter((c) => c.startsWith(LIST)).length;
  return { sink, polls, state: () => settled };
}

test('by default it polls every 2 s and gives up after 600 s, naming every stuck workload (and only those) with its diagnosis', async () => {
  k.script([
    { when: LIST, once: true, stdout: { items: [live('Deployment', 'a', 2), live('Deployment', 'b', 1), live('StatefulSet', 'db', 0)] } },
    { when: LIST, stdout: { items: [live('Deployment', 'a', 2), live('Deployment', 'b', 1), live('StatefulSet', 'db', 1)] } },
    { when: 'get pods', stdout: { items: [] } },
    { when: 'get replicasets', stdout: { items: [] } },
  ]);
  const run = start();
  await jest.advanceTimersByTimeAsync(1999);
  expect(run.polls()).toBe(1);
  await jest.advanceTimersByTimeAsync(1);
  expect(run.polls()).toBe(2);
  await jest.advanceTimersByTimeAsync(600_000 - 2000 - 1);
  expect(run.state()).toBeUndefined();
  await jest.advanceTimersByTimeAsync(1);
  expect(run.polls()).toBe(301);

  const error = run.state()?.error;
  expect(error).toBeInstanceOf(DeployTimeoutError);
  expect(error.name).toBe('DeployTimeoutError');
  expect(error.stuck).toEqual(['Deployment/kubeflow/b', 'StatefulSet/kubeflow/db']);
  expect(error.message).toBe([
    'not Available after 600s: Deployment/kubeflow/b, StatefulSet/kubeflow/db', '',
    'Deployment kubeflow/b (web): 1/2 ready', '  no pods were created', '',
    'StatefulSet kubeflow/db (data): 1/2 ready', '  no pods were created', '',
    'The objects were applied; fix the cause and run the deploy again (it is safe to repeat), or `npm run status` to look again.',
  ].join('\n'));
  // The log: each component when its line changes, stamped with the seconds since the wait began.
  expect(run.sink.lines()).toEqual([
    '[0s] web: 1/2 ready, waiting: Deployment/b 1/2',
    '[0s] data: 0/1 ready, waiting: StatefulSet/db 0/2',
    '[2s] data: 0/1 ready, waiting: StatefulSet/db 1/2',
  ]);
});

test('a timeout in seconds: the last poll is the one at exactly that time', async () => {
  k.script([
    { when: LIST, stdout: { items: [live('Deployment', 'a', 2), live('Deployment', 'b', 2), live('StatefulSet', 'db', 0)] } },
    { when: 'get pods', stdout: { items: [] } },
  ]);
  const run = start({ timeoutSeconds: 9, intervalSeconds: 3 });
  await jest.advanceTimersByTimeAsync(9000);
  expect(run.polls()).toBe(4);
  expect(run.state()?.error.message).toMatch(/^not Available after 9s: StatefulSet\/kubeflow\/db\n/);
});

test('once everything is Available it returns the rows without waiting longer', async () => {
  k.script([
    { when: LIST, once: true, stdout: { items: [live('Deployment', 'a', 2), live('Deployment', 'b', 2), live('StatefulSet', 'db', 1)] } },
    { when: LIST, stdout: { items: [live('Deployment', 'a', 2), live('Deployment', 'b', 2), live('StatefulSet', 'db', 2)] } },
  ]);
  const run = start({ intervalSeconds: 5 });
  await jest.advanceTimersByTimeAsync(5000);
  expect(run.polls()).toBe(2);
  expect((run.state()?.value as { component: string }[]).map((r) => r.component)).toEqual(['web', 'data']);
  expect(run.sink.lines()).toEqual(['[0s] web: 2/2 Available', '[0s] data: 0/1 ready, waiting: StatefulSet/db 1/2', '[5s] data: 1/1 Available']);
});
