/**
 * What `npm run deploy` and `npm run diff` read from the cluster before deciding, against a scripted
 * kubectl (test/deploy/scripted.ts): the live state the immutable-field check compares with, and the
 * diff of objects the server cannot dry-run yet. The decisions themselves are in commands.test.ts.
 */
import { diffRendered, formatImmutableChanges, objectOfDiffFile, readLiveState, type Manifest } from '../../lib/deploy';
import { scriptedKubectl, type Scripted } from './scripted';

let k: Scripted;
beforeEach(() => { k = scriptedKubectl('microflow-reads-'); });
afterEach(() => k.cleanup());

const obj = (apiVersion: string, kind: string, name: string, namespace?: string, spec?: object): Manifest =>
  ({ apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) }, ...(spec ? { spec } : {}) } as Manifest);
const claim = (name: string) => ({ kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'kubeflow' } });
const sc = { metadata: { name: 'microk8s-hostpath' } };

describe('readLiveState', () => {
  test('one list call for the checked kinds; claims listed separately when no claim is rendered; the StorageClasses', () => {
    const sts = { kind: 'StatefulSet', metadata: { name: 'mysql', namespace: 'kubeflow' } };
    k.script([
      { when: 'get statefulset,service --all-namespaces', stdout: { items: [sts] } },
      { when: 'get persistentvolumeclaims --all-namespaces', stdout: { items: [claim('data-mysql-0')] } },
      { when: 'get storageclasses', stdout: { items: [sc] } },
    ]);
    const rendered = [obj('apps/v1', 'StatefulSet', 'mysql', 'kubeflow'), obj('v1', 'Service', 'mysql', 'kubeflow'), obj('v1', 'ConfigMap', 'c', 'kubeflow'), obj('apps/v1', 'StatefulSet', 'other', 'kubeflow')];
    expect(readLiveState(rendered, { kubectl: k.bin })).toEqual({ objects: [sts], claims: [claim('data-mysql-0')], storageClasses: [sc] });
    expect(k.calls()).toEqual(['get statefulset,service --all-namespaces -o json', 'get persistentvolumeclaims --all-namespaces -o json', 'get storageclasses -o json']);
  });
  test('a rendered claim: the claims come from the same list call', () => {
    k.script([
      { when: 'get persistentvolumeclaim,deployment --all-namespaces', stdout: { items: [claim('ws'), { kind: 'Deployment', metadata: { name: 'd' } }] } },
      { when: 'get storageclasses', stdout: { items: [] } },
    ]);
    const state = readLiveState([obj('v1', 'PersistentVolumeClaim', 'ws', 'kubeflow'), obj('apps/v1', 'Deployment', 'd', 'kubeflow')], { kubectl: k.bin });
    expect(state.claims).toEqual([claim('ws')]);
    expect(state.objects).toHaveLength(2);
    expect(k.calls()).toHaveLength(2);
  });
  test('nothing checked is rendered: no call at all', () => {
    k.script([]);
    expect(readLiveState([obj('v1', 'ConfigMap', 'c', 'kubeflow')], { kubectl: k.bin })).toEqual({ objects: [], claims: [], storageClasses: [] });
    expect(k.calls()).toEqual([]);
  });
});

test('the immutable-change report: how many, that nothing was applied, each change with its advice indented', () => {
  const change = (object: string) => ({ object, field: 'spec.selector', from: '{"a":1}', to: '{"a":2}', advice: 'first line\nsecond line' });
  expect(formatImmutableChanges([change('StatefulSet kubeflow/mysql')])).toBe([
    '1 change cannot be applied in place; nothing was applied:', '',
    '* StatefulSet kubeflow/mysql: spec.selector {"a":1} → {"a":2}\n  first line\n  second line',
  ].join('\n'));
  expect(formatImmutableChanges([change('a'), change('b')]).split('\n')[0]).toBe('2 changes cannot be applied in place; nothing was applied:');
});

