import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, JsonPatch, Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as yaml from 'js-yaml';
import { LABEL, PART_OF, serviceHost, type ContainerProps, type PodSet, type ServiceHandle, type ServicePort, type WorkloadPolicy, VendoredManifest } from '../platform';
import { ISTIOD } from './constants';
import type { ExtAuthzProvider } from './handles';

/** The vendored release, relative to the repository root (see vendor/istio/release.env). */
export const VENDORED_ISTIO = path.join('vendor', 'istio', 'istio.yaml');

/** The repository root: the nearest folder above this file that holds the vendored release. */
export function vendoredIstioFile(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, VENDORED_ISTIO);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`cannot find ${VENDORED_ISTIO} above ${__dirname}: run scripts/istio/vendor.sh`);
  }
}

export interface IstioControlPlaneProps {
  /** Namespace of istiod (`istio-system`, as the vendored file was generated for). */
  readonly namespace: string;
  readonly policy: WorkloadPolicy;
  /** The mesh's ext-authz providers, read when the mesh config renders (after every chart added its own). */
  readonly extensionProviders: () => readonly ExtAuthzProvider[];
}

type Obj = Record<string, any>;

/**
 * Istio's CRDs, istiod and its validating webhook, as the pinned release's istioctl rendered them
 * into vendor/istio/istio.yaml, included as they are except for what microflow must own:
 * - istiod's pod goes through the shared workload policy (image and sizing from the profile instead
 *   of upstream's 500m/2Gi request and no limit; a pod seccomp profile, without which Pod Security
 *   `restricted` refuses the pod; a liveness probe; the API token it needs, explicitly);
 * - the mesh config carries the extension providers other components add (`addExtensionProvider`);
 * - the webhook's failurePolicy is left to istiod, which switches it to Fail once it serves (a value
 *   in our manifest would conflict with istiod's on every server-side apply);
 * - recommended labels say microflow manages the objects (Istio's own labels stay).
 */
export class IstioControlPlane extends Construct {
  /** istiod's pods. */
  public readonly pods: PodSet;
  /** istiod's Service. */
  public readonly service: ServiceHandle;
  /** The release's istiod version (its image's). */
  public readonly version: string;

  constructor(scope: Construct, id: string, props: IstioControlPlaneProps) {
    super(scope, id);
    const { namespace, policy } = props;
    this.version = policy.image('istiod').version;
    const include = new VendoredManifest(this, 'Vendored', { file: vendoredIstioFile() });
    const objects = include.node.children.filter((c): c is ApiObject => c instanceof ApiObject);
    const take = (kind: string, name: string): Obj => {
      const hit = objects.find((o) => o.kind === kind && o.name === name);
      if (!hit) throw new Error(`${VENDORED_ISTIO} has no ${kind} ${name}: regenerate it with scripts/istio/vendor.sh`);
      const json = hit.toJson();
      include.node.tryRemoveChild(hit.node.id);
      return json;
    };

    const deployment = take('Deployment', ISTIOD.name);
    const mesh = take('ConfigMap', ISTIOD.meshConfigMap);
    for (const o of objects.filter((x) => include.node.tryFindChild(x.node.id))) {
      this.relabel(o.metadata);
      if (o.kind === 'ValidatingWebhookConfiguration') {
        (o.toJson().webhooks as Obj[]).forEach((w, i) => {
          if (w.failurePolicy !== undefined) o.addJsonPatch(JsonPatch.remove(`/webhooks/${i}/failurePolicy`));
        });
      }
    }

    const upstream = deployment.spec.template.spec;
    const container: Obj = upstream.containers[0];
    const ports: { name: string; port: number }[] = container.ports.map((p: Obj) => ({ name: p.name, port: p.containerPort }));
    const discovery: ContainerProps = {
      name: container.name,
      image: 'istiod',
      resources: 'istiod',
      args: container.args,
      env: (container.env as Obj[]).map(typedEnv),
      ports,
      readiness: typedProbe(container.readinessProbe),
      // Upstream has none; the monitoring port answers as long as pilot-discovery runs.
      liveness: { tcpSocket: { port: k8s.IntOrString.fromNumber(portNumber(ports, 'http-monitoring')) }, initialDelaySeconds: 10, periodSeconds: 15, failureThreshold: 4 },
      volumeMounts: container.volumeMounts,
    };
    const labels = { ...deployment.spec.template.metadata.labels, [LABEL.version]: this.version, [LABEL.instance]: PART_OF, [LABEL.partOf]: PART_OF };
    delete labels[LABEL.managedBy];
    delete labels['helm.sh/chart'];
    new k8s.KubeDeployment(this, 'Istiod', {
      metadata: { name: deployment.metadata.name, namespace, labels: this.labels(deployment.metadata.labels) },
      spec: {
        replicas: deployment.spec.replicas ?? 1,
        strategy: deployment.spec.strategy,
        selector: deployment.spec.selector,
        template: {
          metadata: { labels, annotations: deployment.spec.template.metadata.annotations },
          spec: {
            ...policy.podSpec({
              containers: [discovery],
              serviceAccountName: upstream.serviceAccountName,
              namespace,
              apiAccess: true, // istiod watches and writes the API (its ClusterRoleBinding)
              volumes: upstream.volumes,
              tolerations: upstream.tolerations,
            }),
          },
        },
      },
    });
    this.pods = {
      name: deployment.metadata.name,
      namespace,
      selector: deployment.spec.selector.matchLabels,
      labels,
      containerPorts: Object.fromEntries(ports.map((p) => [p.name, p.port])),
    };

    new k8s.KubeConfigMap(this, 'MeshConfig', {
      metadata: { name: ISTIOD.meshConfigMap, namespace, labels: this.labels(mesh.metadata.labels) },
      data: {
        ...mesh.data,
        mesh: Lazy.any({ produce: () => meshConfig(mesh.data.mesh, props.extensionProviders()) }) as unknown as string,
      },
    });

    const svc = objects.find((o) => o.kind === 'Service' && o.name === ISTIOD.name);
    if (!svc) throw new Error(`${VENDORED_ISTIO} has no Service ${ISTIOD.name}`);
    this.service = vendoredService(svc.toJson(), this.pods);
  }

