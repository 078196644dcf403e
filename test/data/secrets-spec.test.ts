/**
 * What GeneratedSecrets accepts and what it renders around its scripts: each refusal rule of a spec,
 * word for word and naming the Secret and key, next to the valid case it borders; the annotation
 * naming the managed Secrets; RBAC with one Role and RoleBinding per namespace written to; and the
 * pod's memory-backed volumes, with the init container and /prepared only when a key is hashed.
 * (The scripts themselves run in secrets-run.test.ts.)
 */
import { GeneratedSecrets, type GeneratedSecretSpec } from '../../lib/data';
import { constructHarness, find, podSpecOf, type K8sObject } from '../support/stack';

const HOME = 'kubeflow';
const build = (secrets: GeneratedSecretSpec[]) => {
  const h = constructHarness();
  const g = new GeneratedSecrets(h.chart, 'g', { namespace: HOME, policy: h.policy, secrets });
  return { g, objects: h.synth() };
};
const refusal = (secrets: GeneratedSecretSpec[]) => {
  try { build(secrets); } catch (e) { return (e as Error).message; }
  return 'accepted';
};
const random = (n: number): GeneratedSecretSpec[] => [{ name: 'db', data: { password: { random: n } } }];

describe('spec validation', () => {
  test('no Secret at all is refused', () => {
    expect(refusal([])).toBe('GeneratedSecrets "microflow-secrets": no secrets to generate');
  });

  test('Secret names, namespaces and keys must be safe', () => {
    expect(refusal([{ name: 'Db', data: { k: { fixed: 'a' } } }])).toBe('GeneratedSecrets: "Db" is not a valid Secret name');
    expect(refusal([{ name: 'db', namespace: 'other ns', data: { k: { fixed: 'a' } } }])).toBe('GeneratedSecrets: secret "db": "other ns" is not a valid namespace');
    expect(refusal([{ name: 'db', data: { 'k/x': { fixed: 'a' } } }])).toBe('GeneratedSecrets: secret "db" key "k/x" is not a valid key');
    expect(refusal([{ name: 'my.db-1', namespace: 'team-a', data: { 'Key_1.x-y': { fixed: 'a' } } }])).toBe('accepted');
  });

  test('random lengths are whole numbers of 16..64 bytes', () => {
    expect(refusal(random(16))).toBe('accepted');
    expect(refusal(random(64))).toBe('accepted');
    for (const n of [15, 65, 20.5]) expect(refusal(random(n))).toBe('GeneratedSecrets: secret "db" key "password": random length must be 16..64 bytes');
  });

  test('fixed values may not hold shell characters', () => {
    expect(refusal([{ name: 'db', data: { user: { fixed: 'me@x.org' } } }])).toBe('accepted');
    expect(refusal([{ name: 'db', data: { user: { fixed: 'a b;rm' } } }])).toBe('GeneratedSecrets: secret "db" key "user": fixed value has unsafe characters');
  });

  test('bcrypt hashes a random key of the same Secret, nothing else', () => {
    const hashOf = (source: string, other: GeneratedSecretSpec['data'][string]) => [{ name: 'db', data: { password: other, hash: { bcrypt: source } } }];
    expect(refusal(hashOf('password', { random: 16 }))).toBe('accepted');
    expect(refusal(hashOf('password', { fixed: 'known' }))).toBe('GeneratedSecrets: secret "db" key "hash": bcrypt needs a random key of the same Secret, "password" is not one');
    expect(refusal(hashOf('nope', { random: 16 }))).toBe('GeneratedSecrets: secret "db" key "hash": bcrypt needs a random key of the same Secret, "nope" is not one');
  });

  test('copy names a key without dots of a Secret listed before it, in any namespace', () => {
    const source: GeneratedSecretSpec = { name: 'src', namespace: 'a', data: { token: { random: 16 }, 'a.b': { random: 16 } } };
    const copy = (secret: string, key: string, namespace?: string) => ({ name: 'dst', data: { k: { copy: { secret, key, namespace } } } });
    const refused = (what: string) => `GeneratedSecrets: secret "dst" key "k": copy must name a key (without dots) of a Secret listed before it, got ${what}`;
    expect(refusal([source, copy('src', 'token', 'a')])).toBe('accepted');
    expect(refusal([copy('src', 'token', 'a'), source])).toBe(refused('src/token'));
    expect(refusal([source, copy('src', 'token')])).toBe(refused('src/token'));
    expect(refusal([source, copy('src', 'nope', 'a')])).toBe(refused('src/nope'));
    expect(refusal([source, copy('src', 'a.b', 'a')])).toBe(refused('src/a.b'));
  });

  test('required keys are keys of the Secret', () => {
    const data = { user: { fixed: 'app' }, password: { random: 16 } };
    expect(refusal([{ name: 'db', data, required: ['password'] }])).toBe('accepted');
    expect(refusal([{ name: 'db', data, required: ['password', 'pasword'] }])).toBe('GeneratedSecrets: secret "db": required key "pasword" is not one of its keys');
  });

  test('a value of no known kind is refused, naming it', () => {
    expect(refusal([{ name: 'db', data: { k: {} as never } }])).toBe('GeneratedSecrets: secret "db" key "k": unhandled value');
  });
});

