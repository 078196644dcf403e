/**
 * The `microflow` command (bin/microflow.js; the npm scripts are aliases): synth, deploy, diff, status,
 * destroy, offboard, restore, bench, docs, encryption-config. Parsed by commander: every flag is declared
 * per subcommand, so an unknown or misplaced one (`deploy --dryrun`) is refused, named, with the closest
 * known one suggested, and nothing runs; `microflow --help` and `microflow <command> --help` list them.
 * DIR is the rendered folder (default dist/). MICROFLOW_CONFIG (or --config FILE) names the
 * configuration it was rendered from, for the preflight's GPU and storage facts.
 * Exit codes: 0 done, 1 a check failed or nothing could be done, 2 usage.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as readline from 'readline';
import { Command, CommanderError } from 'commander';
import { loadConfigFile, resolveConfig, type Config } from '../lib/config';
import {
  applyPhases, deployHints, destroy, diffRendered, findImmutableChanges, formatChecks, formatDestroyPlan, formatHints, formatWarnings,
  formatImmutableChanges, formatOffboardPlan, formatTable, offboard, offboardingPending, planDestroy, planOffboarding, planPhases,
  preflight, readDataInventory, readLiveState, readOffboardInventory, readRendered, readStatus, waitUntilAvailable, objectRef,
  writeEncryptionConfiguration, DeployTimeoutError, type Kubectl, type Manifest,
} from '../lib/deploy';
import { PART_OF } from '../lib/platform/names';
import { DEFAULT_OUT, SNAPSHOTS } from './synth-command';

/** The project: two levels up when compiled (build/scripts/), one when run from source (tests). */
const ROOT = [path.resolve(__dirname, '..'), path.resolve(__dirname, '..', '..')].find((d) => fs.existsSync(path.join(d, 'package.json')))!;

/** What a command's action receives: its folder and its options, as commander parsed them. */
interface Args {
  command: string;
  dir: string;
  flags: Set<string>;
  values: Map<string, string>;
}

/** A usage error (unknown flag, subcommand, missing value): exit 2, with the command's help. */
class UsageError extends Error {}

