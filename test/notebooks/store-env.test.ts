/**
 * Every notebook, declared in code or spawned from the Jupyter web app's form, gets its namespace's
 * object-store key and the store's endpoint in its environment (a notebook has no API token to read
 * the Secret itself), on every variant: the Secret it names is one the stack generates in that
 * namespace. The native test (test/pipelines/artifact-users.native.test.ts) runs the README's
 * example in this environment against real SeaweedFS.
 */
import * as yaml from 'js-yaml';
import type { Config } from '../../lib/config';
import { OBJECT_STORE } from '../../lib/data';
import { NOTEBOOKS } from '../../lib/notebooks';
import { resolveUsers } from '../../lib/users';
import { find, VARIANTS, variantConfig, variantObjects, type K8sObject } from '../support/stack';

const generatedSecrets = (objects: K8sObject[]) => objects.flatMap((o) => {
  const names = o.metadata.annotations?.['microflow.dev/generates-secrets'];
  return names ? String(names).split(',').map((n: string) => (n.includes('/') ? n.trim() : `${o.metadata.namespace}/${n.trim()}`)) : [];
});
const storeEnv = (env: any[]) => Object.fromEntries((env ?? []).filter((e) => ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', NOTEBOOKS.storeEndpointEnv].includes(e.name))
  .map((e) => [e.name, e.value ?? e.valueFrom.secretKeyRef]));
const expected = (endpoint: string) => ({
  [NOTEBOOKS.storeEndpointEnv]: endpoint,
  AWS_ACCESS_KEY_ID: { name: OBJECT_STORE.secret.name, key: OBJECT_STORE.secret.keys.accesskey, optional: true },
  AWS_SECRET_ACCESS_KEY: { name: OBJECT_STORE.secret.name, key: OBJECT_STORE.secret.keys.secretkey, optional: true },
});

describe.each(VARIANTS)('%s', (variant) => {
  let objects: K8sObject[], config: Config;
  // In beforeEach, so each test runs the render it checks: StrykerJS credits a test only with code it runs.
  beforeEach(() => {
    objects = variantObjects(variant);
    config = variantConfig(variant);
  });
  const endpoint = `http://${OBJECT_STORE.service}.kubeflow.svc.cluster.local:${OBJECT_STORE.port}`;

  test('each user namespace has the Secret notebooks read', () => {
    const generated = generatedSecrets(objects);
    expect(resolveUsers(config).map((u) => u.namespace).filter((ns) => !generated.includes(`${ns}/${OBJECT_STORE.secret.name}`))).toEqual([]);
  });

  test('the web app\'s notebook template carries the key and the endpoint', () => {
    const text = find(objects, 'ConfigMap', 'jupyter-web-app-config').data['notebook_template.yaml'];
    const nb = yaml.load(text.replace(/\{(\w+)\}/g, 'x')) as any;
    expect(storeEnv(nb.spec.template.spec.containers[0].env)).toEqual(expected(endpoint));
  });

  test('every declared notebook carries them too', () => {
    const notebooks = objects.filter((o) => o.kind === 'Notebook');
    expect(notebooks.length).toBe(config.notebooks.length);
    for (const nb of notebooks) expect({ nb: nb.metadata.name, env: storeEnv(nb.spec.template.spec.containers[0].env) }).toEqual({ nb: nb.metadata.name, env: expected(endpoint) });
  });
});
