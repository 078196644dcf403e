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
