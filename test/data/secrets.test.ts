import { GeneratedSecrets, MYSQL, OBJECT_STORE } from '../../lib/data';
import { constructHarness, find, renderStack } from '../support/stack';
import { resolveConfig } from '../../lib/config';

describe('GeneratedSecrets', () => {
  const { chart, policy, synth } = constructHarness();
  new GeneratedSecrets(chart, 's', {
    namespace: 'kubeflow', policy,
    secrets: [{ name: 'db', data: { username: { fixed: 'app' }, password: { random: 24 } } }],
  });
  const objs = synth();
  const job = find(objs, 'Job', 'microflow-secrets', 'kubeflow');
  const script: string = job.spec.template.spec.containers[0].command[2];

  test('creates each Secret only when it is missing: never rotates, a pre-created Secret wins', () => {
    expect(script).toContain('get secret "$name" --ignore-not-found -o name');
    expect(script).toContain('exists: kept as it is');
    expect(script).toMatch(/grep -q AlreadyExists/);
    expect(script).toContain('ensure "$NAMESPACE" db username=fixed:app password=random:24');
  });

  test('random values come from /dev/urandom and go through files, not the command line', () => {
    expect(script).toContain('/dev/urandom');
    expect(script).toContain('--from-file=$key=$dir/$key');
    expect(script).not.toContain('--from-literal');
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

test('the data layer generates exactly the Secrets and keys Kubeflow\'s clients read', () => {
  const { objects } = renderStack(resolveConfig({}));
  const job = find(objects, 'Job', 'microflow-secrets', 'kubeflow');
  expect(job.metadata.annotations[GeneratedSecrets.ANNOTATION].split(',').sort()).toEqual(['mlpipeline-minio-artifact', 'mysql-root-secret', 'mysql-secret']);
  const script: string = job.spec.template.spec.containers[0].command[2];
  expect(script).toContain(`ensure "$NAMESPACE" ${MYSQL.secret.name} username=fixed:${MYSQL.appUser} password=random:`);
  expect(script).toContain(`ensure "$NAMESPACE" ${OBJECT_STORE.secret.name} accesskey=random:`);
  expect(script).toMatch(/secretkey=random:\d+/);
  expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
});
