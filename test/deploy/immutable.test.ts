/**
 * The immutable-field check, case by case on small hand-built objects: which differences the API
 * server would refuse, and the exact advice each one gets (the advice is what a person follows, so its
 * commands are checked word for word). The laptop-render cases are in commands.test.ts.
 */
import { findImmutableChanges, objectRef, type LiveState, type Manifest } from '../../lib/deploy';
import { MYSQL } from '../../lib/data/constants';

const NS = 'kubeflow';
const obj = (kind: string, name: string, spec?: object): Manifest =>
  ({ apiVersion: kind === 'Service' || kind === 'PersistentVolumeClaim' ? 'v1' : 'apps/v1', kind, metadata: { name, namespace: NS }, ...(spec ? { spec } : {}) } as Manifest);
/** A volumeClaimTemplate; `storage` undefined leaves the size out. */
const tpl = (name: string, storage?: string, more: object = {}) =>
  ({ metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], ...(storage ? { resources: { requests: { storage } } } : {}), ...more } });
const sts = (name: string, templates: object[], more: object = {}) => obj('StatefulSet', name, { serviceName: name, volumeClaimTemplates: templates, ...more });
const claim = (name: string, storage?: string, namespace = NS) =>
  ({ kind: 'PersistentVolumeClaim', metadata: { name, namespace }, spec: { resources: { requests: storage ? { storage } : {} } } });
const state = (objects: object[], claims: object[] = [], storageClasses: object[] = []): LiveState => ({ objects, claims, storageClasses });
const recreate = (kind: string, what: string, name: string) =>
  `${kind} ${what} cannot change in place. Delete the ${kind} without its pods and deploy again; the new one adopts the running pods (claims are kept):\n`
  + `  kubectl -n ${NS} delete ${kind.toLowerCase()} ${name} --cascade=orphan\n  npm run deploy`;
const shrink = (size: string) =>
  `Kubernetes never shrinks a volume. Set the size back to ${size} or more in your configuration (a smaller size would need a new, empty volume: back up, \`npm run destroy -- --purge-data\`, deploy, restore).`;
const HOSTPATH_NOTE = ' microk8s-hostpath does not enforce sizes at all: the volume can already use the disk\'s free space, so keeping the old size loses nothing.';

test('an object not in the cluster yet (first install) has nothing to compare', () => {
  expect(findImmutableChanges([sts('db', [tpl('data', '1Gi')]), obj('Service', 's', { clusterIP: 'None' })], state([obj('Service', 'other', { clusterIP: '1.2.3.4' })]))).toEqual([]);
});

test('objects are named Kind namespace/name, cluster-scoped ones Kind name', () => {
  expect(objectRef({ kind: 'Service', metadata: { namespace: NS, name: 's' } })).toBe('Service kubeflow/s');
  expect(objectRef({ kind: 'StorageClass', metadata: { name: 'fast' } })).toBe('StorageClass fast');
});

test.each(['StatefulSet', 'Deployment', 'DaemonSet'])('a %s selector change: values shown as JSON, recreate recipe with the lower-case kind', (kind) => {
  const desired = obj(kind, 'web', { selector: { matchLabels: { app: 'new' } } });
  expect(findImmutableChanges([desired], state([obj(kind, 'web', { selector: { matchLabels: { app: 'old' } } })]))).toEqual([{
    object: `${kind} kubeflow/web`, field: 'spec.selector', from: '{"matchLabels":{"app":"old"}}', to: '{"matchLabels":{"app":"new"}}',
    advice: recreate(kind, 'the selector', 'web'),
  }]);
});

describe('Service cluster IP', () => {
  const live = obj('Service', 's', { clusterIP: '10.152.183.7' });
  test('a rendered IP other than the live one is refused', () => {
    expect(findImmutableChanges([obj('Service', 's', { clusterIP: 'None' })], state([live]))).toEqual([{
      object: 'Service kubeflow/s', field: 'spec.clusterIP', from: '10.152.183.7', to: 'None',
      advice: 'A Service\'s cluster IP never changes in place. Delete it and deploy again (clients reconnect to the new address):\n  kubectl -n kubeflow delete service s\n  npm run deploy',
    }]);
  });
  test('no rendered IP (the server picks one) or the same IP is no change', () => {
    expect(findImmutableChanges([obj('Service', 's', { ports: [] })], state([live]))).toEqual([]);
    expect(findImmutableChanges([obj('Service', 's', { clusterIP: '10.152.183.7' })], state([live]))).toEqual([]);
  });
});

