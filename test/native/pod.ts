/**
 * Finding a rendered pod template among the rendered objects, and resolving what its containers
 * see: environment (Secret values from the test, ConfigMaps from the render, fieldRefs filled in)
 * and volumes.
 */
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';

/** A rendered Kubernetes object, loosely typed. */
export interface RenderedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: any;
}

/** One rendered pod, ready to be run natively. */
export interface RenderedPod {
  /** "StatefulSet kubeflow/seaweedfs": where the template came from, for messages. */
  readonly source: string;
  /** The name a pod of this workload gets (`<sts>-0`, `<name>-native` otherwise): what metadata.name fieldRefs see. */
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly spec: IPodSpec;
  /** Names of a StatefulSet's volumeClaimTemplates: volumes the pod gets besides spec.volumes. */
  readonly claimTemplates: string[];
  /** ConfigMaps of the pod's namespace in the render, by name. */
  readonly configMaps: Record<string, Record<string, string>>;
  /** Every rendered object (to find the Services in front of the pod). */
  readonly objects: readonly RenderedObject[];
}

function templateOf(o: RenderedObject): { metadata?: any; spec: IPodSpec } | undefined {
  switch (o.kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'ReplicaSet':
    case 'Job':
      return o.spec.template;
    case 'CronJob':
      return o.spec.jobTemplate.spec.template;
    case 'Pod':
      return { metadata: o.metadata, spec: o.spec };
    default:
      return undefined;
  }
}

/** The pod template of workload `kind`/`name` (in `namespace`, if given) among the rendered objects. */
export function renderedPod(objects: readonly RenderedObject[], kind: string, name: string, namespace?: string): RenderedPod {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name && (namespace === undefined || x.metadata.namespace === namespace));
  const template = o && templateOf(o);
  if (!o || !template) {
    const workloads = objects.filter((x) => templateOf(x)).map((x) => `${x.kind} ${x.metadata.namespace ?? ''}/${x.metadata.name}`);
    throw new Error(`no ${kind} ${namespace ?? '*'}/${name} with a pod template in the render (workloads: ${workloads.join(', ')})`);
  }
  const ns = o.metadata.namespace ?? 'default';
  const configMaps: Record<string, Record<string, string>> = {};
  for (const cm of objects.filter((x) => x.kind === 'ConfigMap' && (x.metadata.namespace ?? 'default') === ns)) {
    configMaps[cm.metadata.name] = { ...(cm.data ?? {}) };
  }
  return {
    source: `${kind} ${ns}/${name}`,
    name: kind === 'StatefulSet' ? `${name}-0` : kind === 'Pod' ? name : `${name}-native`,
    namespace: ns,
    labels: { ...(template.metadata?.labels ?? {}) },
    annotations: { ...(template.metadata?.annotations ?? {}) },
    spec: template.spec,
    claimTemplates: kind === 'StatefulSet' ? (o.spec.volumeClaimTemplates ?? []).map((c: any) => c.metadata.name) : [],
    configMaps,
    objects,
  };
}

/** Every container of the pod, init containers first, by name. */
export function containerOf(pod: RenderedPod, name: string): { container: IContainer; init: boolean } {
  const init = (pod.spec.initContainers ?? []).find((c) => c.name === name);
  if (init) return { container: init, init: true };
  const main = pod.spec.containers.find((c) => c.name === name);
  if (main) return { container: main, init: false };
  const names = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((c) => c.name);
  throw new Error(`${pod.source} has no container "${name}" (containers: ${names.join(', ')})`);
}

/** What a container's environment is resolved from. */
export interface EnvSources {
  readonly pod: RenderedPod;
  /** Secret values, by Secret name then key (the render never holds them). */
  readonly secrets: Record<string, Record<string, string>>;
  /** ConfigMaps by name (the render's, with the test's on top). */
  readonly configMaps: Record<string, Record<string, string>>;
  /** The address fieldRefs status.podIP / status.hostIP resolve to. */
  readonly podIP: string;
}

function lookup(kind: 'Secret' | 'ConfigMap', store: Record<string, Record<string, string>>, name: string, key: string, optional: boolean | undefined, what: string): string | undefined {
  const value = store[name]?.[key];
  if (value === undefined && !optional) {
    throw new Error(`${what}: ${kind} ${name} key ${key} is not available${kind === 'Secret' ? ' (pass it in the secrets option)' : ''}`);
  }
  return value;
}

