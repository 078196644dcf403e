/** The deploy commands' decisions, without a cluster (the control-plane suite runs the commands themselves). */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  encryptionConfiguration, findImmutableChanges, formatDiff, planDestroy, stateOf, summarizeDiff, writeEncryptionConfiguration,
  deployHints, formatHints, type Manifest,
} from '../../lib/deploy';
import { DEPLOY_HINT_ANNOTATIONS } from '../../lib/platform';
import { exampleObjects } from '../support/stack';

const laptop = () => exampleObjects('laptop') as unknown as Manifest[];
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));
/** The live twin of a rendered object, as the API server would return it. */
const live = (o: Manifest) => ({ ...clone(o), metadata: { ...o.metadata, generation: 1 } });

describe('stateOf', () => {
  test('a Deployment is done only when the latest spec is observed and every replica is updated and available', () => {
    const d = { metadata: { generation: 2 }, spec: { replicas: 2 }, status: { observedGeneration: 2, updatedReplicas: 2, availableReplicas: 2, replicas: 2 } };
    expect(stateOf('Deployment', d)).toMatchObject({ ready: 2, desired: 2, done: true });
    expect(stateOf('Deployment', { ...d, status: { ...d.status, observedGeneration: 1 } }).done).toBe(false);
    expect(stateOf('Deployment', { ...d, status: { ...d.status, replicas: 3 } }).done).toBe(false);
  });
  test('a StatefulSet mid-rollout is not done; a failed Job is reported as failed; a missing object as missing', () => {
    expect(stateOf('StatefulSet', { metadata: { generation: 1 }, spec: { replicas: 1 }, status: { observedGeneration: 1, readyReplicas: 1, currentRevision: 'a', updateRevision: 'b', updatedReplicas: 0 } }).done).toBe(false);
    expect(stateOf('Job', { spec: {}, status: { conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] } }).failed).toMatch(/BackoffLimitExceeded/);
    expect(stateOf('Job', undefined)).toMatchObject({ missing: true, done: false });
  });
});

describe('findImmutableChanges', () => {
  const objects = laptop();
  const mysql = objects.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'mysql')!;
  const claim = { metadata: { namespace: 'kubeflow', name: 'data-mysql-0' }, spec: { resources: { requests: { storage: '10Gi' } } } };
  const hostpath = { metadata: { name: 'microk8s-hostpath' } };

  test('nothing to report against an identical cluster, or on a first install', () => {
    expect(findImmutableChanges(objects, { objects: objects.map(live), claims: [claim], storageClasses: [hostpath] })).toEqual([]);
    expect(findImmutableChanges(objects, { objects: [], claims: [], storageClasses: [] })).toEqual([]);
  });

  test('a bigger volume on a class without expansion: names the claim, says hostpath enforces no size, gives backup/restore steps', () => {
    const was = live(mysql) as any;
    was.spec.volumeClaimTemplates[0].spec.resources.requests.storage = '5Gi';
    const [c, ...more] = findImmutableChanges([mysql], { objects: [was], claims: [claim], storageClasses: [hostpath] });
    expect(more).toEqual([]);
    expect(c).toMatchObject({ object: 'StatefulSet kubeflow/mysql', field: 'spec.volumeClaimTemplates[data] storage', from: '5Gi', to: '10Gi' });
    expect(c.advice).toContain('does not allow volume expansion');
    expect(c.advice).toContain('microk8s-hostpath does not enforce sizes');
    expect(c.advice).toContain('create job --from=cronjob/mysql-backup');
    expect(c.advice).toContain('kubectl -n kubeflow delete pvc data-mysql-0');
  });

  test('a bigger volume on an expandable class: patch each claim, recreate the StatefulSet around its pods', () => {
    const was = live(mysql) as any;
    was.spec.volumeClaimTemplates[0].spec.resources.requests.storage = '5Gi';
    const [c] = findImmutableChanges([mysql], { objects: [was], claims: [{ ...claim, spec: { resources: { requests: { storage: '5Gi' } } } }], storageClasses: [{ ...hostpath, allowVolumeExpansion: true }] });
    expect(c.advice).toContain(`kubectl -n kubeflow patch pvc data-mysql-0 -p '{"spec":{"resources":{"requests":{"storage":"10Gi"}}}}'`);
    expect(c.advice).toContain('delete statefulset mysql --cascade=orphan');
  });

  test('a smaller volume than the claims have is a shrink, which Kubernetes never does', () => {
    const was = live(mysql) as any;
    was.spec.volumeClaimTemplates[0].spec.resources.requests.storage = '20Gi';
    const [c] = findImmutableChanges([mysql], { objects: [was], claims: [{ ...claim, spec: { resources: { requests: { storage: '20Gi' } } } }], storageClasses: [hostpath] });
    expect(c.advice).toMatch(/never shrinks/);
  });

  test('podManagementPolicy, selector and a Service cluster IP are refused with a recreate recipe', () => {
    const was = live(mysql) as any;
    was.spec.podManagementPolicy = 'Parallel';
    was.spec.selector = { matchLabels: { app: 'old' } };
    const svc: Manifest = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'n' }, spec: { clusterIP: 'None' } };
    const changes = findImmutableChanges([mysql, svc], { objects: [was, { ...clone(svc), spec: { clusterIP: '10.152.183.7' } }], claims: [], storageClasses: [] });
    expect(changes.map((c) => c.field)).toEqual(['spec.selector', 'spec.podManagementPolicy', 'spec.clusterIP']);
    expect(changes[0].advice).toContain('--cascade=orphan');
    expect(changes[2].advice).toContain('delete service s');
  });
});

