/**
 * Every user namespace holds an object-store key and may reach the store with it: a notebook reads
 * its runs' artifacts whether or not anything declared in the namespace does (issue #8: a notebook's
 * allows include the object store). The key opens the namespace's own prefix, read-write. What the
 * keys may do on a real store is test/pipelines/artifact-users.native.test.ts.
 */
import { OBJECT_STORE } from '../../lib/data';
import { artifactGrants } from '../../lib/config';
import { USER_PODS_TO_STORE } from '../../lib/pipelines';
import { NAMESPACES } from '../../lib/platform';
import { resolveUsers } from '../../lib/users';
import { find, podSpecOf, rendered, VARIANTS, variantConfig } from '../support/stack';

test('artifactGrants: one grant per user namespace, whatever is declared there, on its own prefix', () => {
  const namespaces = ['a', 'b'];
  expect(artifactGrants(namespaces)).toEqual(namespaces.map((namespace) =>
    ({ namespace, bucket: OBJECT_STORE.buckets.artifacts, prefix: `private-artifacts/${namespace}/` })));
});

describe.each(VARIANTS)('%s', (variant) => {
  const config = variantConfig(variant);
  const { objects } = rendered(config);
  const userNamespaces = resolveUsers(config).map((u) => u.namespace).sort();

  test('every user namespace gets its own mlpipeline-minio-artifact, copied from its store-side key (never the root key)', () => {
    const generator = find(objects, 'Job', 'pipelines-artifact-secrets', NAMESPACES.kubeflow);
    const generated: string[] = generator.metadata.annotations['microflow.dev/generates-secrets'].split(',');
    // Entries are "<namespace>/<name>" outside the generator's own namespace, "<name>" in it.
    const inUserNamespaces = generated.filter((s) => s.includes('/') && !s.startsWith(`${NAMESPACES.kubeflow}/`)).sort();
    expect(inUserNamespaces).toEqual(userNamespaces.map((ns) => `${ns}/${OBJECT_STORE.secret.name}`));
  });

  test('the registration Job limits each key to its own prefix', () => {
    const script: string = podSpecOf(find(objects, 'Job', 'pipelines-artifact-users', NAMESPACES.kubeflow)).containers[0].command[2];
    const lines = script.split('\n').filter((l) => l.startsWith('echo "namespace ')).sort();
    expect(lines).toEqual(userNamespaces.map((ns) => `echo "namespace ${ns}: key limited to mlpipeline/private-artifacts/${ns}/"`));
  });

  test('the store admits any pod of every user namespace, and of no other namespace', () => {
    const allow = find(objects, 'NetworkPolicy', USER_PODS_TO_STORE, NAMESPACES.kubeflow);
    const from = allow.spec.ingress.flatMap((r: any) => r.from.map((f: any) => ({ namespace: f.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'], pods: f.podSelector })));
    expect(from.sort((x: any, y: any) => x.namespace.localeCompare(y.namespace))).toEqual(userNamespaces.map((namespace) => ({ namespace, pods: undefined })));
  });
});
