import { GENERATES_SECRETS_ANNOTATION } from '../platform/names';
import { kubectl } from './apply';
import { listItems, type KubeOptions } from './kube';
import type { Manifest } from './phases';
import * as yaml from 'js-yaml';

/**
 * What `npm run destroy` removes and keeps. By default the user's data survives: the data claims
 * (PersistentVolumeClaims, which StatefulSets create and never delete), the Secrets generated in the
 * cluster (the passwords that data is encrypted and owned with), the namespaces holding either, and
 * the CRDs (deleting one deletes every object of its kind, e.g. users' notebooks). `purge` removes them too.
 */
export interface DestroyPlan {
  /** Rendered objects to delete, in reverse apply order. */
  readonly remove: Manifest[];
  /** Rendered objects kept, with the reason. */
  readonly kept: { object: string; reason: string }[];
  /** Data claims (`namespace/name`) in the platform's namespaces: kept, or deleted with purge. */
  readonly claims: string[];
  /** Generated Secrets (`namespace/name`) that exist: kept, or deleted with purge. */
  readonly secrets: string[];
  readonly purge: boolean;
}

const ref = (o: { kind: string; metadata: { namespace?: string; name: string } }) => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;

/** Generated Secrets the rendered Jobs declare (`namespace/name`). */
export function generatedSecretsOf(objects: Manifest[]): string[] {
  return objects.flatMap((o) => {
    const names = (o.metadata.annotations as Record<string, string> | undefined)?.[GENERATES_SECRETS_ANNOTATION];
    // `name` is in the Job's namespace; `namespace/name` (a generator writing elsewhere) names its own.
    return names ? names.split(',').map((n) => (n.includes('/') ? n.trim() : `${o.metadata.namespace}/${n.trim()}`)) : [];
  });
}

/** Decides what goes; `live` lists the claims and Secrets that exist now. Pure (unit-tested). */
export function planDestroy(objects: Manifest[], live: { claims: string[]; secrets: string[] }, purge: boolean): DestroyPlan {
  const namespaces = new Set(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
  const claims = live.claims.filter((c) => namespaces.has(c.split('/')[0]));
  const declared = new Set(generatedSecretsOf(objects));
  const secrets = live.secrets.filter((s) => declared.has(s));
  const holding = new Set([...claims, ...secrets].map((x) => x.split('/')[0]));
  const kept: DestroyPlan['kept'] = [];
  const remove = [...objects].reverse().filter((o) => {
    if (purge) return true;
    // A rendered claim (a notebook's workspace or data volume) is user data like the StatefulSets'
    // claims: it is listed with the kept claims when it exists and never deleted without purge.
    if (o.kind === 'PersistentVolumeClaim') return false;
    if (o.kind === 'Namespace' && holding.has(o.metadata.name)) {
      kept.push({ object: ref(o), reason: 'holds data claims or generated Secrets' });
      return false;
    }
    if (o.kind === 'CustomResourceDefinition') {
      kept.push({ object: ref(o), reason: 'deleting a CRD deletes every object of its kind' });
      return false;
    }
    return true;
  });
  return { remove, kept, claims, secrets, purge };
}

/** Reads the claims and generated Secrets that exist now in the platform's namespaces. */
export function readDataInventory(objects: Manifest[], opts: KubeOptions = {}): { claims: string[]; secrets: string[] } {
  const namespaces = objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name);
  const claims = listItems(['get', 'persistentvolumeclaims', '--all-namespaces'], opts)
    .filter((p) => namespaces.includes(p.metadata.namespace)).map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
  const wanted = generatedSecretsOf(objects);
  const secretNamespaces = [...new Set(wanted.map((s) => s.split('/')[0]))];
  const secrets = secretNamespaces.flatMap((ns) => listItems(['get', 'secrets', '-n', ns], opts).map((s) => `${ns}/${s.metadata.name}`))
    .filter((s) => wanted.includes(s));
  return { claims, secrets };
}

/** A readable summary of the plan, shown before anything is deleted. */
export function formatDestroyPlan(plan: DestroyPlan): string {
  const lines = [`removes ${plan.remove.length} rendered objects`];
  if (plan.purge) {
    lines.push(`PURGE: also deletes ${plan.claims.length} data claims (${plan.claims.join(', ') || 'none'}) and ${plan.secrets.length} generated Secrets (${plan.secrets.join(', ') || 'none'}): the data is gone for good`);
  } else {
    lines.push(`keeps ${plan.claims.length} data claims (${plan.claims.join(', ') || 'none'}) and ${plan.secrets.length} generated Secrets (${plan.secrets.join(', ') || 'none'})`);
    for (const k of plan.kept) lines.push(`keeps ${k.object}: ${k.reason}`);
    lines.push('a later `npm run deploy` reattaches the kept data; `npm run destroy -- --purge-data` removes it');
  }
  return lines.join('\n');
}

const kindKey = (o: { apiVersion: string; kind: string }) => `${o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : ''}/${o.kind}`;

/** group/kind of every rendered CRD that the cluster does not have (deleted earlier, or never applied). */
function absentCustomKinds(objects: Manifest[], opts: KubeOptions): Set<string> {
  const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition') as (Manifest & { spec: { group: string; names: { kind: string } } })[];
  if (crds.length === 0) return new Set();
  const present = new Set(kubectl(['get', 'crd', '-o', 'name'], undefined, opts.kubectl).split('\n').map((l) => l.trim().replace(/^customresourcedefinition\.apiextensions\.k8s\.io\//, '')));
  return new Set(crds.filter((c) => !present.has(c.metadata.name)).map((c) => `${c.spec.group}/${c.spec.names.kind}`));
}

/** Carries the plan out: rendered objects (reverse order), then with purge the claims and Secrets. */
export function destroy(plan: DestroyPlan, opts: KubeOptions & { log?: (l: string) => void; timeoutSeconds?: number } = {}): void {
  const log = opts.log ?? console.log;
  const timeout = `--timeout=${opts.timeoutSeconds ?? 300}s`;
  // Namespaces and CRDs go last, after what lives in them, so nothing is deleted twice over.
  const last = (o: Manifest) => o.kind === 'Namespace' || o.kind === 'CustomResourceDefinition';
  // Objects of a kind whose CRD is not installed cannot exist, and kubectl refuses to even look them up.
  const missing = absentCustomKinds(plan.remove, opts);
  const body = plan.remove.filter((o) => !last(o) && !missing.has(kindKey(o)));
  if (body.length) {
    kubectl(['delete', '--ignore-not-found', '--wait=true', timeout, '-f', '-'], body.map((o) => yaml.dump(o, { noRefs: true })).join('---\n'), opts.kubectl);
    log(`deleted ${body.length} objects`);
  }
  if (plan.purge) {
    for (const c of plan.claims) kubectl(['delete', 'pvc', '-n', c.split('/')[0], c.split('/')[1], '--ignore-not-found', '--wait=true', timeout], undefined, opts.kubectl);
    for (const s of plan.secrets) kubectl(['delete', 'secret', '-n', s.split('/')[0], s.split('/')[1], '--ignore-not-found'], undefined, opts.kubectl);
    log(`purged ${plan.claims.length} data claims and ${plan.secrets.length} generated Secrets`);
  }
  const tail = plan.remove.filter(last);
  if (tail.length) {
    kubectl(['delete', '--ignore-not-found', '--wait=true', timeout, '-f', '-'], tail.map((o) => yaml.dump(o, { noRefs: true })).join('---\n'), opts.kubectl);
    log(`deleted ${tail.map(ref).join(', ')}`);
  }
}
