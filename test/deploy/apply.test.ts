/**
 * The deploy code path against a fake API server (test/deploy/fake-kubectl.js): which calls are made,
 * in which order, and what is never done. The control-plane suite cannot show the "still running"
 * case: KWOK finishes Jobs at once.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { applyPhases, diffPhases, kubectl, KubectlError, planPhases, replaceChangedJobs, type Manifest } from '../../lib/deploy';

let dir: string;
let stateFile: string;
/** A kubectl binary bound to this test's fake API (child processes do not see jest's process.env). */
let FAKE: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-deploy-'));
  stateFile = path.join(dir, 'api.json');
  FAKE = path.join(dir, 'kubectl');
  fs.writeFileSync(FAKE, `#!/bin/sh\nFAKE_API='${stateFile}' exec '${process.execPath}' '${path.join(__dirname, 'fake-kubectl.js')}' "$@"\n`, { mode: 0o755 });
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

interface ApiState { objects: Record<string, any>; calls: string[][]; fail?: Record<string, string> }
const setState = (s: Partial<ApiState>) => fs.writeFileSync(stateFile, JSON.stringify({ objects: {}, calls: [], ...s }));
const state = (): ApiState => JSON.parse(fs.readFileSync(stateFile, 'utf8'));
/** The calls made, as "verb target" lines, so a test reads like the log of an apply. */
const calls = () => state().calls.map((a) => {
  if (a[0] === 'apply') return a.includes('--dry-run=server') ? 'apply --dry-run=server' : 'apply';
  if (a[0] === 'get' || a[0] === 'delete') return `${a[0]} ${a[1]} ${a[2]}`;
  if (a[0] === 'wait') return `wait ${a.filter((x) => x.startsWith('--timeout') || x.startsWith('crd/')).join(' ')}`;
  return a[0];
});

const job = (name: string, image: string): Manifest => ({
  apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: 'kubeflow' },
  spec: { template: { spec: { containers: [{ name: 'c', image }], restartPolicy: 'OnFailure' } } },
} as Manifest);
const liveJob = (j: Manifest, status: object) => ({ [`Job/kubeflow/${j.metadata.name}`]: { ...j, status } });
const configMap: Manifest = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'kubeflow' } };
const crd: Manifest = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'x.example.com' } };
const opts = () => ({ kubectl: FAKE, log: () => undefined });

describe('replaceChangedJobs', () => {
  const v1 = job('microflow-secrets', 'k8s:1.0');
  const v2 = job('microflow-secrets', 'k8s:2.0');

  test('first install: nothing to replace, no dry run', () => {
    setState({});
    expect(replaceChangedJobs([configMap, v1], opts())).toEqual([]);
    expect(calls()).toEqual(['get job microflow-secrets']);
  });

  test('an unchanged Job is left alone', () => {
    setState({ objects: liveJob(v1, { succeeded: 1 }) });
    expect(replaceChangedJobs([v1], opts())).toEqual([]);
    expect(calls()).toEqual(['get job microflow-secrets', 'apply --dry-run=server']);
    expect(state().objects['Job/kubeflow/microflow-secrets']).toBeDefined();
  });

  test('a finished Job whose template changed is deleted (and waited for) so the apply recreates it', () => {
    setState({ objects: liveJob(v1, { succeeded: 1 }) });
    expect(replaceChangedJobs([v2], opts())).toEqual(['kubeflow/microflow-secrets']);
    expect(calls()).toEqual(['get job microflow-secrets', 'apply --dry-run=server', 'delete job microflow-secrets']);
    expect(state().calls[2]).toEqual(['delete', 'job', 'microflow-secrets', '-n', 'kubeflow', '--cascade=foreground', '--wait=true', '--timeout=120s']);
    expect(state().objects).toEqual({});
  });

  test('a changed Job that is still running is never deleted: the deploy stops with what to do', () => {
    setState({ objects: liveJob(v1, { active: 1 }) });
    expect(() => replaceChangedJobs([v2], opts())).toThrow(
      'Job kubeflow/microflow-secrets changed but is still running; wait for it to finish (kubectl -n kubeflow wait --for=condition=complete job/microflow-secrets) and deploy again',
    );
    expect(calls()).not.toContain('delete job microflow-secrets');
    expect(state().objects['Job/kubeflow/microflow-secrets'].spec.template).toEqual((v1 as any).spec.template);
  });

  test('a dry run that fails for another reason is an error, and nothing is deleted', () => {
    setState({ objects: liveJob(v1, { succeeded: 1 }), fail: { apply: 'Error from server (Forbidden): jobs.batch "microflow-secrets" is forbidden' } });
    let error: unknown;
    try {
      replaceChangedJobs([v2], opts());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KubectlError);
    expect((error as KubectlError).stderr).toContain('(Forbidden)');
    expect((error as KubectlError).message).toContain('job/microflow-secrets');
    expect(calls()).toEqual(['get job microflow-secrets', 'apply --dry-run=server']);
  });

  test('a Job without a namespace is looked up in "default"', () => {
    setState({});
    replaceChangedJobs([{ ...v1, metadata: { name: 'j' } }], opts());
    expect(state().calls[0]).toEqual(['get', 'job', 'j', '-n', 'default', '--ignore-not-found', '-o', 'json']);
  });
});

