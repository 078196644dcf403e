/**
 * `npm run destroy` against a scripted kubectl (test/deploy/scripted.ts): what it reads before
 * deciding, the order it deletes in, what it never touches without purge, and the plan it prints.
 * The whole-stack plan is in commands.test.ts; the control-plane suite runs the command itself.
 */
import * as yaml from 'js-yaml';
import { destroy, formatDestroyPlan, generatedSecretsOf, planDestroy, readDataInventory, type Manifest } from '../../lib/deploy';
import { GENERATES_SECRETS_ANNOTATION } from '../../lib/platform/names';
import { scriptedKubectl, type Scripted } from './scripted';

let k: Scripted;
beforeEach(() => { k = scriptedKubectl('microflow-destroy-'); });
afterEach(() => k.cleanup());

const ns = (name: string): Manifest => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const crd = (group: string, kind: string): Manifest => ({
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${kind.toLowerCase()}s.${group}` }, spec: { group, names: { kind } },
} as Manifest);
const job = (name: string, namespace: string, generates: string): Manifest => ({
  apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace, annotations: { [GENERATES_SECRETS_ANNOTATION]: generates } },
});
const cm = (name: string, namespace = 'kubeflow'): Manifest => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace } });
const custom = (apiVersion: string, kind: string, name: string): Manifest => ({ apiVersion, kind, metadata: { name, namespace: 'kubeflow' } });
const docs = (text: string) => yaml.loadAll(text) as Manifest[];
const names = (objects: Manifest[]) => objects.map((o) => `${o.kind}/${o.metadata.name}`);

test('generated Secrets: a plain name is in the Job\'s namespace, namespace/name names its own; spaces trimmed', () => {
  expect(generatedSecretsOf([job('a', 'kubeflow', 'mysql-secret, mysql-root-secret'), job('b', 'auth', 'dex-passwords, kubeflow/x'), cm('c')]))
    .toEqual(['kubeflow/mysql-secret', 'kubeflow/mysql-root-secret', 'auth/dex-passwords', 'kubeflow/x']);
});

test('the inventory: claims in the platform\'s namespaces only; only the generated Secrets, read per namespace', () => {
  const objects = [ns('kubeflow'), ns('auth'), job('g', 'kubeflow', 'mysql-secret'), job('h', 'auth', 'dex-passwords')];
  const item = (namespace: string, name: string) => ({ metadata: { namespace, name } });
  k.script([
    { when: 'get persistentvolumeclaims --all-namespaces', stdout: { items: [item('kubeflow', 'data-mysql-0'), item('someone-else', 'theirs'), item('auth', 'dex')] } },
    { when: 'get secrets -n kubeflow', stdout: { items: [{ metadata: { name: 'mysql-secret' } }, { metadata: { name: 'unrelated' } }] } },
    { when: 'get secrets -n auth', stdout: { items: [] } },
  ]);
  expect(readDataInventory(objects, { kubectl: k.bin })).toEqual({ claims: ['kubeflow/data-mysql-0', 'auth/dex'], secrets: ['kubeflow/mysql-secret'] });
  expect(k.calls()).toEqual(['get persistentvolumeclaims --all-namespaces -o json', 'get secrets -n kubeflow -o json', 'get secrets -n auth -o json']);
});

describe('an object named like a namespace (a ConfigMap `minio` in namespace `minio`) is not a namespace', () => {
  const rendered = [ns('minio'), cm('minio', 'minio'), cm('kubeflow', 'minio')];
  test('the inventory reads no claims of a namespace that is not rendered, whatever the objects are called', () => {
    k.script([{ when: 'get persistentvolumeclaims --all-namespaces', stdout: { items: [{ metadata: { namespace: 'kubeflow', name: 'theirs' } }] } }]);
    expect(readDataInventory(rendered, { kubectl: k.bin }).claims).toEqual([]);
  });
  test('the plan keeps no claim of it, and removes the object even when its namesake namespace holds data', () => {
    expect(planDestroy(rendered, { claims: ['kubeflow/theirs'], secrets: [] }, false).claims).toEqual([]);
    const plan = planDestroy(rendered, { claims: ['minio/data'], secrets: [] }, false);
    expect(names(plan.remove)).toEqual(['ConfigMap/kubeflow', 'ConfigMap/minio']);
    expect(plan.kept).toEqual([{ object: 'Namespace minio', reason: 'holds data claims or generated Secrets' }]);
  });
});

describe('destroy', () => {
  const objects = [
    ns('kubeflow'), crd('kubeflow.org', 'Notebook'), crd('argoproj.io', 'Workflow'), cm('first'),
    custom('kubeflow.org/v1', 'Notebook', 'nb'), custom('argoproj.io/v1alpha1', 'Workflow', 'wf'), cm('last'),
  ];
  const CRDS_PRESENT = { when: 'get crd -o name', stdout: 'customresourcedefinition.apiextensions.k8s.io/notebooks.kubeflow.org\n' };

  test('everything but namespaces and CRDs first, in reverse apply order; objects of an absent CRD are skipped; then namespaces and CRDs', () => {
    k.script([CRDS_PRESENT, { when: 'delete', stdout: '' }]);
    const log: string[] = [];
    destroy(planDestroy(objects, { claims: [], secrets: [] }, true), { kubectl: k.bin, log: (l) => log.push(l), timeoutSeconds: 7 });
    expect(k.calls()).toEqual(['get crd -o name', 'delete --ignore-not-found --wait=true --timeout=7s -f -', 'delete --ignore-not-found --wait=true --timeout=7s -f -']);
    expect(names(docs(k.stdin(2)))).toEqual(['ConfigMap/last', 'Notebook/nb', 'ConfigMap/first']);
    expect(names(docs(k.stdin(3)))).toEqual(['CustomResourceDefinition/workflows.argoproj.io', 'CustomResourceDefinition/notebooks.kubeflow.org', 'Namespace/kubeflow']);
    expect(log).toEqual(['deleted 3 objects', 'purged 0 data claims and 0 generated Secrets',
      'deleted CustomResourceDefinition workflows.argoproj.io, CustomResourceDefinition notebooks.kubeflow.org, Namespace kubeflow']);
  });

  test('without purge, data claims, generated Secrets, their namespace and the CRDs are kept and never deleted', () => {
    k.script([{ when: 'delete', stdout: '' }]);
    const rendered = [ns('kubeflow'), job('g', 'kubeflow', 'mysql-secret'), cm('c')];
    const plan = planDestroy(rendered, { claims: ['kubeflow/data-mysql-0'], secrets: ['kubeflow/mysql-secret'] }, false);
    const log: string[] = [];
    destroy(plan, { kubectl: k.bin, log: (l) => log.push(l) });
    expect(k.calls()).toEqual(['delete --ignore-not-found --wait=true --timeout=300s -f -']);
    expect(names(docs(k.stdin(1)))).toEqual(['ConfigMap/c', 'Job/g']);
    expect(log).toEqual(['deleted 2 objects']);
  });

  test('purge deletes each claim (waiting) and each generated Secret by name, before the namespaces', () => {
    k.script([{ when: 'delete', stdout: '' }]);
    destroy(planDestroy([ns('kubeflow'), job('g', 'kubeflow', 'mysql-secret')], { claims: ['kubeflow/data-mysql-0'], secrets: ['kubeflow/mysql-secret'] }, true), { kubectl: k.bin, log: () => undefined });
    expect(k.calls()).toEqual([
      'delete --ignore-not-found --wait=true --timeout=300s -f -',
      'delete pvc -n kubeflow data-mysql-0 --ignore-not-found --wait=true --timeout=300s',
      'delete secret -n kubeflow mysql-secret --ignore-not-found',
      'delete --ignore-not-found --wait=true --timeout=300s -f -',
    ]);
    expect(names(docs(k.stdin(1)))).toEqual(['Job/g']);
    expect(names(docs(k.stdin(4)))).toEqual(['Namespace/kubeflow']);
  });

  test('each document sent is self-contained: an object that shares a part between two fields is written out twice, not as a YAML alias', () => {
    const labels = { app: 'web' };
    const web = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'kubeflow', labels }, spec: { selector: { matchLabels: labels } } } as Manifest;
    const space = { ...ns('web'), metadata: { name: 'web', labels } } as Manifest;
    k.script([{ when: 'delete', stdout: '' }]);
    destroy(planDestroy([{ ...space, metadata: { ...space.metadata, annotations: labels } } as Manifest, web], { claims: [], secrets: [] }, true), { kubectl: k.bin, log: () => undefined });
    expect(k.stdin(1)).toContain('matchLabels:\n      app: web');
    expect(k.stdin(2)).toContain('annotations:\n    app: web');
    for (const n of [1, 2]) expect(k.stdin(n)).not.toMatch(/[&*]ref_/);
  });

  test('a failed delete stops the destroy with kubectl\'s error', () => {
    k.script([{ when: 'delete', code: 1, stderr: 'Error from server (Forbidden): nope' }]);
    expect(() => destroy(planDestroy([cm('c')], { claims: [], secrets: [] }, false), { kubectl: k.bin, log: () => undefined })).toThrow(/failed \(exit 1\):\nError from server \(Forbidden\): nope/);
  });

  test('nothing rendered: nothing asked, nothing deleted', () => {
    k.script([]);
    destroy(planDestroy([], { claims: [], secrets: [] }, false), { kubectl: k.bin, log: () => undefined });
    expect(k.calls()).toEqual([]);
  });
});

describe('the printed plan', () => {
  const rendered = [ns('kubeflow'), crd('kubeflow.org', 'Notebook'), job('g', 'kubeflow', 'mysql-secret')];
  test('without purge: what is kept and why, and how to get rid of it', () => {
    expect(formatDestroyPlan(planDestroy(rendered, { claims: ['kubeflow/data-mysql-0'], secrets: ['kubeflow/mysql-secret'] }, false))).toBe([
      'removes 1 rendered objects',
      'keeps 1 data claims (kubeflow/data-mysql-0) and 1 generated Secrets (kubeflow/mysql-secret)',
      'keeps CustomResourceDefinition notebooks.kubeflow.org: deleting a CRD deletes every object of its kind',
      'keeps Namespace kubeflow: holds data claims or generated Secrets',
      'a later `npm run deploy` reattaches the kept data; `npm run destroy -- --purge-data` removes it',
    ].join('\n'));
    expect(formatDestroyPlan(planDestroy([cm('c')], { claims: [], secrets: [] }, false)).split('\n')[1]).toBe('keeps 0 data claims (none) and 0 generated Secrets (none)');
  });
  test('several claims and Secrets are listed comma-separated, with or without purge', () => {
    const two = [ns('kubeflow'), job('g', 'kubeflow', 'a,b')];
    const live = { claims: ['kubeflow/x', 'kubeflow/y'], secrets: ['kubeflow/a', 'kubeflow/b'] };
    expect(formatDestroyPlan(planDestroy(two, live, false)).split('\n')[1]).toBe('keeps 2 data claims (kubeflow/x, kubeflow/y) and 2 generated Secrets (kubeflow/a, kubeflow/b)');
    expect(formatDestroyPlan(planDestroy(two, live, true)).split('\n')[1]).toBe('PURGE: also deletes 2 data claims (kubeflow/x, kubeflow/y) and 2 generated Secrets (kubeflow/a, kubeflow/b): the data is gone for good');
    expect(formatDestroyPlan(planDestroy(two, { claims: ['kubeflow/x'], secrets: [] }, true)).split('\n')[1]).toBe('PURGE: also deletes 1 data claims (kubeflow/x) and 0 generated Secrets (none): the data is gone for good');
  });
  test('with purge: says the data is gone for good', () => {
    expect(formatDestroyPlan(planDestroy(rendered, { claims: [], secrets: ['kubeflow/mysql-secret'] }, true))).toBe([
      'removes 3 rendered objects',
      'PURGE: also deletes 0 data claims (none) and 1 generated Secrets (kubeflow/mysql-secret): the data is gone for good',
    ].join('\n'));
  });
  test('claims and Secrets outside the render\'s namespaces, or not generated by it, are not the platform\'s', () => {
    const plan = planDestroy(rendered, { claims: ['elsewhere/x', 'kubeflow/y'], secrets: ['kubeflow/mysql-secret', 'kubeflow/users-own'] }, false);
    expect(plan.claims).toEqual(['kubeflow/y']);
    expect(plan.secrets).toEqual(['kubeflow/mysql-secret']);
  });
});
