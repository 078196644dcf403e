import { k8s } from 'cdk8s-plus-28';
import type { UserNamespaceConfig, UserQuota } from '../config';
import { GPU_RESOURCE } from '../gpu';

/**
 * Kinds a user, or code in their pods, can create in their namespace (lib/users/cluster-roles.ts,
 * lib/notebooks/rbac.ts, lib/pipelines/user-roles.ts and run-namespace.ts), counted by the quota
 * so no one fills the cluster's datastore: at most `objects` of each. Pods and claims have their
 * own counts; Events are left out because the kubelet and controllers write them too (and they
 * expire after an hour). Custom resources (Notebooks, Argo's task results) are left out too: the
 * quota controller counts a CRD's kind only after its next discovery pass (up to half a minute), and
 * until then the API server refuses every object of it ("status unknown for quota"), which would
 * break a one-pass install, by `deploy` or by a GitOps tool alike; a Notebook is bounded by the
 * pods, CPU and memory it needs.
 */
export const COUNTED_KINDS = [
  'configmaps', 'secrets', 'serviceaccounts', 'services',
  'deployments.apps', 'replicasets.apps', 'statefulsets.apps', 'jobs.batch', 'cronjobs.batch',
] as const;

const q = (v: string | number) => k8s.Quantity.fromString(String(v));

/**
 * The hard limits of a user namespace's quota. Counts are strings, as the API server stores
 * quantities: a number would make another apply engine's copy (Flux writes "1") a conflicting
 * value under server-side apply.
 */
export function quotaHard(quota: UserQuota): Record<string, k8s.Quantity> {
  return {
    'requests.cpu': q(quota.cpu),
    'requests.memory': q(quota.memory),
    'limits.cpu': q(quota.cpuLimit),
    'limits.memory': q(quota.memoryLimit),
    // Both, so every container must state its local disk (the LimitRange defaults it); the limits bind.
    'requests.ephemeral-storage': q(quota.ephemeralStorage),
    'limits.ephemeral-storage': q(quota.ephemeralStorage),
    [`requests.${GPU_RESOURCE}`]: q(quota.gpus),
    'requests.storage': q(quota.storage),
    persistentvolumeclaims: q(quota.persistentVolumeClaims),
    pods: q(quota.pods),
    // A node port or load balancer would take a port on the node (possibly the gateway's) for one user.
    'services.nodeports': q(0),
    'services.loadbalancers': q(0),
    ...Object.fromEntries(COUNTED_KINDS.map((kind) => [`count/${kind}`, q(quota.objects)])),
  };
}

/**
 * The namespace's one container rule: defaults for a container that states no requests or limits
 * (the quota needs them counted), and a `max` of the quota's limits, so no single container is
 * larger than what the whole namespace may use.
 */
export function containerLimits(quota: UserQuota, defaults: UserNamespaceConfig['containerDefaults']): k8s.LimitRangeItem {
  const amounts = (r: { cpu: string; memory: string; ephemeralStorage: string }) =>
    ({ cpu: q(r.cpu), memory: q(r.memory), 'ephemeral-storage': q(r.ephemeralStorage) });
  return {
    type: 'Container',
    defaultRequest: amounts(defaults.requests),
    default: amounts(defaults.limits),
    max: amounts({ cpu: quota.cpuLimit, memory: quota.memoryLimit, ephemeralStorage: quota.ephemeralStorage }),
  };
}

/** Platform and system PriorityClasses are for the platform: a scoped quota of 0 pods keeps every named class out. */
export const NO_PRIORITY_CLASS: k8s.ResourceQuotaSpec = {
  hard: { pods: q(0) },
  scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'Exists' }] },
};
