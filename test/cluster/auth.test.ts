/**
 * The login and the users' namespaces on a real control plane: accepted in one pass and Available,
 * RBAC proven with `kubectl auth can-i` (Dex manages only its own storage, oauth2-proxy nothing,
 * each user works in their namespace and nowhere else), and a quota rejecting a pod over it with the
 * API server's own message.
 */
import * as https from 'https';
import { AUTH_SECRETS, DEX, DEX_STORAGE_KINDS, JWKS_PROXY, OAUTH2_PROXY } from '../../lib/auth';
import type { Manifest } from '../../lib/deploy';
import { NAMESPACES } from '../../lib/platform';
import { resolveUsers, USER_NAMESPACE } from '../../lib/users';
import { applyStack, waitAvailable, type AppliedStack } from './support/stack';
import { canI, getJson, k, requireCluster, run, waitFor } from './support/kube';

let stack: AppliedStack;
const summary: string[] = [];

beforeAll(async () => {
  requireCluster();
  stack = await applyStack();
});

afterAll(async () => {
  await stack?.release();
  console.log([`== login and user namespaces on Kubernetes ${process.env.MICROFLOW_K8S ?? '1.28'} (${process.env.MICROFLOW_PROFILE ?? 'laptop'})`, ...summary].join('\n'));
});

const login = () => stack.objects.filter((o) => [NAMESPACES.auth, NAMESPACES.oauth2Proxy].includes(o.metadata.namespace as any));
const users = () => resolveUsers(stack.config);

/** `kubectl auth can-i` as a user (by email, as the apps' SubjectAccessReviews name them). */
async function userCan(email: string, verb: string, resource: string, namespace: string): Promise<boolean> {
  const r = await run(['auth', 'can-i', verb, resource, `--as=${email}`, `--namespace=${namespace}`]);
  if (r.code !== 0 && r.code !== 1) throw new Error(`can-i failed: ${r.stderr}`);
  return r.stdout.trim() === 'yes';
}

test('the login\'s and the users\' objects are accepted in one pass', () => {
  expect(stack.applyError).toBeUndefined();
  const kinds = (objs: Manifest[]) => [...new Set(objs.map((o) => o.kind))].sort().join(', ');
  summary.push(`login objects: ${login().length} (${kinds(login())})`);
});

