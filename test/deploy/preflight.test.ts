/**
 * `npm run deploy`'s preflight against a scripted kubectl (test/deploy/scripted.ts) and a fake
 * host root: each check's verdict and the message that tells the user what to do. The control-plane
 * suite runs preflight against a real API server, where most checks can only come out one way.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { apiServerIsLocal, formatChecks, MICROK8S_APISERVER_ARGS, preflight, renderedRequests, SUPPORTED_KUBERNETES, type Manifest } from '../../lib/deploy';
import { LABEL } from '../../lib/platform/labels';
import { PART_OF } from '../../lib/platform/names';
import { byName, deployment, gpuOn, healthy, laptop, list, node, REMOTE, version, writeGoodHost } from './preflight-fixtures';
import { scriptedKubectl, type Rule, type Scripted } from './scripted';

let k: Scripted;
let host: string;
beforeEach(() => {
  k = scriptedKubectl('microflow-preflight-');
  host = path.join(k.dir, 'host');
});
afterEach(() => k.cleanup());
const script = (rules: Rule[]) => k.script(rules);
const calls = () => k.calls();

const goodHost = () => writeGoodHost(host);
const run = (objects: Manifest[] = [], config = laptop) => preflight(config, objects, { kubectl: k.bin, hostRoot: host });

describe('cluster reachable and Kubernetes version', () => {
  test('a healthy local microk8s: every check ok, in the documented order', () => {
    goodHost();
    script(healthy());
    const checks = run();
    expect(checks.map((c) => [c.name, c.level])).toEqual([
      ['cluster reachable', 'ok'], ['Kubernetes version', 'ok'], ['storage class', 'ok'], ['GPU', 'ok'],
      ['node capacity', 'ok'], ['metrics-server', 'ok'], ['inotify limits', 'ok'], ['encryption at rest', 'ok'],
    ]);
    expect(byName(checks, 'cluster reachable').message).toBe('context "microk8s", Kubernetes v1.30.2');
    expect(byName(checks, 'Kubernetes version').message).toBe('v1.30.2 is within the supported 1.28–1.37');
  });

  test('an unreachable cluster stops every other check and says where to look, with kubectl\'s last line', () => {
    script([{ when: 'config current-context', stdout: 'microk8s\n' }, { when: 'version -o json', code: 1, stderr: 'E1 first\nThe connection to the server 127.0.0.1:16443 was refused\n\n' }]);
    const checks = run();
    expect(checks).toEqual([{ name: 'cluster reachable', level: 'fail', message: expect.stringContaining('cannot reach the cluster of kubectl context "microk8s": ') }]);
    expect(checks[0].message).toContain('was refused. Is microk8s running');
    expect(checks[0].message).not.toContain('E1 first');
    expect(calls()).toHaveLength(2);
  });

  test('a kubeconfig without a current context is named "(none)"; a version without serverVersion fails', () => {
    script([{ when: 'config current-context', code: 1, stderr: 'error: current-context is not set\n' }, { when: 'version -o json', stdout: { clientVersion: {} } }]);
    expect(run()).toEqual([{ name: 'cluster reachable', level: 'fail', message: 'kubectl context "(none)" returned no server version' }]);
  });

  test.each([
    ['27', 'fail'], ['28', 'ok'], ['37', 'ok'], ['38', 'fail'], ['30+', 'ok'],
  ])('minor %s is %s', (minor, level) => {
    goodHost();
    script(healthy([version(minor, `v1.${minor.replace('+', '')}.0`)]));
    const check = byName(run(), 'Kubernetes version');
    expect(check.level).toBe(level);
    if (level === 'fail') expect(check.message).toMatch(/is outside the supported 1\.28–1\.37 \(install a supported microk8s channel/);
  });

  test('a major version other than 1 is not supported', () => {
    goodHost();
    script(healthy([{ when: 'version -o json', stdout: { serverVersion: { major: '2', minor: '30', gitVersion: 'v2.30.0' } } }]));
    expect(byName(run(), 'Kubernetes version').level).toBe('fail');
  });

  test('the supported range is the control-plane matrix\'s', () => {
    expect(SUPPORTED_KUBERNETES).toEqual({ minMinor: 28, maxMinor: 37 });
  });
});

describe('storage class', () => {
  const claims: Manifest[] = [
    { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 's' }, spec: { volumeClaimTemplates: [{ spec: { storageClassName: 'fast' } }, { spec: {} }] } } as Manifest,
    { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'p' }, spec: { storageClassName: 'slow' } } as Manifest,
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, spec: { volumeClaimTemplates: [{ spec: { storageClassName: 'ignored' } }] } } as Manifest,
  ];
  test('every class the claims ask for is checked; a missing one fails with the classes there are and the fix', () => {
    goodHost();
    script(healthy([{ when: 'get storageclasses', stdout: list([{ metadata: { name: 'fast' }, provisioner: 'p1', allowVolumeExpansion: true }, { metadata: { name: 'other' }, provisioner: 'p2' }]) }]));
    const checks = run(claims).filter((c) => c.name === 'storage class');
    expect(checks).toEqual([
      { name: 'storage class', level: 'ok', message: 'StorageClass "fast" (p1, expandable)' },
      { name: 'storage class', level: 'fail', message: 'StorageClass "slow" does not exist (have: fast, other). On microk8s: `microk8s enable hostpath-storage`; or set storageClass in your configuration.' },
    ]);
  });
  test('without claims the configured class is checked; "none" when the cluster has no class', () => {
    goodHost();
    script(healthy([{ when: 'get storageclasses', stdout: list([]) }]));
    expect(byName(run(), 'storage class').message).toBe(`StorageClass "${laptop.storageClass}" does not exist (have: none). On microk8s: \`microk8s enable hostpath-storage\`; or set storageClass in your configuration.`);
  });
  test('a class without expansion says so', () => {
    goodHost();
    script(healthy());
    expect(byName(run(), 'storage class').message).toBe('StorageClass "microk8s-hostpath" (microk8s.io/hostpath, not expandable)');
  });
});

describe('GPU', () => {
  const rc = { when: `get runtimeclass ${gpuOn.gpu.runtimeClassName}`, stdout: { handler: 'nvidia' } };
  const gpuNodes = (items: object[]) => ({ when: `get nodes -l ${gpuOn.gpu.nodeLabel}=true`, stdout: list(items) });
  const gpuNode = (name: string, n?: string) => node(name, '8', '16Gi', { status: { allocatable: { cpu: '8', memory: '16Gi', ...(n ? { 'nvidia.com/gpu': n } : {}) } } });
  const gpuChecks = (rules: Rule[]) => {
    goodHost();
    script(healthy(rules));
    return run([], gpuOn).filter((c) => c.name.startsWith('GPU'));
  };

  test('off in the configuration: nothing asked', () => {
    goodHost();
    script(healthy());
    expect(byName(run(), 'GPU')).toEqual({ name: 'GPU', level: 'ok', message: 'GPUs are off in this configuration' });
    expect(calls().filter((c) => c.includes('runtimeclass'))).toEqual([]);
  });
  test('runtime and labelled nodes with GPUs: ok, the GPUs summed over nodes', () => {
    expect(gpuChecks([rc, gpuNodes([gpuNode('a', '1'), gpuNode('b', '2')])])).toEqual([
      { name: 'GPU runtime', level: 'ok', message: `RuntimeClass "${gpuOn.gpu.runtimeClassName}" (handler nvidia)` },
      { name: 'GPU node', level: 'ok', message: 'a, b: 3 × nvidia.com/gpu' },
    ]);
  });
  test('no RuntimeClass, no labelled node: both fail with the microk8s command', () => {
    const [runtime, nodes] = gpuChecks([{ when: `get runtimeclass ${gpuOn.gpu.runtimeClassName}`, stdout: '' }, gpuNodes([])]);
    expect(runtime).toMatchObject({ level: 'fail', message: expect.stringContaining('does not exist: `microk8s enable nvidia` creates it') });
    expect(nodes).toMatchObject({ level: 'fail', message: `no node is labelled ${gpuOn.gpu.nodeLabel}=true: the GPU operator labels nodes with an NVIDIA GPU (\`microk8s enable nvidia\`), or set gpu.enabled: false` });
  });
  test('labelled nodes without allocatable GPUs point at the device plugin', () => {
    const [, nodes] = gpuChecks([rc, gpuNodes([gpuNode('a'), gpuNode('b', '0')])]);
    expect(nodes).toMatchObject({ level: 'fail', message: expect.stringMatching(/advertise no nvidia\.com\/gpu: is the NVIDIA device plugin running/) });
  });
  test('an API error while checking is reported as that check failing, cut to four lines, and the others still run', () => {
    const checks = gpuChecks([{ when: 'get runtimeclass', code: 1, stderr: 'l1\nl2\nl3\nl4\nl5\n' }]);
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ name: 'GPU', level: 'fail' });
    // kubectl's own heading line, then three of its error lines.
    expect(checks[0].message).toMatch(/^kubectl get runtimeclass .* failed \(exit 1\): l1 l2 l3$/);
    expect(checks[0].message).not.toContain('\n');
  });
});

describe('node capacity', () => {
  const capacityOf = (rules: Rule[], objects: Manifest[]) => {
    goodHost();
    script(healthy(rules));
    return byName(run(objects), 'node capacity');
  };

  test('rendered requests count replicas (1 when unset) of long-running kinds only', () => {
    expect(renderedRequests([deployment(3, '100m', '1Gi'), deployment(undefined, '1', '512Mi', 'StatefulSet'), deployment(2, '5', '5Gi', 'Job')]))
      .toEqual({ cpu: 1300, memory: 3.5 * 2 ** 30 });
  });
  test('ok with room; the message gives what microflow needs and what the nodes offer', () => {
    expect(capacityOf([], [deployment(2, '500m', '1Gi')])).toEqual({
      name: 'node capacity', level: 'ok', message: 'microflow requests 1000m CPU / 2.0Gi; 1 node(s) offer 8000m / 16.0Gi, of which other pods request 0m / 0.0Gi',
    });
  });
  test('above 85 % of what is free: a warning; above all of it: a failure', () => {
    expect(capacityOf([], [deployment(1, '7', '1Gi')]).level).toBe('warn');
    expect(capacityOf([], [deployment(1, '1', '14Gi')]).level).toBe('warn');
    expect(capacityOf([], [deployment(1, '6800m', '13.6Gi')]).level).toBe('ok');
    const fail = capacityOf([], [deployment(1, '9', '1Gi')]);
    expect(fail.level).toBe('fail');
    expect(fail.message).toMatch(/: not enough room \(pods would stay Pending\)\. Use a smaller profile or lower resources\.<component>\.$/);
    expect(capacityOf([], [deployment(1, '1', '17Gi')]).level).toBe('fail');
  });
  test('other software\'s scheduled pods take room; microflow\'s own pods and unscheduled pods do not', () => {
    const pod = (labels: object, nodeName: string | undefined, cpu: string) => ({ metadata: { labels }, spec: { nodeName, containers: [{ resources: { requests: { cpu, memory: '1Gi' } } }, {}] } });
    const pods = { when: 'get pods', stdout: list([pod({}, 'n1', '2'), pod({ [LABEL.instance]: PART_OF }, 'n1', '3'), pod({}, undefined, '3')]) };
    const check = capacityOf([pods], [deployment(1, '5500m', '1Gi')]);
    expect(check.message).toContain('of which other pods request 2000m / 1.0Gi');
    expect(check.level).toBe('warn');
    expect(calls()).toContain('get pods --all-namespaces --field-selector status.phase!=Succeeded,status.phase!=Failed -o json');
  });
  test('unschedulable and not-Ready nodes offer nothing; with none left the check fails', () => {
    const nodes = list([node('cordoned', '8', '16Gi', { spec: { unschedulable: true } }), { ...node('down', '8', '16Gi'), status: { allocatable: { cpu: '8', memory: '16Gi' }, conditions: [{ type: 'Ready', status: 'False' }] } }]);
    expect(capacityOf([{ when: 'get nodes -o json', stdout: nodes }], [])).toEqual({ name: 'node capacity', level: 'fail', message: 'no Ready, schedulable node' });
  });
});

describe('metrics-server', () => {
  const hpa = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' } } as Manifest;
  const check = (rules: Rule[], objects: Manifest[]) => {
    goodHost();
    script(healthy(rules));
    return byName(run(objects), 'metrics-server');
  };
  test('not needed without autoscalers (and not asked)', () => {
    expect(check([], [])).toMatchObject({ level: 'ok', message: 'not needed (no HorizontalPodAutoscaler in this profile)' });
    expect(calls().filter((c) => c.includes('apiservice'))).toEqual([]);
  });
  test('Available: ok; present but not Available, or absent: a warning with the addon to enable', () => {
    const svc = (status: string) => ({ when: 'get apiservice v1beta1.metrics.k8s.io', stdout: { status: { conditions: [{ type: 'Available', status }] } } });
    expect(check([svc('True')], [hpa, hpa])).toMatchObject({ level: 'ok', message: 'metrics.k8s.io is served (2 HorizontalPodAutoscalers)' });
    expect(check([svc('False')], [hpa])).toMatchObject({ level: 'warn', message: expect.stringContaining('1 HorizontalPodAutoscalers need metrics.k8s.io, which is not Available: `microk8s enable metrics-server`') });
    expect(check([{ when: 'get apiservice', stdout: '' }], [hpa])).toMatchObject({ level: 'warn', message: expect.stringContaining('which is not served') });
  });
});

describe('checks on the node itself', () => {
  test.each([
    ['https://127.0.0.1:16443', true], ['https://localhost:6443', true], ['https://[::1]:6443', true],
    ['https://192.0.2.10:6443', false], ['not a url', false],
  ])('API server %s is local: %s', (server, local) => {
    script([{ when: 'config view --minify', stdout: `${server}\n` }]);
    expect(apiServerIsLocal({ kubectl: k.bin })).toBe(local);
  });
  test('an address of one of this machine\'s interfaces is local', () => {
    const address = Object.values(os.networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.address.startsWith('127.'))?.address;
    if (!address) return; // a machine with loopback only has nothing else to try
    script([{ when: 'config view --minify', stdout: `https://${address}:16443` }]);
    expect(apiServerIsLocal({ kubectl: k.bin })).toBe(true);
  });

  test('a remote API server: inotify and encryption are left for the user to check, with the command', () => {
    script([...healthy([REMOTE])]);
    const checks = run();
    expect(byName(checks, 'inotify limits')).toMatchObject({ level: 'manual', message: expect.stringContaining('sudo sysctl fs.inotify.max_user_instances=1280 fs.inotify.max_user_watches=655360') });
    expect(byName(checks, 'encryption at rest')).toMatchObject({ level: 'manual', message: expect.stringContaining('cannot be seen from here') });
  });
  test('low inotify limits: a warning naming each low one with what it needs', () => {
    goodHost();
    fs.writeFileSync(`${host}/proc/sys/fs/inotify/max_user_instances`, '128\n');
    script(healthy());
    expect(byName(run(), 'inotify limits')).toMatchObject({ level: 'warn', message: expect.stringMatching(/^fs\.inotify\.max_user_instances is 128 \(needs 1280\): pods fail with "too many open files"/) });
    fs.writeFileSync(`${host}/proc/sys/fs/inotify/max_user_watches`, '8192');
    expect(byName(run(), 'inotify limits').message).toMatch(/^fs\.inotify\.max_user_instances is 128 \(needs 1280\), fs\.inotify\.max_user_watches is 8192 \(needs 655360\):/);
  });

  test('microk8s\' argument file without the flag: Secrets are unencrypted, a warning with the command', () => {
    goodHost();
    fs.writeFileSync(`${host}${MICROK8S_APISERVER_ARGS}`, '--secure-port=16443\n');
    script(healthy());
    expect(byName(run(), 'encryption at rest')).toMatchObject({ level: 'warn', message: expect.stringContaining('stored unencrypted in the datastore: npm run encryption-config') });
  });
  test('without microk8s, a running kube-apiserver\'s command line is read; other processes are ignored', () => {
    goodHost();
    fs.rmSync(`${host}${MICROK8S_APISERVER_ARGS}`);
    const proc = (pid: string, argv: string[]) => {
      fs.mkdirSync(`${host}/proc/${pid}`, { recursive: true });
      fs.writeFileSync(`${host}/proc/${pid}/cmdline`, `${argv.join('\0')}\0`);
    };
    proc('1', ['/sbin/init']);
    proc('42', ['/usr/local/bin/kube-apiserver', '--encryption-provider-config=/etc/enc.yaml']);
    proc('43', ['/usr/bin/kube-apiserver-wrapper', '--nothing']);
    fs.mkdirSync(`${host}/proc/self`, { recursive: true });
    script(healthy());
    expect(byName(run(), 'encryption at rest')).toMatchObject({ level: 'ok' });
    proc('44', ['kube-apiserver', '--secure-port=6443']);
    expect(byName(run(), 'encryption at rest')).toMatchObject({ level: 'warn' });
  });
  test('no kube-apiserver configuration at all on a local API server: left for the user to check', () => {
    goodHost();
    fs.rmSync(`${host}${MICROK8S_APISERVER_ARGS}`);
    script(healthy());
    expect(byName(run(), 'encryption at rest')).toMatchObject({ level: 'manual', message: expect.stringContaining('no kube-apiserver configuration found on this machine') });
  });
});

test('formatChecks marks each level so the eye finds failures', () => {
  expect(formatChecks([
    { name: 'a', level: 'ok', message: 'fine' }, { name: 'b', level: 'warn', message: 'hm' },
    { name: 'c', level: 'fail', message: 'no' }, { name: 'd', level: 'manual', message: 'look' },
  ])).toBe('ok    a: fine\nWARN  b: hm\nFAIL  c: no\nCHECK d: look');
});
