import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';

/** A rendered Kubernetes object, as read back from dist/. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** One server-side apply, and what must be true before the next one starts. */
export interface Phase {
  /** Shown in logs. */
  readonly name: string;
  readonly objects: Manifest[];
  /** CRDs to wait for (condition Established) after this phase. */
  readonly waitEstablished: string[];
  /** Deployments ("namespace/name") to wait for (condition Available) after this phase. @default - none */
  readonly waitAvailable?: string[];
  /**
   * Admission webhook configurations ("Kind/name") whose server must have patched its CA bundle in
   * (so the API server can call it) before the next phase. @default - none
   */
  readonly waitWebhooks?: string[];
  /**
   * ResourceQuotas ("namespace/name") whose status must count every resource they limit before the
   * next phase: until the quota controller has counted a resource (for a custom resource, only once
   * it has discovered the new CRD), the API server refuses every object of it ("status unknown for
   * quota"). @default - none
   */
  readonly waitQuotas?: string[];
}

/**
 * Cluster-wide definitions later objects name: CRDs (their kinds) and PriorityClasses (a pod naming
 * a missing class is refused, so a Deployment would retry with back-off instead of starting).
 */
const DEFINITION_KINDS = ['CustomResourceDefinition', 'PriorityClass'];

/** What quotas need in place before the objects they count: their namespaces, the quotas, the container defaults. */
const QUOTA_KINDS = ['Namespace', 'ResourceQuota', 'LimitRange'];

const groupOf = (o: Manifest) => (o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '');
const WEBHOOK_KINDS = ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration'];

/**
 * Admission webhooks the render installs for API groups other than the core one (Istio's
 * validation of its own kinds), with the Deployments that serve them: objects of those groups
 * must wait until their server runs, or the API server refuses them (failurePolicy Fail).
 */
function webhookServers(objects: Manifest[]): { configs: Manifest[]; validated: Manifest[]; servers: string[] } {
  const configs = objects.filter((o) => WEBHOOK_KINDS.includes(o.kind));
  const validated = new Set<Manifest>();
  const servers = new Set<string>();
  for (const config of configs) {
    for (const hook of (config as any).webhooks ?? []) {
      // Not the core group (it would hold back everything); "*" stays but names no group, so it holds back nothing.
      const hookGroups: string[] = (hook.rules ?? []).flatMap((r: any) => r.apiGroups ?? []).filter((g: string) => g !== '');
      // Istio's validator only sees objects labelled with its revision (objectSelector istio.io/rev).
      const hit = objects.filter((o) => hookGroups.includes(groupOf(o)) && selects(hook.objectSelector, (o.metadata as any).labels ?? {}));
      if (hit.length === 0) continue;
      hit.forEach((o) => validated.add(o));
      const ref = hook.clientConfig?.service;
      const service = ref && objects.find((o) => o.kind === 'Service' && o.metadata.name === ref.name && o.metadata.namespace === ref.namespace);
      const selector: Record<string, string> = (service as any)?.spec?.selector ?? {};
      const server = service && objects.find((o) => o.kind === 'Deployment' && o.metadata.namespace === ref.namespace
        && Object.entries(selector).every(([k, v]) => (o as any).spec.template.metadata?.labels?.[k] === v));
      if (server) servers.add(`${server.metadata.namespace}/${server.metadata.name}`);
    }
  }
  return { configs, validated: objects.filter((o) => validated.has(o)), servers: [...servers] };
}

/** A label selector (matchLabels, matchExpressions) as the API server evaluates it; none selects all. */
export function selects(selector: any, labels: Record<string, string>): boolean {
  if (!selector) return true;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return byLabels && (selector.matchExpressions ?? []).every((e: any) => {
    switch (e.operator) {
      case 'In': return e.key in labels && e.values.includes(labels[e.key]);
      case 'NotIn': return !(e.key in labels) || !e.values.includes(labels[e.key]);
      case 'Exists': return e.key in labels;
      case 'DoesNotExist': return !(e.key in labels);
      default: throw new Error(`unknown selector operator ${e.operator}`);
    }
  });
}

/** Reads every `*.yaml` file of a rendered folder, in file (apply) order. */
export function readRendered(dir: string): Manifest[] {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
  if (files.length === 0) throw new Error(`no manifests in ${dir}: run \`npm run synth\` first`);
  return files.flatMap((f) => (yaml.loadAll(fs.readFileSync(path.join(dir, f), 'utf8')) as Manifest[]).filter(Boolean));
}

/**
 * Splits rendered objects into apply phases: CRDs and PriorityClasses first (then wait until the
 * API server serves the CRDs); namespaces with their quotas and container defaults (then wait until
 * each quota counts everything it limits); then everything else in render order. Objects that an installed admission webhook validates (Istio's Gateways,
 * VirtualServices, policies) come last, once the webhook's server (istiod) is Available and has
 * put its CA bundle into the webhook configurations. No phase ever needs a retry: that is the point.
 */
export function planPhases(objects: Manifest[]): Phase[] {
  const first = objects.filter((o) => DEFINITION_KINDS.includes(o.kind));
  const quotas = objects.filter((o) => QUOTA_KINDS.includes(o.kind));
  const rest = objects.filter((o) => !DEFINITION_KINDS.includes(o.kind) && !QUOTA_KINDS.includes(o.kind));
  const { configs, validated, servers } = webhookServers(rest);
  const phases: Phase[] = [];
  const crds = first.filter((o) => o.kind === 'CustomResourceDefinition').map((c) => c.metadata.name);
  if (first.length) phases.push({ name: 'definitions', objects: first, waitEstablished: crds });
  if (quotas.length) {
    const waitQuotas = quotas.filter((o) => o.kind === 'ResourceQuota').map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
    phases.push({ name: 'namespaces', objects: quotas, waitEstablished: [], ...(waitQuotas.length ? { waitQuotas } : {}) });
  }
  // A server is only recorded for a webhook that validates something: no server, no boundary.
  if (servers.length === 0) {
    if (rest.length) phases.push({ name: 'platform', objects: rest, waitEstablished: [] });
    return phases;
  }
  phases.push({
    name: 'platform',
    objects: rest.filter((o) => !validated.includes(o)),
    waitEstablished: [],
    waitAvailable: servers,
    waitWebhooks: configs.map((c) => `${c.kind}/${c.metadata.name}`),
  });
  phases.push({ name: 'webhook-validated', objects: validated, waitEstablished: [] });
  return phases;
}