test('Dex, oauth2-proxy and the JWKS relay become Available, and the login secrets Job completes', async () => {
  const t0 = Date.now();
  const workloads = login().filter((o) => ['Deployment', 'Job'].includes(o.kind));
  expect(workloads.map((o) => o.metadata.name).sort()).toEqual([DEX.name, JWKS_PROXY.name, 'login-secrets', OAUTH2_PROXY.name].sort());
  await waitAvailable(workloads);
  summary.push(`Available/Complete after ${((Date.now() - t0) / 1000).toFixed(1)}s: ${workloads.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  // Dex's storage kinds are served before Dex starts: it never needs to create a CRD itself.
  for (const [plural] of DEX_STORAGE_KINDS) {
    const crd = await getJson(['get', 'crd', `${plural}.${DEX.storageGroup}`]);
    expect(crd.status.conditions.find((c: any) => c.type === 'Established').status).toBe('True');
  }
});

describe('RBAC, proven with can-i', () => {
  const dex = { namespace: NAMESPACES.auth, name: DEX.name };
  const proxy = { namespace: NAMESPACES.oauth2Proxy, name: OAUTH2_PROXY.name };

  test('Dex manages its own storage kinds in its own namespace, and nothing else', async () => {
    for (const [plural] of DEX_STORAGE_KINDS) {
      for (const verb of ['get', 'list', 'watch', 'create', 'update', 'delete']) expect([plural, verb, await canI(dex, verb, `${plural}.${DEX.storageGroup}`, NAMESPACES.auth)]).toEqual([plural, verb, true]);
      expect([plural, await canI(dex, 'list', `${plural}.${DEX.storageGroup}`, NAMESPACES.kubeflow)]).toEqual([plural, false]);
    }
    expect(await canI(dex, 'create', 'customresourcedefinitions')).toBe(false);
    expect(await canI(dex, 'get', 'secrets', NAMESPACES.auth)).toBe(false);
    expect(await canI(dex, 'list', 'configmaps', NAMESPACES.auth)).toBe(false);
    expect(await canI(dex, '*', '*')).toBe(false);
    summary.push(`can-i dex: ${DEX_STORAGE_KINDS.length} storage kinds in ${NAMESPACES.auth} yes; elsewhere, CRDs, Secrets, * no`);
  });

  test('oauth2-proxy can do nothing at all', async () => {
    for (const [verb, resource, ns] of [['get', 'secrets', NAMESPACES.oauth2Proxy], ['list', 'pods', NAMESPACES.oauth2Proxy], ['get', 'configmaps', NAMESPACES.oauth2Proxy],
      ['create', 'tokenreviews', undefined], ['list', `authcodes.${DEX.storageGroup}`, NAMESPACES.auth], ['*', '*', undefined]] as const) {
      expect([verb, resource, await canI(proxy, verb, resource, ns)]).toEqual([verb, resource, false]);
    }
    summary.push('can-i oauth2-proxy: nothing');
  });

  test('the service-account keys are public (what oauth2-proxy reads without a token), nothing else is', async () => {
    // A real request without credentials, as oauth2-proxy makes it (TLS is not what is tested here).
    const anonymous = (p: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
      https.get(`${process.env.MICROFLOW_API_SERVER}${p}`, { rejectUnauthorized: false }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      }).on('error', reject);
    });
    const jwks = await anonymous('/openid/v1/jwks');
    expect(jwks.status).toBe(200);
    expect(JSON.parse(jwks.body).keys.length).toBeGreaterThan(0);
    expect((await anonymous('/.well-known/openid-configuration')).status).toBe(200);
    expect((await anonymous('/api/v1/namespaces')).status).toBe(403);
    expect((await anonymous('/api/v1/namespaces/auth/secrets')).status).toBe(403);
    const relay = { namespace: NAMESPACES.auth, name: JWKS_PROXY.name };
    expect(await canI(relay, 'get', 'secrets', NAMESPACES.auth)).toBe(false);
    expect(await canI(relay, '*', '*')).toBe(false);
  });

  test('the login secrets generator writes Secrets in auth and oauth2-proxy and reads only its own', async () => {
    const gen = { namespace: NAMESPACES.auth, name: 'login-secrets' };
    const u = users()[0];
    expect(await canI(gen, 'create', 'secrets', NAMESPACES.auth)).toBe(true);
    expect(await canI(gen, 'create', 'secrets', NAMESPACES.oauth2Proxy)).toBe(true);
    expect(await canI(gen, 'get', `secrets/${AUTH_SECRETS.userPassword(u.namespace)}`, NAMESPACES.auth)).toBe(true);
    expect(await canI(gen, 'get', `secrets/${AUTH_SECRETS.oauth2Proxy.name}`, NAMESPACES.oauth2Proxy)).toBe(true);
    expect(await canI(gen, 'get', 'secrets/mysql-secret', NAMESPACES.kubeflow)).toBe(false);
    expect(await canI(gen, 'list', 'secrets', NAMESPACES.auth)).toBe(false);
    expect(await canI(gen, 'create', 'secrets', NAMESPACES.kubeflow)).toBe(false);
  });

  test('each user works in their namespace and not in another user\'s, in kubeflow or in auth', async () => {
    const all = users();
    for (const u of all) {
      for (const [verb, resource] of [['create', 'pods'], ['delete', 'pods'], ['get', 'pods/log'], ['create', 'persistentvolumeclaims'], ['get', 'secrets'], ['create', 'pods/exec']]) {
        expect([u.email, verb, resource, await userCan(u.email, verb, resource, u.namespace)]).toEqual([u.email, verb, resource, true]);
      }
      // Not an admin of their namespace: they cannot grant anyone access (the configuration does).
      expect(await userCan(u.email, 'create', 'rolebindings', u.namespace)).toBe(false);
      expect(await userCan(u.email, 'update', 'resourcequotas', u.namespace)).toBe(false);
      const elsewhere = [NAMESPACES.kubeflow, NAMESPACES.auth, ...all.filter((o) => o !== u).map((o) => o.namespace)];
      for (const ns of elsewhere) {
        for (const [verb, resource] of [['get', 'pods'], ['create', 'pods'], ['get', 'secrets']]) {
          expect([u.email, ns, verb, resource, await userCan(u.email, verb, resource, ns)]).toEqual([u.email, ns, verb, resource, false]);
        }
      }
    }
    summary.push(`can-i users: ${all.map((u) => `${u.email} → ${u.namespace}`).join(', ')}; each refused in ${all.length > 1 ? 'the others\', ' : ''}kubeflow and auth`);
  });
});

describe('quota', () => {
  const pod = (name: string, cpu?: string) => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name },
    spec: {
      securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{
        name: 'c', image: 'busybox:1.36',
        ...(cpu ? { resources: { requests: { cpu, memory: '64Mi' }, limits: { cpu, memory: '64Mi' } } } : {}),
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      }],
    },
  });

  test('a pod over the user\'s quota is rejected with the API server\'s own message', async () => {
    const u = users()[0];
    await waitFor(`the quota in ${u.namespace} to be counted`, async () => (await getJson(['get', 'resourcequota', USER_NAMESPACE.quotaName, '-n', u.namespace])).status?.hard, 30_000);
    await waitFor(`ServiceAccount default in ${u.namespace}`, async () => (await run(['get', 'sa', 'default', '-n', u.namespace])).code === 0, 30_000);
    const over = `${Number(u.quota.cpu) + 1}`;
    const r = await run(['create', '-n', u.namespace, '-f', '-'], JSON.stringify(pod('over-quota', over)));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(new RegExp(`exceeded quota: ${USER_NAMESPACE.quotaName}, requested: requests\\.cpu=${over}, used: requests\\.cpu=\\d+m?, limited: requests\\.cpu=${u.quota.cpu}`));
    summary.push(`quota: ${r.stderr.trim()}`);
  });

  test('a pod without resources is admitted with the namespace\'s container defaults, inside the quota', async () => {
    const u = users()[0];
    await k(['create', '-n', u.namespace, '-f', '-'], JSON.stringify(pod('defaults')));
    const live = await getJson(['get', 'pod', 'defaults', '-n', u.namespace]);
    const d = stack.config.userNamespace.containerDefaults;
    // The configuration's `ephemeralStorage` is the API's `ephemeral-storage`.
    const api = (r: { cpu: string; memory: string; ephemeralStorage: string }) => ({ cpu: r.cpu, memory: r.memory, 'ephemeral-storage': r.ephemeralStorage });
    expect(live.spec.containers[0].resources).toEqual({ requests: api(d.requests), limits: api(d.limits) });
    await k(['delete', 'pod', 'defaults', '-n', u.namespace, '--wait=false']);
  });
});
