/**
 * Which mode each example runs Pipelines in, and what the mode changes in the render: the API
 * server's MULTIUSER switch, where runs happen (users' namespaces get a pipeline-runner and the
 * launcher's ConfigMap), and an override in the configuration.
 */
import { KFP, pipelinesMode } from '../../lib/pipelines';
import { NAMESPACES } from '../../lib/platform';
import { resolveUsers } from '../../lib/users';
import { exampleConfig, find, renderStack, type Example } from '../support/stack';

function summary(example: Example, overrides: Record<string, unknown> = {}) {
  const config = exampleConfig(example, overrides);
  const objects = renderStack(config).objects;
  const api = find(objects, 'Deployment', KFP.apiDeployment, NAMESPACES.kubeflow) as any;
  const env = Object.fromEntries(api.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
  const runners = objects.filter((o) => o.kind === 'ServiceAccount' && o.metadata.name === KFP.runnerServiceAccount).map((o) => o.metadata.namespace).sort();
  const launchers = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.name === KFP.launcherConfigMap).map((o) => o.metadata.namespace).sort();
  return { mode: pipelinesMode(config), multiUser: env.MULTIUSER, runners, launchers, userNamespaces: resolveUsers(config).map((u) => u.namespace).sort() };
}

test.each([['laptop'], ['gpu-workstation']] as [Example][])('%s (one user): single-user, runs in kubeflow only', (example) => {
  const s = summary(example);
  expect(s).toMatchObject({ mode: 'single-user', multiUser: 'false', runners: [NAMESPACES.kubeflow], launchers: [NAMESPACES.kubeflow] });
});

test('cluster (two users): multi-user, each user\'s namespace runs pipelines', () => {
  const s = summary('cluster');
  expect(s.userNamespaces).toHaveLength(2);
  expect(s).toMatchObject({ mode: 'multi-user', multiUser: 'true', runners: s.userNamespaces, launchers: s.userNamespaces });
});

test('pipelines.mode overrides the user count either way', () => {
  expect(summary('cluster', { pipelines: { mode: 'single-user' } })).toMatchObject({ mode: 'single-user', multiUser: 'false' });
  const one = summary('laptop', { pipelines: { mode: 'multi-user' } });
  expect(one).toMatchObject({ mode: 'multi-user', multiUser: 'true', runners: one.userNamespaces });
});

test('there is always a user to run multi-user pipelines for: the configuration refuses an empty list', () => {
  // (PipelinesChart refuses multi-user mode without users too, for code that builds it without a Config.)
  expect(() => exampleConfig('laptop', { users: [], pipelines: { mode: 'multi-user' } })).toThrow(/users: expected at least one user/);
});
