/**
 * How `npm run diff` rewrites kubectl's diff output: the object list (new objects marked) and each
 * object's diff under a readable header, the body kept line for line. The file-name cases and the
 * server-side diff itself are in reads.test.ts.
 */
import { formatDiff, objectOfDiffFile, summarizeDiff } from '../../lib/deploy';

/** kubectl diff's header for one object: the live and merged temporary files. */
const header = (file: string) => [`diff -u -N /tmp/LIVE-1/${file} /tmp/MERGED-2/${file}`, `--- /tmp/LIVE-1/${file}\t2026-01-01`, `+++ /tmp/MERGED-2/${file}\t2026-01-01`];
const changed = [...header('apps.v1.StatefulSet.kubeflow.mysql'), '@@ -1,3 +1,3 @@', ' spec:', '-  replicas: 1', '+  replicas: 2'];
const created = [...header('v1.ConfigMap.kubeflow.script'), '@@ -0,0 +1,3 @@', '+data: |-', '+  run: diff -u -N a b', '+  --- not a header'];

describe('summarizeDiff', () => {
  test('each object under a === header; kubectl\'s own --- and +++ lines dropped; the body kept as is', () => {
    expect(summarizeDiff([...changed, ...created].join('\n'))).toEqual({
      objects: [{ object: 'StatefulSet kubeflow/mysql', created: false }, { object: 'ConfigMap kubeflow/script', created: true }],
      text: [
        '=== StatefulSet kubeflow/mysql', '@@ -1,3 +1,3 @@', ' spec:', '-  replicas: 1', '+  replicas: 2',
        '=== ConfigMap kubeflow/script', '@@ -0,0 +1,3 @@', '+data: |-', '+  run: diff -u -N a b', '+  --- not a header',
      ].join('\n'),
    });
  });

  test('an object is new only when no line of it was live (removed or context lines), wherever a - or space appears', () => {
    const onlyAdded = [...header('v1.Secret.kubeflow.s'), '@@ -0,0 +1,2 @@', '+a: x-', '+b: y '];
    expect(summarizeDiff(onlyAdded.join('\n')).objects).toEqual([{ object: 'Secret kubeflow/s', created: true }]);
    const contextOnly = [...header('v1.Secret.kubeflow.s'), '@@ -1 +1,2 @@', ' a: x', '+b: y'];
    expect(summarizeDiff(contextOnly.join('\n')).objects).toEqual([{ object: 'Secret kubeflow/s', created: false }]);
  });

  test('blank lines before the first object and at the end are dropped, blank lines inside kept', () => {
    expect(summarizeDiff(['', '', ...created.slice(0, 5), '', '+more', '', ''].join('\n')).text)
      .toBe(['=== ConfigMap kubeflow/script', '@@ -0,0 +1,3 @@', '+data: |-', '', '+more'].join('\n'));
  });

  test('no diff: no objects, no text', () => {
    expect(summarizeDiff('')).toEqual({ objects: [], text: '' });
  });
});

describe('formatDiff', () => {
  test('the list of objects (~ changed, + new), a blank line, then the diffs', () => {
    expect(formatDiff([...changed, ...created].join('\n'))).toBe([
      '2 objects would change:', '  ~ StatefulSet kubeflow/mysql', '  + (new) ConfigMap kubeflow/script', '',
      '=== StatefulSet kubeflow/mysql', '@@ -1,3 +1,3 @@', ' spec:', '-  replicas: 1', '+  replicas: 2',
      '=== ConfigMap kubeflow/script', '@@ -0,0 +1,3 @@', '+data: |-', '+  run: diff -u -N a b', '+  --- not a header',
    ].join('\n'));
  });
  test('one object is singular; no object says the cluster matches', () => {
    expect(formatDiff(changed.join('\n')).split('\n')[0]).toBe('1 object would change:');
    expect(formatDiff('')).toBe('no changes: the cluster already matches the rendered manifests');
  });
});

test.each([
  // The kind is the first part that starts with a capital: one may come first, and capitals later in a part do not count.
  ['Namespace.kubeflow', 'Namespace kubeflow'],
  ['/tmp/x/notAKind', 'notAKind'],
  // The folder is not part of the name, even with dots and capitals in it.
  ['/tmp/My.Dir/v1.Namespace.kubeflow', 'Namespace kubeflow'],
])('diff file %s names %s', (file, object) => {
  expect(objectOfDiffFile(file)).toBe(object);
});
