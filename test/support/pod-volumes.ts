/**
 * What a container finds at a path: the mount that holds it (the longest mountPath containing it)
 * and the volume behind that mount, a pod volume or one of the StatefulSet's claim templates. A
 * path no mount holds is on the image's root filesystem (read-only in this stack).
 */
import * as path from 'path';
import type { K8sObject } from './stack';

export interface VolumeAt {
  mount: { name: string; mountPath: string; readOnly?: boolean };
  /** The pod volume (`{ name, emptyDir | configMap | ... }`) or `{ claim: <volumeClaimTemplate> }`. */
  source: any;
}

export function volumeAt(workload: K8sObject, container: any, p: string): VolumeAt | undefined {
  const inside = (dir: string) => { const rel = path.posix.relative(dir, p); return rel === '' || (!rel.startsWith('..') && !path.posix.isAbsolute(rel)); };
  const mount = (container.volumeMounts ?? [])
    .filter((m: any) => inside(m.mountPath))
    .sort((a: any, b: any) => b.mountPath.length - a.mountPath.length)[0];
  if (!mount) return undefined;
  const podVolume = (workload.spec.template.spec.volumes ?? []).find((v: any) => v.name === mount.name);
  const claim = (workload.spec.volumeClaimTemplates ?? []).find((t: any) => t.metadata.name === mount.name);
  return { mount, source: podVolume ?? (claim ? { claim } : undefined) };
}

/** Flags of a Go-style command line (`-name=value`, `-name` for true) and the arguments that are not flags. */
export function goFlags(args: string[]): { positional: string[]; flags: Record<string, string | true> } {
  const positional: string[] = [];
  const flags: Record<string, string | true> = {};
  for (const a of args) {
    const m = /^-{1,2}([^=]+)(?:=(.*))?$/s.exec(a);
    if (m) flags[m[1]] = m[2] ?? true;
    else positional.push(a);
  }
  return { positional, flags };
}

/** Flags of a command line whose flags take their value as the next argument (`--name value`), as MinIO's. */
export function spacedFlags(args: string[]): { positional: string[]; flags: Record<string, string | undefined> } {
  const positional: string[] = [];
  const flags: Record<string, string | undefined> = {};
  for (let i = 0; i < args.length; i++) {
    if (args[i].startsWith('--')) flags[args[i].slice(2)] = args[++i];
    else positional.push(args[i]);
  }
  return { positional, flags };
}