const PARSE_QUANTITY = /^(\d+(?:\.\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/;
const FACTORS: Record<string, number> = {
  '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};
/** A Kubernetes quantity as a number (cores, bytes). */
export function quantity(q: string | number): number {
  if (typeof q === 'number') return q;
  const m = PARSE_QUANTITY.exec(q);
  if (!m) throw new Error(`not a quantity: ${q}`);
  return Number(m[1]) * FACTORS[m[2] ?? ''];
}

function fieldRef(path: string, src: EnvSources): string {
  const { pod } = src;
  const sub = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (sub) return (sub[1] === 'labels' ? pod.labels : pod.annotations)[sub[2]] ?? '';
  switch (path) {
    case 'metadata.name': return pod.name;
    case 'metadata.namespace': return pod.namespace;
    case 'metadata.uid': return '00000000-0000-4000-8000-000000000000';
    case 'spec.nodeName': return 'native';
    case 'spec.serviceAccountName': return pod.spec.serviceAccountName ?? 'default';
    case 'status.podIP': case 'status.podIPs': case 'status.hostIP': case 'status.hostIPs': return src.podIP;
    default: throw new Error(`fieldRef ${path} is not supported natively`);
  }
}

function resourceFieldRef(ref: { resource: string; divisor?: string | number; containerName?: string }, container: IContainer, pod: RenderedPod): string {
  const target = ref.containerName ? containerOf(pod, ref.containerName).container : container;
  const [section, name] = ref.resource.split('.') as ['limits' | 'requests', string];
  const raw = (target.resources?.[section] as Record<string, string> | undefined)?.[name];
  if (raw === undefined) throw new Error(`resourceFieldRef ${ref.resource}: container ${target.name} declares none`);
  return String(Math.ceil(quantity(raw) / quantity(ref.divisor ?? 1)));
}

/** Expands Kubernetes' `$(VAR)` references (`$$` escapes); unknown names stay as written, as the kubelet does. */
export function expandRefs(s: string, env: Record<string, string>): string {
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name) => (m === '$$' ? '$' : name in env ? env[name] : m));
}

/** The container's own environment (envFrom, then env, with `$(VAR)` expansion), as the kubelet builds it. */
export function containerEnv(container: IContainer, src: EnvSources, rewrite: (s: string) => string): Record<string, string> {
  const what = `container ${container.name}`;
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    const data = from.configMapRef
      ? src.configMaps[from.configMapRef.name!] ?? (from.configMapRef.optional ? {} : undefined)
      : src.secrets[from.secretRef!.name!] ?? (from.secretRef!.optional ? {} : undefined);
    if (!data) throw new Error(`${what}: envFrom ${from.configMapRef ? `ConfigMap ${from.configMapRef.name}` : `Secret ${from.secretRef!.name}`} is not available`);
    for (const [k, v] of Object.entries(data)) env[prefix + k] = rewrite(v);
  }
  for (const e of (container.env ?? []) as IEnvVar[]) {
    // Literal values are expanded (`$(VAR)`) as the kubelet does, and, like ConfigMap values, rewritten
    // to this machine's paths and ports; Secret values and fieldRefs are data and stay as they are.
    if (!e.valueFrom) env[e.name] = expandRefs(rewrite(e.value ?? ''), env);
    else {
      const value = envValue(e, container, src, what);
      if (value !== undefined) env[e.name] = e.valueFrom.configMapKeyRef ? rewrite(value) : value;
    }
  }
  return env;
}

function envValue(e: IEnvVar, container: IContainer, src: EnvSources, what: string): string | undefined {
  const from = e.valueFrom!;
  if (from.secretKeyRef) return lookup('Secret', src.secrets, from.secretKeyRef.name!, from.secretKeyRef.key, from.secretKeyRef.optional, `${what} env ${e.name}`);
  if (from.configMapKeyRef) return lookup('ConfigMap', src.configMaps, from.configMapKeyRef.name!, from.configMapKeyRef.key, from.configMapKeyRef.optional, `${what} env ${e.name}`);
  if (from.fieldRef) return fieldRef(from.fieldRef.fieldPath, src);
  if (from.resourceFieldRef) return resourceFieldRef(from.resourceFieldRef as any, container, src.pod);
  throw new Error(`${what} env ${e.name}: valueFrom ${Object.keys(from).join(',')} is not supported natively`);
}
