/**
 * The platform commands, one small CLI over lib/deploy (npm scripts call it):
 *   npm run deploy [-- --dry-run] [--timeout 600] [--skip-preflight] [--remove-users] [DIR]
 *   npm run diff   [-- DIR]
 *   npm run status [-- DIR]
 *   npm run destroy [-- --purge-data [--yes]] [DIR]
 *   npm run offboard [-- --dry-run] [DIR]
 *   npm run encryption-config [-- --out FILE]
 * DIR is the rendered folder (default dist/). MICROFLOW_CONFIG (or --config FILE) names the
 * configuration it was rendered from, for the preflight's GPU and storage facts.
 * Exit codes: 0 done, 1 a check failed or nothing could be done, 2 usage.
 */
import * as os from 'os';
import * as path from 'path';
import * as readline from 'readline';
import { loadConfigFile, resolveConfig, type Config } from '../lib/config';
import {
  applyPhases, deployHints, destroy, diffRendered, findImmutableChanges, formatChecks, formatDestroyPlan, formatHints, formatWarnings,
  formatImmutableChanges, formatOffboardPlan, formatTable, offboard, offboardingPending, planDestroy, planOffboarding, planPhases,
  preflight, readDataInventory, readLiveState, readOffboardInventory, readRendered, readStatus, waitUntilAvailable, objectRef,
  writeEncryptionConfiguration, DeployTimeoutError, type Kubectl, type Manifest,
} from '../lib/deploy';
import { PART_OF } from '../lib/platform/names';

const ROOT = path.resolve(__dirname, '..', '..');

interface Args {
  command: string;
  dir: string;
  flags: Set<string>;
  values: Map<string, string>;
}

const VALUE_FLAGS = ['--timeout', '--config', '--out'];
/** Flags each command takes (besides --config); any other is a usage error, so a typo never runs a deploy. */
const COMMAND_FLAGS: Record<string, string[]> = {
  deploy: ['--dry-run', '--timeout', '--skip-preflight', '--remove-users'],
  diff: [],
  status: [],
  destroy: ['--purge-data', '--yes'],
  offboard: ['--dry-run'],
  'encryption-config': ['--out'],
};
const USAGE = `usage: microflow <deploy|diff|status|destroy|offboard|encryption-config> [options] [DIR]
  deploy             preflight, refuse changes the API cannot make in place, apply in phases, wait until Available
      --dry-run          show what would change (and any blocked change), apply nothing
      --timeout SECONDS  how long to wait for Available (default 600)
      --skip-preflight   apply even when a preflight check fails
      --remove-users     for user namespaces no longer configured: after applying, delete their RoleBindings,
                         ServiceAccounts and workloads (keeps the namespace, claims, Secrets, ConfigMaps);
                         without it the deploy stops while such a namespace still grants access
  diff               what a deploy would change (server-side)
  status             per-component health (and removed users whose access is not revoked yet)
  destroy            remove the platform; data claims and generated Secrets are kept
      --purge-data       also delete them (asks for the platform's name; --yes skips the question)
  offboard           revoke removed users' access as deploy --remove-users does, without applying (GitOps: after the sync)
      --dry-run          print what it would delete and keep
  encryption-config  write an EncryptionConfiguration with a locally generated key
      --out FILE         where (default ~/.config/microflow/encryption-config.yaml)
  --config FILE      configuration DIR was rendered from (default: MICROFLOW_CONFIG, else the laptop profile)`;

class UsageError extends Error {}

export function parseArgs(argv: string[]): Args {
  const [command, ...rest] = argv;
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const [name, inline] = a.split(/=(.*)/s);
    if (VALUE_FLAGS.includes(name)) {
      const v = inline ?? rest[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      values.set(name, v);
    } else if (a.startsWith('--')) flags.add(a);
    else positional.push(a);
  }
  if (!command) throw new UsageError('no command given');
  const known = COMMAND_FLAGS[command];
  if (known) {
    for (const f of [...flags, ...values.keys()]) {
      if (f !== '--config' && !known.includes(f)) throw new UsageError(`${command} takes no ${f}`);
    }
  }
  return { command, dir: positional[0] ?? 'dist', flags, values };
}

function config(args: Args): Config {
  const file = args.values.get('--config') ?? process.env.MICROFLOW_CONFIG;
  return file ? loadConfigFile(file) : resolveConfig({}, 'built-in laptop profile');
}

/** Where a run talks to: the cluster (kubectl) and the terminal. Tests give a scripted kubectl and collect the lines. */
export interface Io {
  /** @default process.env.MICROFLOW_KUBECTL ?? 'kubectl' */
  readonly kubectl?: Kubectl;
  /** @default process.stdout */
  readonly say?: (line?: string) => void;
}