describe('rendered around the scripts', () => {
  const twoNamespaces: GeneratedSecretSpec[] = [
    { name: 'db', data: { password: { random: 16 } } },
    { name: 'api', namespace: 'team-a', data: { token: { random: 16 } } },
    { name: 'web', namespace: 'team-b', data: { token: { copy: { secret: 'api', key: 'token', namespace: 'team-a' } } } },
    { name: 'cache', namespace: 'team-a', data: { password: { random: 16 } } },
  ];

  test('the annotation lists the Secrets, with the namespace of those elsewhere', () => {
    const { g, objects } = build(twoNamespaces);
    expect(g.secretNames).toEqual(['db', 'team-a/api', 'team-b/web', 'team-a/cache']);
    expect(find(objects, 'Job', 'microflow-secrets', HOME).metadata.annotations[GeneratedSecrets.ANNOTATION]).toBe('db,team-a/api,team-b/web,team-a/cache');
  });

  test('RBAC: per namespace written to, create Secrets and read only those managed there, bound to the Job\'s ServiceAccount', () => {
    const { objects } = build(twoNamespaces);
    const expected: Record<string, string[]> = { [HOME]: ['db'], 'team-a': ['api', 'cache'], 'team-b': ['web'] };
    for (const [ns, names] of Object.entries(expected)) {
      expect(find(objects, 'Role', 'microflow-secrets', ns).rules).toEqual([
        { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
        { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: names },
      ]);
      const binding = find(objects, 'RoleBinding', 'microflow-secrets', ns);
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'microflow-secrets' });
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'microflow-secrets', namespace: HOME }]);
    }
    const kinds = (kind: string) => objects.filter((o: K8sObject) => o.kind === kind).map((o) => o.metadata.namespace).sort();
    expect(kinds('Role')).toEqual([HOME, 'team-a', 'team-b']);
    expect(kinds('RoleBinding')).toEqual([HOME, 'team-a', 'team-b']);
  });

  const tmpVolume = { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } };
  const env = [
    { name: 'HOME', value: '/tmp' },
    { name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
  ];

  test('without bcrypt: one container, writing only to a memory-backed /tmp, with kubectl\'s HOME there', () => {
    const pod = podSpecOf(find(build(twoNamespaces).objects, 'Job', 'microflow-secrets', HOME));
    expect(pod.initContainers ?? []).toEqual([]);
    expect(pod.volumes).toEqual([tmpVolume]);
    expect(pod.containers).toHaveLength(1);
    expect(pod.containers[0].volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(pod.containers[0].env).toEqual(env);
  });

  test('with bcrypt in any Secret: the init container hashes into a memory-backed /prepared, which the generator reads read-only', () => {
    const pod = podSpecOf(find(build([
      ...twoNamespaces,
      { name: 'login', data: { user: { fixed: 'me' }, password: { random: 16 }, hash: { bcrypt: 'password' } } },
    ]).objects, 'Job', 'microflow-secrets', HOME));
    expect(pod.volumes).toEqual([tmpVolume, { name: 'prepared', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }]);
    expect(pod.initContainers.map((c: any) => [c.name, c.command.slice(0, 2), c.volumeMounts])).toEqual([
      ['hash', ['/bin/sh', '-c'], [{ name: 'prepared', mountPath: '/prepared' }]],
    ]);
    expect(pod.containers[0].volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }, { name: 'prepared', mountPath: '/prepared', readOnly: true }]);
    expect(pod.containers[0].env).toEqual(env);
  });
});
