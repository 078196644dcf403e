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
}

/** Reads every `*.yaml` file of a rendered folder, in file (apply) order. */
export function readRendered(dir: string): Manifest[] {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
  if (files.length === 0) throw new Error(`no manifests in ${dir}: run \`npm run synth\` first`);
  return files.flatMap((f) => (yaml.loadAll(fs.readFileSync(path.join(dir, f), 'utf8')) as Manifest[]).filter(Boolean));
}

/**
 * Splits rendered objects into apply phases: CRDs first (then wait until the API server serves
 * them), then everything else in render order, which the chart dependencies already made
 * namespaces-first. No phase ever needs a retry: that is the point.
 */
export function planPhases(objects: Manifest[]): Phase[] {
  const crds = objects.filter((o) => o.kind === 'CustomResourceDefinition');
  const rest = objects.filter((o) => o.kind !== 'CustomResourceDefinition');
  const phases: Phase[] = [];
  if (crds.length) phases.push({ name: 'crds', objects: crds, waitEstablished: crds.map((c) => c.metadata.name) });
  phases.push({ name: 'platform', objects: rest, waitEstablished: [] });
  return phases;
}