describe('applyPhases', () => {
  test('CRDs first, waited for until Established, then the rest; progress is logged', () => {
    setState({});
    const log: string[] = [];
    applyPhases(planPhases([configMap, crd]), { ...opts(), crdTimeoutSeconds: 7, log: (l) => log.push(l) });
    expect(calls()).toEqual(['apply', 'wait --timeout=7s crd/x.example.com', 'apply']);
    expect(state().calls[0]).toEqual(['apply', '--server-side', '--field-manager=microflow', '-f', '-']);
    expect(Object.keys(state().objects)).toEqual(['CustomResourceDefinition//x.example.com', 'ConfigMap/kubeflow/c']);
    expect(log).toEqual([
      'phase definitions: 1 objects applied',
      'customresourcedefinition/x.example.com serverside-applied',
      'phase definitions: 1 CRDs established',
      'phase platform: 1 objects applied',
      'configmap/c serverside-applied',
    ]);
  });

  test('the CRD wait defaults to 60 s', () => {
    setState({});
    applyPhases(planPhases([crd]), opts());
    expect(calls()).toContain('wait --timeout=60s crd/x.example.com');
  });

  test('an upgrade replaces the changed finished Job before applying, and says so', () => {
    const v1 = job('buckets', 'mc:1');
    setState({ objects: liveJob(v1, { succeeded: 1 }) });
    const log: string[] = [];
    applyPhases(planPhases([configMap, job('buckets', 'mc:2')]), { ...opts(), log: (l) => log.push(l) });
    expect(calls()).toEqual(['get job buckets', 'apply --dry-run=server', 'delete job buckets', 'apply']);
    expect(log[0]).toBe('phase platform: finished Jobs whose template changed were replaced: kubeflow/buckets');
    expect(state().objects['Job/kubeflow/buckets'].spec.template.spec.containers[0].image).toBe('mc:2');
  });

  test('a running changed Job stops the deploy before anything of its phase is applied', () => {
    setState({ objects: liveJob(job('buckets', 'mc:1'), { active: 1 }) });
    expect(() => applyPhases(planPhases([configMap, job('buckets', 'mc:2')]), opts())).toThrow(/still running/);
    expect(calls()).toEqual(['get job buckets', 'apply --dry-run=server']);
  });

  test('stops at the first failure: no retry, no later phase', () => {
    setState({ fail: { wait: 'error: timed out waiting for the condition on customresourcedefinitions/x.example.com' } });
    expect(() => applyPhases(planPhases([crd, configMap]), opts())).toThrow(/timed out waiting for the condition/);
    expect(calls()).toEqual(['apply', 'wait --timeout=60s crd/x.example.com']);
  });
});

describe('applyPhases: webhook servers', () => {
  const webhook = (caBundle?: string) => ({
    'ValidatingWebhookConfiguration//v': { kind: 'ValidatingWebhookConfiguration', metadata: { name: 'v' }, webhooks: [{ name: 'a', clientConfig: caBundle ? { caBundle } : {} }] },
  });
  const phase = { name: 'platform', objects: [configMap], waitEstablished: [], waitAvailable: ['istio-system/istiod'], waitWebhooks: ['ValidatingWebhookConfiguration/v'] };

  test('after the apply, waits for the webhook server\'s Deployment, then for its CA bundle', () => {
    setState({ objects: webhook('Q0E=') });
    const log: string[] = [];
    applyPhases([phase], { ...opts(), availableTimeoutSeconds: 9, log: (l) => log.push(l) });
    expect(state().calls.slice(1)).toEqual([
      ['wait', '--for=condition=Available', '--timeout=9s', '-n', 'istio-system', 'deployment/istiod'],
      ['get', 'ValidatingWebhookConfiguration/v', '-o', 'json'],
    ]);
    expect(log.slice(-2)).toEqual(['phase platform: deployment istio-system/istiod available', 'phase platform: ValidatingWebhookConfiguration/v has its server\'s CA bundle']);
  });

  test('a webhook that never gets its CA bundle stops the deploy with where to look', () => {
    setState({ objects: webhook() });
    expect(() => applyPhases([phase], { ...opts(), availableTimeoutSeconds: 0, pollMs: 1 }))
      .toThrow('timed out after 0s waiting for ValidatingWebhookConfiguration/v to get its CA bundle: is its server running? (kubectl -n istio-system logs deployment/istiod)');
    expect(calls().filter((c) => c === 'get ValidatingWebhookConfiguration/v -o').length).toBeGreaterThanOrEqual(1);
  });
});