describe('StatefulSet fields other than volumes', () => {
  const data = [tpl('data', '1Gi')];
  test('podManagementPolicy: unset means OrderedReady, on either side', () => {
    const parallel = sts('db', data, { podManagementPolicy: 'Parallel' });
    const unset = sts('db', data);
    const advice = recreate('StatefulSet', 'podManagementPolicy', 'db');
    expect(findImmutableChanges([parallel], state([unset]))).toEqual([{ object: 'StatefulSet kubeflow/db', field: 'spec.podManagementPolicy', from: 'OrderedReady', to: 'Parallel', advice }]);
    expect(findImmutableChanges([unset], state([parallel]))).toEqual([{ object: 'StatefulSet kubeflow/db', field: 'spec.podManagementPolicy', from: 'Parallel', to: 'OrderedReady', advice }]);
    expect(findImmutableChanges([parallel], state([parallel]))).toEqual([]);
    expect(findImmutableChanges([unset], state([sts('db', data, { podManagementPolicy: 'OrderedReady' })]))).toEqual([]);
  });
  test('serviceName', () => {
    expect(findImmutableChanges([sts('db', data)], state([sts('db', data, { serviceName: 'db-old' })]))).toEqual([
      { object: 'StatefulSet kubeflow/db', field: 'spec.serviceName', from: 'db-old', to: 'db', advice: recreate('StatefulSet', 'serviceName', 'db') },
    ]);
  });
});

describe('volumeClaimTemplates other than size', () => {
  test('another set of volumes is one change (names sorted), and nothing else about them is compared', () => {
    const live = sts('db', [tpl('data', '1Gi')]);
    expect(findImmutableChanges([sts('db', [tpl('logs', '9Gi'), tpl('data', '2Gi')])], state([live]))).toEqual([
      { object: 'StatefulSet kubeflow/db', field: 'spec.volumeClaimTemplates', from: '["data"]', to: '["data","logs"]', advice: recreate('StatefulSet', 'the set of volumes', 'db') },
    ]);
  });
  test('the same volumes in another order, with access modes in another order, are no change', () => {
    const modes = (m: string[]) => ({ accessModes: m });
    const live = sts('db', [tpl('a', '1Gi', modes(['ReadWriteOnce', 'ReadOnlyMany'])), tpl('b', '1Gi', modes(['ReadOnlyMany', 'ReadWriteOnce'])), tpl('c', '1Gi', { accessModes: undefined })]);
    const desired = sts('db', [tpl('c', '1Gi', { accessModes: undefined }), tpl('b', '1Gi', modes(['ReadWriteOnce', 'ReadOnlyMany'])), tpl('a', '1Gi', modes(['ReadOnlyMany', 'ReadWriteOnce']))]);
    expect(findImmutableChanges([desired], state([live]))).toEqual([]);
  });
  test('another class or other access modes', () => {
    const live = sts('db', [tpl('data', '1Gi', { storageClassName: 'standard' })]);
    const desired = sts('db', [tpl('data', '1Gi', { storageClassName: 'fast', accessModes: ['ReadWriteMany'] })]);
    expect(findImmutableChanges([desired], state([live]))).toEqual([
      {
        object: 'StatefulSet kubeflow/db', field: 'spec.volumeClaimTemplates[data].storageClassName', from: 'standard', to: 'fast',
        advice: 'Existing claims cannot move to another StorageClass: copy the data to claims of the new class (back up, purge, deploy, restore), or keep the old class.',
      },
      { object: 'StatefulSet kubeflow/db', field: 'spec.volumeClaimTemplates[data].accessModes', from: '["ReadWriteOnce"]', to: '["ReadWriteMany"]', advice: recreate('StatefulSet', 'access modes', 'db') },
    ]);
  });
  test.each([
    ['no resources rendered', { resources: undefined }, {}],
    ['no requests rendered', { resources: {} }, {}],
    ['no resources live', {}, { resources: undefined }],
    ['no requests live', {}, { resources: {} }],
  ])('a size on one side only (%s) is not compared', (_what, want, have) => {
    expect(findImmutableChanges([sts('db', [tpl('data', '1Gi', want)])], state([sts('db', [tpl('data', '2Gi', have)])]))).toEqual([]);
  });
});

