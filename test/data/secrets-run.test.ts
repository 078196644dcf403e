/**
 * GeneratedSecrets' generator script alone (test/support/run-script), against the kubectl double: optional
 * keys, a copy with nothing to copy, its temporary files, and where the generator's own Secrets go;
 * and the hashing init container against the htpasswd double (its bcrypt cost).
 * The whole pod, with the real `htpasswd`, runs in secrets-run.native.test.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { LoginSecrets } from '../../lib/auth/secrets';
import { BCRYPT_COST, type GeneratedSecretSpec } from '../../lib/data';
import { NAMESPACES } from '../../lib/platform';
import { FAKES, runScript } from '../support/run-script';
import { constructHarness, find, podSpecOf } from '../support/stack';
import { HOME, render, scratch } from './secrets-run';

const { work: workDir, k8s, secret, premade } = scratch();

describe('the generator\'s script', () => {
  const generator = (secrets: GeneratedSecretSpec[]) => podSpecOf(find(render(secrets), 'Job', 'microflow-secrets', HOME)).containers[0];
  const run = (secrets: GeneratedSecretSpec[], namespace = HOME) => runScript(generator(secrets), workDir(), { NAMESPACE: namespace });
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
    expect(fs.readdirSync(path.join(workDir(), 'tmp'))).toEqual([]);
  });

  test('Secrets of its own namespace go where the pod runs (downward API), the others to theirs', () => {
    const r = run([optional, { name: 'other', namespace: 'team-a', data: { k: { random: 16 } } }], 'moved');
    expect(r.status).toBe(0);
    expect(fs.readdirSync(k8s()).sort()).toEqual(['moved', 'team-a']);
    expect(fs.readdirSync(path.join(k8s(), 'team-a'))).toEqual(['other']);
  });
});

describe('the hashing init container (login-secrets, as the auth layer renders it)', () => {
  test('hashes each password with bcrypt cost 12, the literal, passing the password on stdin', () => {
    const h = constructHarness();
    new LoginSecrets(h.chart, 'login', { policy: h.policy, users: [{ email: 'alice@example.org', namespace: 'alice' }, { email: 'bob@example.org', namespace: 'bob' }] });
    const hash = podSpecOf(find(h.synth(), 'Job', 'login-secrets', NAMESPACES.auth)).initContainers.find((c: any) => c.name === 'hash');
    const prepared = path.join(workDir(), 'prepared');
    const calls = path.join(workDir(), 'htpasswd.calls');
    // Relative, under the script's working folder (runScript rewrites any absolute /tmp/ path).
    const container = { ...hash, command: [hash.command[0], hash.command[1], hash.command[2].replace(/\/prepared\b/g, 'prepared')] };
    // The htpasswd double is off the doubles' usual PATH: the native tests' runs of this script want the real one.
    const r = runScript(container, workDir(), { FAKE_HTPASSWD_CALLS: calls, PATH: `${path.join(FAKES, 'hashing')}:${FAKES}:/usr/bin:/bin` });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // Dex accepts cost 10 and up; 12 is what the docs promise (docs/security.md). Not the constant: the number.
    expect(BCRYPT_COST).toBe(12);
    expect(fs.readFileSync(calls, 'utf8').trim().split('\n')).toEqual(['htpasswd -niBC 12 x', 'htpasswd -niBC 12 x']);
    for (const ns of ['alice', 'bob']) {
      expect(fs.readFileSync(path.join(prepared, NAMESPACES.auth, `dex-password-${ns}`, 'hash'), 'utf8')).toMatch(/^\$2y\$12\$/);
    }
  });
});
