import { PROFILE_DEFAULTS, resolveConfig } from '../../lib/config';
import { problems } from '../support/config';

describe('profiles and overrides', () => {
  test('no configuration renders the laptop profile', () => {
    const c = resolveConfig(undefined);
    expect(c.profile).toBe('laptop');
    expect(c.storageClass).toBe('microk8s-hostpath');
    expect(c.gpu.enabled).toBe(false);
    expect(c.objectStore).toBe('minio');
  });

  test('a partial file overrides only what it names, on top of its profile', () => {
    const c = resolveConfig({ profile: 'gpu-workstation', gpu: { defaultCount: 2 }, resources: { mysql: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2', memory: '2Gi' } } } });
    expect(c.gpu).toEqual({ ...PROFILE_DEFAULTS['gpu-workstation'].gpu, defaultCount: 2 });
    expect(c.gpu.runtimeClassName).toBe('nvidia');
    expect(c.resources.mysql?.limits.memory).toBe('2Gi');
    expect(c.resources.minio).toEqual(PROFILE_DEFAULTS['gpu-workstation'].resources.minio);
  });

  test('the cluster profile runs MinIO distributed and the gpu-workstation one enables one GPU', () => {
    expect(resolveConfig({ profile: 'cluster' }).storage.objectStoreReplicas).toBe(4);
    expect(resolveConfig({ profile: 'gpu-workstation' }).gpu).toMatchObject({ enabled: true, defaultCount: 1, nodeLabel: 'nvidia.com/gpu.present' });
  });

  test('image overrides accept pinned references (tag or digest)', () => {
    expect(resolveConfig({ images: { mysql: 'localhost:32000/mysql:8.4.11' } }).images.mysql).toBe('localhost:32000/mysql:8.4.11');
    expect(problems({ images: { mysql: `mysql@sha256:${'a'.repeat(64)}` } })).toEqual([]);
  });
});

describe('bad input names the field and what was expected', () => {
  test.each([
    ['unknown top-level key', { domian: 'x.local' }, /unknown key "domian"/],
    ['unknown nested key', { gpu: { enabeld: true } }, /^gpu: unknown key "enabeld"/],
    ['unknown component in resources', { resources: { mysqll: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } } }, /^resources.*mysqll|^resources: /],
    ['wrong type', { gpu: { enabled: 'yes' } }, /^gpu\.enabled: expected true or false/],
    ['negative count', { gpu: { defaultCount: -1 } }, /^gpu\.defaultCount: expected a GPU count to be 0 or more/],
    ['fractional count', { gpu: { defaultCount: 1.5 } }, /^gpu\.defaultCount: expected a GPU count as a whole number/],
    ['bad memory quantity', { storage: { mysql: '4 GB' } }, /^storage\.mysql: expected a memory quantity such as "512Mi" or "4Gi".*got "4 GB"/],
    ['bad cpu quantity', { resources: { mysql: { requests: { cpu: 'one', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } } }, /^resources\.mysql\.requests\.cpu: expected a CPU quantity/],
    ['request above limit', { resources: { mysql: { requests: { cpu: '2', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } } }, /^resources\.mysql\.requests\.cpu: expected at most the limit 1/],
    ['malformed email', { users: ['alice@', 'bob@example.org'] }, /^users\.0\.email: expected an email address, got "alice@"/],
    ['users not a list', { users: 'bob@example.org' }, /^users: expected a list of users/],
    ['unknown profile', { profile: 'workstation' }, /^profile: expected one of "laptop", "gpu-workstation", "cluster"/],
    ['unknown object store', { objectStore: 's3' }, /^objectStore: expected "minio" or "seaweedfs"/],
    ['latest image', { images: { mysql: 'mysql:latest' } }, /^images\.mysql: expected a pinned image/],
    ['untagged image', { images: { minio: 'quay.io/minio/minio' } }, /^images\.minio: expected a pinned image/],
    ['seaweedfs with replicas', { objectStore: 'seaweedfs', storage: { objectStoreReplicas: 4 } }, /^storage\.objectStoreReplicas: expected 1 with objectStore "seaweedfs"/],
    ['minio with 2 replicas', { storage: { objectStoreReplicas: 2 } }, /^storage\.objectStoreReplicas: expected 1 \(single server\) or 4/],
    ['bad cron', { backup: { schedule: 'daily' } }, /^backup\.schedule: expected a five-field cron schedule/],
    ['zero backups kept', { backup: { keep: 0 } }, /^backup\.keep: expected at least 1/],
    ['bad domain', { domain: 'My Host' }, /^domain: expected a host name/],
    ['not a mapping', ['laptop'], /^\(top level\): expected a mapping/],
  ])('%s', (_name, input, message) => {
    const p = problems(input);
    expect(p.length).toBeGreaterThan(0);
    expect(p.some((m) => message.test(m))).toBe(true);
  });

  test('every problem is reported at once, not just the first', () => {
    expect(problems({ gpu: { defaultCount: -1 }, storage: { mysql: '4 GB' }, users: ['x'] })).toHaveLength(3);
  });

  test('the error message lists each problem on its own line', () => {
    expect(() => resolveConfig({ storage: { mysql: '4 GB' } }, 'my.yaml')).toThrow(/invalid microflow configuration \(my\.yaml\):\n {2}- storage\.mysql: /);
  });
});