  /** Istio's own labels stay; the recommended app.kubernetes.io ones say microflow manages the object. */
  private relabel(metadata: { addLabel(k: string, v: string): void }): void {
    for (const [k, v] of Object.entries(this.labels({}))) metadata.addLabel(k, v);
  }

  private labels(upstream: Record<string, string> | undefined): Record<string, string> {
    const out: Record<string, string> = { ...upstream, [LABEL.version]: this.version, [LABEL.instance]: PART_OF, [LABEL.partOf]: PART_OF, [LABEL.managedBy]: 'cdk8s' };
    delete out['helm.sh/chart'];
    return out;
  }
}

const portNumber = (ports: { name: string; port: number }[], name: string): number => {
  const p = ports.find((x) => x.name === name);
  if (!p) throw new Error(`istiod in ${VENDORED_ISTIO} has no container port ${name}`);
  return p.port;
};

/** Upstream YAML → cdk8s' typed form (ports and quantities are objects there, or they are dropped). */
function typedProbe(probe: Obj): k8s.Probe {
  const port = (p: number | string) => (typeof p === 'number' ? k8s.IntOrString.fromNumber(p) : k8s.IntOrString.fromString(p));
  return {
    ...probe,
    ...(probe.httpGet ? { httpGet: { ...probe.httpGet, port: port(probe.httpGet.port) } } : {}),
    ...(probe.tcpSocket ? { tcpSocket: { ...probe.tcpSocket, port: port(probe.tcpSocket.port) } } : {}),
  };
}

function typedEnv(e: Obj): k8s.EnvVar {
  const r = e.valueFrom?.resourceFieldRef;
  if (!r?.divisor) return e as k8s.EnvVar;
  return { ...e, valueFrom: { resourceFieldRef: { ...r, divisor: k8s.Quantity.fromString(String(r.divisor)) } } } as k8s.EnvVar;
}

/** istiod's mesh config with microflow's extension providers added to upstream's. */
export function meshConfig(upstream: string, providers: readonly ExtAuthzProvider[]): string {
  const mesh = (yaml.load(upstream) ?? {}) as Obj;
  if (providers.length) {
    mesh.extensionProviders = [
      ...(mesh.extensionProviders ?? []),
      ...providers.map((p) => ({
        name: p.name,
        envoyExtAuthzHttp: {
          service: p.service.host,
          port: p.service.port(p.port).port,
          ...(p.timeout ? { timeout: p.timeout } : {}),
          ...(p.includeRequestHeadersInCheck ? { includeRequestHeadersInCheck: p.includeRequestHeadersInCheck } : {}),
          ...(p.headersToUpstreamOnAllow ? { headersToUpstreamOnAllow: p.headersToUpstreamOnAllow } : {}),
          ...(p.headersToDownstreamOnDeny ? { headersToDownstreamOnDeny: p.headersToDownstreamOnDeny } : {}),
        },
      })),
    ];
  }
  return yaml.dump(mesh, { lineWidth: -1, noRefs: true });
}

/** A ServiceHandle over a vendored Service, its target ports resolved to the pods' container port names. */
function vendoredService(svc: Obj, pods: PodSet): ServiceHandle {
  const byNumber = new Map(Object.entries(pods.containerPorts).map(([n, p]) => [p, n]));
  const ports: ServicePort[] = svc.spec.ports.map((p: Obj) => {
    const containerPort = typeof p.targetPort === 'number' ? p.targetPort : p.targetPort ? pods.containerPorts[p.targetPort] : p.port;
    const targetPort = byNumber.get(containerPort);
    if (!targetPort) throw new Error(`Service ${svc.metadata.name} port ${p.name}: no container port ${containerPort} on ${pods.name}`);
    return { name: p.name, port: p.port, targetPort, containerPort };
  });
  return {
    name: svc.metadata.name,
    namespace: svc.metadata.namespace,
    host: serviceHost(svc.metadata.name, svc.metadata.namespace),
    pods,
    ports,
    port(name: string): ServicePort {
      const hit = ports.find((p) => p.name === name);
      if (!hit) throw new Error(`Service "${svc.metadata.namespace}/${svc.metadata.name}" has no port named "${name}" (it has: ${ports.map((p) => p.name).join(', ')})`);
      return hit;
    },
  };
}