describe('a StatefulSet volume size change', () => {
  const grow = (name: string, template: string, claims: object[], storageClasses: object[] = [], sc: object = {}) =>
    findImmutableChanges([sts(name, [tpl(template, '10Gi', sc)])], state([sts(name, [tpl(template, '5Gi', sc)])], claims, storageClasses));

  test('MySQL on a class without expansion: only its own claims are named, the steps go through a backup', () => {
    const claims = [claim('data-mysql-0', '5Gi'), claim('data-mysql-0', '5Gi', 'elsewhere'), claim('data-mysql-backup', '5Gi'), claim('data-minio-0', '5Gi')];
    expect(grow(MYSQL.service, 'data', claims)).toEqual([{
      object: 'StatefulSet kubeflow/mysql', field: 'spec.volumeClaimTemplates[data] storage', from: '5Gi', to: '10Gi',
      advice: 'The API server refuses any change to a StatefulSet\'s volumeClaimTemplates, and StorageClass (default) does not allow volume expansion (allowVolumeExpansion is not true), '
        + 'so claim data-mysql-0 stays 5Gi. Either keep 5Gi in your configuration, or move the data to a new 10Gi volume (back up, purge, deploy, restore).\n'
        + 'To move to 10Gi (this recreates the volume, so the data goes through a backup):\n'
        + '  1. kubectl -n kubeflow create job --from=cronjob/mysql-backup before-resize && kubectl -n kubeflow wait --for=condition=complete job/before-resize --timeout=15m\n'
        + '  2. kubectl -n kubeflow delete statefulset mysql\n'
        + '  3. kubectl -n kubeflow delete pvc data-mysql-0   # deletes the old volume\n'
        + '  4. npm run deploy\n'
        + '  5. npm run --silent restore -- <the dump before-resize listed> | kubectl apply -f -   (see docs/data.md, "Backups and restore")',
    }]);
  });

  test('another StatefulSet on microk8s-hostpath: every claim named, hostpath enforces no size, the data copied by hand', () => {
    const [c] = grow('web', 'cache', [claim('cache-web-0', '5Gi'), claim('cache-web-1', '5Gi')], [{ metadata: { name: 'microk8s-hostpath' } }], { storageClassName: 'microk8s-hostpath' });
    expect(c.advice).toBe('The API server refuses any change to a StatefulSet\'s volumeClaimTemplates, and StorageClass microk8s-hostpath does not allow volume expansion (allowVolumeExpansion is not true), '
      + `so claim cache-web-0, cache-web-1 stays 5Gi.${HOSTPATH_NOTE} Either keep 5Gi in your configuration, or move the data to a new 10Gi volume (back up, purge, deploy, restore).\n`
      + 'To move to 10Gi (this recreates the volume, so the data goes through a backup):\n'
      + '  1. copy the data out of the volume\n'
      + '  2. kubectl -n kubeflow delete statefulset web\n'
      + '  3. kubectl -n kubeflow delete pvc cache-web-0 cache-web-1   # deletes the old volume\n'
      + '  4. npm run deploy\n'
      + '  5. copy the data back');
  });

  test('no claim yet: the advice names the first claim the StatefulSet will make', () => {
    expect(grow('web', 'cache', [])[0].advice).toContain('so claim cache-web-0 stays 5Gi. Either');
  });

  test('an expandable class: patch every claim, then recreate the StatefulSet around its pods', () => {
    const classes = [{ metadata: { name: 'slow' } }, { metadata: { name: 'fast' }, allowVolumeExpansion: true }];
    const [c] = grow('web', 'cache', [claim('cache-web-0', '5Gi'), claim('cache-web-1', '5Gi')], classes, { storageClassName: 'fast' });
    const patch = (n: string) => `  kubectl -n kubeflow patch pvc ${n} -p '{"spec":{"resources":{"requests":{"storage":"10Gi"}}}}'\n`;
    expect(c.advice).toBe('The API server refuses any change to a StatefulSet\'s volumeClaimTemplates. StorageClass fast allows expansion, so grow the claims, then recreate the StatefulSet around its running pods:\n'
      + `${patch('cache-web-0')}${patch('cache-web-1')}  kubectl -n kubeflow delete statefulset web --cascade=orphan\n  npm run deploy`);
    // Expansion is a property of the claim's own class, not of any class in the cluster.
    expect(grow('web', 'cache', [], classes, { storageClassName: 'slow' })[0].advice).toContain('StorageClass slow does not allow volume expansion');
  });

  test('the class of a template that changes class too is the rendered one', () => {
    const live = sts('web', [tpl('cache', '5Gi', { storageClassName: 'slow' })]);
    const changes = findImmutableChanges([sts('web', [tpl('cache', '10Gi', { storageClassName: 'fast' })])], state([live], [], [{ metadata: { name: 'fast' }, allowVolumeExpansion: true }]));
    expect(changes.map((c) => c.field)).toEqual(['spec.volumeClaimTemplates[cache].storageClassName', 'spec.volumeClaimTemplates[cache] storage']);
    expect(changes[1].advice).toContain('StorageClass fast allows expansion');
  });

  test('smaller than the template is a shrink', () => {
    const changes = findImmutableChanges([sts('db', [tpl('data', '1Gi')])], state([sts('db', [tpl('data', '2Gi')])]));
    expect(changes).toEqual([{ object: 'StatefulSet kubeflow/db', field: 'spec.volumeClaimTemplates[data] storage', from: '2Gi', to: '1Gi', advice: shrink('2Gi') }]);
  });

  test('bigger than the template but smaller than a claim grown by hand is a shrink too, and the size to keep is the claim\'s', () => {
    const [c] = grow('web', 'cache', [claim('cache-web-0', '5Gi'), claim('cache-web-1', '20Gi'), claim('cache-web-2', '8Gi')]);
    expect(c).toMatchObject({ from: '5Gi', to: '10Gi', advice: shrink('20Gi') });
  });

  test('as big as a claim grown by hand is a growth of the template, not a shrink', () => {
    expect(grow('web', 'cache', [claim('cache-web-0', '10Gi')])[0].advice).toContain('does not allow volume expansion');
  });

  test('claims that state no size count as the template\'s size', () => {
    const sizeless = [{ ...claim('cache-web-0'), spec: undefined }, { ...claim('cache-web-1'), spec: {} }, { ...claim('cache-web-2'), spec: { resources: {} } }, claim('cache-web-3')];
    expect(grow('web', 'cache', sizeless)[0].advice).toContain('so claim cache-web-0, cache-web-1, cache-web-2, cache-web-3 stays 5Gi.');
  });
});

