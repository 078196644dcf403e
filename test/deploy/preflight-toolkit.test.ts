/**
 * Preflight's nvidia-container-toolkit line (issue #18, path 11): with GPUs on, a toolkit older than
 * 1.17.8 (container escapes, CVE-2025-23266) stops the deploy; a version that cannot be read is a
 * line to check by hand, never ok; with GPUs off there is no line at all. The version is read from
 * the GPU operator's toolkit DaemonSet, scripted here as `kubectl get daemonsets -A` lists it.
 */
import * as path from 'path';
import { CONTAINER_TOOLKIT, imageVersion, preflight, type Check } from '../../lib/deploy';
import { gpuOn, healthy, laptop, list, TOOLKIT_LIST, toolkitDaemonSet, writeGoodHost } from './preflight-fixtures';
import { scriptedKubectl, type Rule, type Scripted } from './scripted';

let k: Scripted;
beforeEach(() => {
  k = scriptedKubectl('microflow-preflight-toolkit-');
  writeGoodHost(path.join(k.dir, 'host'));
});
afterEach(() => k.cleanup());

const IMAGE = 'nvcr.io/nvidia/k8s/container-toolkit';
const WHERE = 'DaemonSet gpu-operator-resources/nvidia-container-toolkit-daemonset';
const BY_HAND = 'on each GPU node run `nvidia-ctk --version`: older than 1.17.8 lets a GPU container escape to the host (CVE-2025-23266)';
const FIX = 'GPU operator 25.3.1 and later ship a fixed toolkit; on microk8s: `microk8s disable nvidia`, then `microk8s enable nvidia --gpu-operator-version v25.10.0` (or set gpu.enabled: false)';

/** Every check of a GPU configuration, against a healthy cluster plus `rules`. */
const checks = (rules: Rule[], config = gpuOn): Check[] => {
  k.script(healthy(rules));
  return preflight(config, [], { kubectl: k.bin, hostRoot: path.join(k.dir, 'host') });
};
const toolkit = (rules: Rule[]) => checks(rules).filter((c) => c.name === 'nvidia-container-toolkit');
const listing = (...sets: object[]): Rule => ({ when: TOOLKIT_LIST, stdout: list(sets) });

test('the floor is 1.17.8 and the fix names GPU operator v25.10.0', () => {
  expect(CONTAINER_TOOLKIT.minimum).toBe('1.17.8');
  expect(CONTAINER_TOOLKIT.operator).toBe('v25.10.0');
});

describe('the version read from the toolkit DaemonSet', () => {
  test('older than 1.17.8 (GPU operator 25.3.0, microk8s 1.33\'s default): FAIL naming the version, where it runs and the fix', () => {
    expect(toolkit([listing(toolkitDaemonSet(`${IMAGE}:v1.17.5-ubuntu20.04`))])).toEqual([{
      name: 'nvidia-container-toolkit', level: 'fail',
      message: `1.17.5 (${WHERE}) is older than 1.17.8: a GPU container can escape to the host (CVE-2025-23266). ${FIX}`,
    }]);
  });

  test.each([
    ['1.14.3 (microk8s 1.28–1.31\'s default operator)', 'v1.14.3-ubuntu20.04', '1.14.3'],
    ['1.16.2 (microk8s 1.32\'s)', 'v1.16.2-ubuntu20.04', '1.16.2'],
    ['1.17.7, one patch short', 'v1.17.7', '1.17.7'],
    ['1.16.99: an older minor with a larger patch', 'v1.16.99', '1.16.99'],
    ['0.99.99: an older major', '0.99.99', '0.99.99'],
  ])('%s fails', (_what, tag, version) => {
    expect(toolkit([listing(toolkitDaemonSet(`${IMAGE}:${tag}`))])).toMatchObject([{ level: 'fail', message: expect.stringMatching(new RegExp(`^${version.replace(/\./g, '\\.')} \\(`)) }]);
  });

  test.each([
    ['exactly 1.17.8 (GPU operator 25.3.1/25.3.2)', 'v1.17.8-ubuntu20.04', '1.17.8'],
    ['1.17.10: compared as numbers, not text', 'v1.17.10', '1.17.10'],
    ['1.18.0 (GPU operator 25.10.0)', 'v1.18.0', '1.18.0'],
    ['2.0.0', 'v2.0.0', '2.0.0'],
    ['a tag and a digest', 'v1.20.0@sha256:0123abcd', '1.20.0'],
  ])('%s is ok', (_what, tag, version) => {
    expect(toolkit([listing(toolkitDaemonSet(`${IMAGE}:${tag}`))])).toEqual([
      { name: 'nvidia-container-toolkit', level: 'ok', message: `${version} (${WHERE}), not older than 1.17.8` },
    ]);
  });

  test('one line per toolkit DaemonSet (an operator in another namespace too); an old one fails whatever the others say', () => {
    const lines = toolkit([listing(toolkitDaemonSet(`${IMAGE}:v1.18.0`), toolkitDaemonSet(`${IMAGE}:v1.14.3`, 'gpu-operator'))]);
    expect(lines.map((c) => [c.level, c.message.split(' is ')[0].split(', ')[0]])).toEqual([
      ['ok', `1.18.0 (${WHERE})`],
      ['fail', '1.14.3 (DaemonSet gpu-operator/nvidia-container-toolkit-daemonset)'],
    ]);
  });

  test('the line comes right after the GPU checks', () => {
    const runtime = { when: `get runtimeclass ${gpuOn.gpu.runtimeClassName}`, stdout: { handler: 'nvidia' } };
    const gpuNodes = { when: `get nodes -l ${gpuOn.gpu.nodeLabel}=true`, stdout: list([{ metadata: { name: 'a' }, status: { allocatable: { 'nvidia.com/gpu': '1' } } }]) };
    const names = checks([runtime, gpuNodes, listing(toolkitDaemonSet(`${IMAGE}:v1.18.0`))]).map((c) => c.name);
    expect(names.slice(2, 6)).toEqual(['storage class', 'GPU runtime', 'GPU node', 'nvidia-container-toolkit']);
  });
});

