/**
 * Rendering as a command: `microflow synth`, `npm run synth` and the app in cdk8s.yaml (main.ts).
 * A bad configuration exits 1 naming every field and leaves the output folder as it was: renderTo
 * writes a temporary folder and swaps it in only on success. `cdk8s synth` deletes its output folder
 * before it starts the app, so under cdk8s the folder is put back from the last successful render's
 * snapshot (hard links under node_modules/.cache/microflow/, taken after every render), or from git
 * when the folder is committed and no render has happened here yet.
 */
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, configWarnings, loadConfigFile, resolveConfig } from '../lib/config';
import { renderTo } from '../lib/render';

/** The output folder when none is named (cdk8s' own default too). */
export const DEFAULT_OUT = 'dist';
/** Where snapshots of the default output folder's renders are kept, relative to the project. */
export const SNAPSHOTS = path.join('node_modules', '.cache', 'microflow', 'renders');

export interface SynthOptions {
  /** Configuration file. @default the built-in laptop profile */
  readonly configFile?: string;
  /** Output folder. @default dist */
  readonly out?: string;
  /**
   * Where a snapshot of each successful render is kept, for `cdk8s synth` to put back after a failure
   * (main.ts: node_modules/.cache/microflow/renders, for the default output folder only).
   * @default none taken
   */
  readonly snapshots?: string;
  /** Set when `cdk8s synth` runs the app: it has deleted `out` already, and a failure puts it back. */
  readonly underCdk8s?: boolean;
  /** @default console.log */
  readonly log?: (line: string) => void;
  /** @default console.error */
  readonly error?: (line: string) => void;
}

/** Renders; returns the exit code: 0 rendered, 1 invalid configuration, 2 any other failure. */
export function synth(opts: SynthOptions = {}): number {
  const out = opts.out || DEFAULT_OUT;
  const log = opts.log ?? console.log;
  const error = opts.error ?? console.error;
  const snapshot = opts.snapshots === undefined ? undefined : path.join(opts.snapshots, folderKey(out));
  try {
    const config = opts.configFile ? loadConfigFile(opts.configFile) : resolveConfig({}, 'built-in laptop profile');
    for (const warning of configWarnings(config)) error(`microflow: warning: ${warning}`);
    const files = renderTo(config, out);
    if (snapshot) takeSnapshot(out, snapshot);
    log(`microflow: rendered profile "${config.profile}" into ${out}/ (${files.join(', ')})${config.gitops ? ', and Argo CD and Flux files into gitops/ beside it' : ''}`);
    return 0;
  } catch (e) {
    const kept = opts.underCdk8s ? putBack(out, snapshot) : 'was left unchanged';
    if (e instanceof ConfigError) {
      error(`microflow: ${e.message}\nmicroflow: ${out}/ ${kept}.`);
      return 1;
    }
    error(`microflow: synth failed: ${(e as Error).stack ?? e}\nmicroflow: ${out}/ ${kept}.`);
    return 2;
  }
}

/** One snapshot per output folder: its absolute path, hashed. */
function folderKey(out: string): string {
  return crypto.createHash('sha256').update(path.resolve(out)).digest('hex').slice(0, 16);
}

/** The rendered files, hard-linked (a later render replaces files, never rewrites them), copied across devices. */
function takeSnapshot(out: string, snapshot: string): void {
  const next = `${snapshot}.next`;
  fs.rmSync(next, { recursive: true, force: true });
  fs.mkdirSync(next, { recursive: true });
  for (const f of fs.readdirSync(out)) {
    const from = path.join(out, f);
    if (!fs.statSync(from).isFile()) continue;
    try {
      fs.linkSync(from, path.join(next, f));
    } catch {
      fs.copyFileSync(from, path.join(next, f));
    }
  }
  fs.rmSync(snapshot, { recursive: true, force: true });
  fs.renameSync(next, snapshot);
}

/** After `cdk8s synth` deleted `out`: the last render's files, else git's committed copy. Returns what happened, for the message. */
function putBack(out: string, snapshot: string | undefined): string {
  if (fs.existsSync(out)) return 'was left unchanged';
  if (snapshot && fs.existsSync(snapshot)) {
    fs.cpSync(snapshot, out, { recursive: true });
    return 'was put back as the last successful render left it (cdk8s synth deletes it before the app runs)';
  }
  const git = spawnSync('git', ['checkout', 'HEAD', '--', out], { encoding: 'utf8' });
  if (git.status === 0 && fs.existsSync(out)) return 'was put back from git (cdk8s synth deletes it before the app runs; no earlier render here)';
  return 'is gone: cdk8s synth deletes it before the app runs, and no earlier render or committed copy was found';
}
