/**
 * Pipelines runs multi-user in every profile (docs/security.md, path 3): the API server's MULTIUSER
 * switch is on, runs happen in each user's namespace (a pipeline-runner and the launcher's ConfigMap
 * there, none in `kubeflow`), and a configuration that still asks for a mode is told why it went.
 */
import { ConfigError, resolveConfig } from '../../lib/config';
import { KFP } from '../../lib/pipelines';
import { NAMESPACES } from '../../lib/platform';
import { resolveUsers } from '../../lib/users';
import { EXAMPLES, exampleConfig, find, renderStack, type Example } from '../support/stack';

function summary(example: Example) {
  const config = exampleConfig(example);
  const objects = renderStack(config).objects;
  const api = find(objects, 'Deployment', KFP.apiDeployment, NAMESPACES.kubeflow) as any;
  const env = Object.fromEntries(api.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
  const runners = objects.filter((o) => o.kind === 'ServiceAccount' && o.metadata.name === KFP.runnerServiceAccount).map((o) => o.metadata.namespace).sort();
  const launchers = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.name === KFP.launcherConfigMap).map((o) => o.metadata.namespace).sort();
  return { multiUser: env.MULTIUSER, runners, launchers, userNamespaces: resolveUsers(config).map((u) => u.namespace).sort() };
}

test.each(EXAMPLES.map((e) => [e]))('%s: multi-user, runs in each user\'s namespace and never in kubeflow', (example) => {
  const s = summary(example);
  expect(s.userNamespaces.length).toBeGreaterThan(0);
  expect(s).toEqual({ multiUser: 'true', runners: s.userNamespaces, launchers: s.userNamespaces, userNamespaces: s.userNamespaces });
  expect(s.runners).not.toContain(NAMESPACES.kubeflow);
});

test('pipelines.mode is refused, naming the field and why single-user went', () => {
  for (const mode of ['single-user', 'multi-user', 'auto']) {
    let error: unknown;
    try {
      resolveConfig({ pipelines: { mode } } as never, 'my.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([expect.stringMatching(/^pipelines\.mode: removed: Pipelines always runs multi-user, .*one user is one namespace.*docs\/security\.md, path 3\)\. Delete the line$/)]);
  }
});

test('there is always a user to run pipelines for: the configuration refuses an empty list', () => {
  // (PipelinesChart refuses no users too, for code that builds it without a Config.)
  expect(() => exampleConfig('laptop', { users: [] })).toThrow(/users: expected at least one user/);
});
