import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ConfigError, cpuMillis, loadConfigFile, memoryBytes, PROFILE_DEFAULTS, resolveConfig } from '../../lib/config';
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
    ['unknown top-level key', { domian: 'x.local' }, /^unknown key "domian" \(check the spelling; see README "Configuration"\)$/],
    ['two unknown keys', { domian: 'x.local', user: [] }, /^unknown keys "domian", "user" \(check the spelling/],
    ['bad GPU node label', { gpu: { nodeLabel: 'nvidia.com/gpu present' } }, /^gpu\.nodeLabel: expected a Kubernetes label key such as "nvidia\.com\/gpu\.present", got "nvidia\.com\/gpu present"$/],
    ['same node port twice', { gateway: { nodePorts: { http: 30080, https: 30080 } } }, /^gateway\.nodePorts\.https: expected a node port other than the HTTP one \(30080\)$/],
    ['bad GitOps URL', { gitops: { repoURL: 'github.com/me', revision: 'main', path: 'dist' } }, /^gitops\.repoURL: expected a Git URL such as "https:\/\/github\.com\/me\/platform\.git" or "ssh:\/\/git@host\/me\/platform\.git", got "github\.com\/me"$/],
    ['bad GitOps revision', { gitops: { repoURL: 'https://github.com/me/p.git', revision: 'main branch', path: 'dist' } }, /^gitops\.revision: expected a branch name or commit SHA, got "main branch"$/],
    ['GitOps path outside the repository', { gitops: { repoURL: 'https://github.com/me/p.git', revision: 'main', path: '../dist' } }, /^gitops\.path: expected a relative path inside the repository such as "dist" or "clusters\/laptop\/dist", got "\.\.\/dist"$/],
    ['memory request above limit', { resources: { minio: { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '1', memory: '1Gi' } } } }, /^resources\.minio\.requests\.memory: expected at most the limit 1Gi, got 2Gi$/],
    ['unknown nested key', { gpu: { enabeld: true } }, /^gpu: unknown key "enabeld"/],
    ['unknown key in storage', { storage: { mysqll: '1Gi' } }, /^storage: unknown key "mysqll"/],
    ['unknown key in backup', { backup: { kep: 3 } }, /^backup: unknown key "kep"/],
    ['unknown key in a component\'s resources', { resources: { mysql: { request: { cpu: '1', memory: '1Gi' } } } }, /^resources\.mysql: unknown key "request"/],
    ['unknown key three levels down', { resources: { minio: { requests: { cpu: '1', memory: '1Gi', gpu: '1' } } } }, /^resources\.minio\.requests: unknown key "gpu"/],
    ['unknown key in limits', { resources: { mysql: { limits: { cpus: '2' } } } }, /^resources\.mysql\.limits: unknown key "cpus"/],
    ['unknown image key', { images: { postgres: 'postgres:16.1' } }, /^images: unknown key "postgres"/],
    ['unknown component in resources', { resources: { mysqll: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } } }, /^resources: unknown key "mysqll"/],
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
    expect(problems(input)).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
  });

  test.each([
    ['an unknown profile', { profile: 'workstation' }, 'profile: expected one of "laptop", "gpu-workstation", "cluster", got "workstation"'],
    ['SeaweedFS with 2 replicas', { objectStore: 'seaweedfs', storage: { objectStoreReplicas: 2 } }, 'storage.objectStoreReplicas: expected 1 with objectStore "seaweedfs" (microflow runs it as one server), got 2'],
    ['a null section', { gpu: null }, 'gpu: Invalid input: expected object, received null'],
  ])('%s raises exactly one problem', (_name, input, message) => {
    expect(problems(input)).toEqual([expect.stringMatching(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))]);
  });

  test('SeaweedFS with its one replica, and distributed MinIO, are fine', () => {
    expect(problems({ objectStore: 'seaweedfs', storage: { objectStoreReplicas: 1 } })).toEqual([]);
    expect(problems({ storage: { objectStoreReplicas: 4 } })).toEqual([]);
  });

  test('requests equal to limits are fine', () => {
    const same = { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '0.5', memory: '1024Mi' } };
    expect(resolveConfig({ resources: { mysql: same } }).resources.mysql).toEqual(same);
  });

  test('a section given as undefined (library users) keeps the profile\'s', () => {
    expect(resolveConfig({ gpu: undefined } as any).gpu).toEqual(PROFILE_DEFAULTS.laptop.gpu);
  });

  test('every problem is reported at once, not just the first', () => {
    expect(problems({ gpu: { defaultCount: -1 }, storage: { mysql: '4 GB' }, users: ['x'] })).toHaveLength(3);
  });

  test('the error message names the source and lists each problem on its own line', () => {
    let error: ConfigError | undefined;
    try {
      resolveConfig({ gpu: { defaultCount: -1 }, backup: { keep: 0 } });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.name).toBe('ConfigError');
    expect(error!.source).toBe('configuration object');
    expect(error!.message).toBe([
      'invalid microflow configuration (configuration object):',
      '  - gpu.defaultCount: expected a GPU count to be 0 or more',
      '  - backup.keep: expected at least 1 backup to keep',
    ].join('\n'));
  });
});

describe('configuration files', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-config-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = (text: string) => {
    const f = path.join(dir, 'microflow.yaml');
    fs.writeFileSync(f, text);
    return f;
  };
  const problemsOf = (f: string) => {
    try {
      loadConfigFile(f);
      return [];
    } catch (e) {
      expect((e as ConfigError).source).toBe(f);
      return (e as ConfigError).problems;
    }
  };

  test('a file overrides its profile', () => {
    expect(loadConfigFile(file('profile: cluster\nstorageClass: fast\n'))).toEqual({ ...PROFILE_DEFAULTS.cluster, storageClass: 'fast' });
  });

  test('an empty or comment-only file is the laptop profile', () => {
    expect(loadConfigFile(file(''))).toEqual(PROFILE_DEFAULTS.laptop);
    expect(loadConfigFile(file('# nothing to change yet\n'))).toEqual(PROFILE_DEFAULTS.laptop);
  });

  test('an unreadable file, broken YAML and bad values are problems of that file', () => {
    expect(problemsOf(path.join(dir, 'missing.yaml'))).toEqual([expect.stringMatching(/^cannot read the file: ENOENT: no such file or directory/)]);
    expect(problemsOf(file('gpu: [\n'))).toEqual([expect.stringMatching(/^not valid YAML: .*microflow\.yaml/)]);
    expect(problemsOf(file('gpu:\n  enabled: "yes"\n'))).toEqual(['gpu.enabled: expected true or false']);
    expect(problemsOf(file('profile: laptop\n---\nprofile: cluster\n'))).toEqual(['expected one YAML document, found 2']);
  });
});

describe('quantities', () => {
  test.each([['250m', 250], ['2', 2000], ['0.5', 500], ['1.25', 1250]])('cpu %s is %d millicores', (q, m) => expect(cpuMillis(q)).toBe(m));
  test.each([['1Gi', 2 ** 30], ['1.5Mi', 1.5 * 2 ** 20], ['1.25Gi', 1.25 * 2 ** 30], ['512', 512], ['2k', 2000], ['3G', 3e9]])('memory %s is %d bytes', (q, b) => expect(memoryBytes(q)).toBe(b));
  test.each(['4 GB', ' 1Gi', '1Gi ', '1Gb', 'Gi', '1.Gi'])('memory %j is refused', (q) => {
    expect(() => memoryBytes(q)).toThrow(`not a memory quantity: ${q}`);
  });
});
