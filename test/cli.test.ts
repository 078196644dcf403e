/**
 * The `microflow` command as a user types it (bin/microflow.js, a process each): strict flags with the
 * closest one suggested, help on every subcommand, and `cdk8s synth` with a bad configuration leaving
 * the output folder byte for byte as it was (cdk8s deletes it before the app runs; the app puts it back).
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ROOT } from './support/stack';

const BIN = path.join(ROOT, 'bin', 'microflow.js');
const microflow = (args: string[], cwd = ROOT) => spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, MICROFLOW_KUBECTL: '/nonexistent/kubectl' } });
const COMMANDS = ['synth', 'deploy', 'diff', 'status', 'destroy', 'offboard', 'restore', 'bench', 'docs', 'encryption-config'];

test('package.json names the command and every npm script is an alias of it', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  expect(pkg.bin).toEqual({ microflow: 'bin/microflow.js' });
  for (const c of COMMANDS) expect({ c, script: pkg.scripts[c] }).toEqual({ c, script: `node bin/microflow.js ${c}` });
});

test.each([
  [['deploy', '--dryrun'], "error: unknown option '--dryrun'\n(Did you mean --dry-run?)"],
  [['deplo'], "error: unknown command 'deplo'\n(Did you mean deploy?)"],
  [['destroy', '--purge_data'], "error: unknown option '--purge_data'\n(Did you mean --purge-data?)"],
  [['diff', 'dist', 'extra'], "error: too many arguments for 'diff'"],
  [['restore'], "error: missing required argument 'backup'"],
  [['deploy', '--timeout'], "error: option '--timeout <seconds>' argument missing"],
  [['deploy', '--timeout', 'soon'], 'microflow: --timeout: expected a number of seconds, got "soon"'],
])('microflow %j exits 2 naming what is wrong; nothing runs', (args, message) => {
  const r = microflow(args);
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 2, stderr: expect.stringContaining(message) });
  expect(r.stdout).toBe('');
});

test.each(COMMANDS)('microflow %s --help describes it and exits 0', (command) => {
  const r = microflow([command, '--help']);
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  expect(r.stdout).toMatch(new RegExp(`^Usage: microflow ${command} `));
});

test('microflow --help lists every command', () => {
  const r = microflow(['--help']);
  expect(r.status).toBe(0);
  for (const c of COMMANDS) expect(r.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
});

describe('cdk8s synth, in a scratch copy of the project', () => {
  let copy: string;
  // --no-check-upgrade: cdk8s-cli asks npm's registry for its latest version otherwise (no network in this tier).
  const cdk8s = (env: Record<string, string> = {}) => spawnSync(path.join(ROOT, 'node_modules', '.bin', 'cdk8s'), ['synth', '--no-check-upgrade'], {
    cwd: copy, encoding: 'utf8', env: { ...process.env, MICROFLOW_CONFIG: '', MICROFLOW_OUT: '', ...env },
  });
  const tree = (dir: string) => Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));

  beforeAll(() => {
    copy = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-cdk8s-'));
    for (const f of ['cdk8s.yaml', 'package.json', 'dist', 'scripts', 'build', 'examples']) fs.cpSync(path.join(ROOT, f), path.join(copy, f), { recursive: true });
    // The compiled app is current (npm test compiles first): scripts/ensure-built.js needs the sources only to compare.
    for (const f of ['lib', 'imports', 'vendor', 'main.ts', 'tsconfig.json', 'package-lock.json']) fs.symlinkSync(path.join(ROOT, f), path.join(copy, f));
    fs.mkdirSync(path.join(copy, 'node_modules'));
    for (const m of fs.readdirSync(path.join(ROOT, 'node_modules'))) fs.symlinkSync(path.join(ROOT, 'node_modules', m), path.join(copy, 'node_modules', m));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: copy, stdio: 'ignore' });
    git('init', '-q');
    git('add', 'dist');
    git('-c', 'user.email=ci@microflow.invalid', '-c', 'user.name=ci', 'commit', '-qm', 'dist');
  }, 60_000);
  afterAll(() => fs.rmSync(copy, { recursive: true, force: true }));

  test('a bad configuration: exit 1 naming the field, dist/ put back from git (no render here yet)', () => {
    const before = tree(path.join(copy, 'dist'));
    fs.writeFileSync(path.join(copy, 'bad.yaml'), 'profile: laptop\nstorageClas: fast\n');
    const r = cdk8s({ MICROFLOW_CONFIG: path.join(copy, 'bad.yaml') });
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain('unknown key "storageClas"');
    expect(tree(path.join(copy, 'dist'))).toEqual(before);
  }, 60_000);

  test('a good render reproduces the committed dist/; after it, a bad one puts back that render, not git\'s', () => {
    const committed = tree(path.join(copy, 'dist'));
    const r = cdk8s();
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(tree(path.join(copy, 'dist'))).toEqual(committed);
    // A render of another profile, then a bad configuration: dist/ stays that render.
    expect(cdk8s({ MICROFLOW_CONFIG: path.join(copy, 'examples', 'cluster.yaml') }).status).toBe(0);
    const cluster = tree(path.join(copy, 'dist'));
    expect(cluster).not.toEqual(committed);
    const bad = cdk8s({ MICROFLOW_CONFIG: path.join(copy, 'bad.yaml') });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('was put back as the last successful render left it');
    expect(tree(path.join(copy, 'dist'))).toEqual(cluster);
  }, 120_000);
});
