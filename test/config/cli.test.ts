/** The command-line path: `MICROFLOW_CONFIG=file npm run synth` (compiled main.js). */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EXAMPLES, ROOT } from '../support/stack';

const MAIN = path.join(ROOT, 'build', 'main.js');

function synth(configText: string | undefined, out: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, MICROFLOW_OUT: out };
  delete env.MICROFLOW_CONFIG;
  if (configText !== undefined) {
    const file = path.join(path.dirname(out), 'microflow.yaml');
    fs.writeFileSync(file, configText);
    env.MICROFLOW_CONFIG = file;
  }
  try {
    return spawnSync(process.execPath, [MAIN], { env, encoding: 'utf8', cwd: ROOT });
  } finally {
    if (env.MICROFLOW_CONFIG) fs.rmSync(env.MICROFLOW_CONFIG, { force: true });
  }
}

function snapshotDir(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

// Each test's own folder: the output folder inside it, the configuration file and render's temporary folder beside it.
let parent: string;
let out: string;
beforeAll(() => {
  if (!fs.existsSync(MAIN)) throw new Error('build/main.js is missing: run `npm run build` (npm test does)');
});
beforeEach(() => {
  parent = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-cli-'));
  out = path.join(parent, 'dist');
  fs.mkdirSync(out);
  fs.writeFileSync(path.join(out, 'previous.k8s.yaml'), 'previous: render\n');
});
afterEach(() => fs.rmSync(parent, { recursive: true, force: true }));

test.each(EXAMPLES)('examples/%s.yaml synths', (example) => {
  const r = synth(fs.readFileSync(path.join(ROOT, 'examples', `${example}.yaml`), 'utf8'), out);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toContain(`rendered profile "${example}"`);
  expect(fs.readdirSync(out).slice(0, 3)).toEqual(['0000-platform.k8s.yaml', '0001-data.k8s.yaml', '0002-gateway.k8s.yaml']);
  expect(fs.readdirSync(out).some((f) => f.endsWith('-notebooks.k8s.yaml'))).toBe(true);
});

test.each([
  ['a typo', 'profile: laptop\nstorageClas: fast\n', /unknown key "storageClas"/],
  ['a wrong type', 'gpu:\n  enabled: "yes"\n', /gpu\.enabled: expected true or false/],
  ['a negative count', 'gpu:\n  defaultCount: -2\n', /gpu\.defaultCount: expected a GPU count to be 0 or more/],
  ['a bad quantity', 'storage:\n  mysql: 4 GB\n', /storage\.mysql: expected a memory quantity .*got "4 GB"/],
  ['a malformed email', 'users:\n  - not-an-email\n', /users\.0\.email: expected an email address, got "not-an-email"/],
  ['broken YAML', 'gpu: [\n', /not valid YAML/],
])('%s fails with exit code 1, a message naming the field, and the output folder untouched', (_name, text, message) => {
  const before = snapshotDir(out);
  const r = synth(text, out);
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).toContain('was left unchanged');
  expect(snapshotDir(out)).toEqual(before);
});

test('a missing configuration file is an error, not the default profile', () => {
  const env = { ...process.env, MICROFLOW_OUT: out, MICROFLOW_CONFIG: '/nonexistent/microflow.yaml' };
  const r = spawnSync(process.execPath, [MAIN], { env, encoding: 'utf8', cwd: ROOT });
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/cannot read the file/);
  expect(snapshotDir(out)).toEqual({ 'previous.k8s.yaml': 'previous: render\n' });
});

test('a successful render replaces the previous output entirely and leaves no temporary folder', () => {
  const r = synth(undefined, out);
  expect(r.status).toBe(0);
  expect(fs.existsSync(path.join(out, 'previous.k8s.yaml'))).toBe(false);
  expect(fs.readdirSync(parent)).toEqual(['dist']);
});

test('gateway.plainHttp: true renders, with one warning line naming the risk on stderr; the default prints none', () => {
  const r = synth('gateway:\n  plainHttp: true\n', out);
  expect(r.status).toBe(0);
  expect(r.stderr).toMatch(/^microflow: warning: gateway\.plainHttp is true: .*passwords, session cookies and tokens sent over HTTP .*\n$/);
  expect(r.stderr.split('\n')).toHaveLength(2);
  expect(synth(undefined, out).stderr).toBe('');
});
