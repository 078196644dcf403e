/**
 * What a user and their pods may do to Pipelines' objects (issue #18, paths 5 and 6), evaluated on
 * the rendered RBAC as the RBAC authorizer would (bindings → aggregated ClusterRoles → rules):
 * ScheduledWorkflows and Argo's kinds are read-only to users (a controller acts on them with its own
 * rights), the UI's `viewers get` check is refused everywhere while ML Metadata is writable from users'
 * pods (docs/security.md, paths 4 and 6), and the ServiceAccounts
 * that write these objects for the KFP API keep their rights. The lead's control-plane suite asks
 * the real API server the same questions.
 */
import { KFP } from '../../lib/pipelines';
import { NAMESPACES } from '../../lib/platform';
import { KUBEFLOW_ROLES, resolveUsers, USER_NAMESPACE } from '../../lib/users';
import { can, clusterRoleRules as rbacClusterRoleRules } from '../support/rbac';
import { exampleConfig, rendered, type K8sObject } from '../support/stack';

type Subject = { kind: 'User'; name: string } | { kind: 'ServiceAccount'; name: string; namespace: string };
const clusterRoleRules = (objects: K8sObject[], name: string) => rbacClusterRoleRules(objects).get(name) ?? [];

const WRITES = ['create', 'update', 'patch', 'delete'];
const READS = ['get', 'list', 'watch'];
/** The kinds a controller acts on with its own rights (lib/pipelines/user-roles.ts, USER_READ_ONLY). */
const DEPUTIZED = ['scheduledworkflows.kubeflow.org', 'workflows.argoproj.io', 'cronworkflows.argoproj.io', 'workflowtemplates.argoproj.io'];
const VIEWERS = `${KFP.viewers.resource}.${KFP.viewers.group}`;

describe('multi-user (profile cluster): bob, his pods\' tokens and alice', () => {
  const config = exampleConfig('cluster');
  // Rendered inside each test (once per file): StrykerJS credits a test only with code it runs.
  const objects = () => rendered(config).objects;
  const [alice, bob] = resolveUsers(config);
  const bobs: [string, Subject][] = [
    [`bob (${bob.email})`, { kind: 'User', name: bob.email }],
    [`bob's pod token (${USER_NAMESPACE.editorServiceAccount})`, { kind: 'ServiceAccount', name: USER_NAMESPACE.editorServiceAccount, namespace: bob.namespace }],
  ];

  test('the aggregation is real: bob may create a Notebook and a KFP run at home (the evaluator sees kubeflow-edit)', () => {
    for (const [, s] of bobs) {
      expect(can(objects(), s, 'create', 'notebooks.kubeflow.org', bob.namespace)).toBe(true);
      expect(can(objects(), s, 'create', `runs.${KFP.rbacGroup}`, bob.namespace)).toBe(true);
    }
  });

  test.each(bobs)('%s may read ScheduledWorkflows and Argo\'s kinds at home, and write none of them', (_, s) => {
    const answers = DEPUTIZED.flatMap((r) => [...READS, ...WRITES].map((verb) => `${verb} ${r}: ${can(objects(), s, verb, r, bob.namespace)}`));
    expect(answers).toEqual(DEPUTIZED.flatMap((r) => [...READS, ...WRITES].map((verb) => `${verb} ${r}: ${READS.includes(verb)}`)));
  });

  test.each(bobs)('%s fails the UI\'s `viewers get` check everywhere: previews would read with the root key on ML Metadata\'s word', (_, s) => {
    for (const ns of [bob.namespace, alice.namespace]) {
      for (const verb of ['get', 'create', 'delete']) expect({ ns, verb, allowed: can(objects(), s, verb, VIEWERS, ns) }).toEqual({ ns, verb, allowed: false });
    }
  });

  test('no user role names viewers at all (a default-viewer token neither)', () => {
    const viewer: Subject = { kind: 'ServiceAccount', name: USER_NAMESPACE.viewerServiceAccount, namespace: bob.namespace };
    expect(can(objects(), viewer, 'get', VIEWERS, bob.namespace)).toBe(false);
    for (const role of [KUBEFLOW_ROLES.view, KUBEFLOW_ROLES.edit, KUBEFLOW_ROLES.admin]) {
      expect(clusterRoleRules(objects(), role).some((r) => (r.resources ?? []).includes(KFP.viewers.resource))).toBe(false);
    }
  });

  test('the KFP API server still writes ScheduledWorkflows and Workflows in every user namespace; the SWF controller still updates them', () => {
    const api: Subject = { kind: 'ServiceAccount', name: KFP.apiDeployment, namespace: NAMESPACES.kubeflow };
    const swf: Subject = { kind: 'ServiceAccount', name: KFP.scheduledWorkflow, namespace: NAMESPACES.kubeflow };
    for (const u of [alice, bob]) {
      // resource_manager.go (2.17.0) creates, updates, patches and deletes them with its own in-cluster client.
      for (const verb of ['create', 'get', 'update', 'patch', 'delete']) {
        expect({ verb, ns: u.namespace, can: can(objects(), api, verb, 'scheduledworkflows.kubeflow.org', u.namespace) }).toEqual({ verb, ns: u.namespace, can: true });
      }
      expect(can(objects(), api, 'create', 'workflows.argoproj.io', u.namespace)).toBe(true);
      expect(can(objects(), swf, 'update', 'scheduledworkflows.kubeflow.org', u.namespace)).toBe(true);
      expect(can(objects(), swf, 'create', 'workflows.argoproj.io', u.namespace)).toBe(true);
    }
  });
});

test('single-user (profile laptop): no user role grants any write to ScheduledWorkflows or Argo\'s kinds', () => {
  const { objects } = rendered(exampleConfig('laptop'));
  const user = resolveUsers(exampleConfig('laptop'))[0];
  const s: Subject = { kind: 'User', name: user.email };
  for (const ns of [user.namespace, NAMESPACES.kubeflow]) {
    for (const r of DEPUTIZED) for (const verb of WRITES) expect({ verb, r, ns, can: can(objects, s, verb, r, ns) }).toEqual({ verb, r, ns, can: false });
  }
});