/** Commander's parsed options turned back into the flags and values the commands read. */
function toArgs(command: string, dir: string | undefined, opts: Record<string, unknown>): Args {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  for (const [key, value] of Object.entries(opts)) {
    const flag = `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    if (value === true) flags.add(flag);
    else if (typeof value === 'string') values.set(flag, value);
  }
  return { command, dir: dir ?? DEFAULT_OUT, flags, values };
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

async function diffCommand(args: Args, io: Io): Promise<number> {
  // Objects with a change the API server would refuse are reported, not diffed (kubectl diff would fail on them).
  const opts = { kubectl: io.kubectl };
  const objects = readRendered(args.dir);
  const changes = findImmutableChanges(objects, readLiveState(objects, opts));
  const blocked = new Set(changes.map((c) => c.object));
  if (changes.length) io.say!(`${formatImmutableChanges(changes).replace('nothing was applied', 'a deploy would stop here')}\n`);
  io.say!(diffRendered(objects.filter((o) => !blocked.has(objectRef(o))), opts));
  return 0;
}

async function statusCommand(args: Args, io: Io): Promise<number> {
  const opts = { kubectl: io.kubectl };
  const objects = readRendered(args.dir);
  const rows = readStatus(objects, opts);
  io.say!(formatTable(rows));
  // One list call when no user was removed; a removed user's access that stays is worth a line here.
  const removal = planOffboarding(objects, readOffboardInventory(objects, opts));
  if (offboardingPending(removal)) io.say!(`\n${formatOffboardPlan(removal)}\nrevoke with: npm run deploy -- --remove-users`);
  return rows.every((r) => r.ready === r.total) ? 0 : 1;
}

async function offboardCommand(args: Args, io: Io): Promise<number> {
  // For GitOps, where the tool applies and prunes: revocation alone, against the render it synced.
  const opts = { kubectl: io.kubectl };
  const objects = readRendered(args.dir);
  const plan = planOffboarding(objects, readOffboardInventory(objects, opts));
  io.say!(formatOffboardPlan(plan));
  if (args.flags.has('--dry-run') || !offboardingPending(plan)) return 0;
  offboard(plan, { ...opts, log: (l) => io.say!(l) });
  return 0;
}

const DIR = ['[dir]', 'the rendered folder', DEFAULT_OUT] as const;
const CONFIG = ['--config <file>', 'the configuration the folder was rendered from (default: MICROFLOW_CONFIG, else the laptop profile)'] as const;

/** The `microflow` command: one subcommand each, every flag declared, --help on each. */
function program(io: Io, err: (text: string) => void, done: (code: number) => void): Command {
  const cli = new Command('microflow')
    .description('A Kubeflow-like MLOps platform for one microk8s machine: render, deploy and operate it.')
    .version(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version, '--version', 'print the version')
    .helpOption('-h, --help', 'show help for the command')
    .helpCommand('help [command]', 'show help for a command')
    .showSuggestionAfterError(true)
    .showHelpAfterError('(microflow <command> --help shows its flags)')
    .exitOverride()
    .configureOutput({ writeOut: (t) => io.say!(t.replace(/\n$/, '')), writeErr: (t) => err(t) });
  // Each action reports its exit code; commander throws for usage errors and after --help.
  const act = <T extends unknown[]>(f: (...a: T) => Promise<number> | number) => async (...a: T) => done(await f(...a));
  const withDir = (name: string) => cli.command(name).argument(...DIR);

  cli.command('synth')
    .description('render the platform into a folder (a bad configuration leaves it as it was)')
    .option(...CONFIG)
    .option('--out <dir>', 'where to render (default: MICROFLOW_OUT, else dist)')
    // The commands that render load the whole library; loaded when run, so --help and usage errors stay quick.
    .action(act(async (o: { config?: string; out?: string }) => (await import('./synth-command')).synth({
      configFile: o.config ?? process.env.MICROFLOW_CONFIG,
      out: o.out ?? process.env.MICROFLOW_OUT ?? DEFAULT_OUT,
      snapshots: o.out || process.env.MICROFLOW_OUT ? undefined : path.join(ROOT, SNAPSHOTS),
      log: (l) => io.say!(l),
      error: (l) => err(`${l}\n`),
    })));
  withDir('deploy')
    .description('preflight, refuse changes the API cannot make in place, apply in phases, wait until Available')
    .option('--dry-run', 'show what would change (and any blocked change), apply nothing')
    .option('--timeout <seconds>', 'how long to wait for Available', '600')
    .option('--skip-preflight', 'apply even when a preflight check fails')
    .option('--remove-users', 'for user namespaces no longer configured: after applying, delete their RoleBindings, '
      + 'ServiceAccounts and workloads (keeps the namespace, claims, Secrets, ConfigMaps); without it the deploy stops '
      + 'while such a namespace still grants access')
    .option(...CONFIG)
    .action(act((dir: string, o: Record<string, unknown>) => {
      if (!/^\d+$/.test(String(o.timeout))) throw new UsageError(`--timeout: expected a number of seconds, got ${JSON.stringify(o.timeout)}`);
      return deploy(toArgs('deploy', dir, o), io);
    }));
  withDir('diff').description('what a deploy would change (server-side)').action(act((dir: string) => diffCommand(toArgs('diff', dir, {}), io)));
  withDir('status').description('per-component health, and removed users whose access is not revoked yet')
    .action(act((dir: string) => statusCommand(toArgs('status', dir, {}), io)));
  withDir('destroy').description('remove the platform; data claims and generated Secrets are kept')
    .option('--purge-data', 'also delete them (asks for the platform\'s name)')
    .option('--yes', 'with --purge-data: do not ask')
    .action(act((dir: string, o: Record<string, unknown>) => destroyCommand(toArgs('destroy', dir, o), readRendered(dir), io)));
  withDir('offboard').description('revoke removed users\' access as deploy --remove-users does, without applying (GitOps: after the sync)')
    .option('--dry-run', 'print what it would delete and keep')
    .action(act((dir: string, o: Record<string, unknown>) => offboardCommand(toArgs('offboard', dir, o), io)));
  cli.command('restore').description('print the one-off Job that loads a MySQL backup (pipe it to kubectl apply -f -)')
    .argument('<backup>', 'the dump\'s name, e.g. mysql-20261126T030000Z.sql.gz')
    .option(...CONFIG)
    .action(act(async (backup: string, o: { config?: string }) => (await import('./restore')).restore(backup, o.config ?? process.env.MICROFLOW_CONFIG, (t) => io.say!(t.replace(/\n$/, '')))));
  cli.command('bench').description('synth time per profile and the CPU/memory each workload asks for')
    .action(act(async () => { (await import('./bench')).main(); return 0; }));
  cli.command('docs').description('regenerate docs/configuration.md and docs/architecture.md from the code')
    .action(act(async () => { (await import('./docs')).main((l) => io.say!(l)); return 0; }));
  cli.command('encryption-config').description('write an EncryptionConfiguration with a key generated on this machine')
    .option('--out <file>', 'where', path.join(os.homedir(), '.config', 'microflow', 'encryption-config.yaml'))
    .action(act((o: { out: string }) => {
      const file = writeEncryptionConfiguration(o.out, ROOT);
      io.say!(`wrote ${file} (mode 600). Next: docs/operating.md, "Encrypting Secrets at rest".`);
      return 0;
    }));
  return cli;
}

/** Runs a command; returns its exit code (0 done, 1 a check failed or nothing could be done, 2 usage). */
export async function run(argv: string[], io: Io = {}, err: (text: string) => void = (t) => process.stderr.write(t)): Promise<number> {
  const full: Io = { ...io, say: io.say ?? ((line = '') => process.stdout.write(`${line}\n`)) };
  let code = 0;
  try {
    await program(full, err, (c) => { code = c; }).parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here too, with exit code 0; usage errors are already printed.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof UsageError) {
      err(`microflow: ${e.message}\n`);
      return 2;
    }
    err(`microflow: ${(e as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) run(process.argv.slice(2)).then((code) => { process.exitCode = code; });
