/**
 * Cross-field rules of the configuration that mutation testing found unchecked: each refusal names the
 * path and what was expected, and the boundary just inside the rule is accepted.
 */
import { defaultUserNamespace } from '../../lib/config';
import { refusals as problems, resolveInput as resolve } from './support';

const users = ['ada@example.org'];

test('pipelines.gpuRuntimeForAllSteps needs GPUs', () => {
  expect(problems({ profile: 'laptop', users, pipelines: { gpuRuntimeForAllSteps: true } }))
    .toEqual(['pipelines.gpuRuntimeForAllSteps: expected false while gpu.enabled is false (there is no GPU runtime to use)']);
  expect(resolve({ profile: 'gpu-workstation', users, pipelines: { gpuRuntimeForAllSteps: true } }).pipelines.gpuRuntimeForAllSteps).toBe(true);
});

describe('userNamespace.containerDefaults: a request above its limit is refused, equal is fine', () => {
  const defaults = (requests: object, limits: object) => ({ users, userNamespace: { containerDefaults: { requests, limits } } });
  test('memory', () => {
    expect(problems(defaults({ cpu: '100m', memory: '2Gi' }, { cpu: '1', memory: '1Gi' })))
      .toEqual(['userNamespace.containerDefaults.requests.memory: expected at most the limit 1Gi, got 2Gi']);
    expect(resolve(defaults({ cpu: '1', memory: '1024Mi' }, { cpu: '1', memory: '1Gi' })).userNamespace.containerDefaults.requests.memory).toBe('1024Mi');
  });
  test('cpu', () => {
    expect(problems(defaults({ cpu: '1500m', memory: '1Gi' }, { cpu: '1', memory: '1Gi' })))
      .toEqual(['userNamespace.containerDefaults.requests.cpu: expected at most the limit 1, got 1500m']);
  });
});

test('gpu.product must be a label value, and the message gives an example', () => {
  expect(problems({ profile: 'gpu-workstation', users, gpu: { product: 'GeForce RTX 4090' } }))
    .toEqual(['gpu.product: expected a label value such as "NVIDIA-GeForce-RTX-4090", got "GeForce RTX 4090"']);
});

describe('user namespaces derived from emails', () => {
  test.each([
    ['Ada.Lovelace@Example.org', 'ada-lovelace-example-org'],
    ['ada..o+x@example.org', 'ada-o-x-example-org'],
    ['_ada_@example.org.', 'ada-example-org'],
  ])('%s → %s (runs of other characters are one "-", none at either end)', (email, ns) => {
    expect(defaultUserNamespace(email)).toBe(ns);
  });

  test('a derived namespace of 63 characters is accepted, 64 is refused', () => {
    const local = (n: number) => 'a'.repeat(n);
    // "<local>-example-org": 12 characters after the local part.
    expect(resolve({ users: [`${local(51)}@example.org`] }).users[0].email).toHaveLength(63);
    expect(problems({ users: [`${local(52)}@example.org`] }))
      .toEqual([`users.0: the namespace derived from ${local(52)}@example.org ("${local(52)}-example-org") is not a valid namespace name: set \`namespace\``]);
  });
});

test('connector ids: "local" is reserved, a repeated id is named as such', () => {
  const connector = (id: string) => ({ type: 'github', id, name: id, config: { clientID: 'x' }, secret: { name: 'github', key: 'clientSecret' } });
  expect(problems({ users, login: { connectors: [connector('local')] } }))
    .toEqual(['login.connectors.0.id: connector id "local" is reserved for the users\' passwords']);
  expect(problems({ users, login: { connectors: [connector('gh'), connector('gh')] } }))
    .toEqual(['login.connectors.1.id: connector id "gh" is used twice']);
});

test('malformed names are refused quoting what was given: notebook, Secret, Secret key, connector id, audience', () => {
  const connector = (over: object) => ({ type: 'github', id: 'gh', name: 'GitHub', config: { clientID: 'x' }, secret: { name: 'github', key: 'clientSecret' }, ...over });
  expect(problems({ users, notebooks: [{ name: 'My_NB', owner: users[0] }] }))
    .toEqual(['notebooks.0.name: expected a notebook name: lowercase letters, digits and \'-\', got "My_NB"']);
  expect(problems({ users, login: { connectors: [connector({ secret: { name: 'Git_Hub', key: 'clientSecret' } })] } }))
    .toEqual(['login.connectors.0.secret.name: expected a Secret name, got "Git_Hub"']);
  expect(problems({ users, login: { connectors: [connector({ secret: { name: 'github', key: 'client secret' } })] } }))
    .toEqual(['login.connectors.0.secret.key: expected a Secret key, got "client secret"']);
  expect(problems({ users, login: { connectors: [connector({ id: 'Git.Hub' })] } }))
    .toEqual(['login.connectors.0.id: expected a connector id: lowercase letters, digits and \'-\', got "Git.Hub"']);
  expect(problems({ users, login: { serviceAccountTokens: { issuer: 'https://kubernetes.default.svc', audience: 'two words' } } }))
    .toEqual(['login.serviceAccountTokens.audience: expected an audience such as "microflow-gateway", got "two words"']);
});

test('a GPU notebook whose owner sets no quota of their own is held to userNamespace.quota', () => {
  const gpu = { profile: 'gpu-workstation', gpu: { timeSlicing: { replicas: 4 } }, userNamespace: { quota: { gpus: 1 } } };
  expect(problems({ ...gpu, users: [{ email: users[0] }], notebooks: [{ name: 'a', owner: users[0], gpus: 2 }] }))
    .toEqual([`notebooks.0.gpus: notebook "a" asks for 2 GPU(s), but their namespace's GPU quota is 1 (users[].quota.gpus or userNamespace.quota.gpus): the API server would refuse its pod`]);
});

test('a GPU notebook whose owner is not a user is refused for its owner only (no crash on the missing quota)', () => {
  const gpu = { profile: 'gpu-workstation', gpu: { timeSlicing: { replicas: 4 } } };
  expect(problems({ ...gpu, users, notebooks: [{ name: 'a', owner: 'eve@example.org', gpus: 1 }] }))
    .toEqual([`notebooks.0.owner: notebook "a": owner eve@example.org is not one of users (${users[0]})`]);
});
