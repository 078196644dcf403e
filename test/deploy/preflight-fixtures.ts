/**
 * What preflight's tests (preflight.test.ts, preflight-edges.test.ts) build clusters and hosts from:
 * scripted-kubectl rules for a healthy local microk8s, nodes, rendered workloads, a good host root.
 */
import * as fs from 'fs';
import * as path from 'path';
import { resolveConfig } from '../../lib/config';
import { INOTIFY_MINIMUM, MICROK8S_APISERVER_ARGS, type Check, type Manifest } from '../../lib/deploy';
import type { Rule } from './scripted';

export const laptop = resolveConfig({ profile: 'laptop' });
export const gpuOn = resolveConfig({ profile: 'gpu-workstation' });
export const LOCAL = { when: 'config view --minify', stdout: 'https://127.0.0.1:16443' };
export const REMOTE = { when: 'config view --minify', stdout: 'https://192.0.2.10:6443' };
export const version = (minor: string, gitVersion = `v1.${minor}.2`) => ({ when: 'version -o json', stdout: { serverVersion: { major: '1', minor, gitVersion } } });
export const list = (items: object[]) => ({ items });
export const node = (name: string, cpu: string, memory: string, extra: object = {}) => ({
  metadata: { name }, spec: {}, status: { allocatable: { cpu, memory }, conditions: [{ type: 'Ready', status: 'True' }] }, ...extra,
});
export const HOSTPATH = { when: 'get storageclasses', stdout: list([{ metadata: { name: 'microk8s-hostpath' }, provisioner: 'microk8s.io/hostpath' }]) };
export const BIG_NODE = { when: 'get nodes -o json', stdout: list([node('n1', '8', '16Gi')]) };
export const NO_PODS = { when: 'get pods', stdout: list([]) };
/** A host root (under a test's folder) whose inotify limits are high enough and whose microk8s encrypts Secrets. */
export function writeGoodHost(host: string) {
  fs.mkdirSync(`${host}/proc/sys/fs/inotify`, { recursive: true });
  for (const [k, v] of Object.entries(INOTIFY_MINIMUM)) fs.writeFileSync(`${host}/proc/sys/fs/inotify/${k}`, `${v}\n`);
  fs.mkdirSync(path.dirname(`${host}${MICROK8S_APISERVER_ARGS}`), { recursive: true });
  fs.writeFileSync(`${host}${MICROK8S_APISERVER_ARGS}`, '--secure-port=16443\n--encryption-provider-config=/var/snap/microk8s/current/args/enc.yaml\n');
}
export const healthy = (extra: Rule[] = []): Rule[] => [...extra, { when: 'config current-context', stdout: 'microk8s\n' }, version('30'), LOCAL, HOSTPATH, BIG_NODE, NO_PODS];
export const byName = (checks: Check[], name: string) => {
  const found = checks.filter((c) => c.name === name);
  expect(found).toHaveLength(1);
  return found[0];
};
export const deployment = (replicas: number | undefined, cpu: string, memory: string, kind = 'Deployment'): Manifest => ({
  apiVersion: 'apps/v1', kind, metadata: { name: 'w', namespace: 'kubeflow' },
  spec: { ...(replicas === undefined ? {} : { replicas }), template: { spec: { containers: [{ name: 'a', resources: { requests: { cpu, memory } } }, { name: 'b' }, { name: 'c', resources: {} }] } } },
} as Manifest);
/** The kubectl call that finds the GPU operator's toolkit DaemonSets. */
export const TOOLKIT_LIST = 'get daemonsets --all-namespaces -l app=nvidia-container-toolkit-daemonset';
/** The GPU operator's toolkit DaemonSet as that call lists it: an init container, then the toolkit's container running `image`. */
export const toolkitDaemonSet = (image: string, namespace = 'gpu-operator-resources', container = 'nvidia-container-toolkit-ctr') => ({
  metadata: { name: 'nvidia-container-toolkit-daemonset', namespace },
  spec: { template: { spec: {
    initContainers: [{ name: 'driver-validation', image: 'nvcr.io/nvidia/cloud-native/gpu-operator-validator:v25.10.0' }],
    containers: [{ name: container, image }],
  } } },
});
