/**
 * preflight's verdicts at their edges, against a scripted kubectl and a fake host root: what stops it,
 * a check that cannot run, the objects each check counts or skips, the exact capacity limits, what
 * the cluster returns for real (nodes with every condition, pods without labels or requests), and
 * kube-apiserver command lines. The main cases are in preflight.test.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { apiServerIsLocal, MICROK8S_APISERVER_ARGS, preflight, renderedRequests, type Manifest } from '../../lib/deploy';
import { BIG_NODE, byName, deployment, healthy, laptop, list, node, version, writeGoodHost } from './preflight-fixtures';
import { scriptedKubectl, type Rule, type Scripted } from './scripted';

let k: Scripted;
let host: string;
beforeEach(() => {
  k = scriptedKubectl('microflow-preflight-');
  host = path.join(k.dir, 'host');
});
afterEach(() => {
  jest.restoreAllMocks();
  k.cleanup();
});
const run = (objects: Manifest[] = []) => preflight(laptop, objects, { kubectl: k.bin, hostRoot: host });
const checked = (rules: Rule[], objects: Manifest[] = []) => {
  writeGoodHost(host);
  k.script(healthy(rules));
  return run(objects);
};
const hpa = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' } } as Manifest;
const forbidden = (when: string): Rule => ({ when, code: 1, stderr: `Error from server (Forbidden): ${when} is forbidden\n` });

test('a healthy host: the ok messages of the checks on the node; the exact kubectl calls for the version and the API server address', () => {
  const checks = checked([]);
  expect(byName(checks, 'inotify limits').message).toBe('fs.inotify limits are high enough');
  expect(byName(checks, 'encryption at rest').message).toBe('kube-apiserver has --encryption-provider-config');
  expect(k.calls()).toContain('version -o json --request-timeout=10s');
  expect(k.calls()).toContain('config view --minify -o jsonpath={.clusters[0].cluster.server}');
});

test('an unsupported Kubernetes version stops preflight after the version check', () => {
  writeGoodHost(host);
  k.script(healthy([version('27')]));
  expect(run().map((c) => [c.name, c.level])).toEqual([['cluster reachable', 'ok'], ['Kubernetes version', 'fail']]);
  expect(k.calls()).toEqual(['config current-context', 'version -o json --request-timeout=10s']);
});

describe('a check that cannot run fails under its own name; the others still run', () => {
  test.each([
    ['storage class', [forbidden('get storageclasses')], () => undefined],
    ['node capacity', [forbidden('get nodes')], () => undefined],
    ['metrics-server', [forbidden('get apiservice')], () => undefined],
    ['inotify limits', [], () => fs.rmSync(`${host}/proc/sys/fs/inotify`, { recursive: true })],
    // A directory where the argument file should be: it exists but cannot be read.
    ['encryption at rest', [], () => { fs.rmSync(`${host}${MICROK8S_APISERVER_ARGS}`); fs.mkdirSync(`${host}${MICROK8S_APISERVER_ARGS}`); }],
  ])('%s', (name, rules, breakHost) => {
    writeGoodHost(host);
    breakHost();
    k.script(healthy([...rules, { when: 'get apiservice', stdout: { status: { conditions: [{ type: 'Available', status: 'True' }] } } }]));
    const checks = run([hpa]);
    expect(byName(checks, name).level).toBe('fail');
    expect(checks.filter((c) => c.level === 'fail')).toHaveLength(1);
    expect(checks).toHaveLength(8);
  });
});

test('storage classes: a claim without a class (the default one) and a PersistentVolume\'s class are not checked', () => {
  const pvc = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'p' }, spec: {} } as Manifest;
  const pv = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'v' }, spec: { storageClassName: 'manual' } } as Manifest;
  expect(checked([], [pvc, pv]).filter((c) => c.name === 'storage class').map((c) => c.message)).toEqual(['StorageClass "microk8s-hostpath" (microk8s.io/hostpath, not expandable)']);
});

test('rendered requests count DaemonSets; containers without requests (none, or `resources: {}`) count nothing', () => {
  expect(renderedRequests([deployment(undefined, '250m', '1Gi', 'DaemonSet')])).toEqual({ cpu: 250, memory: 2 ** 30 });
});

describe('node capacity', () => {
  const capacity = (rules: Rule[], objects: Manifest[]) => byName(checked(rules, objects), 'node capacity');
  test('nodes as the kubelet reports them (every condition): Ready ones count, a Ready=False one under disk pressure does not', () => {
    const conditions = (ready: string, disk: string) => [
      { type: 'MemoryPressure', status: 'False' }, { type: 'DiskPressure', status: disk }, { type: 'PIDPressure', status: 'False' }, { type: 'Ready', status: ready },
    ];
    const nodes = list([node('up', '8', '16Gi', { status: { allocatable: { cpu: '8', memory: '16Gi' }, conditions: conditions('True', 'False') } }),
      node('full', '8', '16Gi', { status: { allocatable: { cpu: '8', memory: '16Gi' }, conditions: conditions('False', 'True') } })]);
    expect(capacity([{ when: 'get nodes -o json', stdout: nodes }], []).message).toMatch(/; 1 node\(s\) offer 8000m \/ 16\.0Gi,/);
  });
  test('other pods as the API returns them: without labels, or a container with `resources: {}`, still count', () => {
    const pods = list([
      { metadata: { name: 'bare' }, spec: { nodeName: 'n1', containers: [{ name: 'c', resources: { requests: { cpu: '1', memory: '1Gi' } } }] } },
      { metadata: { name: 'no-requests', labels: { app: 'x' } }, spec: { nodeName: 'n1', containers: [{ name: 'c', resources: {} }] } },
    ]);
    expect(capacity([{ when: 'get pods', stdout: pods }], []).message).toContain('of which other pods request 1000m / 1.0Gi');
  });
  test('memory other pods request is not free: a render that fits the node but not what is left fails', () => {
    const pods = list([{ metadata: { name: 'big' }, spec: { nodeName: 'n1', containers: [{ resources: { requests: { cpu: '100m', memory: '10Gi' } } }] } }]);
    expect(capacity([{ when: 'get pods', stdout: pods }], [deployment(1, '1', '8Gi')]).level).toBe('fail');
  });
  test('a render that needs exactly what is free fits (a warning, not a failure)', () => {
    expect(capacity([BIG_NODE], [deployment(1, '8', '1Gi')]).level).toBe('warn');
    expect(capacity([BIG_NODE], [deployment(1, '1', '16Gi')]).level).toBe('warn');
  });
});

describe('metrics-server', () => {
  const metrics = (rules: Rule[], objects: Manifest[]) => byName(checked(rules, objects), 'metrics-server');
  test('objects other than autoscalers do not need it (and it is not asked)', () => {
    expect(metrics([], [deployment(1, '1', '1Gi')]).message).toBe('not needed (no HorizontalPodAutoscaler in this profile)');
    expect(k.calls().filter((c) => c.includes('apiservice'))).toEqual([]);
  });
  test.each([
    ['registered, no status yet', {}],
    ['other conditions True, Available False', { status: { conditions: [{ type: 'Other', status: 'True' }, { type: 'Available', status: 'False' }] } }],
  ])('%s: not Available', (_what, svc) => {
    expect(metrics([{ when: 'get apiservice', stdout: { metadata: { name: 'v1beta1.metrics.k8s.io' }, ...svc } }], [hpa]).message).toContain('which is not Available');
  });
});

describe('the API server\'s address', () => {
  const isLocal = (server: string) => {
    k.script([{ when: 'config view --minify', stdout: `${server}\n` }]);
    return apiServerIsLocal({ kubectl: k.bin });
  };
  test('all of 127.0.0.0/8 is loopback, not just the address the interface lists', () => {
    expect(isLocal('https://127.0.0.2:16443')).toBe(true);
  });
  test('loopback names are local even on a machine whose interfaces list none', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- spy on the os module itself, which lib/'s import reads through
    jest.spyOn(require('os'), 'networkInterfaces').mockReturnValue({});
    expect(['https://[::1]:6443', 'https://127.0.0.1:6443', 'https://localhost:6443', 'https://192.0.2.10:6443'].map(isLocal)).toEqual([true, true, true, false]);
  });
});

describe('kube-apiserver\'s command line (no microk8s argument file)', () => {
  const encryption = (procs: Record<string, string[] | null>, keepProc = true) => {
    writeGoodHost(host);
    fs.rmSync(`${host}${MICROK8S_APISERVER_ARGS}`);
    if (!keepProc) fs.rmSync(`${host}/proc`, { recursive: true });
    for (const [pid, argv] of Object.entries(procs)) {
      fs.mkdirSync(`${host}/proc/${pid}`, { recursive: true });
      if (argv) fs.writeFileSync(`${host}/proc/${pid}/cmdline`, `${argv.join('\0')}\0`);
    }
    k.script(healthy());
    return byName(run(), 'encryption at rest');
  };
  test('the flag and its file as two arguments count as the flag given', () => {
    expect(encryption({ 42: ['kube-apiserver', '--encryption-provider-config', '/etc/enc.yaml'] }).level).toBe('ok');
  });
  test('a process gone before its command line is read is skipped', () => {
    expect(encryption({ 41: null, 42: ['/usr/bin/kube-apiserver', '--encryption-provider-config=/etc/enc.yaml'] }).level).toBe('ok');
  });
  test('no /proc to read: left for the user to check', () => {
    expect(encryption({}, false)).toMatchObject({ level: 'manual', message: expect.stringContaining('no kube-apiserver configuration found on this machine') });
  });
});
