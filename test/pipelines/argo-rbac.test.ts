/**
 * The Argo workflow-controller's rendered RBAC, evaluated as the RBAC authorizer would (bindings ->
 * roles -> rules): it reads what its informers watch (every namespace multi-user), but it may start,
 * delete, patch or enter pods only in the run namespaces, never cluster-wide, never in a namespace
 * the platform or Kubernetes owns. The control-plane suite asks the real API server the same
 * questions (`PipelinesChart.access`); this catches a widened grant without a cluster.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { RESERVED_NAMESPACES, type Config } from '../../lib/config';
import { ARGO, ARGO_RBAC, INFORMER_RULES, KFP } from '../../lib/pipelines';
import { NAMESPACES } from '../../lib/platform';
import { buildStack } from '../../lib/stack';
import { exampleConfig, find, rendered, ROOT, type K8sObject } from '../support/stack';

const SA = { kind: 'ServiceAccount', name: ARGO.controller, namespace: NAMESPACES.kubeflow };
const READ = ['get', 'list', 'watch'];
const WRITE_PODS: [string, string][] = [['create', 'pods'], ['delete', 'pods'], ['patch', 'pods'], ['update', 'pods'], ['create', 'pods/exec']];

interface Bound { scope: string | 'cluster'; binding: string; rules: any[] }

/** Every rule bound to the controller's ServiceAccount, with where the binding applies. */
function controllerGrants(objects: K8sObject[]): Bound[] {
  const role = (ref: any, ns?: string) => find(objects, ref.kind, ref.name, ref.kind === 'Role' ? ns : undefined) as any;
  return objects
    .filter((o) => (o.kind === 'ClusterRoleBinding' || o.kind === 'RoleBinding')
      && (o as any).subjects?.some((s: any) => s.kind === SA.kind && s.name === SA.name && s.namespace === SA.namespace))
    .map((b: any) => ({
      scope: b.kind === 'ClusterRoleBinding' ? 'cluster' : b.metadata.namespace,
      binding: `${b.kind}/${b.metadata.name}`,
      rules: role(b.roleRef, b.metadata.namespace).rules ?? [],
    }));
}

/** What `kubectl auth can-i` would answer for the core or Argo resource (no namespace: cluster-wide). */
function can(grants: Bound[], verb: string, resource: string, namespace?: string): boolean {
  const [name, group] = resource.includes('.') ? [resource.slice(0, resource.indexOf('.')), resource.slice(resource.indexOf('.') + 1)] : [resource, ''];
  return grants
    .filter((g) => g.scope === 'cluster' || g.scope === namespace)
    .some((g) => g.rules.some((r: any) => r.apiGroups.includes(group) && r.resources.includes(name) && r.verbs.includes(verb) && !r.resourceNames));
}

/** The cluster example with a third user: each added user namespace gets its own binding. */
const multi3 = () => {
  const { users } = yaml.load(fs.readFileSync(path.join(ROOT, 'examples', 'cluster.yaml'), 'utf8')) as { users: unknown[] };
  return exampleConfig('cluster', { users: [...users, { email: 'carol@example.org', namespace: 'team-c' }] });
};
const CONFIGS: [string, () => Config][] = [
  ['laptop', () => exampleConfig('laptop')],
  ['gpu-workstation', () => exampleConfig('gpu-workstation')],
  ['cluster', () => exampleConfig('cluster')],
  ['cluster with three users', multi3],
];

function subject(config: Config) {
  const { objects } = rendered(config);
  const controller = find(objects, 'Deployment', ARGO.controller, NAMESPACES.kubeflow) as any;
  // Where runs happen, as the render says it: the namespaces that got the launcher's ConfigMap.
  const runNamespaces = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.name === KFP.launcherConfigMap).map((o) => o.metadata.namespace!).sort();
  return { objects, grants: controllerGrants(objects), args: controller.spec.template.spec.containers[0].args as string[], runNamespaces };
}