async function deploy(args: Args, io: Io): Promise<number> {
  const say = io.say!;
  const opts = { kubectl: io.kubectl };
  const objects = readRendered(args.dir);
  for (const line of formatWarnings(deployHints(objects))) say(line);
  if (!args.flags.has('--skip-preflight')) {
    const checks = preflight(config(args), objects, opts);
    say('preflight:');
    say(formatChecks(checks).replace(/^/gm, '  '));
    if (checks.some((c) => c.level === 'fail')) {
      say('\npreflight failed: fix the FAIL lines above and deploy again (or --skip-preflight to apply anyway)');
      return 1;
    }
  }
  const changes = findImmutableChanges(objects, readLiveState(objects, opts));
  if (changes.length) {
    say(`\n${formatImmutableChanges(changes)}`);
    return 1;
  }
  // Users removed from the configuration: an apply deletes nothing, so their access stays until revoked.
  const removal = planOffboarding(objects, readOffboardInventory(objects, opts));
  const revoke = args.flags.has('--remove-users');
  if (removal.removed.length) say(`\n${formatOffboardPlan(removal)}`);
  const phases = planPhases(objects);
  if (args.flags.has('--dry-run')) {
    if (offboardingPending(removal)) say(`a deploy ${revoke ? 'would delete the above after applying' : 'would stop here: it needs --remove-users'}`);
    say(`\ndry run: ${diffRendered(objects, opts)}`);
    return 0;
  }
  if (offboardingPending(removal) && !revoke) {
    say(`\nnothing was applied: ${removal.removed.map((r) => r.namespace).join(', ')} ${removal.removed.length === 1 ? 'is' : 'are'} no longer configured `
      + 'but still grant access (above). Deploy with --remove-users to revoke it (the namespaces and their data stay), '
      + 'or add the users back to the configuration.');
    return 1;
  }
  say('\napplying:');
  applyPhases(phases, { ...opts, log: (l) => say(`  ${l.split('\n')[0]}`) });
  if (offboardingPending(removal)) {
    // After the apply: it has already ended the logins and the object-store keys, and re-rendered shared bindings without them.
    const after = planOffboarding(objects, readOffboardInventory(objects, opts));
    say('\nrevoking removed users\' access:');
    offboard(after, { ...opts, log: (l) => say(`  ${l}`) });
    say(`  kept: ${after.removed.map((r) => r.namespace).join(', ')} with their claims, Secrets and ConfigMaps (delete a namespace by hand to delete its data)`);
  }
  say('\nwaiting until every component is Available:');
  try {
    await waitUntilAvailable(objects, { ...opts, timeoutSeconds: Number(args.values.get('--timeout') ?? 600) });
  } catch (e) {
    if (e instanceof DeployTimeoutError) {
      say(`\n${e.message}`);
      return 1;
    }
    throw e;
  }
  say(`\nmicroflow is up.\n${formatHints(deployHints(objects))}`);
  return 0;
}

function confirmName(expected: string): Promise<boolean> {
  if (!process.stdin.isTTY) return Promise.resolve(false);
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  return new Promise((resolve) => rl.question(`type the platform's name (${expected}) to delete its data for good: `, (answer) => {
    rl.close();
    resolve(answer.trim() === expected);
  }));
}

async function destroyCommand(args: Args, objects: Manifest[], io: Io): Promise<number> {
  const say = io.say!;
  const purge = args.flags.has('--purge-data');
  const plan = planDestroy(objects, readDataInventory(objects, { kubectl: io.kubectl }), purge);
  say(formatDestroyPlan(plan));
  if (purge && !args.flags.has('--yes') && !(await confirmName(PART_OF))) {
    say(process.stdin.isTTY ? 'not confirmed: nothing was deleted' : 'not confirmed (no terminal to ask on): pass --yes to purge without the question; nothing was deleted');
    return 1;
  }
  destroy(plan, { kubectl: io.kubectl, log: (l) => say(l) });
  return 0;
}

async function main(argv: string[], io: Io): Promise<number> {
  const say = io.say!;
  const opts = { kubectl: io.kubectl };
  const args = parseArgs(argv);
  switch (args.command) {
    case 'deploy':
      return deploy(args, io);
    case 'diff': {
      // Objects with a change the API server would refuse are reported, not diffed (kubectl diff would fail on them).
      const objects = readRendered(args.dir);
      const changes = findImmutableChanges(objects, readLiveState(objects, opts));
      const blocked = new Set(changes.map((c) => c.object));
      if (changes.length) say(`${formatImmutableChanges(changes).replace('nothing was applied', 'a deploy would stop here')}\n`);
      say(diffRendered(objects.filter((o) => !blocked.has(objectRef(o))), opts));
      return 0;
    }
    case 'status': {
      const objects = readRendered(args.dir);
      const rows = readStatus(objects, opts);
      say(formatTable(rows));
      // One list call when no user was removed; a removed user's access that stays is worth a line here.
      const removal = planOffboarding(objects, readOffboardInventory(objects, opts));
      if (offboardingPending(removal)) say(`\n${formatOffboardPlan(removal)}\nrevoke with: npm run deploy -- --remove-users`);
      return rows.every((r) => r.ready === r.total) ? 0 : 1;
    }
    case 'destroy':
      return destroyCommand(args, readRendered(args.dir), io);
    case 'offboard': {
      // For GitOps, where the tool applies and prunes: revocation alone, against the render it synced.
      const objects = readRendered(args.dir);
      const plan = planOffboarding(objects, readOffboardInventory(objects, opts));
      say(formatOffboardPlan(plan));
      if (args.flags.has('--dry-run') || !offboardingPending(plan)) return 0;
      offboard(plan, { ...opts, log: (l) => say(l) });
      return 0;
    }
    case 'encryption-config': {
      const file = writeEncryptionConfiguration(args.values.get('--out') ?? path.join(os.homedir(), '.config', 'microflow', 'encryption-config.yaml'), ROOT);
      say(`wrote ${file} (mode 600). Next: docs/operating.md, "Encrypting Secrets at rest".`);
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${args.command}"`);
  }
}

/** Runs a command; returns its exit code (0 done, 1 a check failed or nothing could be done, 2 usage). */
export async function run(argv: string[], io: Io = {}, err: (text: string) => void = (t) => process.stderr.write(t)): Promise<number> {
  const full: Io = { ...io, say: io.say ?? ((line = '') => process.stdout.write(`${line}\n`)) };
  try {
    return await main(argv, full);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`microflow: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    err(`microflow: ${(e as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) run(process.argv.slice(2)).then((code) => { process.exitCode = code; });
