import { diffPhases } from './apply';
import { listItems, type KubeOptions } from './kube';
import { planPhases, type Manifest } from './phases';

/**
 * Makes `kubectl diff` output readable: a list of the objects that would change (new ones marked),
 * then each object's diff under a plain header instead of temporary file paths.
 */
export interface DiffSummary {
  /** `Kind namespace/name` → whether the object is new. */
  readonly objects: { readonly object: string; readonly created: boolean }[];
  /** The diff text with readable headers. */
  readonly text: string;
}

/** `apps.v1.StatefulSet.kubeflow.mysql` → `StatefulSet kubeflow/mysql`; cluster-scoped objects have no namespace. */
export function objectOfDiffFile(file: string): string {
  const base = file.split('/').pop() ?? file;
  const parts = base.split('.');
  const k = parts.findIndex((p) => /^[A-Z]/.test(p));
  if (k < 0) return base;
  const rest = parts.slice(k + 1);
  // Names may contain dots; a namespace never does. Cluster-scoped objects leave the namespace empty.
  const [ns, ...name] = rest;
  return name.length ? `${parts[k]} ${ns ? `${ns}/` : ''}${name.join('.')}` : `${parts[k]} ${ns}`;
}

export function summarizeDiff(raw: string): DiffSummary {
  const objects: { object: string; created: boolean }[] = [];
  const out: string[] = [];
  let current: { object: string; created: boolean } | undefined;
  for (const line of raw.split('\n')) {
    const m = /^diff -u -N (\S+) (\S+)$/.exec(line);
    if (m) {
      current = { object: objectOfDiffFile(m[2]), created: true };
      objects.push(current);
      out.push(`=== ${current.object}`);
      continue;
    }
    if (/^(---|\+\+\+) /.test(line)) continue;
    if (current && (line.startsWith('-') || line.startsWith(' '))) current.created = false;
    if (line !== '' || out.length) out.push(line);
  }
  return { objects, text: out.join('\n').trimEnd() };
}

export function formatDiff(raw: string): string {
  const s = summarizeDiff(raw);
  if (s.objects.length === 0) return 'no changes: the cluster already matches the rendered manifests';
  return [`${s.objects.length} object${s.objects.length > 1 ? 's' : ''} would change:`,
    ...s.objects.map((o) => `  ${o.created ? '+ (new)' : '~'} ${o.object}`), '', s.text].join('\n');
}

/**
 * The server-side diff of a rendering against the cluster. Objects the server cannot dry-run yet
 * (in a namespace, or of a CRD kind, that this same deploy creates) are listed as new instead.
 */
export function diffRendered(objects: Manifest[], opts: KubeOptions = {}): string {
  const namespaces = new Set(listItems(['get', 'namespaces'], opts).map((n) => n.metadata.name));
  const crdKinds = new Set(objects.filter((o) => o.kind === 'CustomResourceDefinition').map((o: any) => `${o.spec.group}/${o.spec.names.kind}`));
  const servedCrds = new Set(listItems(['get', 'customresourcedefinitions'], opts).map((c) => `${c.spec.group}/${c.spec.names.kind}`));
  const pending = (o: Manifest) => (o.metadata.namespace !== undefined && !namespaces.has(o.metadata.namespace))
    || (crdKinds.has(`${o.apiVersion.split('/')[0]}/${o.kind}`) && !servedCrds.has(`${o.apiVersion.split('/')[0]}/${o.kind}`));
  const later = objects.filter(pending);
  const raw = diffPhases(planPhases(objects.filter((o) => !pending(o))), opts);
  if (later.length === 0) return formatDiff(raw);
  const s = summarizeDiff(raw);
  const listed = [...s.objects.map((o) => `  ${o.created ? '+ (new)' : '~'} ${o.object}`),
    ...later.map((o) => `  + (new) ${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`)];
  return [`${listed.length} objects would change (${later.length} in namespaces or of kinds this deploy creates, not diffed):`, ...listed, '', s.text].join('\n').trimEnd();
}
