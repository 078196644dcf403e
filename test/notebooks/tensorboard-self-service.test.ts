/**
 * The self-service TensorBoard slot of every user namespace (lib/notebooks/tensorboard-slot.ts), on
 * every example profile, and the recipe users apply to fill it (examples/tensorboard-self-service.yaml):
 * the Service selects exactly what the recipe runs, the route is owner-only at the gateway, only the
 * gateway's pods reach the slot's pods, the recipe passes `restricted` and the quota, and no declared
 * TensorBoard may take the slot's name.
 */
import * as fs from 'fs';
import * as path from 'path';
import { LOGIN } from '../../lib/auth';
import { cpuMillis, IMAGES, memoryBytes } from '../../lib/config';
import { GATEWAY } from '../../lib/gateway';
import { NOTEBOOKS, TENSORBOARD_PORT, TENSORBOARD_SELF_SERVICE } from '../../lib/notebooks';
import { NAMESPACES } from '../../lib/platform';
import { resolveUsers } from '../../lib/users';
import { NetworkPolicies } from '../support/netpol';
import { RECIPE_CLAIM, selfServiceRecipe } from '../support/self-service';
import { EXAMPLES, exampleConfig, find, rendered, ROOT } from '../support/stack';

const { name: SLOT, podLabel } = TENSORBOARD_SELF_SERVICE;
const slotPods = (namespace: string) => ({ namespace, labels: { [podLabel.key]: podLabel.value } });
/** Istio path matching as microflow writes patterns: exact or `prefix*`. */
const pathMatches = (pattern: string, p: string) => (pattern.endsWith('*') ? p.startsWith(pattern.slice(0, -1)) : p === pattern);

describe.each(EXAMPLES)('profile %s', (example) => {
  const config = () => exampleConfig(example);
  const objects = () => rendered(config()).objects;

  test('every user namespace has the slot: a Service on the label, a route at /tensorboard/<ns>/self-service/ rewritten to /', () => {
    const users = resolveUsers(config());
    expect(users.length).toBeGreaterThan(0);
    for (const u of users) {
      const svc = find(objects(), 'Service', SLOT, u.namespace);
      expect(svc.spec.selector).toEqual({ [podLabel.key]: podLabel.value });
      expect(svc.spec.ports).toEqual([{ name: 'http-tensorboard', port: 80, targetPort: TENSORBOARD_PORT.name }]);
      const vs = find(objects(), 'VirtualService', SLOT, u.namespace);
      expect(vs.spec).toEqual({
        hosts: ['*'],
        gateways: [`${NAMESPACES.kubeflow}/${GATEWAY.name}`],
        http: [{
          name: SLOT,
          match: [{ uri: { prefix: `${NOTEBOOKS.tensorboardPrefix}${u.namespace}/self-service/` } }],
          rewrite: { uri: '/' },
          route: [{ destination: { host: `${SLOT}.${u.namespace}.svc.cluster.local`, port: { number: 80 } } }],
          headers: { response: { set: { 'Strict-Transport-Security': GATEWAY.strictTransportSecurity } } },
          timeout: '300s',
        }],
      });
    }
    // One slot per user namespace, and none anywhere else.
    expect(objects().filter((o) => o.kind === 'Service' && o.metadata.name === SLOT).map((o) => o.metadata.namespace).sort())
      .toEqual(users.map((u) => u.namespace).sort());
  });

  test('the slot answers only its owner at the gateway: every other identity is denied its path', () => {
    const users = resolveUsers(config());
    const denies = objects().filter((o) => o.kind === 'AuthorizationPolicy' && o.metadata.namespace === NAMESPACES.istio && o.spec.action === 'DENY');
    for (const u of users) {
      const slotPath = `${NOTEBOOKS.tensorboardPrefix}${u.namespace}/self-service/some/page`;
      // The DENY rules whose paths cover the slot and which spare only this user.
      const covering = denies.flatMap((p) => p.spec.rules).filter((r: any) => r.to.some((t: any) => (t.operation.paths ?? []).some((pat: string) => pathMatches(pat, slotPath))));
      expect(covering).toEqual([expect.objectContaining({ when: [{ key: `request.headers[${LOGIN.userIdHeader}]`, notValues: [u.email] }] })]);
    }
  });

  test('only the gateway\'s pods reach the slot\'s pods, on the TensorBoard port only', () => {
    const users = resolveUsers(config());
    const np = find(objects(), 'NetworkPolicy', `${SLOT}-from-gateway`, users[0].namespace);
    expect(np.spec.podSelector).toEqual({ matchLabels: { [podLabel.key]: podLabel.value } });
    expect(np.spec.ingress).toHaveLength(1);
    expect(np.spec.ingress[0].ports).toEqual([{ protocol: 'TCP', port: TENSORBOARD_PORT.port }]);
    const netpol = new NetworkPolicies(objects());
    const gatewayPods = { namespace: NAMESPACES.istio, labels: find(objects(), 'Deployment', GATEWAY.ingress, NAMESPACES.istio).spec.template.metadata.labels };
    for (const u of users) {
      const to = slotPods(u.namespace);
      const verdicts = {
        gateway: netpol.allows(gatewayPods, to, TENSORBOARD_PORT.port),
        gatewayOtherPort: netpol.allows(gatewayPods, to, 8888),
        sameNamespaceNotebook: netpol.allows({ namespace: u.namespace, labels: { [NOTEBOOKS.podLabel]: 'nb' } }, to, TENSORBOARD_PORT.port),
        sameNamespaceSlotPod: netpol.allows(slotPods(u.namespace), to, TENSORBOARD_PORT.port),
        kubeflowPod: netpol.allows({ namespace: NAMESPACES.kubeflow, labels: {} }, to, TENSORBOARD_PORT.port),
        otherUsersPods: users.filter((o) => o.namespace !== u.namespace).some((o) => netpol.allows(slotPods(o.namespace), to, TENSORBOARD_PORT.port)),
      };
      expect({ ns: u.namespace, ...verdicts }).toEqual({
        ns: u.namespace, gateway: true, gatewayOtherPort: false, sameNamespaceNotebook: false, sameNamespaceSlotPod: false, kubeflowPod: false, otherUsersPods: false,
      });
    }
  });
});

