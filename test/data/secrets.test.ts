import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { GeneratedSecrets } from '../../lib/data';
import { fakeState, readFakeSecret, runScript } from '../support/run-script';
import { constructHarness, find, rendered, type K8sObject } from '../support/stack';
import { resolveConfig } from '../../lib/config';

describe('GeneratedSecrets', () => {
  // Built in beforeEach, which runs as part of each test (see test/support/stack.ts).
  let objs: K8sObject[], job: K8sObject;
  beforeEach(() => {
    const h = constructHarness();
    new GeneratedSecrets(h.chart, 's', {
      namespace: 'kubeflow', policy: h.policy,
      secrets: [{ name: 'db', data: { username: { fixed: 'app' }, password: { random: 24 } } }],
    });
    objs = h.synth();
    job = find(objs, 'Job', 'microflow-secrets', 'kubeflow');
  });

  test('its script creates each Secret with the spec\'s values, once', () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-secrets-'));
    try {
      const first = runScript(job.spec.template.spec.containers[0], work, { NAMESPACE: 'kubeflow' });
      expect(first.stderr).toBe('');
      expect(first.status).toBe(0);
      const read = () => readFakeSecret(fakeState(work).k8s, 'kubeflow', 'db');
      const created = read();
      expect(created.username).toBe('app');
      expect(created.password).toMatch(/^[0-9a-f]{48}$/);
      expect(runScript(job.spec.template.spec.containers[0], work, { NAMESPACE: 'kubeflow' }).stdout).toBe('secret/db (kubeflow) exists: kept as it is\n');
      expect(read()).toEqual(created);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  test('RBAC: create Secrets in its namespace, read only the ones it manages, nothing else', () => {
    const role = find(objs, 'Role', 'microflow-secrets', 'kubeflow');
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: ['db'] },
    ]);
    const binding = find(objs, 'RoleBinding', 'microflow-secrets', 'kubeflow');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'microflow-secrets', namespace: 'kubeflow' }]);
    expect(job.spec.template.spec.automountServiceAccountToken).toBe(true);
    expect(job.metadata.annotations[GeneratedSecrets.ANNOTATION]).toBe('db');
  });

  test('bad specs are refused with the offending name', () => {
    const h = constructHarness();
    expect(() => new GeneratedSecrets(h.chart, 'a', { namespace: 'n', policy: h.policy, secrets: [] })).toThrow(/no secrets/);
    expect(() => new GeneratedSecrets(h.chart, 'b', { namespace: 'n', policy: h.policy, secrets: [{ name: 'x', data: { k: { random: 4 } } }] })).toThrow(/secret "x" key "k": random length/);
    expect(() => new GeneratedSecrets(h.chart, 'c', { namespace: 'n', policy: h.policy, secrets: [{ name: 'x', data: { k: { fixed: 'a b;rm' } } }] })).toThrow(/unsafe characters/);
  });
});

test('the data layer generates exactly the Secrets Kubeflow\'s clients read, and renders none itself', () => {
  const { objects } = rendered(resolveConfig({}));
  const job = find(objects, 'Job', 'microflow-secrets', 'kubeflow');
  expect(job.metadata.annotations[GeneratedSecrets.ANNOTATION].split(',').sort()).toEqual(['mlpipeline-minio-artifact', 'mysql-maintenance-secret', 'mysql-metadata-secret', 'mysql-root-secret', 'mysql-secret']);
  expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
});
