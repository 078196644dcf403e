/**
 * Where a command's CPU goes: runs it once under `node --cpu-prof` (the flags go after its leading
 * `node`: Node 20 refuses them in NODE_OPTIONS) and sums the profile's self time per place (a package, a
 * folder of microflow, module loading, the garbage collector) and per function. Used by
 * `npm run bench`; the figures are samples of the main thread, so they add up to a little less than
 * the process's CPU time.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The parts of a .cpuprofile (Chrome DevTools' format) read here. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

export interface Cost {
  readonly what: string;
  readonly ms: number;
}

export interface ProfileCosts {
  /** Milliseconds sampled. */
  readonly totalMs: number;
  /** Self time per place, most first. */
  readonly places: Cost[];
  /** Self time per function (name, file and line), most first. */
  readonly functions: Cost[];
}

/** Runs `command` (a shell command line starting with `node `) once with a CPU profile; the costs of its largest profile (the main process). */
export function profileCommand(command: string, env: NodeJS.ProcessEnv, cwd: string): ProfileCosts {
  if (!/^node\s/.test(command)) throw new Error(`cannot profile "${command}": it does not start with node`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-profile-'));
  try {
    const profiled = command.replace(/^node\s/, `node --cpu-prof --cpu-prof-dir='${dir}' `);
    const r = spawnSync(profiled, { cwd, shell: true, encoding: 'utf8', env: { ...process.env, ...env } });
    if (r.status !== 0) throw new Error(`${command} failed under --cpu-prof:\n${r.stderr}`);
    const profiles = fs.readdirSync(dir).map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as CpuProfile);
    if (profiles.length === 0) throw new Error(`${command} wrote no CPU profile`);
    return profileCosts(profiles.sort((a, b) => b.samples.length - a.samples.length)[0], cwd);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Self time per place and per function; `root` shortens file names. */
export function profileCosts(profile: CpuProfile, root: string): ProfileCosts {
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const places = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  for (const node of profile.nodes) {
    const us = self.get(node.id);
    if (!us) continue;
    total += us;
    const { functionName, url, lineNumber } = node.callFrame;
    const place = placeOf(url, functionName, root);
    places.set(place, (places.get(place) ?? 0) + us);
    const fn = url ? `${functionName || '(anonymous)'} ${shorten(url, root)}:${lineNumber + 1}` : functionName;
    functions.set(fn, (functions.get(fn) ?? 0) + us);
  }
  const sorted = (m: Map<string, number>) => [...m].map(([what, us]) => ({ what, ms: us / 1000 })).sort((a, b) => b.ms - a.ms);
  return { totalMs: total / 1000, places: sorted(places), functions: sorted(functions) };
}

/** A package (`yaml`), a folder of microflow (`lib/gateway`), module loading, or what V8 names itself (`(garbage collector)`). */
function placeOf(url: string, functionName: string, root: string): string {
  if (!url) return functionName;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `package ${pkg[1]}`;
  if (url.startsWith('node:internal/modules')) return 'module loading (node)';
  if (url.startsWith('node:')) return 'node';
  const parts = shorten(url, root).replace(/^build\//, '').split('/');
  return parts.length > 2 ? parts.slice(0, 2).join('/') : parts.join('/');
}

function shorten(url: string, root: string): string {
  const file = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  return file.startsWith(root + path.sep) ? file.slice(root.length + 1) : file.replace(/.*node_modules\//, '');
}

/** The costs as lines: the top `n` places and functions, with their share of the sampled time. */
export function formatCosts(costs: ProfileCosts, n = 8): string[] {
  const line = (c: Cost) => `  ${c.ms.toFixed(0).padStart(6)} ms ${((100 * c.ms) / costs.totalMs).toFixed(0).padStart(3)} %  ${c.what}`;
  return [
    `sampled ${costs.totalMs.toFixed(0)} ms on the main thread; self time by place:`,
    ...costs.places.slice(0, n).map(line),
    'by function:',
    ...costs.functions.slice(0, n).map(line),
  ];
}
