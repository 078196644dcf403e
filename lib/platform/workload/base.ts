import { createHash } from 'crypto';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { declareConnection, type Endpoint } from '../connections';
import { LABEL, selectorLabels } from '../labels';
import type { PodSet } from '../service';
import type { PodProps, WorkloadPolicy } from './policy';

/** Pod annotation holding a hash of a workload's mounted configuration: a change rolls its pods. */
export const CONFIG_HASH_ANNOTATION = 'microflow.dev/config-hash';

/**
 * The pod annotation for a workload that reads configuration files at start or mounts them with
 * subPath (which the kubelet never refreshes): their hash, so a change rolls the pods.
 */
export function configHashAnnotation(...contents: string[]): Record<string, string> {
  return { [CONFIG_HASH_ANNOTATION]: createHash('sha256').update(contents.join('\0')).digest('hex').slice(0, 16) };
}

/** What every workload construct takes. */
export interface WorkloadProps {
  /** metadata.name of the workload, its ServiceAccount and its pods' app.kubernetes.io/name. */
  readonly name: string;
  /** Namespace the workload runs in. */
  readonly namespace: string;
  /** The shared workload policy (built once from the configuration). */
  readonly policy: WorkloadPolicy;
  /** The pod, minus its ServiceAccount (the workload creates one named after itself). */
  readonly pod: Omit<PodProps, 'serviceAccountName' | 'namespace'>;
  /**
   * Servers the pods talk to: their client labels go on the pods (so the servers' NetworkPolicies
   * admit them) and each connection is recorded for the whole-stack reachability check.
   * @default - none
   */
  readonly connectsTo?: Endpoint[];
  /** Extra pod labels. @default - none */
  readonly podLabels?: Record<string, string>;
  /** Pod annotations, e.g. a hash of a mounted config so a change rolls the pods. @default - none */
  readonly podAnnotations?: Record<string, string>;
  /** app.kubernetes.io/version of the workload. @default - the first container's image version */
  readonly version?: string;
}

/** The parts every workload kind shares: its ServiceAccount, its selector and its pod template. */
export interface WorkloadParts {
  readonly serviceAccount: k8s.KubeServiceAccount;
  readonly selector: Record<string, string>;
  readonly template: k8s.PodTemplateSpec;
  readonly version: string;
  /** Labels for the workload's own objects (name and version; the chart fills in the rest). */
  readonly labels: Record<string, string>;
  /** The pods, for Services, routes and NetworkPolicies. */
  readonly pods: PodSet;
}

/**
 * Builds the shared parts. The ServiceAccount is per workload so RBAC can grant exactly what one
 * workload needs; its token is mounted only when the policy says the pod talks to the API.
 */
export function workloadParts(scope: Construct, props: WorkloadProps): WorkloadParts {
  const version = props.version ?? props.policy.image(props.pod.containers[0].image).version;
  const labels = { [LABEL.name]: props.name, [LABEL.version]: version };
  const serviceAccount = new k8s.KubeServiceAccount(scope, 'ServiceAccount', {
    metadata: { name: props.name, namespace: props.namespace, labels },
    automountServiceAccountToken: props.pod.apiAccess ?? false,
  });
  const selector = selectorLabels(props.name);
  const connectsTo = props.connectsTo ?? [];
  const podLabels: Record<string, string> = {
    ...selector,
    [LABEL.version]: version,
    ...Object.assign({}, ...connectsTo.map((e) => e.clientLabels)),
    ...props.podLabels,
  };
  const template: k8s.PodTemplateSpec = {
    metadata: { labels: podLabels, ...(props.podAnnotations ? { annotations: props.podAnnotations } : {}) },
    spec: props.policy.podSpec({ ...props.pod, serviceAccountName: props.name, namespace: props.namespace }),
  };
  const containerPorts: Record<string, number> = {};
  for (const c of props.pod.containers) for (const p of c.ports ?? []) containerPorts[p.name] = p.port;
  const pods: PodSet = { name: props.name, namespace: props.namespace, selector, labels: podLabels, containerPorts };
  for (const e of connectsTo) declareConnection(scope, { from: pods, to: e.service, port: e.port });
  return { serviceAccount, selector, template, version, labels, pods };
}
