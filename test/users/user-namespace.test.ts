import { resolveConfig } from '../../lib/config';
import { LOGIN } from '../../lib/auth';
import { KEEP_ON_PRUNE_ANNOTATIONS } from '../../lib/platform';
import { KUBEFLOW_ROLES, USER_NAMESPACE, userRoleBindingName } from '../../lib/users';
import { find, renderStack } from '../support/stack';

const config = resolveConfig({ profile: 'gpu-workstation', users: ['ada@example.org', { email: 'bob@example.org', namespace: 'bob', quota: { gpus: 2, pods: 80, cpuLimit: '24' } }] });
const { objects } = renderStack(config);

describe('a user namespace', () => {
  const ns = 'ada-example-org';
  test('is declared with Kubeflow\'s owner annotation, restricted Pod Security, and kept by GitOps tools', () => {
    const n = find(objects, 'Namespace', ns);
    expect(n.metadata.annotations).toEqual({ owner: 'ada@example.org', ...KEEP_ON_PRUNE_ANNOTATIONS });
    expect(n.metadata.labels).toMatchObject({ ...USER_NAMESPACE.labels, 'pod-security.kubernetes.io/enforce': 'restricted' });
    expect(find(objects, 'NetworkPolicy', 'default-deny-ingress', ns).spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
    // GitOps pruning of a removed user leaves the namespace closed: its deny and owner-only rule stay.
    expect(find(objects, 'NetworkPolicy', 'default-deny-ingress', ns).metadata.annotations).toEqual(KEEP_ON_PRUNE_ANNOTATIONS);
    expect(find(objects, 'AuthorizationPolicy', `owner-only-${ns}`, 'istio-system').metadata.annotations).toEqual(KEEP_ON_PRUNE_ANNOTATIONS);
  });

  test('binds the owner to kubeflow-edit (KFAM\'s name) and the two service accounts to edit and view', () => {
    const owner = find(objects, 'RoleBinding', userRoleBindingName('ada@example.org', 'edit'), ns);
    expect(owner.metadata.name).toBe('user-ada-example-org-clusterrole-edit');
    expect(owner.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: KUBEFLOW_ROLES.edit });
    expect(owner.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'ada@example.org' }]);
    expect(find(objects, 'RoleBinding', 'default-editor', ns).roleRef.name).toBe(KUBEFLOW_ROLES.edit);
    expect(find(objects, 'RoleBinding', 'default-viewer', ns).roleRef.name).toBe(KUBEFLOW_ROLES.view);
    find(objects, 'ServiceAccount', 'default-editor', ns);
  });

  test('has the quota (GPUs included) and container defaults from the configuration', () => {
    const hard = find(objects, 'ResourceQuota', USER_NAMESPACE.quotaName, ns).spec.hard;
    expect(hard).toMatchObject({
      'requests.cpu': '6', 'requests.memory': '24Gi', 'requests.nvidia.com/gpu': '1', 'requests.storage': '100Gi', persistentvolumeclaims: '20',
      'limits.cpu': '12', 'limits.memory': '32Gi', 'requests.ephemeral-storage': '50Gi', 'limits.ephemeral-storage': '50Gi', pods: '50',
      'services.nodeports': '0', 'services.loadbalancers': '0', 'count/configmaps': '250',
    });
    expect(find(objects, 'ResourceQuota', USER_NAMESPACE.quotaName, 'bob').spec.hard).toMatchObject({ 'requests.nvidia.com/gpu': '2', pods: '80', 'limits.cpu': '24' });
    expect(find(objects, 'LimitRange', USER_NAMESPACE.limitRangeName, ns).spec.limits).toEqual([{
      type: 'Container',
      defaultRequest: { cpu: '100m', memory: '256Mi', 'ephemeral-storage': '64Mi' },
      default: { cpu: '1', memory: '1Gi', 'ephemeral-storage': '2Gi' },
      max: { cpu: '12', memory: '32Gi', 'ephemeral-storage': '50Gi' },
    }]);
    // No container above what the whole namespace may use: bob's raised limits raise his max.
    expect(find(objects, 'LimitRange', USER_NAMESPACE.limitRangeName, 'bob').spec.limits[0].max).toEqual({ cpu: '24', memory: '32Gi', 'ephemeral-storage': '50Gi' });
  });

  test('refuses every pod that names a PriorityClass (the platform\'s or the system\'s)', () => {
    expect(find(objects, 'ResourceQuota', USER_NAMESPACE.priorityQuotaName, ns).spec).toEqual({
      hard: { pods: '0' },
      scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'Exists' }] },
    });
  });

  test('admits the gateway (only) to notebook servers', () => {
    const np = find(objects, 'NetworkPolicy', 'notebooks-from-gateway', ns);
    expect(np.spec.podSelector).toEqual({ matchExpressions: [{ key: 'notebook-name', operator: 'Exists' }] });
    expect(np.spec.ingress).toEqual([{
      from: [{ podSelector: { matchLabels: expect.any(Object) }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'istio-system' } } }],
      ports: [{ protocol: 'TCP', port: 8888 }],
    }]);
  });

  test('keeps /notebook/<ns>/ and /tensorboard/<ns>/ to its owner at the gateway', () => {
    const ap = find(objects, 'AuthorizationPolicy', `owner-only-${ns}`, 'istio-system');
    expect(ap.spec.rules).toEqual([{
      to: [{ operation: { ports: ['8080', '8443'], paths: [`/notebook/${ns}/*`, `/tensorboard/${ns}/*`] } }],
      when: [{ key: `request.headers[${LOGIN.userIdHeader}]`, notValues: ['ada@example.org'] }],
    }]);
  });
});

test('Kubeflow\'s role ladder: view ⊂ edit ⊂ admin, aggregated by label; view reads no Secrets', () => {
  const role = (n: string) => find(objects, 'ClusterRole', n);
  expect(role('kubeflow-edit').metadata.labels[KUBEFLOW_ROLES.aggregateLabel('admin')]).toBe('true');
  expect(role('kubeflow-view').metadata.labels[KUBEFLOW_ROLES.aggregateLabel('edit')]).toBe('true');
  expect(role('kubeflow-admin').aggregationRule.clusterRoleSelectors).toEqual([{ matchLabels: { [KUBEFLOW_ROLES.aggregateLabel('admin')]: 'true' } }]);
  expect(JSON.stringify(role('microflow-kubernetes-view').rules)).not.toContain('secrets');
  expect(JSON.stringify(role('microflow-kubernetes-edit').rules)).toContain('secrets');
});
