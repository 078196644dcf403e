/**
 * The login's configuration files as rendered from non-default settings: Dex connectors (passed
 * through, their secrets read from the user's own Secrets through the environment, never written
 * into the render) and oauth2-proxy's Secure cookie when every address of the gateway is HTTPS.
 */
import * as yaml from 'js-yaml';
import { DEX, OAUTH2_PROXY } from '../../lib/auth';
import { NAMESPACES } from '../../lib/platform';
import { exampleConfig, find, renderStack, type K8sObject } from '../support/stack';

const github = {
  type: 'github', id: 'github', name: 'GitHub',
  secret: { name: 'dex-github', key: 'client-secret' },
  config: { clientID: 'Iv1.abc', redirectURI: 'https://kubeflow.example.org:30443/dex/callback', orgs: [{ name: 'ml-team' }] },
};
const ldap = {
  type: 'ldap', id: 'corp-ldap', name: 'Corp LDAP',
  config: { host: 'ldap.example.org:636', userSearch: { baseDN: 'ou=people,dc=example,dc=org', username: 'uid' } },
};

function render(overrides: Record<string, unknown>): K8sObject[] {
  return renderStack(exampleConfig('laptop', overrides)).objects;
}
const dexConfig = (objects: K8sObject[]) => yaml.load(find(objects, 'ConfigMap', DEX.name, NAMESPACES.auth).data['config.yaml']) as any;
const dexEnv = (objects: K8sObject[]) => (find(objects, 'Deployment', DEX.name, NAMESPACES.auth) as any).spec.template.spec.containers[0].env as any[];

test('connectors reach Dex\'s config as written; a connector\'s secret comes from the named Secret through the environment', () => {
  const objects = render({ login: { connectors: [github, ldap] } });
  const connectors = dexConfig(objects).connectors;
  expect(connectors).toEqual([
    { type: 'github', id: 'github', name: 'GitHub', config: { ...github.config, clientSecret: '$DEX_CONNECTOR_SECRET_GITHUB' } },
    { type: 'ldap', id: 'corp-ldap', name: 'Corp LDAP', config: ldap.config },
  ]);
  expect(dexEnv(objects)).toContainEqual({ name: 'DEX_CONNECTOR_SECRET_GITHUB', valueFrom: { secretKeyRef: { name: 'dex-github', key: 'client-secret' } } });
  expect(dexEnv(objects).filter((e) => e.name.startsWith('DEX_CONNECTOR_SECRET_')).map((e) => e.name)).toEqual(['DEX_CONNECTOR_SECRET_GITHUB']);
});

test('without connectors Dex\'s config has none (only the static passwords of the configured users)', () => {
  const config = dexConfig(render({}));
  expect(config.connectors).toBeUndefined();
  expect(config.enablePasswordDB).toBe(true);
});

test('a secret written inline into a connector is refused, naming the field', () => {
  expect(() => render({ login: { connectors: [{ ...github, config: { ...github.config, clientSecret: 'hunter2' } }] } }))
    .toThrow(/login\.connectors\.0\.config\.clientSecret: must not be written inline/);
});

test.each([
  [{}, true],
  [{ gateway: { serviceType: 'LoadBalancer' } }, true],
  [{ gateway: { plainHttp: true } }, false],
])('oauth2-proxy cookie_secure with %j: %s (Secure unless plain HTTP is opted into)', (overrides, secure) => {
  const cfg = find(render(overrides), 'ConfigMap', OAUTH2_PROXY.name, NAMESPACES.oauth2Proxy).data['oauth2_proxy.cfg'] as string;
  expect(cfg).toMatch(new RegExp(`^cookie_secure = ${secure}$`, 'm'));
  expect(cfg).toMatch(/^cookie_httponly = true$/m);
});
