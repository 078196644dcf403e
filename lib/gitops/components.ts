import * as path from 'path';
import type { StackApp } from '../stack-app';

/** One chart of the stack as GitOps tools see it: a file of dist/ and the charts it must follow. */
export interface GitopsComponent {
  /** The chart's id (platform, data, gateway, …). */
  readonly name: string;
  /** Its file in dist/ (`0001-data.k8s.yaml`). */
  readonly file: string;
  /** Charts that must be applied and healthy first. */
  readonly dependsOn: string[];
  /** Depth in the dependency graph: 0 for charts that depend on nothing. */
  readonly depth: number;
}

/**
 * The stack's charts with their files and dependencies, read from the synthesized app: generic
 * over whatever charts exist, so a new component is covered by adding its chart and dependencies.
 */
export function gitopsComponents(app: StackApp, files: string[]): GitopsComponent[] {
  const charts = app.stackCharts;
  const ids = new Set(charts.map((c) => c.node.id));
  const deps = new Map(charts.map((c) => [c.node.id, app.dependenciesOf(c).map((d) => d.node.id).filter((d) => ids.has(d))]));
  const depth = new Map<string, number>();
  const depthOf = (id: string, seen: string[] = []): number => {
    if (seen.includes(id)) throw new Error(`chart dependency cycle: ${[...seen, id].join(' → ')}`);
    if (!depth.has(id)) depth.set(id, Math.max(-1, ...deps.get(id)!.map((d) => depthOf(d, [...seen, id]))) + 1);
    return depth.get(id)!;
  };
  return charts.map((c) => {
    const id = c.node.id;
    const file = files.find((f) => path.basename(f).replace(/^\d+-/, '') === `${id}.k8s.yaml`);
    if (!file) throw new Error(`no rendered file for chart "${id}" among ${files.join(', ')}`);
    return { name: id, file, dependsOn: deps.get(id)!, depth: depthOf(id) };
  }).sort((a, b) => a.file.localeCompare(b.file));
}
