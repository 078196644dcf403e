import { App, Chart } from 'cdk8s';
import { resolveConfig } from '../../lib/config';
import { LOGIN } from '../../lib/auth';
import { GATEWAY } from '../../lib/gateway';
import { KEEP_ON_PRUNE_ANNOTATIONS } from '../../lib/platform';
import { KUBEFLOW_ROLES, USER_NAMESPACE, UsersChart, userRoleBindingName } from '../../lib/users';
import { buildStack } from '../../lib/stack';
import { find, rendered } from '../support/stack';

const config = resolveConfig({ profile: 'gpu-workstation', users: ['ada@example.org', { email: 'bob@example.org', namespace: 'bob', quota: { gpus: 2, pods: 80, cpuLimit: '24' } }] });
// Rendered inside each test (once per file, see `once`): StrykerJS credits a test only with code it runs.
const objects = () => rendered(config).objects;
// The ingress gateway's pods as the policy layer selects them (the Gateway handle's workload selector).
const GATEWAY_POD_LABELS = { 'app.kubernetes.io/name': GATEWAY.ingress, 'app.kubernetes.io/instance': 'microflow' };

describe('a user namespace', () => {
  const ns = 'ada-example-org';
  test('is declared with Kubeflow\'s owner annotation, restricted Pod Security, and kept by GitOps tools', () => {
    const n = find(objects(), 'Namespace', ns);
    expect(n.metadata.annotations).toEqual({ owner: 'ada@example.org', ...KEEP_ON_PRUNE_ANNOTATIONS });
    expect(n.metadata.labels).toMatchObject({ ...USER_NAMESPACE.labels, 'pod-security.kubernetes.io/enforce': 'restricted' });
    expect(find(objects(), 'NetworkPolicy', 'default-deny-ingress', ns).spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    // GitOps pruning of a removed user leaves the namespace closed: its deny and owner-only rule stay.
    expect(find(objects(), 'NetworkPolicy', 'default-deny-ingress', ns).metadata.annotations).toEqual(KEEP_ON_PRUNE_ANNOTATIONS);
    expect(find(objects(), 'AuthorizationPolicy', `owner-only-${ns}`, 'istio-system').metadata.annotations).toEqual(KEEP_ON_PRUNE_ANNOTATIONS);
  });

  test('binds the owner to kubeflow-edit (KFAM\'s name) and the two service accounts to edit and view', () => {
    const owner = find(objects(), 'RoleBinding', userRoleBindingName('ada@example.org', 'edit'), ns);
    expect(owner.metadata.name).toBe('user-ada-example-org-clusterrole-edit');
    expect(owner.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: KUBEFLOW_ROLES.edit });
    expect(owner.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'ada@example.org' }]);
    for (const [sa, role] of [['default-editor', KUBEFLOW_ROLES.edit], ['default-viewer', KUBEFLOW_ROLES.view]]) {
      const b = find(objects(), 'RoleBinding', sa, ns);
      expect(b.metadata).toMatchObject({ name: sa, namespace: ns });
      expect(b.metadata.annotations).toBeUndefined();
      expect(b.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role });
      expect(b.subjects).toEqual([{ kind: 'ServiceAccount', name: sa, namespace: ns }]);
      expect(find(objects(), 'ServiceAccount', sa, ns).metadata).toMatchObject({ name: sa, namespace: ns });
    }
    // KFAM lists a namespace's contributors by these annotations on their RoleBindings.
    expect(owner.metadata).toMatchObject({ namespace: ns, annotations: { user: 'ada@example.org', role: 'edit' } });
  });

  test('has the quota (GPUs included) and container defaults from the configuration', () => {
    const hard = find(objects(), 'ResourceQuota', USER_NAMESPACE.quotaName, ns).spec.hard;
    expect(hard).toMatchObject({
      'requests.cpu': '6', 'requests.memory': '24Gi', 'requests.nvidia.com/gpu': '1', 'requests.storage': '100Gi', persistentvolumeclaims: '20',
      'limits.cpu': '12', 'limits.memory': '32Gi', 'requests.ephemeral-storage': '50Gi', 'limits.ephemeral-storage': '50Gi', pods: '50',
      'services.nodeports': '0', 'services.loadbalancers': '0', 'count/configmaps': '250',
    });
    expect(find(objects(), 'ResourceQuota', USER_NAMESPACE.quotaName, 'bob').spec.hard).toMatchObject({ 'requests.nvidia.com/gpu': '2', pods: '80', 'limits.cpu': '24' });
    expect(find(objects(), 'LimitRange', USER_NAMESPACE.limitRangeName, ns).spec.limits).toEqual([{
      type: 'Container',
      defaultRequest: { cpu: '100m', memory: '256Mi', 'ephemeral-storage': '64Mi' },
      default: { cpu: '1', memory: '1Gi', 'ephemeral-storage': '2Gi' },
      max: { cpu: '12', memory: '32Gi', 'ephemeral-storage': '50Gi' },
    }]);
    // No container above what the whole namespace may use: bob's raised limits raise his max.
    expect(find(objects(), 'LimitRange', USER_NAMESPACE.limitRangeName, 'bob').spec.limits[0].max).toEqual({ cpu: '24', memory: '32Gi', 'ephemeral-storage': '50Gi' });
  });

  test('refuses every pod that names a PriorityClass (the platform\'s or the system\'s)', () => {
    expect(find(objects(), 'ResourceQuota', USER_NAMESPACE.priorityQuotaName, ns).spec).toEqual({
      hard: { pods: '0' },
      scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'Exists' }] },
    });
  });

  test('admits the gateway (only) to notebook servers', () => {
    const np = find(objects(), 'NetworkPolicy', 'notebooks-from-gateway', ns);
    expect(np.spec).toEqual({
      podSelector: { matchExpressions: [{ key: 'notebook-name', operator: 'Exists' }] },
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{ podSelector: { matchLabels: GATEWAY_POD_LABELS }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } } }],
        ports: [{ protocol: 'TCP', port: 8888 }],
      }],
    });
  });

  test('keeps /notebook/<ns>/ and /tensorboard/<ns>/ to its owner at the gateway', () => {
    const ap = find(objects(), 'AuthorizationPolicy', `owner-only-${ns}`, 'istio-system');
    expect(ap.spec.selector).toEqual({ matchLabels: GATEWAY_POD_LABELS });
    expect(ap.spec.action).toBe('DENY');
    expect(ap.spec.rules).toEqual([{
      to: [{ operation: { ports: ['8080', '8443'], paths: [`/notebook/${ns}/*`, `/tensorboard/${ns}/*`] } }],
      when: [{ key: `request.headers[${LOGIN.userIdHeader}]`, notValues: ['ada@example.org'] }],
    }]);
  });
});

