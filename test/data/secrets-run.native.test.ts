/**
 * GeneratedSecrets' Job, run: the whole pod as rendered (test/native's NativePod: its init container
 * with the real `htpasswd`, then the generator, each with its volumes, mounts and downward-API
 * namespace) against the kubectl test double, for bcrypt, copies and Secrets in other namespaces,
 * and its init container alone (what it leaves in /prepared). The generator's script alone runs in
 * secrets-run.test.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as bcrypt from 'bcryptjs';
import { BCRYPT_COST, type GeneratedSecretSpec } from '../../lib/data';
import { NativePod, renderedPod } from '../native';
import { FAKES, runScript } from '../support/run-script';
import { find, podSpecOf } from '../support/stack';
import { HOME, render, scratch } from './secrets-run';

const { work: workDir, k8s, secret } = scratch();

describe('the whole pod, run', () => {
  const secrets: GeneratedSecretSpec[] = [
    { name: 'plain', data: { password: { random: 16 } } },
    { name: 'login', data: { user: { fixed: 'me@x.org' }, password: { random: 16 }, hash: { bcrypt: 'password' } } },
    { name: 'remote', namespace: 'team-a', data: { password: { random: 20 }, hash: { bcrypt: 'password' } } },
    { name: 'shared', namespace: 'team-b', data: { fromHome: { copy: { secret: 'login', key: 'password' } }, fromA: { copy: { secret: 'remote', key: 'hash', namespace: 'team-a' } } } },
  ];

  test('hashes are bcrypt (cost 12) of the password next to them, copies equal their source, each Secret in its namespace', async () => {
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

  test('the init container leaves just each hashed Secret\'s password and hash, owner-only, and prints nothing', () => {
    const init = podSpecOf(find(render(secrets), 'Job', 'microflow-secrets', HOME)).initContainers[0];
    // /prepared made relative: the script runs in the scratch folder.
    const r = runScript({ ...init, command: init.command.map((a: string) => a.replaceAll('/prepared/', 'prepared/')) }, workDir());
    const prepared = path.join(workDir(), 'prepared');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
    const files = (fs.readdirSync(prepared, { recursive: true }) as string[]).sort();
    expect(files).toEqual([HOME, `${HOME}/login`, `${HOME}/login/hash`, `${HOME}/login/password`, 'team-a', 'team-a/remote', 'team-a/remote/hash', 'team-a/remote/password']);
    for (const f of files.filter((x) => x.endsWith('hash') || x.endsWith('password'))) expect(fs.statSync(path.join(prepared, f)).mode & 0o777).toBe(0o600);
  }, 60_000);
});