test.each([
  ['/tmp/MERGED/apps.v1.StatefulSet.kubeflow.mysql', 'StatefulSet kubeflow/mysql'],
  ['/tmp/MERGED/v1.ConfigMap.kubeflow.my.dotted.name', 'ConfigMap kubeflow/my.dotted.name'],
  ['/tmp/MERGED/apiextensions.k8s.io.v1.CustomResourceDefinition..notebooks.kubeflow.org', 'CustomResourceDefinition notebooks.kubeflow.org'],
  ['/tmp/MERGED/v1.Namespace.kubeflow', 'Namespace kubeflow'],
  ['/tmp/MERGED/no-kind-here', 'no-kind-here'],
  ['plain', 'plain'],
])('diff file %s names %s', (file, object) => {
  expect(objectOfDiffFile(file)).toBe(object);
});

describe('diffRendered', () => {
  const crd = obj('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'notebooks.kubeflow.org', undefined, { group: 'kubeflow.org', names: { kind: 'Notebook' } });
  const diffOut = 'diff -u -N /tmp/LIVE-1/v1.ConfigMap.kubeflow.c /tmp/MERGED-1/v1.ConfigMap.kubeflow.c\n--- a\n+++ b\n@@ -1 +1 @@\n-a: 1\n+a: 2\n';
  const namespaces = (...names: string[]) => ({ when: 'get namespaces', stdout: { items: names.map((name) => ({ metadata: { name } })) } });
  const crds = (...items: object[]) => ({ when: 'get customresourcedefinitions', stdout: { items } });

  test('everything diffable: kubectl\'s diff made readable, nothing listed as not diffed', () => {
    k.script([namespaces('kubeflow'), crds(), { when: 'diff', code: 1, stdout: diffOut }]);
    const text = diffRendered([obj('v1', 'ConfigMap', 'c', 'kubeflow')], { kubectl: k.bin });
    expect(text).toBe('1 object would change:\n  ~ ConfigMap kubeflow/c\n\n=== ConfigMap kubeflow/c\n@@ -1 +1 @@\n-a: 1\n+a: 2');
    expect(k.calls()).toEqual(['get namespaces -o json', 'get customresourcedefinitions -o json', 'diff --server-side --field-manager=microflow -f -']);
  });

  test('objects in a namespace this deploy creates, and of a kind whose CRD it creates, are listed as new and not sent to the server', () => {
    k.script([namespaces('kubeflow'), crds(), { when: 'diff', code: 0, stdout: '' }]);
    const rendered = [obj('v1', 'ConfigMap', 'c', 'kubeflow'), obj('v1', 'ConfigMap', 'x', 'new-ns'), crd, obj('kubeflow.org/v1', 'Notebook', 'nb', 'kubeflow')];
    const text = diffRendered(rendered, { kubectl: k.bin });
    expect(text).toBe([
      '2 objects would change (2 in namespaces or of kinds this deploy creates, not diffed):',
      '  + (new) ConfigMap new-ns/x',
      '  + (new) Notebook kubeflow/nb',
    ].join('\n'));
    // The CRD goes in a phase of its own, before the rest.
    expect(k.calls().filter((c) => c.startsWith('diff'))).toHaveLength(2);
    const stdins = k.calls().map((c, i) => (c.startsWith('diff') ? k.stdin(i + 1) : '')).join('\n');
    expect(stdins).toContain('name: c');
    expect(stdins).toContain('name: notebooks.kubeflow.org');
    expect(stdins).not.toContain('name: x');
    expect(stdins).not.toContain('name: nb');
  });

  test('a kind whose CRD the cluster already serves is diffed like any other', () => {
    k.script([namespaces('kubeflow'), crds({ spec: { group: 'kubeflow.org', names: { kind: 'Notebook' } } }), { when: 'diff', code: 0, stdout: '' }]);
    expect(diffRendered([crd, obj('kubeflow.org/v1', 'Notebook', 'nb', 'kubeflow')], { kubectl: k.bin })).toBe('no changes: the cluster already matches the rendered manifests');
  });

  test('a cluster-scoped object is never "in a namespace this deploy creates"', () => {
    k.script([namespaces(), crds(), { when: 'diff', code: 1, stdout: 'diff -u -N /tmp/L/v1.Namespace.kubeflow /tmp/M/v1.Namespace.kubeflow\n+++ b\n+a\n' }]);
    expect(diffRendered([obj('v1', 'Namespace', 'kubeflow')], { kubectl: k.bin })).toBe('1 object would change:\n  + (new) Namespace kubeflow\n\n=== Namespace kubeflow\n+a');
  });
});