describe('a PersistentVolumeClaim', () => {
  const pvc = (storage?: string, storageClassName?: string, resources: object | undefined = storage ? { requests: { storage } } : undefined) =>
    obj('PersistentVolumeClaim', 'ws', { ...(resources ? { resources } : {}), ...(storageClassName ? { storageClassName } : {}) });
  const hostpath = { metadata: { name: 'microk8s-hostpath' } };
  test('smaller: Kubernetes never shrinks', () => {
    expect(findImmutableChanges([pvc('5Gi')], state([pvc('10Gi')]))).toEqual([
      { object: 'PersistentVolumeClaim kubeflow/ws', field: 'spec.resources.requests.storage', from: '10Gi', to: '5Gi', advice: shrink('10Gi') },
    ]);
  });
  test('bigger on a class without expansion: kept at its size, with the way out', () => {
    expect(findImmutableChanges([pvc('10Gi')], state([pvc('5Gi', 'microk8s-hostpath')], [], [hostpath]))).toEqual([{
      object: 'PersistentVolumeClaim kubeflow/ws', field: 'spec.resources.requests.storage', from: '5Gi', to: '10Gi',
      advice: `StorageClass microk8s-hostpath does not allow volume expansion (allowVolumeExpansion is not true), so PersistentVolumeClaim ws stays 5Gi.${HOSTPATH_NOTE}`
        + ' Either keep 5Gi in your configuration, or move the data to a new 10Gi volume (back up, purge, deploy, restore).',
    }]);
  });
  test('bigger on an expandable class, the same size, or a size on one side only: applied in place', () => {
    expect(findImmutableChanges([pvc('10Gi')], state([pvc('5Gi', 'fast')], [], [{ metadata: { name: 'fast' }, allowVolumeExpansion: true }]))).toEqual([]);
    expect(findImmutableChanges([pvc('10Gi', 'fast')], state([pvc('10240Mi', 'fast')]))).toEqual([]);
    for (const [want, have] of [[pvc(), pvc('1Gi')], [pvc('1Gi'), pvc()], [pvc(undefined, undefined, {}), pvc('1Gi')], [pvc('1Gi'), pvc(undefined, undefined, {})]]) {
      expect(findImmutableChanges([want], state([have]))).toEqual([]);
    }
  });
  test('another class is refused; no rendered class keeps the live one', () => {
    expect(findImmutableChanges([pvc('1Gi', 'fast')], state([pvc('1Gi', 'slow')]))).toEqual([{
      object: 'PersistentVolumeClaim kubeflow/ws', field: 'spec.storageClassName', from: 'slow', to: 'fast',
      advice: 'A claim cannot move to another StorageClass: copy the data to a new claim, or keep the old class.',
    }]);
    expect(findImmutableChanges([pvc('1Gi')], state([pvc('1Gi', 'slow')]))).toEqual([]);
  });
});
