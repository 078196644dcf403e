/**
 * scripts/programs/build.sh, run for real on a stand-in program: a copy of build.sh and lib.sh beside
 * one recipe whose "build" writes a small script (and counts its builds), with a throwaway cache.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');

const RECIPE = `# shellcheck shell=bash
PROGRAM_VERSION=1.2.3
PROGRAM_SOURCE="a stand-in"
program_path() { echo "$PROGRAM_DIR/bin/fake"; }
program_ok() { [[ "$("$(program_path)" --version)" == "fake $PROGRAM_VERSION" ]]; }
program_build() {
  echo built >>"$FAKE_BUILDS"
  mkdir -p "$PROGRAM_SCRATCH/bin" "$PROGRAM_SCRATCH/share"
  printf '#!/bin/sh\\necho fake %s\\n' "$PROGRAM_VERSION" >"$PROGRAM_SCRATCH/bin/fake"
  chmod +x "$PROGRAM_SCRATCH/bin/fake"
  sleep "\${FAKE_SLEEP:-0}"
  [ -z "\${FAKE_FAIL:-}" ]
}
`;

let dir: string;
let env: NodeJS.ProcessEnv;
const builds = () => (fs.existsSync(env.FAKE_BUILDS!) ? fs.readFileSync(env.FAKE_BUILDS!, 'utf8').split('\n').filter(Boolean).length : 0);
const run = (args: string[], extra: NodeJS.ProcessEnv = {}) => spawnSync(path.join(dir, 'scripts', 'programs', 'build.sh'), args, { encoding: 'utf8', env: { ...env, ...extra } });

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-programs-'));
  const programs = path.join(dir, 'scripts', 'programs');
  fs.mkdirSync(programs, { recursive: true });
  for (const f of ['build.sh', 'lib.sh']) fs.copyFileSync(path.join(ROOT, 'scripts', 'programs', f), path.join(programs, f));
  fs.writeFileSync(path.join(programs, 'fake.sh'), RECIPE);
  fs.writeFileSync(path.join(programs, 'ci.list'), '# the stand-in\nfake\n');
  env = { ...process.env, MICROFLOW_CACHE: path.join(dir, 'cache'), FAKE_BUILDS: path.join(dir, 'builds'), MICROFLOW_FORCE_REBUILD: '' };
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

test('builds into <name>-<version>, then finds it cached; --path prints the program, which runs', () => {
  expect(run(['--path', 'fake']).status).toBe(3);
  const first = run([]);
  expect({ status: first.status, line: /\[programs\] fake: built in \d+s/.test(first.stderr) }).toEqual({ status: 0, line: true });
  const second = run(['fake']);
  expect({ status: second.status, line: second.stderr.split('\n')[0], builds: builds() }).toEqual({ status: 0, line: '[programs] fake: cached', builds: 1 });
  const p = run(['--path', 'fake']);
  expect({ status: p.status, path: p.stdout.trim() }).toEqual({ status: 0, path: path.join(dir, 'cache', 'fake-1.2.3', 'bin', 'fake') });
  expect(spawnSync(p.stdout.trim(), ['--version'], { encoding: 'utf8' }).stdout.trim()).toBe('fake 1.2.3');
  expect(fs.existsSync(path.join(dir, 'cache', 'fake-1.2.3', 'share'))).toBe(true);
  expect(run(['--list']).stdout).toMatch(/^fake\s+1\.2\.3\s+yes\s+a stand-in$/m);
  expect(run(['fake'], { MICROFLOW_FORCE_REBUILD: '1' }).status).toBe(0);
  expect(builds()).toBe(2);
});

test('a failed build exits 1, is not cached, and leaves no program behind', () => {
  const r = run(['fake'], { FAKE_FAIL: '1' });
  expect({ status: r.status, failed: r.stderr.includes('FAILED: fake') }).toEqual({ status: 1, failed: true });
  expect(run(['--path', 'fake']).status).toBe(3);
  expect(fs.existsSync(path.join(dir, 'cache', 'fake-1.2.3', 'bin'))).toBe(false);
  expect(run(['fake']).status).toBe(0);
});

test('unknown programs and flags exit 2, naming them', () => {
  const r = run(['fake', 'no-such-program']);
  expect({ status: r.status, named: r.stderr.includes("unknown program 'no-such-program'") }).toEqual({ status: 2, named: true });
  expect(run(['--path', 'no-such-program']).status).toBe(2);
  const flag = run(['--frobnicate']);
  expect({ status: flag.status, stderr: flag.stderr.trim() }).toEqual({ status: 2, stderr: 'build.sh: unknown flag --frobnicate' });
  expect(run(['--jobs', '0', 'fake']).status).toBe(2);
  expect(builds()).toBe(0);
});

test('two callers at once wait for one build', async () => {
  const script = path.join(dir, 'scripts', 'programs', 'build.sh');
  const both = [0, 1].map(() => new Promise<number>((resolve) => {
    spawn(script, ['fake'], { env: { ...env, FAKE_SLEEP: '2' }, stdio: 'ignore' }).on('exit', (code) => resolve(code ?? -1));
  }));
  expect(await Promise.all(both)).toEqual([0, 0]);
  expect(builds()).toBe(1);
});

test('--tier builds the programs ci.list gives that tier; no name builds all but the budget tier', () => {
  const programs = path.join(dir, 'scripts', 'programs');
  fs.writeFileSync(path.join(programs, 'later.sh'), RECIPE.replace('1.2.3', '4.5.6'));
  fs.writeFileSync(path.join(programs, 'ci.list'), '# name tier\nfake native\nlater budget   # a comment\n');
  expect(run([]).status).toBe(0);
  expect({ fake: run(['--path', 'fake']).status, later: run(['--path', 'later']).status }).toEqual({ fake: 0, later: 3 });
  expect(run(['--tier', 'cluster']).status).toBe(0);
  expect(run(['--path', 'later']).status).toBe(3);
  expect(run(['--tier', 'budget']).status).toBe(0);
  expect(run(['--path', 'later']).stdout.trim()).toBe(path.join(dir, 'cache', 'later-4.5.6', 'bin', 'fake'));
  const both = run(['--tier', 'native', 'fake']);
  expect({ status: both.status, stderr: both.stderr.trim() }).toEqual({ status: 2, stderr: 'build.sh: --tier and program names do not go together' });
  const bad = run(['--tier', 'gpu']);
  expect({ status: bad.status, stderr: bad.stderr.trim() }).toEqual({ status: 2, stderr: 'build.sh: --tier needs cluster, native or budget' });
});
