/**
 * Issue #18, path 1 (docs/security.md): a gateway route sends a user's request to a Service. If any
 * user could write that Service (or its endpoints), they could turn it into an alias of another user's
 * notebook (`type: ExternalName`, or no selector and hand-made endpoints) and reach it through a
 * route the gateway lets them use. So: no route's destination may be writable by anything a user
 * holds, in any profile. The notebook controller's own routes (not rendered) point at Services in
 * user namespaces, so those namespaces count as destinations too.
 */
import { USER_NAMESPACE } from '../../lib/users';
import { allows, grants, isUserHeld, type Grant } from '../support/rbac';
import { EXAMPLES, exampleConfig, once, renderStack, type K8sObject } from '../support/stack';

/** The verbs and kinds that decide where a Service sends traffic. */
const STEERING = { verbs: ['create', 'update', 'patch'], kinds: [['', 'services'], ['', 'endpoints'], ['discovery.k8s.io', 'endpointslices']] } as const;

const userNamespaces = (objects: K8sObject[]) => objects
  .filter((o) => o.kind === 'Namespace' && Object.entries(USER_NAMESPACE.labels).every(([k, v]) => o.metadata.labels?.[k] === v))
  .map((o) => o.metadata.name);

/** `<service>.<namespace>` of every rendered VirtualService's destinations (short hosts are in the VS's namespace). */
function destinations(objects: K8sObject[]): string[] {
  return objects.filter((o) => o.kind === 'VirtualService').flatMap((vs) =>
    [...(vs.spec.http ?? []), ...(vs.spec.tcp ?? []), ...(vs.spec.tls ?? [])].flatMap((r: any) => (r.route ?? []).map((d: any) => {
      const [name, ns = vs.metadata.namespace] = String(d.destination.host).split('.');
      return `${name}.${ns}`;
    })));
}

/** Each user-held grant that can steer a Service in one of the destination namespaces, as text. */
function steeringGrants(objects: K8sObject[], namespaces: readonly string[]): string[] {
  const users = userNamespaces(objects);
  const found = (g: Grant, ns: string) => STEERING.verbs.flatMap((verb) => STEERING.kinds
    .filter(([group, resource]) => g.rules.some((r) => allows(r, verb, group, resource)))
    .map(([, resource]) => `${g.subject.kind} ${g.subject.namespace ? `${g.subject.namespace}/` : ''}${g.subject.name} may ${verb} ${resource} in ${ns} (${g.binding})`));
  return grants(objects).filter((g) => isUserHeld(g.subject, users))
    .flatMap((g) => namespaces.filter((ns) => g.namespace === '*' || g.namespace === ns).flatMap((ns) => found(g, ns)));
}

describe.each(EXAMPLES)('%s', (example) => {
  const objects = once(() => renderStack(exampleConfig(example)).objects);
  const destinationNamespaces = () => [...new Set([...destinations(objects()).map((d) => d.split('.')[1]), ...userNamespaces(objects())])];

  test('routes lead somewhere: every user namespace and the platform\'s apps are destinations', () => {
    const dests = destinations(objects());
    expect(dests).toEqual(expect.arrayContaining(['ml-pipeline-ui.kubeflow', 'dex.auth']));
    expect(userNamespaces(objects()).length).toBeGreaterThan(0);
    for (const ns of userNamespaces(objects())) expect(dests).toContain(`tensorboard-self-service.${ns}`);
  });

  test('no user, user group or user-namespace ServiceAccount can write a route\'s Service or its endpoints', () => {
    expect(steeringGrants(objects(), destinationNamespaces())).toEqual([]);
  });

  test('users still read the Services in their namespace (kubectl get svc, the web app\'s lists)', () => {
    const ns = userNamespaces(objects())[0];
    const owner = grants(objects()).filter((g) => g.subject.kind === 'User' && g.namespace === ns);
    expect(owner.length).toBeGreaterThan(0);
    for (const verb of ['get', 'list', 'watch']) expect(owner.some((g) => g.rules.some((r) => allows(r, verb, '', 'services')))).toBe(true);
  });
});

test('the rule sees a Service write however it is granted: aggregated into kubeflow-edit, or to every authenticated user', () => {
  const objects = renderStack(exampleConfig('laptop')).objects;
  const ns = userNamespaces(objects)[0];
  const sneaky: K8sObject = {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole',
    metadata: { name: 'extra-edit', labels: { 'rbac.authorization.kubeflow.org/aggregate-to-kubeflow-edit': 'true' } },
    rules: [{ apiGroups: ['discovery.k8s.io'], resources: ['*'], verbs: ['patch'] }],
  };
  expect(steeringGrants([...objects, sneaky], [ns]).join('\n')).toMatch(/may patch endpointslices in /);
  const everyone: K8sObject = {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'all-can-edit' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit-services' },
    subjects: [{ kind: 'Group', name: 'system:authenticated' }],
  };
  const role: K8sObject = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'edit-services' }, rules: [{ apiGroups: [''], resources: ['services'], verbs: ['*'] }] };
  expect(steeringGrants([...objects, everyone, role], ['kubeflow'])).toEqual([
    'Group system:authenticated may create services in kubeflow (ClusterRoleBinding all-can-edit)',
    'Group system:authenticated may update services in kubeflow (ClusterRoleBinding all-can-edit)',
    'Group system:authenticated may patch services in kubeflow (ClusterRoleBinding all-can-edit)',
  ]);
});