describe('a version that cannot be read: CHECK with the command to run, never ok', () => {
  test('no toolkit DaemonSet (a toolkit the operator does not manage)', () => {
    expect(toolkit([listing()])).toEqual([{
      name: 'nvidia-container-toolkit', level: 'manual',
      message: `no DaemonSet labelled app=nvidia-container-toolkit-daemonset (the GPU operator's toolkit), so its version cannot be read from the cluster: ${BY_HAND}`,
    }]);
  });

  test.each([
    ['a digest only', `${IMAGE}@sha256:0123abcd`],
    ['no tag', IMAGE],
    ['a tag without a version', `${IMAGE}:latest`],
    ['a four-part version', `${IMAGE}:v1.17.8.1`],
  ])('an image with %s', (_what, image) => {
    expect(toolkit([listing(toolkitDaemonSet(image))])).toEqual([{
      name: 'nvidia-container-toolkit', level: 'manual', message: `${WHERE} runs ${image}, whose tag names no version: ${BY_HAND}`,
    }]);
  });

  test('a DaemonSet without the toolkit container', () => {
    expect(toolkit([listing(toolkitDaemonSet(`${IMAGE}:v1.18.0`, 'gpu-operator-resources', 'renamed'))])).toEqual([{
      name: 'nvidia-container-toolkit', level: 'manual', message: `${WHERE} has no container nvidia-container-toolkit-ctr: ${BY_HAND}`,
    }]);
  });

  test('DaemonSets that may not be listed: the API\'s reason, and the command', () => {
    const forbidden = 'Error from server (Forbidden): daemonsets.apps is forbidden: User "bob" cannot list resource "daemonsets" in API group "apps" at the cluster scope';
    expect(toolkit([{ when: TOOLKIT_LIST, code: 1, stderr: `${forbidden}\n` }])).toEqual([{
      name: 'nvidia-container-toolkit', level: 'manual', message: `cannot list the GPU operator's DaemonSets (${forbidden}): ${BY_HAND}`,
    }]);
  });
});

test('GPUs off: no line, and the DaemonSets are not asked for', () => {
  const all = checks([listing(toolkitDaemonSet(`${IMAGE}:v1.14.3`))], laptop);
  expect(all.filter((c) => c.name === 'nvidia-container-toolkit')).toEqual([]);
  expect(k.calls().filter((c) => c.includes('daemonsets'))).toEqual([]);
});

test.each([
  ['registry.local:5000/k8s/container-toolkit:v1.17.8', '1.17.8'],
  ['container-toolkit:1.18.0-ubi9', '1.18.0'],
  ['registry.local:5000/k8s/container-toolkit', undefined],
  ['registry.local:5000/k8s/container-toolkit@sha256:0123', undefined],
  ['nvcr.io/nvidia/k8s/container-toolkit:v1.17', undefined],
])('imageVersion(%s) is %s', (image, version) => {
  expect(imageVersion(image)).toBe(version);
});
