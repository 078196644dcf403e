import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { PART_OF } from './names';

export const LABEL = {
  name: 'app.kubernetes.io/name',
  instance: 'app.kubernetes.io/instance',
  component: 'app.kubernetes.io/component',
  partOf: 'app.kubernetes.io/part-of',
  version: 'app.kubernetes.io/version',
  managedBy: 'app.kubernetes.io/managed-by',
} as const;

/** Labels that select one app's pods: stable across upgrades (no version). */
export function selectorLabels(name: string): Record<string, string> {
  return { [LABEL.name]: name, [LABEL.instance]: PART_OF };
}

/** The full recommended label set for an object belonging to `name`. */
export function standardLabels(name: string, component: string, version: string): Record<string, string> {
  return {
    ...selectorLabels(name),
    [LABEL.component]: component,
    [LABEL.partOf]: PART_OF,
    [LABEL.version]: version,
    [LABEL.managedBy]: 'cdk8s',
  };
}

/**
 * Fills in the recommended labels on every API object under `scope` that lacks them, so no object
 * ships unlabelled even if its construct forgot. Labels a construct set itself are kept.
 */
export function applyStandardLabels(scope: IConstruct, component: string, version: string): void {
  for (const c of scope.node.findAll()) {
    if (!(c instanceof ApiObject)) continue;
    const name = c.metadata.getLabel(LABEL.name) ?? c.name;
    for (const [k, v] of Object.entries(standardLabels(name, component, version))) {
      if (c.metadata.getLabel(k) === undefined) c.metadata.addLabel(k, v);
    }
  }
}