describe('planDestroy', () => {
  const objects = laptop();
  const live = { claims: ['kubeflow/data-mysql-0', 'elsewhere/x'], secrets: ['kubeflow/mysql-secret', 'kubeflow/unrelated'] };
  test('keeps the namespace holding claims and generated Secrets, and only counts the platform\'s own', () => {
    const plan = planDestroy(objects, live, false);
    expect(plan.claims).toEqual(['kubeflow/data-mysql-0']);
    expect(plan.secrets).toEqual(['kubeflow/mysql-secret']);
    const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition').map((o) => `CustomResourceDefinition ${o.metadata.name}`);
    expect(crds.length).toBeGreaterThan(0);
    expect(plan.kept.map((k) => k.object).sort()).toEqual([...crds, 'Namespace kubeflow'].sort());
    // CRDs (Istio's, Argo's, Dex's storage, Kubeflow's) are kept: deleting one deletes every object of its kind.
    for (const k of plan.kept.filter((x) => x.object.startsWith('CustomResourceDefinition '))) expect(k.reason).toMatch(/deletes every object of its kind/);
    expect(plan.remove.map((o) => `${o.kind}/${o.metadata.name}`)).toContain('Namespace/auth');
    expect(plan.remove[0]).toBe(objects[objects.length - 1]);
  });
  test('a rendered claim (a notebook workspace) is never removed without purge: it is user data', () => {
    const rendered = objects.filter((o) => o.kind === 'PersistentVolumeClaim').map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
    expect(rendered.length).toBeGreaterThan(0);
    const plan = planDestroy(objects, { claims: rendered, secrets: [] }, false);
    expect(plan.remove.filter((o) => o.kind === 'PersistentVolumeClaim')).toEqual([]);
    expect(plan.claims).toEqual(rendered);
    expect(planDestroy(objects, { claims: rendered, secrets: [] }, true).remove.filter((o) => o.kind === 'PersistentVolumeClaim')).toHaveLength(rendered.length);
  });
  test('purge removes everything', () => {
    expect(planDestroy(objects, live, true).remove).toHaveLength(objects.length);
  });
});

test('kubectl diff output becomes a list of objects and readable headers', () => {
  const raw = [
    'diff -u -N /tmp/LIVE-1/apps.v1.StatefulSet.kubeflow.mysql /tmp/MERGED-2/apps.v1.StatefulSet.kubeflow.mysql',
    '--- /tmp/LIVE-1/apps.v1.StatefulSet.kubeflow.mysql', '+++ /tmp/MERGED-2/apps.v1.StatefulSet.kubeflow.mysql',
    '@@ -1,2 +1,2 @@', ' a', '-b', '+c',
    'diff -u -N /tmp/LIVE-1/v1.Namespace..new /tmp/MERGED-2/v1.Namespace..new',
    '--- /tmp/LIVE-1/v1.Namespace..new', '+++ /tmp/MERGED-2/v1.Namespace..new', '@@ -0,0 +1 @@', '+x',
  ].join('\n');
  expect(summarizeDiff(raw).objects).toEqual([{ object: 'StatefulSet kubeflow/mysql', created: false }, { object: 'Namespace new', created: true }]);
  expect(formatDiff(raw)).toMatch(/^2 objects would change:\n {2}~ StatefulSet kubeflow\/mysql\n {2}\+ \(new\) Namespace new/);
  expect(formatDiff('')).toMatch(/no changes/);
});

describe('encryption-config', () => {
  test('a secretbox key of 32 random bytes, identity last; never the same key twice', () => {
    const a = encryptionConfiguration();
    expect(a).toMatch(/kind: EncryptionConfiguration/);
    const key = /secret: (\S+)/.exec(a)![1];
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
    expect(a.indexOf('secretbox')).toBeLessThan(a.indexOf('identity'));
    expect(/secret: (\S+)/.exec(encryptionConfiguration())![1]).not.toBe(key);
  });
  test('written with mode 600 outside the repository; never inside it, never over an existing key', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-enc-'));
    try {
      // A stand-in repository beside the key's folder: the real checkout is neither read nor written.
      const repo = path.join(dir, 'repo');
      const file = writeEncryptionConfiguration(path.join(dir, 'sub', 'enc.yaml'), repo);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(() => writeEncryptionConfiguration(file, repo)).toThrow(/exists: replacing its key/);
      expect(() => writeEncryptionConfiguration(path.join(repo, 'dist', 'enc.yaml'), repo)).toThrow(/inside the repository/);
      expect(fs.existsSync(path.join(repo, 'dist', 'enc.yaml'))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('deploy hints come from component annotations (the login\'s, in the render); without a login component the message says so', () => {
  expect(formatHints(deployHints([]))).toMatch(/no login component yet/);
  // The login component (Dex's Deployment) carries them in the laptop render.
  expect(formatHints(deployHints(laptop()))).toMatch(/^log in at https:\/\/microflow\.local:30443\/\nyour generated password: kubectl -n auth get secret dex-password-you-microflow-local -o jsonpath='\{\.data\.password\}' \| base64 -d/);
  const o: Manifest = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', annotations: { [DEPLOY_HINT_ANNOTATIONS.loginUrl]: 'https://microflow.local/', [DEPLOY_HINT_ANNOTATIONS.passwordCommand]: 'kubectl get secret …' } } };
  expect(formatHints(deployHints([o]))).toBe('log in at https://microflow.local/\nyour generated password: kubectl get secret …');
});