describe('the UserNamespace handle', () => {
  const user = () => buildStack(config, '/tmp/microflow-never-written').users.users[0];
  const paths = (u: ReturnType<typeof user>) => {
    const ap = (Chart.of(u as any).toJson() as any[]).find((o) => o.kind === 'AuthorizationPolicy');
    return ap.spec.rules[0].to[0].operation.paths;
  };

  test('names its namespace as a NetworkPolicy peer', () => {
    expect(user().peer).toEqual({ namespace: 'ada-example-org' });
  });

  test('keeps /notebook/<ns>/ and /tensorboard/<ns>/ owner-only on its own, before any component asks (defence in depth)', () => {
    // A UsersChart alone: no notebooks chart has called ownerOnly, yet the paths are already the owner's.
    const stack = buildStack(config, '/tmp/microflow-never-written');
    const alone = new UsersChart(new App(), 'users', { config, gateway: stack.gateway.gateway, userIdHeader: LOGIN.userIdHeader });
    expect(paths(alone.users[0])).toEqual(['/notebook/ada-example-org/*', '/tensorboard/ada-example-org/*']);
  });

  test('ownerOnly adds a path prefix to the owner-only rule, once', () => {
    const u = user();
    u.ownerOnly('/serving/ada-example-org/');
    u.ownerOnly('/serving/ada-example-org/');
    u.ownerOnly('/notebook/ada-example-org/');
    expect(paths(u)).toEqual(['/notebook/ada-example-org/*', '/tensorboard/ada-example-org/*', '/serving/ada-example-org/*']);
  });

  test.each(['serving/ada/', '/serving/ada', '/', '/a b/', 'x/serving/ada/'])('ownerOnly refuses %j: a prefix starts and ends with "/"', (prefix) => {
    expect(() => user().ownerOnly(prefix)).toThrow(`ownerOnly(${JSON.stringify(prefix)}): expected a path prefix starting and ending with "/"`);
  });
});

test('Kubeflow\'s role ladder: view ⊂ edit ⊂ admin, aggregated by label; view reads no Secrets', () => {
  const role = (n: string) => find(objects(), 'ClusterRole', n);
  const agg = KUBEFLOW_ROLES.aggregateLabel;
  // The aggregation labels among the standard ones every object carries.
  const aggregation = (n: string) => Object.fromEntries(Object.entries(role(n).metadata.labels).filter(([k]) => k.startsWith('rbac.')));
  expect(aggregation('kubeflow-admin')).toEqual({});
  expect(aggregation('kubeflow-edit')).toEqual({ [agg('admin')]: 'true' });
  expect(aggregation('kubeflow-view')).toEqual({ [agg('edit')]: 'true' });
  const READ = ['get', 'list', 'watch'];
  const ALL = [...READ, 'create', 'update', 'patch', 'delete', 'deletecollection'];
  const kube = (core: string[], verbs: string[]) => [
    { apiGroups: [''], resources: core, verbs },
    { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'replicasets'], verbs },
    { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs },
  ];
  const core = ['pods', 'pods/log', 'configmaps', 'persistentvolumeclaims', 'events'];
  const services = { apiGroups: [''], resources: ['services'], verbs: READ };
  expect(aggregation('microflow-kubernetes-view')).toEqual({ [agg('view')]: 'true' });
  expect(role('microflow-kubernetes-view').rules).toEqual([...kube(core, READ), services]);
  expect(aggregation('microflow-kubernetes-edit')).toEqual({ [agg('edit')]: 'true' });
  expect(role('microflow-kubernetes-edit').rules).toEqual([
    ...kube([...core, 'secrets', 'serviceaccounts'], ALL), services,
    { apiGroups: [''], resources: ['pods/exec', 'pods/portforward', 'pods/attach'], verbs: ['create', 'get'] },
  ]);
  expect(role('kubeflow-edit').metadata.labels[KUBEFLOW_ROLES.aggregateLabel('admin')]).toBe('true');
  expect(role('kubeflow-view').metadata.labels[KUBEFLOW_ROLES.aggregateLabel('edit')]).toBe('true');
  expect(role('kubeflow-admin').aggregationRule.clusterRoleSelectors).toEqual([{ matchLabels: { [KUBEFLOW_ROLES.aggregateLabel('admin')]: 'true' } }]);
  expect(JSON.stringify(role('microflow-kubernetes-view').rules)).not.toContain('secrets');
  expect(JSON.stringify(role('microflow-kubernetes-edit').rules)).toContain('secrets');
});
