/**
 * GeneratedSecrets' Job, run: the whole pod as rendered (test/native's NativePod: its init container
 * with the real `htpasswd`, then the generator, each with its volumes, mounts and downward-API
 * namespace) against the kubectl test double, for bcrypt, copies and Secrets in other namespaces,
 * and its init container alone (what it leaves in /prepared);
 * and the generator's script alone (test/support/run-script) for optional keys, a copy with nothing
 * to copy, its temporary files, and where the generator's own Secrets go.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as bcrypt from 'bcryptjs';
import { BCRYPT_COST, GeneratedSecrets, type GeneratedSecretSpec } from '../../lib/data';
import { NativePod, renderedPod } from '../native';
import { FAKES, fakeState, readFakeSecret, runScript, writeFakeSecret } from '../support/run-script';
import { constructHarness, find, podSpecOf } from '../support/stack';

const HOME = 'kubeflow';
const render = (secrets: GeneratedSecretSpec[]) => {
  const h = constructHarness();
  new GeneratedSecrets(h.chart, 'g', { namespace: HOME, policy: h.policy, secrets });
  return h.synth();
};

let work: string;
beforeEach(() => { work = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-secrets-run-')); });
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));
const k8s = () => fakeState(work).k8s;
const secret = (ns: string, name: string) => readFakeSecret(k8s(), ns, name);
const premade = (ns: string, name: string, data: Record<string, string>) => writeFakeSecret(k8s(), ns, name, data);

const HTPASSWD = spawnSync('sh', ['-c', 'command -v htpasswd'], { encoding: 'utf8' }).stdout.trim();
if (!HTPASSWD && process.env.MICROFLOW_REQUIRE_NATIVE === '1') throw new Error('htpasswd is missing: apt-get install apache2-utils');
const withHtpasswd = HTPASSWD ? test : test.skip;

describe('the whole pod, run', () => {
  const secrets: GeneratedSecretSpec[] = [
    { name: 'plain', data: { password: { random: 16 } } },
    { name: 'login', data: { user: { fixed: 'me@x.org' }, password: { random: 16 }, hash: { bcrypt: 'password' } } },
    { name: 'remote', namespace: 'team-a', data: { password: { random: 20 }, hash: { bcrypt: 'password' } } },
    { name: 'shared', namespace: 'team-b', data: { fromHome: { copy: { secret: 'login', key: 'password' } }, fromA: { copy: { secret: 'remote', key: 'hash', namespace: 'team-a' } } } },
  ];

  withHtpasswd('hashes are bcrypt (cost 12) of the password next to them, copies equal their source, each Secret in its namespace', async () => {
    const pod = renderedPod(render(secrets), 'Job', 'microflow-secrets', HOME);
    await NativePod.runToCompletion(pod, { binaries: { kubectl: path.join(FAKES, 'kubectl') }, env: { FAKE_K8S: k8s() } });
    expect(fs.readdirSync(k8s()).sort()).toEqual([HOME, 'team-a', 'team-b']);
    expect(fs.readdirSync(path.join(k8s(), HOME)).sort()).toEqual(['login', 'plain']);
    expect(secret(HOME, 'plain').password).toMatch(/^[0-9a-f]{32}$/);
    const login = secret(HOME, 'login');
    const remote = secret('team-a', 'remote');
    expect(login.user).toBe('me@x.org');
    expect(login.password).toMatch(/^[0-9a-f]{32}$/);
    expect(remote.password).toMatch(/^[0-9a-f]{40}$/);
    for (const s of [login, remote]) {
      expect(s.hash).toMatch(new RegExp(`^\\$2y\\$${BCRYPT_COST}\\$[./A-Za-z0-9]{53}$`));
      expect(bcrypt.compareSync(s.password, s.hash)).toBe(true);
      expect(bcrypt.compareSync(`${s.password}x`, s.hash)).toBe(false);
    }
    expect(secret('team-b', 'shared')).toEqual({ fromA: remote.hash, fromHome: login.password });
  }, 60_000);

  withHtpasswd('the init container leaves just each hashed Secret\'s password and hash, owner-only, and prints nothing', () => {
    const init = podSpecOf(find(render(secrets), 'Job', 'microflow-secrets', HOME)).initContainers[0];
    // /prepared made relative: the script runs in `work`.
    const r = runScript({ ...init, command: init.command.map((a: string) => a.replaceAll('/prepared/', 'prepared/')) }, work);
    const prepared = path.join(work, 'prepared');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
    const files = (fs.readdirSync(prepared, { recursive: true }) as string[]).sort();
    expect(files).toEqual([HOME, `${HOME}/login`, `${HOME}/login/hash`, `${HOME}/login/password`, 'team-a', 'team-a/remote', 'team-a/remote/hash', 'team-a/remote/password']);
    for (const f of files.filter((x) => x.endsWith('hash') || x.endsWith('password'))) expect(fs.statSync(path.join(prepared, f)).mode & 0o777).toBe(0o600);
  }, 60_000);
});

describe('the generator\'s script', () => {
  const generator = (secrets: GeneratedSecretSpec[]) => podSpecOf(find(render(secrets), 'Job', 'microflow-secrets', HOME)).containers[0];
  const run = (secrets: GeneratedSecretSpec[], namespace = HOME) => runScript(generator(secrets), work, { NAMESPACE: namespace });
  const optional: GeneratedSecretSpec = { name: 'db', data: { user: { fixed: 'app' }, password: { random: 16 }, extra: { random: 16 } }, required: ['user', 'password'] };

  test('creates optional keys too when it makes the Secret', () => {
    const r = run([optional]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(Object.keys(secret(HOME, 'db'))).toEqual(['extra', 'password', 'user']);
  });

  test('keeps a Secret made beforehand that lacks only optional keys', () => {
    premade(HOME, 'db', { user: 'mine', password: 'my password' });
    const r = run([optional]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('secret/db (kubeflow) exists: kept as it is\n');
    expect(secret(HOME, 'db')).toEqual({ user: 'mine', password: 'my password' });
  });

  test('fails on a Secret made beforehand that lacks a required key, naming only that key', () => {
    premade(HOME, 'db', { user: 'mine', extra: 'x' });
    const r = run([optional]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('secret/db (kubeflow) exists but has no value for: password. Add the missing key(s) (kubectl -n kubeflow edit secret db) or delete the Secret to have it generated\n');
    expect(secret(HOME, 'db')).toEqual({ user: 'mine', extra: 'x' });
  });

  test('a copy of an empty value fails the Job naming the source, and creates nothing', () => {
    premade(HOME, 'src', { other: 'x', token: '' });
    const r = run([
      { name: 'src', data: { other: { random: 16 }, token: { random: 16 } }, required: ['other'] },
      { name: 'dst', namespace: 'team-a', data: { token: { copy: { secret: 'src', key: 'token' } } } },
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('secret/dst (team-a): no value to copy from kubeflow/src/token\n');
    expect(fs.existsSync(path.join(k8s(), 'team-a'))).toBe(false);
  });

  test('leaves no value behind in its temporary folder', () => {
    const r = run([optional, { name: 'other', namespace: 'team-a', data: { k: { random: 16 } } }]);
    expect(r.status).toBe(0);
    expect(fs.readdirSync(path.join(work, 'tmp'))).toEqual([]);
  });

  test('Secrets of its own namespace go where the pod runs (downward API), the others to theirs', () => {
    const r = run([optional, { name: 'other', namespace: 'team-a', data: { k: { random: 16 } } }], 'moved');
    expect(r.status).toBe(0);
    expect(fs.readdirSync(k8s()).sort()).toEqual(['moved', 'team-a']);
    expect(fs.readdirSync(path.join(k8s(), 'team-a'))).toEqual(['other']);
  });
});
