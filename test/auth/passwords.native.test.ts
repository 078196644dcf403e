/**
 * The login's credentials are made by running the rendered Job for real (test/native runs its init
 * container and its container as rendered): `htpasswd -B` (Debian's apache2-utils here, the httpd
 * image in the cluster) hashes each user's generated password, a kubectl test double stands in for
 * the API server, and bcryptjs checks that each hash is the hash of the password the user reads.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as bcrypt from 'bcryptjs';
import { AUTH_SECRETS, DEX } from '../../lib/auth';
import { resolveConfig } from '../../lib/config';
import { BCRYPT_COST } from '../../lib/data';
import { NAMESPACES } from '../../lib/platform';
import { resolveUsers } from '../../lib/users';
import { NativePod, renderedPod } from '../native';
import { readFakeSecret } from '../support/run-script';
import { find, renderStack } from '../support/stack';


const config = resolveConfig({ users: ['you@microflow.local', { email: 'Ada@Example.org', namespace: 'ada' }] });
const users = resolveUsers(config);
const { objects } = renderStack(config);
const job = renderedPod(objects, 'Job', 'login-secrets', NAMESPACES.auth);
const FAKE_KUBECTL = path.join(__dirname, '..', 'data', 'fakes', 'kubectl');
const { userPassword, userPasswordKeys: keys, dexClient, oauth2Proxy } = AUTH_SECRETS;

describe('the rendered login-secrets Job, run for real', () => {
  let k8s: string;
  const generate = () => NativePod.runToCompletion(job, { binaries: { kubectl: FAKE_KUBECTL }, env: { FAKE_K8S: k8s } });
  const secret = (ns: string, name: string) => readFakeSecret(k8s, ns, name);
  beforeEach(() => { k8s = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-fake-k8s-')); });
  afterEach(() => { fs.rmSync(k8s, { recursive: true, force: true }); fs.rmSync(`${k8s}.calls`, { force: true }); });

  test('each user gets a random password and its bcrypt hash (cost 12), in a Secret of namespace auth', async () => {
    await generate();
    const passwords = users.map((u) => {
      const s = secret(NAMESPACES.auth, userPassword(u.namespace));
      expect(s[keys.username]).toBe(u.email);
      expect(s[keys.password]).toMatch(/^[0-9a-f]{32}$/);
      expect(s[keys.hash]).toMatch(new RegExp(`^\\$2y\\$${BCRYPT_COST}\\$[./A-Za-z0-9]{53}$`));
      expect(bcrypt.compareSync(s[keys.password], s[keys.hash])).toBe(true);
      expect(bcrypt.compareSync(`${s[keys.password]}x`, s[keys.hash])).toBe(false);
      return s[keys.password];
    });
    expect(new Set(passwords).size).toBe(users.length);
  }, 60_000);

  test('oauth2-proxy gets the very client secret Dex has, and a cookie secret oauth2-proxy accepts', async () => {
    await generate();
    const dex = secret(NAMESPACES.auth, dexClient.name)[dexClient.keys.clientSecret];
    const proxy = secret(NAMESPACES.oauth2Proxy, oauth2Proxy.name);
    expect(dex).toMatch(/^[0-9a-f]{64}$/);
    expect(proxy[oauth2Proxy.keys.clientSecret]).toBe(dex);
    // 32 characters that decode as base64 to 24 bytes: an AES-192 key for oauth2-proxy.
    expect(Buffer.from(proxy[oauth2Proxy.keys.cookieSecret], 'base64url')).toHaveLength(24);
  }, 60_000);

  test('a second run rotates nothing, and a password Secret created beforehand wins', async () => {
    const mine = path.join(k8s, NAMESPACES.auth, userPassword('ada'));
    fs.mkdirSync(mine, { recursive: true });
    fs.writeFileSync(path.join(mine, keys.hash), bcrypt.hashSync('my own password', 10));
    await generate();
    const first = secret(NAMESPACES.auth, userPassword(users[0].namespace));
    const out = await generate();
    expect(secret(NAMESPACES.auth, userPassword(users[0].namespace))).toEqual(first);
    expect(out.output).toContain(`secret/${userPassword(users[0].namespace)} (auth) exists: kept as it is`);
    expect(fs.readdirSync(mine)).toEqual([keys.hash]);
  }, 60_000);

  test('a password Secret made beforehand without the hash Dex reads fails the Job, naming the key', async () => {
    const theirs = path.join(k8s, NAMESPACES.auth, userPassword('ada'));
    fs.mkdirSync(theirs, { recursive: true });
    fs.writeFileSync(path.join(theirs, keys.password), 'no hash here');
    try {
      await expect(generate()).rejects.toThrow(new RegExp(`secret/${userPassword('ada')} \\(auth\\) exists but has no value for: ${keys.hash}\\.`));
    } finally {
      fs.rmSync(theirs, { recursive: true, force: true });
    }
  }, 60_000);

  test('no password reaches a command line', async () => {
    await generate();
    const calls = fs.readFileSync(`${k8s}.calls`, 'utf8');
    for (const u of users) expect(calls).not.toContain(secret(NAMESPACES.auth, userPassword(u.namespace))[keys.password]);
    expect(job.spec.initContainers![0].command!.join(' ')).toMatch(/htpasswd -niBC \d+ x < "\$1"/);
  }, 60_000);
});

test('Dex reads each user\'s hash from the variable its config names, filled from that user\'s Secret', () => {
  const dex = find(objects, 'Deployment', DEX.name, NAMESPACES.auth).spec.template.spec.containers[0];
  const cfg = find(objects, 'ConfigMap', DEX.name, NAMESPACES.auth).data['config.yaml'] as string;
  for (const u of users) {
    const env = dex.env.find((e: any) => e.valueFrom?.secretKeyRef?.name === userPassword(u.namespace));
    expect(env.valueFrom.secretKeyRef.key).toBe(keys.hash);
    expect(cfg).toContain(`email: ${u.email}\n`);
    expect(cfg).toContain(`hashFromEnv: ${env.name}\n`);
  }
  expect(cfg).not.toMatch(/\$2[aby]\$/);
  expect(dex.env.find((e: any) => e.name === 'OIDC_CLIENT_SECRET').valueFrom.secretKeyRef).toEqual({ name: dexClient.name, key: dexClient.keys.clientSecret });
});
