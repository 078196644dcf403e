/**
 * Starts the front door natively inside private network namespaces (support/netns.ts), from the
 * objects the stack applied: istiod, the JWKS relay, the ingress gateway (pilot-agent and Envoy), the
 * self-signed certificate Job's scripts, and echo backends behind the real Services. Each program runs
 * with the rendered command line and environment of its pod where it has one, and the token of its own
 * ServiceAccount; the substitutions (paths, an address, an unused port) are listed in
 * test/cluster/front-door.test.ts's header, the one place that names them.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import type { Manifest } from '../../../lib/deploy';
import { GATEWAY, ISTIOD, SelfSignedCertificate } from '../../../lib/gateway';
import { k, sleep } from './kube';
import { GATEWAY_ADDRESS, POD_ADDRESS, type Netns, type Proc } from './netns';

/** A program's path as the project's build script cached it (`scripts/programs/build.sh --path`). */
function program(name: string): string {
  const r = spawnSync(path.join(__dirname, '..', '..', '..', 'scripts', 'programs', 'build.sh'), ['--path', name], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${name} is not built: run scripts/programs/build.sh ${name} (test/cluster/run.sh builds it for this file)`);
  return r.stdout.trim();
}
export const PROGRAMS = {
  istiod: () => program('istiod'),
  pilotAgent: () => program('pilot-agent'),
  envoy: () => program('envoy'),
  dex: () => program('dex'),
  oauth2Proxy: () => program('oauth2-proxy'),
  /** The bootstrap template the proxyv2 image carries: the pilot-agent recipe keeps the pinned source's copy. */
  bootstrapTemplate: () => path.join(path.dirname(program('pilot-agent')), '..', 'share', 'envoy_bootstrap_tmpl.json'),
};

export const find = (objects: Manifest[], kind: string, name: string, namespace: string): any => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name && x.metadata.namespace === namespace);
  if (!o) throw new Error(`the render has no ${kind} ${namespace}/${name}`);
  return o;
};

/** A kubeconfig authenticating as ServiceAccount `namespace/name` with a fresh token of its own. */
export async function saKubeconfig(dir: string, namespace: string, name: string): Promise<string> {
  const token = (await k(['create', 'token', name, '-n', namespace, '--duration=2h'])).trim();
  const file = path.join(dir, `${namespace}-${name}.kubeconfig`);
  fs.writeFileSync(file, yaml.dump({
    apiVersion: 'v1', kind: 'Config', 'current-context': 'sa',
    clusters: [{ name: 'c', cluster: { server: process.env.MICROFLOW_API_SERVER, 'certificate-authority': path.join(process.env.MICROFLOW_CLUSTER_DIR!, 'pki', 'ca.crt') } }],
    users: [{ name: 'sa', user: { token } }],
    contexts: [{ name: 'sa', context: { cluster: 'c', user: 'sa', namespace } }],
  }), { mode: 0o600 });
  return file;
}

/**
 * A container's env as the kubelet makes it: the downward-API `fields` filled in, and Secret values
 * from `secrets` (`name` → key → value, read from the API server by the caller as the kubelet would).
 */
export function podEnv(container: any, fields: Record<string, string>, secrets: Record<string, Record<string, string>> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef;
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.fieldRef) env[e.name] = fields[e.valueFrom.fieldRef.fieldPath] ?? '';
    else if (e.valueFrom?.resourceFieldRef) env[e.name] = e.valueFrom.resourceFieldRef.resource === 'limits.memory' ? '1073741824' : '1';
    else if (ref) {
      if (secrets[ref.name]?.[ref.key] === undefined) throw new Error(`env ${e.name}: Secret ${ref.name} has no key ${ref.key}`);
      env[e.name] = secrets[ref.name][ref.key];
    }
  }
  return env;
}

/** Secret `namespace/name`'s values, decoded (read as admin: the kubelet's part). */
export async function secretData(namespace: string, name: string): Promise<Record<string, string>> {
  const data = JSON.parse(await k(['get', 'secret', name, '-n', namespace, '-o', 'json'])).data ?? {};
  return Object.fromEntries(Object.entries(data as Record<string, string>).map(([key, v]) => [key, Buffer.from(v, 'base64').toString()]));
}

/** istiod: the rendered args and env, the mesh ConfigMap as its mounted file, its own SA's token. */
export async function startIstiod(ns: Netns, dir: string, objects: Manifest[]): Promise<Proc> {
  const istio = 'istio-system';
  const work = path.join(dir, 'istiod');
  fs.mkdirSync(path.join(work, 'etc', 'istio', 'config'), { recursive: true });
  const mesh = find(objects, 'ConfigMap', ISTIOD.meshConfigMap, istio);
  for (const [key, value] of Object.entries(mesh.data as Record<string, string>)) {
    // Istio's telemetry filters are Istio-only Envoy extensions (upstream Envoy rejects the listeners and
    // clusters carrying them): the Prometheus stats filter comes from the mesh's default metrics provider.
    const text = key === 'mesh' ? yaml.dump(withoutMetrics(yaml.load(value) as any)) : value;
    fs.writeFileSync(path.join(work, 'etc', 'istio', 'config', key), text);
  }
  const deployment = find(objects, 'Deployment', ISTIOD.name, istio);
  const pod = deployment.spec.template.spec;
  const c = pod.containers[0];
  const env = podEnv(c, { 'metadata.name': 'istiod-front-door-test', 'metadata.namespace': istio, 'spec.serviceAccountName': pod.serviceAccountName });
  env.KUBECONFIG = await saKubeconfig(work, istio, pod.serviceAccountName);
  // The other Istio-only extensions: metadata exchange (peer telemetry, on listeners and clusters) and
  // the ALPN filter (protocol sniffing towards sidecars, which this mesh has none of).
  env.PILOT_ENABLE_METADATA_EXCHANGE = 'false';
  env.PILOT_ENABLE_ALPN_FILTER = 'false';
  const args = [...c.args, '--httpAddr=127.0.0.1:15080'];
  return ns.spawn('istiod', PROGRAMS.istiod(), args, { cwd: work, env });
}

/**
 * What the test turns off in Istio, and only that: the telemetry extensions upstream Envoy lacks.
 * No security filter (ext-authz, JWT, RBAC, the header removal, TLS) is touched.
 */
export const ISTIO_ONLY_OFF = ['istio.stats (mesh defaultProviders.metrics: prometheus, dropped)', 'istio.metadata_exchange (PILOT_ENABLE_METADATA_EXCHANGE=false)',
  'istio.alpn (PILOT_ENABLE_ALPN_FILTER=false)'];

function withoutMetrics(mesh: any): any {
  const out = { ...mesh, defaultProviders: { ...mesh.defaultProviders } };
  delete out.defaultProviders.metrics;
  if (Object.keys(out.defaultProviders).length === 0) delete out.defaultProviders;
  return out;
}

/** The JWKS relay: the real `kubectl proxy` with the rendered args, its own SA, on its own address. */
export async function startJwksRelay(ns: Netns, dir: string, objects: Manifest[], name: string, namespace: string, address: string): Promise<Proc> {
  const work = path.join(dir, name);
  fs.mkdirSync(work, { recursive: true });
  const pod = find(objects, 'Deployment', name, namespace).spec.template.spec;
  const c = pod.containers[0];
  const args = c.args.map((a: string) => (a.startsWith('--address=') ? `--address=${address}` : a));
  const kubeconfig = await saKubeconfig(work, namespace, pod.serviceAccountName);
  return ns.spawn(name, process.env.MICROFLOW_KUBECTL_REAL!, [...c.command.slice(1), ...args, `--kubeconfig=${kubeconfig}`], { cwd: work, env: { HOME: work } });
}

/**
 * A Job's containers run as rendered, one after another (init containers first), each script with
 * the real programs on PATH (kubectl with a token of the Job's ServiceAccount). The pod's volumes
 * are folders under `dir/<job>/`: each mount path in the scripts and env is rewritten to its folder.
 */
export async function runJob(dir: string, job: any): Promise<void> {
  const pod = job.spec.template.spec;
  const work = path.join(dir, job.metadata.name);
  fs.mkdirSync(path.join(work, 'bin'), { recursive: true });
  const kubeconfig = await saKubeconfig(work, job.metadata.namespace, pod.serviceAccountName);
  fs.symlinkSync(process.env.MICROFLOW_KUBECTL_REAL!, path.join(work, 'bin', 'kubectl'));
  for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
    const mounts: string[] = (c.volumeMounts ?? []).map((m: any) => m.mountPath);
    for (const m of mounts) fs.mkdirSync(path.join(work, m), { recursive: true });
    // A mount path as a whole path segment (`/tmp/x`, `"/tmp"`), never inside another path.
    const rewrite = (text: string) => mounts.reduce((t, m) => t.replace(new RegExp(`(?<![\\w./-])${m.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(?=[/\\s"']|$)`, 'g'), work + m), text);
    const env = Object.fromEntries(Object.entries(podEnv(c, { 'metadata.namespace': job.metadata.namespace })).map(([n, v]) => [n, rewrite(v)]));
    const r = spawnSync('/bin/sh', ['-c', rewrite(c.command[2])], { env: { ...env, KUBECONFIG: kubeconfig, PATH: `${work}/bin:${process.env.PATH}` }, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`Job ${job.metadata.name} container ${c.name} failed (${r.status}): ${r.stderr}`);
  }
}

/** The certificate Job's two scripts as rendered: real openssl, kubectl as the Job's ServiceAccount. */
export async function runCertificateJob(dir: string, objects: Manifest[], secretName: string): Promise<string> {
  const job = objects.find((o) => o.kind === 'Job' && (o.metadata.annotations as Record<string, string> | undefined)?.[SelfSignedCertificate.ANNOTATION] === secretName) as any;
  if (!job) throw new Error('the render has no certificate Job (gateway.tls.selfSigned is off)');
  await runJob(dir, job);
  return path.join(dir, job.metadata.name, 'certs', 'tls.crt');
}

/**
 * The ingress gateway: pilot-agent with the rendered args and env (POD_NAME, INSTANCE_IP filled in as
 * the kubelet would), the pod's files under its working directory (pilot-agent's paths are relative:
 * ./var/run/secrets/tokens/istio-token, ./var/run/secrets/istio/root-cert.pem, ./etc/istio/pod/labels,
 * ./var/lib/istio/envoy/envoy_bootstrap_tmpl.json), and a mesh file naming the Envoy binary.
 */
export async function startGateway(ns: Netns, dir: string, objects: Manifest[]): Promise<Proc> {
  const istio = 'istio-system';
  const work = path.join(dir, 'gateway');
  const deployment = find(objects, 'Deployment', GATEWAY.ingress, istio);
  const pod = deployment.spec.template.spec;
  const c = pod.containers[0];
  const files: Record<string, string> = {
    'var/run/secrets/tokens/istio-token': (await k(['create', 'token', pod.serviceAccountName, '-n', istio, `--audience=${ISTIOD.tokenAudience}`, `--duration=${GATEWAY.istioTokenSeconds}s`])).trim(),
    'var/run/secrets/istio/root-cert.pem': (await rootCert(istio)),
    'etc/istio/pod/labels': Object.entries(deployment.spec.template.metadata.labels as Record<string, string>).map(([key, v]) => `${key}="${v}"`).join('\n'),
    'etc/istio/pod/annotations': '',
    'var/lib/istio/envoy/envoy_bootstrap_tmpl.json': fs.readFileSync(PROGRAMS.bootstrapTemplate(), 'utf8'),
    // Mesh defaults the pod has from the image and the agent's defaults, but for where Envoy lives.
    'etc/istio/config/mesh': yaml.dump({ defaultConfig: { binaryPath: PROGRAMS.envoy() } }),
  };
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
    fs.writeFileSync(path.join(work, file), text);
  }
  for (const m of c.volumeMounts) fs.mkdirSync(path.join(work, m.mountPath), { recursive: true });
  const env = podEnv(c, {
    'metadata.name': 'istio-ingressgateway-front-door-test', 'metadata.namespace': istio, 'status.podIP': GATEWAY_ADDRESS,
    'spec.serviceAccountName': pod.serviceAccountName, 'status.hostIP': GATEWAY_ADDRESS, 'spec.nodeName': 'front-door-test',
  });
  const args = c.args.map((a: string) => a.replace('$(POD_NAMESPACE)', istio));
  return ns.spawn('gateway', PROGRAMS.pilotAgent(), args, { cwd: work, env });
}

/** istiod's root certificate as it publishes it (ConfigMap istio-ca-root-cert), once it has. */
async function rootCert(namespace: string): Promise<string> {
  for (let i = 0; i < 120; i++) {
    const r = await k(['get', 'configmap', ISTIOD.rootCertConfigMap, '-n', namespace, '--ignore-not-found', '-o', 'jsonpath={.data.root-cert\\.pem}']);
    if (r.trim()) return r;
    await sleep(1000);
  }
  throw new Error(`istiod published no ${ISTIOD.rootCertConfigMap} in ${namespace}`);
}

/** The `managed-by` of the hand-made EndpointSlices, so the suite can remove them when it ends. */
export const SLICE_MANAGER = 'front-door-test.microflow.dev';

/**
 * Points Service `namespace/name` at `address` (POD_ADDRESS unless given) with a hand-made EndpointSlice,
 * its ports named as the Service's and numbered `ports` (by name). Where the slice must be the only
 * endpoint, the caller scales the Service's own workload to zero first (frontDoorBackends); the
 * gateway's KWOK pods may stay: its slice is there so istiod finds the proxy's address among the
 * Service's endpoints and maps the Service's 80/443 to the pod's 8080/8443.
 */
export async function pointServiceAt(namespace: string, service: string, ports: Record<string, number>, address = POD_ADDRESS): Promise<void> {
  await k(['apply', '--server-side', '--field-manager=front-door-test', '-f', '-'], JSON.stringify({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: `${service}-front-door-test`, namespace, labels: { 'kubernetes.io/service-name': service, 'endpointslice.kubernetes.io/managed-by': SLICE_MANAGER } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [address], conditions: { ready: true } }],
    ports: Object.entries(ports).map(([name, port]) => ({ name, port, protocol: 'TCP' })),
  }));
}
