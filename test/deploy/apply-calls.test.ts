/**
 * The exact kubectl calls and messages of the apply path, against the scripted kubectl
 * (test/deploy/scripted.ts): arguments, what is sent on stdin, warnings, errors. The end-to-end
 * apply behaviour against a fake API server is in apply.test.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { applyPhases, diffPhases, FIELD_MANAGER, kubectl, KubectlError, replaceChangedJobs, type Manifest, type Phase } from '../../lib/deploy';
import { scriptedKubectl, type Scripted } from './scripted';

let k: Scripted;
beforeEach(() => { k = scriptedKubectl('microflow-apply-'); });
afterEach(() => k.cleanup());

const SSA = `apply --server-side --field-manager=${FIELD_MANAGER}`;
const job = (name: string): Manifest => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: 'kubeflow' }, spec: { template: {} } } as Manifest);
const configMap: Manifest = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'kubeflow' } };
const phase = (objects: Manifest[], more: Partial<Phase> = {}): Phase => ({ name: 'platform', objects, waitEstablished: [], ...more });
const thrown = (f: () => unknown): any => {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
};

describe('kubectl', () => {
  test('a failure is a KubectlError by name; a binary that cannot run is the spawn error itself', () => {
    k.script([{ when: 'get', code: 1, stderr: 'boom' }]);
    expect(String(thrown(() => kubectl(['get', 'x'], undefined, k.bin)))).toBe('KubectlError: kubectl get x failed (exit 1):\nboom');
    const e = thrown(() => kubectl(['version'], undefined, path.join(k.dir, 'no-such-kubectl')));
    expect(e).not.toBeInstanceOf(KubectlError);
    expect(e.code).toBe('ENOENT');
  });
});

describe('replaceChangedJobs', () => {
  const dryRun = `${SSA} --dry-run=server -f -`;
  test('the dry run: server-side, our field manager, the Job as YAML on stdin', () => {
    k.script([{ when: 'get job', stdout: { status: {} } }, { when: dryRun }]);
    expect(replaceChangedJobs([job('j')], { kubectl: k.bin })).toEqual([]);
    expect(k.calls()).toEqual(['get job j -n kubeflow --ignore-not-found -o json', dryRun]);
    expect(k.stdin(2)).toBe('apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\n  namespace: kubeflow\nspec:\n  template: {}\n');
  });
  test('kubectl printing only a newline for a missing Job is a first install too', () => {
    k.script([{ when: 'get job', stdout: '\n' }]);
    expect(replaceChangedJobs([job('j')], { kubectl: k.bin })).toEqual([]);
    expect(k.calls()).toHaveLength(1);
  });
  test('a dry-run failure other than an immutable field names the Job in the error', () => {
    k.script([{ when: 'get job', stdout: { status: {} } }, { when: dryRun, code: 1, stderr: 'Forbidden' }]);
    expect(thrown(() => replaceChangedJobs([job('j')], { kubectl: k.bin })).args).toEqual(['apply', '--dry-run=server', 'job/j']);
  });
  test('a live Job without a status is not running: it is replaced', () => {
    k.script([{ when: 'get job', stdout: {} }, { when: dryRun, code: 1, stderr: 'spec.template: field is immutable' }, { when: 'delete job' }]);
    expect(replaceChangedJobs([job('j')], { kubectl: k.bin })).toEqual(['kubeflow/j']);
  });
});

describe('applyPhases', () => {
  test('the API server\'s warnings are returned and logged with their phase; an empty apply output is not logged', () => {
    k.script([{ when: SSA, stdout: '\n', stderr: 'Warning: a is deprecated\nnot a warning\nWarning: b\n' }]);
    const log: string[] = [];
    expect(applyPhases([phase([configMap])], { kubectl: k.bin, log: (l) => log.push(l) })).toEqual({ warnings: ['platform: a is deprecated', 'platform: b'] });
    expect(log).toEqual(['phase platform: warning: a is deprecated', 'phase platform: warning: b', 'phase platform: 1 objects applied']);
  });
  test('every replaced Job is named; CRDs are waited for until Established', () => {
    k.script([
      { when: 'get job', stdout: {} }, { when: `${SSA} --dry-run=server`, code: 1, stderr: 'field is immutable' }, { when: 'delete job' },
      { when: SSA, stdout: 'applied\n' }, { when: 'wait' },
    ]);
    const log: string[] = [];
    applyPhases([phase([job('a'), job('b')], { waitEstablished: ['x.example.com'] })], { kubectl: k.bin, log: (l) => log.push(l) });
    expect(log[0]).toBe('phase platform: finished Jobs whose template changed were replaced: kubeflow/a, kubeflow/b');
    expect(k.calls().at(-1)).toBe('wait --for=condition=Established --timeout=60s crd/x.example.com');
  });
  test('YAML on stdin has no anchors, even for objects that share a value', () => {
    k.script([{ when: SSA }]);
    const env = [{ name: 'A', value: '1' }];
    const pod = { ...configMap, kind: 'Pod', spec: { containers: [{ name: 'a', env }, { name: 'b', env }] } } as Manifest;
    applyPhases([phase([pod])], { kubectl: k.bin, log: () => undefined });
    expect(k.stdin(1)).not.toMatch(/[&*]ref/);
  });
});

describe('the CA bundle wait', () => {
  /** A kubectl whose n-th `get` prints the n-th answer (the last one from then on); everything else reads its stdin (or the apply's write fails with EPIPE) and succeeds. */
  const polling = (answers: object[]) => {
    const bin = path.join(k.dir, 'polling-kubectl');
    answers.forEach((a, i) => fs.writeFileSync(path.join(k.dir, `answer.${i + 1}`), JSON.stringify(a)));
    fs.writeFileSync(bin, `#!/bin/sh\n[ "$1" = get ] || { cat > /dev/null; exit 0; }\necho x >> '${k.dir}/gets'\nn=$(wc -l < '${k.dir}/gets')\n[ "$n" -gt ${answers.length} ] && n=${answers.length}\ncat '${k.dir}/answer.'$n\n`, { mode: 0o755 });
    return { bin, gets: () => fs.readFileSync(path.join(k.dir, 'gets'), 'utf8').split('\n').filter(Boolean).length };
  };
  const wait = (bin: string, availableTimeoutSeconds: number) =>
    applyPhases([phase([configMap], { waitWebhooks: ['MutatingWebhookConfiguration/m'] })], { kubectl: bin, availableTimeoutSeconds, pollMs: 1, log: () => undefined });

  test('polls until every webhook has its bundle (a webhook without a client config has none)', () => {
    const k2 = polling([
      { webhooks: [{ clientConfig: { caBundle: 'Q0E=' } }, {}] },
      { webhooks: [{ clientConfig: { caBundle: 'Q0E=' } }, { clientConfig: {} }] },
      { webhooks: [{ clientConfig: { caBundle: 'Q0E=' } }, { clientConfig: { caBundle: 'Q0E=' } }] },
    ]);
    wait(k2.bin, 60);
    expect(k2.gets()).toBe(3);
  });
  test('a configuration without webhooks needs no bundle', () => {
    const k2 = polling([{}]);
    wait(k2.bin, 0);
    expect(k2.gets()).toBe(1);
  });
});

test('a diff error carries kubectl\'s exit status and stderr as text', () => {
  k.script([{ when: 'diff', code: 2, stderr: 'error: no credentials' }]);
  const e = thrown(() => diffPhases([phase([configMap])], { kubectl: k.bin }));
  expect([e.args, e.status, e.stderr]).toEqual([['diff', '--server-side'], 2, 'error: no credentials']);
});
