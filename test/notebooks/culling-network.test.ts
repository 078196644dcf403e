/**
 * Culling asks each notebook's Jupyter for its kernels' activity straight from the notebook
 * controller: the user namespace's NetworkPolicies must admit exactly that (controller pods, the
 * notebook port) when culling is on, and nothing of it when it is off.
 */
import { NOTEBOOKS } from '../../lib/notebooks';
import { NAMESPACES } from '../../lib/platform';
import { resolveUsers } from '../../lib/users';
import { NetworkPolicies } from '../support/netpol';
import { exampleConfig, find, renderStack, type Example } from '../support/stack';

function setup(example: Example) {
  const config = exampleConfig(example);
  const objects = renderStack(config).objects;
  const controller = { namespace: NAMESPACES.kubeflow, labels: (find(objects, 'Deployment', NOTEBOOKS.controller, NAMESPACES.kubeflow) as any).spec.template.metadata.labels };
  const declared = config.notebooks[0];
  const owner = resolveUsers(config).find((u) => u.email === declared.owner)!;
  const notebook = { namespace: owner.namespace, labels: { [NOTEBOOKS.podLabel]: declared.name } };
  return { config, policies: new NetworkPolicies(objects), controller, notebook };
}

test('culling on (laptop): the controller reaches each notebook\'s Jupyter port, and only it, only there', () => {
  const { config, policies, controller, notebook } = setup('laptop');
  expect(config.jupyter.culling.enabled).toBe(true);
  const port = NOTEBOOKS.serverPort.port;
  expect(policies.allows(controller, notebook, port)).toBe(true);
  expect(policies.allows(controller, notebook, port + 1)).toBe(false);
  expect(policies.allows({ namespace: NAMESPACES.kubeflow, labels: { app: 'stranger' } }, notebook, port)).toBe(false);
  expect(policies.allows({ namespace: 'another-user', labels: controller.labels }, notebook, port)).toBe(false);
});

test('culling off (cluster): nothing admits the controller to a notebook', () => {
  const { config, policies, controller, notebook } = setup('cluster');
  expect(config.jupyter.culling.enabled).toBe(false);
  expect(policies.allows(controller, notebook, NOTEBOOKS.serverPort.port)).toBe(false);
});
