/**
 * The gateway's self-signed certificate Job, run as rendered: its `generate` script with the real
 * openssl, its `store` script against the kubectl double (test/data/fakes). The certificate must be
 * one a browser and Istio accept for the configured domain, and an existing Secret must never be
 * replaced.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { SELF_SIGNED_DAYS, SelfSignedCertificate } from '../../lib/gateway';
import { NAMESPACES } from '../../lib/platform';
import { fakeState, runScript } from '../support/run-script';
import { exampleConfig, renderStack } from '../support/stack';

const config = exampleConfig('cluster');
// The Job that says it generates the gateway's certificate Secret.
const job = renderStack(config).objects.find((o: any) => o.kind === 'Job' && o.metadata.namespace === NAMESPACES.istio
  && o.metadata.annotations?.[SelfSignedCertificate.ANNOTATION] === config.gateway.tls.secretName) as any;
const pod = job.spec.template.spec;
let work: string;

/** The container's script with /certs pointed into the test's folder (its cwd; the pod's memory volume). */
const run = (name: string, env: Record<string, string> = {}) => {
  const c = [...pod.initContainers, ...pod.containers].find((x: any) => x.name === name);
  const patched = { ...c, command: [c.command[0], c.command[1], c.command[2].replace(/\/certs\//g, './certs/')] };
  // The pod's namespace, from the downward API.
  return runScript(patched, work, { NAMESPACE: NAMESPACES.istio, ...env });
};
const secretDir = () => path.join(fakeState(work).k8s, NAMESPACES.istio, config.gateway.tls.secretName);
const x509 = (...args: string[]) => spawnSync('openssl', ['x509', '-in', path.join(secretDir(), 'tls.crt'), '-noout', ...args], { encoding: 'utf8' }).stdout;

beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-certificate-'));
  fs.mkdirSync(path.join(work, 'certs'));
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

test('generate + store: a Secret with a certificate for the domain (CN and subjectAltName, serverAuth, 825 days) and its key', () => {
  const gen = run('generate');
  expect({ status: gen.status, stderr: gen.stderr }).toEqual({ status: 0, stderr: '' });
  expect(gen.stdout).toContain(`self-signed certificate for ${config.domain} made`);
  // The key never leaves memory readable by others.
  expect(fs.statSync(path.join(work, 'certs', 'tls.key')).mode & 0o077).toBe(0);
  const store = run('store');
  expect(store.status).toBe(0);
  expect(store.stdout).toContain(`secret/${config.gateway.tls.secretName} created (self-signed for ${config.domain})`);
  expect(x509('-subject')).toContain(`CN = ${config.domain}`);
  expect(x509('-ext', 'subjectAltName')).toContain(`DNS:${config.domain}`);
  expect(x509('-ext', 'extendedKeyUsage')).toContain('TLS Web Server Authentication');
  const dates = x509('-startdate', '-enddate');
  const [start, end] = [/notBefore=(.*)/, /notAfter=(.*)/].map((r) => Date.parse(r.exec(dates)![1]));
  expect(Math.round((end - start) / 86_400_000)).toBe(SELF_SIGNED_DAYS);
  // The key is the certificate's.
  const pub = (args: string[]) => spawnSync('openssl', args, { encoding: 'utf8' }).stdout;
  expect(pub(['pkey', '-in', path.join(secretDir(), 'tls.key'), '-pubout'])).toBe(pub(['x509', '-in', path.join(secretDir(), 'tls.crt'), '-noout', '-pubkey']));
});

test('an existing Secret (yours, or an earlier run\'s) is kept as it is, never replaced', () => {
  expect(run('generate').status).toBe(0);
  expect(run('store').status).toBe(0);
  const before = fs.readFileSync(path.join(secretDir(), 'tls.crt'), 'utf8');
  fs.rmSync(path.join(work, 'certs'), { recursive: true });
  fs.mkdirSync(path.join(work, 'certs'));
  expect(run('generate').status).toBe(0);
  const again = run('store');
  expect(again.status).toBe(0);
  expect(again.stdout).toContain(`secret/${config.gateway.tls.secretName} exists: kept as it is`);
  expect(fs.readFileSync(path.join(secretDir(), 'tls.crt'), 'utf8')).toBe(before);
});

test('an API error other than AlreadyExists fails the Job with the API server\'s message', () => {
  expect(run('generate').status).toBe(0);
  const forbidden = 'Error from server (Forbidden): secrets is forbidden: User "system:serviceaccount:istio-system:x" cannot create resource "secrets"';
  const r = run('store', { FAKE_KUBECTL_FAIL: 'create secret tls', FAKE_KUBECTL_ERROR: forbidden });
  expect(r.status).toBe(1);
  expect(r.stderr).toContain(forbidden);
  expect(fs.existsSync(secretDir())).toBe(false);
});