describe.each(CONFIGS)('%s', (_, config) => {
  test('no binding that applies cluster-wide grants more than reading', () => {
    const { grants } = subject(config());
    for (const g of grants.filter((x) => x.scope === 'cluster')) {
      for (const r of g.rules) expect({ binding: g.binding, verbs: r.verbs.filter((v: string) => !READ.includes(v)) }).toEqual({ binding: g.binding, verbs: [] });
    }
    for (const [verb, resource] of WRITE_PODS) expect({ verb, resource, cluster: can(grants, verb, resource) }).toEqual({ verb, resource, cluster: false });
  });

  test('pods are started, deleted, patched and entered in each run namespace, and nowhere else', () => {
    const { grants, runNamespaces } = subject(config());
    expect(runNamespaces.length).toBeGreaterThan(0);
    expect(runNamespaces).not.toContain(NAMESPACES.kubeflow);
    for (const ns of runNamespaces) {
      for (const [verb, resource] of [['create', 'pods'], ['delete', 'pods'], ['patch', 'pods'], ['create', 'pods/exec'], ['update', 'workflows.argoproj.io'], ['deletecollection', 'workflowtaskresults.argoproj.io']]) {
        expect({ ns, verb, resource, allowed: can(grants, verb, resource, ns) }).toEqual({ ns, verb, resource, allowed: true });
      }
    }
    const elsewhere = [...RESERVED_NAMESPACES, 'kube-system', 'kube-public', 'some-other-team'].filter((ns) => !runNamespaces.includes(ns));
    for (const ns of elsewhere) {
      for (const [verb, resource] of WRITE_PODS) expect({ ns, verb, resource, allowed: can(grants, verb, resource, ns) }).toEqual({ ns, verb, resource, allowed: false });
    }
    // Every namespace-bound grant is a run namespace or the controller's own (leases, its ConfigMap).
    const scopes = new Set(grants.map((g) => g.scope).filter((s) => s !== 'cluster'));
    expect([...scopes].sort()).toEqual([...new Set([...runNamespaces, NAMESPACES.kubeflow])].sort());
  });

  test('its informers read where it watches: every namespace (never --namespaced)', () => {
    const { grants, args, runNamespaces } = subject(config());
    const watched = INFORMER_RULES.flatMap((r) => r.resources.map((res) => (r.apiGroups[0] ? `${res}.${r.apiGroups[0]}` : res)));
    expect(watched).toEqual(expect.arrayContaining(['pods', 'configmaps', 'workflows.argoproj.io', 'workflowtaskresults.argoproj.io']));
    const where = [undefined, ...runNamespaces];
    for (const resource of watched) {
      for (const ns of where) for (const verb of ['list', 'watch']) expect({ resource, ns, verb, allowed: can(grants, verb, resource, ns) }).toEqual({ resource, ns, verb, allowed: true });
    }
    expect(args).not.toContain('--namespaced');
    expect(can(grants, 'get', 'secrets', NAMESPACES.kubeflow) || can(grants, 'list', 'secrets')).toBe(false);
  });

  test('the can-i data the control-plane suite asks covers every run namespace and every namespace it must stay out of', () => {
    const { runNamespaces } = subject(config());
    const access = accessOf(config());
    const key = (q: any) => `${q.verb} ${q.resource} ${q.namespace ?? '*'}`;
    const allowed = new Set(access.allowed.map(key));
    const denied = new Set(access.denied.map(key));
    for (const ns of runNamespaces) for (const verb of ['create', 'delete']) expect(allowed).toContain(`${verb} pods ${ns}`);
    for (const ns of runNamespaces) expect(allowed).toContain(`create pods/exec ${ns}`);
    for (const ns of [...RESERVED_NAMESPACES, 'kube-system'].filter((n) => !runNamespaces.includes(n))) {
      expect(denied).toContain(`create pods ${ns}`);
      expect(denied).toContain(`create pods/exec ${ns}`);
    }
    expect(denied).toContain('create pods *');
    expect(denied).toContain('create pods/exec *');
  });
});

/** The controller's entry of `PipelinesChart.access`, from a stack built of the configuration. */
function accessOf(config: Config) {
  const hit = buildStack(config, '/tmp/microflow-never-written').pipelines.access.find((a) => a.serviceAccount.name === ARGO.controller && a.serviceAccount.namespace === NAMESPACES.kubeflow);
  if (!hit) throw new Error('no access entry for the workflow-controller');
  return hit;
}

test('the grants are named once, and the cluster-wide one keeps the former grant\'s name (upgrades overwrite it)', () => {
  const { objects } = subject(exampleConfig('cluster'));
  const crb = find(objects, 'ClusterRoleBinding', ARGO_RBAC.informers) as any;
  expect(crb.roleRef).toMatchObject({ kind: 'ClusterRole', name: ARGO_RBAC.informers });
  expect(ARGO_RBAC.informers).toBe(`argo-${ARGO.controller}`);
  expect(objects.filter((o) => o.kind === 'ClusterRoleBinding' && o.metadata.name === ARGO_RBAC.runs)).toEqual([]);
});
