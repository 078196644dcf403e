/**
 * The platform commands, one small CLI over lib/deploy (npm scripts call it):
 *   npm run deploy [-- --dry-run] [--timeout 600] [--skip-preflight] [DIR]
 *   npm run diff   [-- DIR]
 *   npm run status [-- DIR]
 *   npm run destroy [-- --purge-data [--yes]] [DIR]
 *   npm run encryption-config [-- --out FILE]
 * DIR is the rendered folder (default dist/). MICROFLOW_CONFIG (or --config FILE) names the
 * configuration it was rendered from, for the preflight's GPU and storage facts.
 * Exit codes: 0 done, 1 a check failed or nothing could be done, 2 usage.
 */
import * as os from 'os';
import * as path from 'path';
import * as readline from 'readline';
import { ConfigError, loadConfigFile, resolveConfig, type Config } from '../lib/config';
import {
  applyPhases, deployHints, destroy, diffRendered, findImmutableChanges, formatChecks, formatDestroyPlan, formatHints,
  formatImmutableChanges, formatTable, planDestroy, planPhases, preflight, readDataInventory, readLiveState, readRendered,
  readStatus, waitUntilAvailable, objectRef, writeEncryptionConfiguration, DeployTimeoutError, type Manifest,
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
const USAGE = `usage: microflow <deploy|diff|status|destroy|encryption-config> [options] [DIR]
  deploy             preflight, refuse changes the API cannot make in place, apply in phases, wait until Available
      --dry-run          show what would change (and any blocked change), apply nothing
      --timeout SECONDS  how long to wait for Available (default 600)
      --skip-preflight   apply even when a preflight check fails
  diff               what a deploy would change (server-side)
  status             per-component health
  destroy            remove the platform; data claims and generated Secrets are kept
      --purge-data       also delete them (asks for the platform's name; --yes skips the question)
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
  return { command, dir: positional[0] ?? 'dist', flags, values };
}

function config(args: Args): Config {
  const file = args.values.get('--config') ?? process.env.MICROFLOW_CONFIG;
  return file ? loadConfigFile(file) : resolveConfig({}, 'built-in laptop profile');
}

const say = (line = '') => process.stdout.write(`${line}\n`);

async function deploy(args: Args): Promise<number> {
  const objects = readRendered(args.dir);
  if (!args.flags.has('--skip-preflight')) {
    const checks = preflight(config(args), objects);
    say('preflight:');
    say(formatChecks(checks).replace(/^/gm, '  '));
    if (checks.some((c) => c.level === 'fail')) {
      say('\npreflight failed: fix the FAIL lines above and deploy again (or --skip-preflight to apply anyway)');
      return 1;
    }
  }
  const changes = findImmutableChanges(objects, readLiveState(objects));
  if (changes.length) {
    say(`\n${formatImmutableChanges(changes)}`);
    return 1;
  }
  const phases = planPhases(objects);
  if (args.flags.has('--dry-run')) {
    say(`\ndry run: ${diffRendered(objects)}`);
    return 0;
  }
  say('\napplying:');
  applyPhases(phases, { log: (l) => say(`  ${l.split('\n')[0]}`) });
  say('\nwaiting until every component is Available:');
  try {
    await waitUntilAvailable(objects, { timeoutSeconds: Number(args.values.get('--timeout') ?? 600) });
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

async function destroyCommand(args: Args, objects: Manifest[]): Promise<number> {
  const purge = args.flags.has('--purge-data');
  const plan = planDestroy(objects, readDataInventory(objects), purge);
  say(formatDestroyPlan(plan));
  if (purge && !args.flags.has('--yes') && !(await confirmName(PART_OF))) {
    say(process.stdin.isTTY ? 'not confirmed: nothing was deleted' : 'not confirmed (no terminal to ask on): pass --yes to purge without the question; nothing was deleted');
    return 1;
  }
  destroy(plan, { log: (l) => say(l) });
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  switch (args.command) {
    case 'deploy':
      return deploy(args);
    case 'diff': {
      // Objects with a change the API server would refuse are reported, not diffed (kubectl diff would fail on them).
      const objects = readRendered(args.dir);
      const changes = findImmutableChanges(objects, readLiveState(objects));
      const blocked = new Set(changes.map((c) => c.object));
      if (changes.length) say(`${formatImmutableChanges(changes).replace('nothing was applied', 'a deploy would stop here')}\n`);
      say(diffRendered(objects.filter((o) => !blocked.has(objectRef(o)))));
      return 0;
    }
    case 'status': {
      const rows = readStatus(readRendered(args.dir));
      say(formatTable(rows));
      return rows.every((r) => r.ready === r.total) ? 0 : 1;
    }
    case 'destroy':
      return destroyCommand(args, readRendered(args.dir));
    case 'encryption-config': {
      const file = writeEncryptionConfiguration(args.values.get('--out') ?? path.join(os.homedir(), '.config', 'microflow', 'encryption-config.yaml'), ROOT);
      say(`wrote ${file} (mode 600). Next: README, "Encrypting Secrets at rest".`);
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${args.command}"`);
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => {
  if (e instanceof UsageError) {
    console.error(`microflow: ${e.message}\n${USAGE}`);
    process.exitCode = 2;
  } else if (e instanceof ConfigError) {
    console.error(`microflow: ${e.message}`);
    process.exitCode = 1;
  } else {
    console.error(`microflow: ${(e as Error).message}`);
    process.exitCode = 1;
  }
});
