/**
 * The JWKS relay (`kubectl proxy` for istiod) as rendered: what it serves, to whom, with which rights.
 * jwks-relay.native.test.ts runs the real kubectl with these flags; mutation runs leave it out, so the
 * flags, the binding and the admission are stated here, each with its reason.
 */
import { JWKS_PROXY } from '../../lib/auth';
import { resolveConfig } from '../../lib/config';
import { NAMESPACES } from '../../lib/platform';
import { find, rendered, type K8sObject } from '../support/stack';

let objects: K8sObject[];
// In beforeEach, so each test runs the render it checks: StrykerJS credits a test only with code it runs.
beforeEach(() => { objects = rendered(resolveConfig({})).objects; });
const relay = () => find(objects, 'Deployment', JWKS_PROXY.name, NAMESPACES.auth);

test('kubectl proxy serves GET of the exact JWKS path only, on its port, with a memory-backed HOME', () => {
  const c = relay().spec.template.spec.containers[0];
  expect(c.command).toEqual(['kubectl', 'proxy']);
  expect(c.args).toEqual([
    '--address=0.0.0.0',
    `--port=${JWKS_PROXY.port}`,
    // istiod calls it by the Service's name: kubectl's default accepts only localhost.
    '--accept-hosts=.*',
    // Anchored: no prefix, suffix or sibling path of the API server is relayed (login-stack.test.ts tries some).
    `--accept-paths=^${JWKS_PROXY.jwksPath}$`,
    '--reject-methods=^(POST|PUT|PATCH|DELETE|CONNECT)$',
  ]);
  expect(JWKS_PROXY.jwksPath).toBe('/openid/v1/jwks');
  expect(c.env).toEqual([{ name: 'HOME', value: '/tmp' }]);
  expect(c.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
  expect(relay().spec.template.spec.volumes).toEqual([{ name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } }]);
  expect(c.readinessProbe.httpGet).toEqual({ path: JWKS_PROXY.jwksPath, port: 'http' });
  expect(c.livenessProbe.tcpSocket).toEqual({ port: 'http' });
});

test('its only right is the issuer-discovery role, bound to its own ServiceAccount; its token is mounted because it calls the API', () => {
  const sa = relay().spec.template.spec.serviceAccountName;
  const bindings = objects.filter((o) => /RoleBinding$/.test(o.kind) && (o as any).subjects?.some((s: any) => s.kind === 'ServiceAccount' && s.name === sa && s.namespace === NAMESPACES.auth));
  expect(bindings).toEqual([expect.objectContaining({
    kind: 'ClusterRoleBinding',
    metadata: expect.objectContaining({ name: JWKS_PROXY.name }),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:service-account-issuer-discovery' },
    subjects: [{ kind: 'ServiceAccount', name: sa, namespace: NAMESPACES.auth }],
  })]);
  expect(relay().spec.template.spec.automountServiceAccountToken).not.toBe(false);
});

test('istiod, and only istiod, is admitted to it; the RequestAuthentication fetches it by its Service', () => {
  const np = find(objects, 'NetworkPolicy', `${JWKS_PROXY.name}-from-istiod`, NAMESPACES.auth);
  const istiod = find(objects, 'Deployment', 'istiod', NAMESPACES.istio).spec.template.metadata.labels;
  expect(np.spec.podSelector.matchLabels).toEqual(relay().spec.selector.matchLabels);
  expect(np.spec.ingress).toEqual([{
    from: [{ podSelector: { matchLabels: expect.any(Object) }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': NAMESPACES.istio } } }],
    ports: [{ protocol: 'TCP', port: JWKS_PROXY.port }],
  }]);
  const selector = np.spec.ingress[0].from[0].podSelector.matchLabels;
  expect(Object.entries(selector).every(([k, v]) => istiod[k] === v)).toBe(true);
  expect(find(objects, 'Service', JWKS_PROXY.name, NAMESPACES.auth).spec.ports).toEqual([{ name: 'http', port: JWKS_PROXY.port, targetPort: 'http' }]);
});