test('a declared TensorBoard may not take the slot\'s name: synth fails naming the field', () => {
  const owner = 'you@microflow.local';
  expect(() => exampleConfig('laptop', { tensorboards: [{ name: TENSORBOARD_SELF_SERVICE.slot, owner, logs: 'pvc://scratch-workspace/logs' }] }))
    .toThrow(/tensorboards\.0\.name: TensorBoard "self-service": the name is reserved for the self-service TensorBoard slot every user namespace has \(\/tensorboard\/<namespace>\/self-service\/, docs\/notebooks.md, "TensorBoards"\); choose another name/);
  // Any other name is fine beside the slot.
  expect(() => rendered(exampleConfig('laptop', { tensorboards: [{ name: 'self', owner, logs: 'pvc://scratch-workspace/logs' }] }))).not.toThrow();
});

describe('the recipe (examples/tensorboard-self-service.yaml)', () => {
  const recipe = selfServiceRecipe();
  const pod = recipe.spec.template.spec;
  const [container] = pod.containers;

  test('docs/notebooks.md shows exactly the file', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'docs', 'notebooks.md'), 'utf8');
    const block = /<!-- tested: examples\/tensorboard-self-service.yaml -->\n```yaml\n([\s\S]*?)```/.exec(readme);
    expect(block?.[1]).toBe(fs.readFileSync(path.join(ROOT, 'examples', 'tensorboard-self-service.yaml'), 'utf8'));
  });

  test('its pods are what the slot selects and its port the one the slot and its policy target', () => {
    expect(recipe.metadata).toEqual({ name: SLOT });
    expect(recipe.spec.selector.matchLabels).toEqual({ [podLabel.key]: podLabel.value });
    expect(recipe.spec.template.metadata.labels).toEqual({ [podLabel.key]: podLabel.value });
    expect(container.ports).toEqual([{ name: TENSORBOARD_PORT.name, containerPort: TENSORBOARD_PORT.port }]);
    expect(container.command).toEqual(['tensorboard', '--logdir=/logs', '--bind_all', `--port=${TENSORBOARD_PORT.port}`]);
  });

  test('the image microflow pins for TensorBoards, pulled IfNotPresent', () => {
    expect(container.image).toBe(IMAGES.tensorboard.ref);
    expect(container.imagePullPolicy).toBe('IfNotPresent');
  });

  test('Pod Security restricted: non-root, RuntimeDefault seccomp, no capability, no escalation, read-only root with /tmp in an emptyDir', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: IMAGES.tensorboard.uid, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(container.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    expect(pod.volumes).toContainEqual({ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } });
    expect(container.env).toContainEqual({ name: 'HOME', value: '/tmp' });
  });

  test('reads a claim of the user\'s namespace read-only; as written, the laptop example notebook\'s workspace', () => {
    expect(pod.volumes).toContainEqual({ name: 'logs', persistentVolumeClaim: { claimName: RECIPE_CLAIM, readOnly: true } });
    expect(container.volumeMounts).toContainEqual({ name: 'logs', mountPath: '/logs', subPath: 'logs', readOnly: true });
    expect(exampleConfig('laptop').notebooks.map((nb) => NOTEBOOKS.workspaceClaim(nb.name))).toContain(RECIPE_CLAIM);
  });

  test.each(EXAMPLES)('requests and limits fit the user quota and sit beside the LimitRange defaults (%s)', (example) => {
    const { requests, limits } = container.resources;
    const ns = exampleConfig(example).userNamespace;
    expect(cpuMillis(requests.cpu)).toBeLessThanOrEqual(cpuMillis(limits.cpu));
    expect(memoryBytes(requests.memory)).toBeLessThanOrEqual(memoryBytes(limits.memory));
    // Within the namespace's quota with room left for a notebook at the profile's defaults.
    for (const u of resolveUsers(exampleConfig(example))) {
      expect(cpuMillis(requests.cpu) + cpuMillis(exampleConfig(example).jupyter.cpu)).toBeLessThanOrEqual(cpuMillis(u.quota.cpu));
      expect(memoryBytes(requests.memory) + memoryBytes(exampleConfig(example).jupyter.memory)).toBeLessThanOrEqual(memoryBytes(u.quota.memory));
    }
    // No larger than the LimitRange's default limit, so it asks nothing a default pod could not.
    expect(cpuMillis(limits.cpu)).toBeLessThanOrEqual(cpuMillis(ns.containerDefaults.limits.cpu));
    expect(memoryBytes(limits.memory)).toBeLessThanOrEqual(memoryBytes(ns.containerDefaults.limits.memory));
  });
});
