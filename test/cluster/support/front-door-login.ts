/**
 * The login's programs for the front door tier (test/cluster/front-door.test.ts), inside its network
 * namespace: the login-secrets Job as rendered (real htpasswd and kubectl), Dex and oauth2-proxy with
 * their rendered command lines, config files and Secrets (read from the API server, as the kubelet
 * would), each with its own ServiceAccount's token where it talks to the API server. Substitutions
 * are listed in the test file's header.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Manifest } from '../../../lib/deploy';
import { DEX, OAUTH2_PROXY } from '../../../lib/auth';
import { find, podEnv, PROGRAMS, runJob, saKubeconfig, secretData } from './front-door';
import { k, waitFor } from './kube';
import type { Netns, Proc } from './netns';

/** Runs the rendered login-secrets Job: users' passwords and hashes, Dex's client secret, oauth2-proxy's. */
export async function runLoginSecretsJob(dir: string, objects: Manifest[]): Promise<void> {
  await runJob(dir, find(objects, 'Job', 'login-secrets', 'auth'));
}

/** The Secrets a container's env names, read from the API server. */
async function secretsOf(container: any, namespace: string): Promise<Record<string, Record<string, string>>> {
  const names = new Set<string>((container.env ?? []).map((e: any) => e.valueFrom?.secretKeyRef?.name).filter(Boolean));
  return Object.fromEntries(await Promise.all([...names].map(async (n) => [n, await secretData(namespace, n)] as const)));
}

/** Writes ConfigMap `namespace/name`'s keys (the render's) into `folder`, as its volume would. */
function writeConfigMap(objects: Manifest[], namespace: string, name: string, folder: string): void {
  fs.mkdirSync(folder, { recursive: true });
  for (const [key, text] of Object.entries(find(objects, 'ConfigMap', name, namespace).data as Record<string, string>)) fs.writeFileSync(path.join(folder, key), text);
}

/** Every mount path in `text` followed by `/` rewritten into `work`, in one pass (the longest first). */
function underWork(text: string, mounts: string[], work: string): string {
  const alternatives = [...mounts].sort((x, y) => y.length - x.length).map((m) => m.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
  return text.replace(new RegExp(`(${alternatives.join('|')})/`, 'g'), (m) => work + m);
}

/**
 * Dex: `dex serve <config>` with the rendered ConfigMap, env from its Secrets, and its Kubernetes
 * storage authenticating as ServiceAccount auth/dex. The one change to the file: the storage's
 * `inCluster: true` (the pod's mounted token and KUBERNETES_SERVICE_HOST) becomes `kubeConfigFile`
 * with a token of the same ServiceAccount. Listens where it says (0.0.0.0:5556, inside).
 */
export async function startDex(ns: Netns, dir: string, objects: Manifest[], edit: (config: string) => string = (c) => c): Promise<Proc> {
  const namespace = 'auth';
  const work = path.join(dir, 'dex');
  const pod = find(objects, 'Deployment', DEX.name, namespace).spec.template.spec;
  const c = pod.containers[0];
  const mount = c.volumeMounts.find((m: any) => m.name === 'config').mountPath;
  const volume = pod.volumes.find((v: any) => v.name === 'config');
  fs.rmSync(work, { recursive: true, force: true });
  writeConfigMap(objects, namespace, volume.configMap.name, path.join(work, mount));
  const file = path.join(work, mount, 'config.yaml');
  const kubeconfig = await saKubeconfig(work, namespace, pod.serviceAccountName);
  const config = fs.readFileSync(file, 'utf8');
  if (!/^ {4}inCluster: true$/m.test(config)) throw new Error(`Dex's rendered storage is not inCluster:\n${config}`);
  fs.writeFileSync(file, edit(config.replace(/^ {4}inCluster: true$/m, `    kubeConfigFile: ${kubeconfig}`)));
  const env = podEnv(c, { 'metadata.namespace': namespace }, await secretsOf(c, namespace));
  const [, ...args] = c.command;
  const dex = ns.spawn('dex', PROGRAMS.dex(), args.map((a: string) => underWork(a, [mount], work)), { cwd: work, env: { ...env, HOME: work } });
  await waitFor('Dex to serve its discovery document', async () => {
    if (dex.child.exitCode !== null) throw new Error(`Dex exited:\n${dex.log()}`);
    return (await ns.exec('curl', ['-sf', '-o', '/dev/null', `http://127.0.0.1:${DEX.port}${DEX.pathPrefix}.well-known/openid-configuration`], work)).code === 0;
  }, 120_000, async () => dex.log());
  return dex;
}

/**
 * oauth2-proxy: the rendered args (its config file and allow list from the ConfigMap, the cluster
 * CA from kube-root-ca.crt, as mounted) and its two Secrets; it listens where it says (0.0.0.0:4180
 * and :44180, inside). It reads the service-account issuer's discovery document at start.
 */
export async function startOAuth2Proxy(ns: Netns, dir: string, objects: Manifest[]): Promise<Proc> {
  const namespace = OAUTH2_PROXY.name;
  const work = path.join(dir, 'oauth2-proxy');
  const pod = find(objects, 'Deployment', OAUTH2_PROXY.name, namespace).spec.template.spec;
  const c = pod.containers[0];
  const mounts: string[] = c.volumeMounts.map((m: any) => m.mountPath);
  for (const m of c.volumeMounts) {
    const volume = pod.volumes.find((v: any) => v.name === m.name);
    if (volume.configMap.name === 'kube-root-ca.crt') {
      // Published by the controller-manager in every namespace: the live one, not a render.
      const ca = JSON.parse(await k(['get', 'configmap', 'kube-root-ca.crt', '-n', namespace, '-o', 'json'])).data['ca.crt'];
      fs.mkdirSync(path.join(work, m.mountPath), { recursive: true });
      for (const item of volume.configMap.items) fs.writeFileSync(path.join(work, m.mountPath, item.path), ca);
    } else {
      writeConfigMap(objects, namespace, volume.configMap.name, path.join(work, m.mountPath));
    }
  }
  const env = podEnv(c, { 'metadata.namespace': namespace }, await secretsOf(c, namespace));
  const args = c.args.map((a: string) => underWork(a, mounts, work));
  const proxy = ns.spawn('oauth2-proxy', PROGRAMS.oauth2Proxy(), args, { cwd: work, env });
  await waitFor('oauth2-proxy to be ready', async () => {
    if (proxy.child.exitCode !== null) throw new Error(`oauth2-proxy exited:\n${proxy.log()}`);
    return (await ns.exec('curl', ['-sf', '-o', '/dev/null', `http://127.0.0.1:${OAUTH2_PROXY.port}${OAUTH2_PROXY.readyPath}`], work)).code === 0;
  }, 120_000, async () => proxy.log());
  return proxy;
}
