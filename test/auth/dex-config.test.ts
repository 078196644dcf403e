/**
 * Dex as rendered, setting by setting: its config file, environment and probes. The real Dex runs with
 * these in the front-door tier (issue #21); here each setting is stated with the reason it has its
 * value, so a change to any of them fails alone (mutation runs leave the native tiers out).
 */
import { createHash } from 'crypto';
import * as yaml from 'js-yaml';
import { DEX, DEX_ISSUER, OAUTH2_PROXY } from '../../lib/auth';
import { resolveConfig } from '../../lib/config';
import { NAMESPACES } from '../../lib/platform';
import { find, rendered, type K8sObject } from '../support/stack';

const config = resolveConfig({ users: ['ada@example.org', { email: 'bob.smith@example.org', namespace: 'bob' }] });
let objects: K8sObject[];
// In beforeEach, so each test runs the render it checks: StrykerJS credits a test only with code it runs.
beforeEach(() => { objects = rendered(config).objects; });
const deployment = () => find(objects, 'Deployment', DEX.name, NAMESPACES.auth);

test('every setting of config.yaml, and nothing else', () => {
  const user = (email: string, env: string) => ({
    email,
    username: email.split('@')[0],
    // Stable across renders and unique per email: Dex keys a user's sessions and refresh tokens by it.
    userID: createHash('sha256').update(email).digest('hex').slice(0, 32),
    // The bcrypt hash is read from the environment: it lives in a generated Secret, never in the file.
    hashFromEnv: env,
  });
  expect(yaml.load(find(objects, 'ConfigMap', DEX.name, NAMESPACES.auth).data['config.yaml'])).toEqual({
    issuer: DEX_ISSUER,
    // State (signing keys, sessions) in the API server: no database, no volume.
    storage: { type: 'kubernetes', config: { inCluster: true } },
    web: { http: `0.0.0.0:${DEX.port}` },
    logger: { level: 'info', format: 'json' },
    frontend: { issuer: 'microflow' },
    // The code flow only: no token in a URL (login-stack.test.ts).
    oauth2: { skipApprovalScreen: true, responseTypes: ['code'] },
    expiry: { idTokens: DEX.idTokenLifetime },
    enablePasswordDB: true,
    staticPasswords: [user('ada@example.org', 'DEX_PASSWORD_HASH_ADA_EXAMPLE_ORG'), user('bob.smith@example.org', 'DEX_PASSWORD_HASH_BOB')],
    // oauth2-proxy, the one client; its secret from the environment; a relative redirect (any address the gateway is reached by).
    staticClients: [{ id: DEX.clientId, name: 'microflow', secretEnv: 'OIDC_CLIENT_SECRET', redirectURIs: [`${OAUTH2_PROXY.pathPrefix}callback`] }],
  });
});

test('the environment holds only references: the client secret and each user\'s hash, from their Secrets', () => {
  const c = deployment().spec.template.spec.containers[0];
  expect(c.command).toEqual(['dex', 'serve', '/etc/dex/cfg/config.yaml']);
  expect(c.env.map((e: any) => [e.name, e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key])).toEqual([
    ['OIDC_CLIENT_SECRET', expect.any(String), expect.any(String)],
    ['DEX_PASSWORD_HASH_ADA_EXAMPLE_ORG', expect.stringContaining('ada-example-org'), 'hash'],
    ['DEX_PASSWORD_HASH_BOB', expect.stringContaining('bob'), 'hash'],
  ]);
  expect(c.env.every((e: any) => e.value === undefined)).toBe(true);
  expect(c.readinessProbe.httpGet.path).toBe(`${DEX.pathPrefix}healthz`);
  expect(c.livenessProbe.httpGet.path).toBe(`${DEX.pathPrefix}healthz`);
  expect(c.volumeMounts).toEqual([{ name: 'config', mountPath: '/etc/dex/cfg', readOnly: true }]);
  // Dex reads its config once, at start: a change of users or connectors must roll its pods.
  expect(Object.keys(deployment().spec.template.metadata.annotations ?? {})).toEqual([expect.stringMatching(/config-hash/)]);
});

test('its pod: the config mounted from its ConfigMap, a token (its storage is the API server), only labelled clients (oauth2-proxy\'s pods) admitted', () => {
  const pod = deployment().spec.template.spec;
  expect(pod.containers.map((c: any) => c.name)).toEqual(['dex']);
  expect(pod.volumes).toEqual([{ name: 'config', configMap: { name: DEX.name } }]);
  // Kubernetes storage: Dex calls the API server with its own token (its Role allows its own kinds only).
  expect(pod.automountServiceAccountToken).not.toBe(false);
  const clients = find(objects, 'NetworkPolicy', 'dex-clients', NAMESPACES.auth).spec;
  expect(clients.podSelector.matchLabels).toEqual(deployment().spec.selector.matchLabels);
  expect(clients.ingress).toEqual([{
    // Labelled clients in its own namespace, and in oauth2-proxy's.
    from: [
      { podSelector: { matchLabels: { 'microflow.dev/dex-client': 'true' } } },
      { podSelector: { matchLabels: { 'microflow.dev/dex-client': 'true' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': NAMESPACES.oauth2Proxy } } },
    ],
    ports: [{ protocol: 'TCP', port: DEX.port }],
  }]);
  expect(find(objects, 'Deployment', OAUTH2_PROXY.name, NAMESPACES.oauth2Proxy).spec.template.metadata.labels['microflow.dev/dex-client']).toBe('true');
});