describe('applyPhases: quotas', () => {
  const quota: Manifest = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'ns' }, spec: { hard: { pods: '10', 'count/notebooks.kubeflow.org': '5' } } } as Manifest;
  const phase = { name: 'namespaces', objects: [quota], waitEstablished: [], waitQuotas: ['ns/q'] };
  // The controller copies the limits into status.hard at once; admission waits for status.used.
  const live = (used: Record<string, string>) => ({ 'ResourceQuota/ns/q': { ...quota, status: { hard: (quota as any).spec.hard, used } } });

  test('after the apply, reads each quota until its status counts everything it limits', () => {
    setState({ objects: live({ pods: '0', 'count/notebooks.kubeflow.org': '0' }) });
    const log: string[] = [];
    applyPhases([phase], { ...opts(), log: (l) => log.push(l) });
    expect(calls()).toEqual(['apply', 'get ResourceQuota q']);
    expect(log.at(-1)).toBe('phase namespaces: 1 quotas count what they limit');
  });

  test('a quota whose status never counts a resource stops the deploy, naming it and where to look', () => {
    // The fake keeps the status it was given: the controller never counts the custom resource.
    const stuck = { ...phase, objects: [] };
    setState({ objects: live({ pods: '0' }) });
    expect(() => applyPhases([stuck], { ...opts(), quotaTimeoutSeconds: 0, pollMs: 1 }))
      .toThrow('timed out after 0s waiting for quota ns/q to count count/notebooks.kubeflow.org: is kube-controller-manager running? (kubectl -n ns describe resourcequota q)');
  });
});

describe('diffPhases', () => {
  test('empty when the cluster already has everything; the differences otherwise', () => {
    setState({});
    const phases = planPhases([configMap]);
    expect(diffPhases(phases, opts())).toBe('diff -u -N /tmp/LIVE/c /tmp/MERGED/c\n');
    applyPhases(phases, opts());
    expect(diffPhases(phases, opts())).toBe('');
  });

  test('a kubectl error (exit > 1) is thrown, not taken for a difference', () => {
    setState({ fail: { diff: 'error: the server has asked for the client to provide credentials' } });
    expect(() => diffPhases(planPhases([configMap]), opts())).toThrow(/provide credentials/);
  });
});

describe('kubectl', () => {
  test('passes stdin, returns stdout, and throws KubectlError with the exit status and stderr', () => {
    setState({ fail: { delete: 'Error from server (Forbidden): nope' } });
    expect(kubectl(['apply', '--server-side', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n', FAKE)).toBe('configmap/x serverside-applied\n');
    let error: KubectlError | undefined;
    try {
      kubectl(['delete', 'job', 'x'], undefined, FAKE);
    } catch (e) {
      error = e as KubectlError;
    }
    expect(error).toBeInstanceOf(KubectlError);
    expect([error!.status, error!.stderr, error!.args]).toEqual([1, 'Error from server (Forbidden): nope', ['delete', 'job', 'x']]);
    expect(error!.message).toBe('kubectl delete job x failed (exit 1):\nError from server (Forbidden): nope');
  });

  test('MICROFLOW_KUBECTL picks the binary when none is given', () => {
    setState({});
    process.env.MICROFLOW_KUBECTL = FAKE;
    try {
      expect(kubectl(['wait', 'crd/a'])).toBe('customresourcedefinition.apiextensions.k8s.io/a condition met\n');
      expect(replaceChangedJobs([job('j', 'i:1')])).toEqual([]);
    } finally {
      delete process.env.MICROFLOW_KUBECTL;
    }
  });
});
