/**
 * Whole-stack reachability: every client → server connection the stack declares (a workload's
 * `connectsTo`, read back with `connectionsOf`, so later components' connections are checked without
 * editing this file) is admitted by the rendered NetworkPolicies on the server pod's real port, and
 * pods that should not talk to a server are refused. NetworkPolicy ports match the destination
 * pod's port, not the Service port: SeaweedFS serves S3 on 8333 behind minio-service:9000.
 *
 * Here the small evaluator in test/support/netpol.ts answers; reachability.native.test.ts asks
 * cyclonus, a real NetworkPolicy engine, the same questions (reachability.ts).
 */
import { OBJECT_STORE } from '../../lib/data';
import { type Connection } from '../../lib/platform';
import { USER_NAMESPACE } from '../../lib/users';
import { NetworkPolicies } from '../support/netpol';
import { rendered, VARIANTS, variantConfig, type K8sObject } from '../support/stack';
import { cases, expectedVerdicts, servicePortBug, verdicts, type Case } from './reachability';

describe.each(VARIANTS)('%s', (variant) => {
  let objects: K8sObject[];
  let connections: readonly Connection[];
  let list: Case[];
  beforeEach(() => {
    ({ objects, connections } = rendered(variantConfig(variant)));
    list = cases(connections);
  });

  test('declares the data layer\'s connections (guards the checks below against an empty list)', () => {
    const pairs = connections.map((c) => `${c.from.name} → ${c.to.name}:${c.port}`);
    expect(pairs).toEqual(expect.arrayContaining([
      'object-store-buckets → minio-service:http-s3',
      'mysql-backup → mysql:tcp-mysql',
      'mysql-backup → minio-service:http-s3',
    ]));
    expect(list.filter((c) => !c.expected).length).toBeGreaterThanOrEqual(8);
  });

  test('any pod of every user namespace (each holds a key, in both modes) is declared to reach the object store', () => {
    const config = variantConfig(variant);
    const userNamespaces = objects.filter((o) => o.kind === 'Namespace' && o.metadata.labels?.[Object.keys(USER_NAMESPACE.labels)[0]] === 'true').map((o) => o.metadata.name).sort();
    expect(userNamespaces.length).toBeGreaterThan(0);
    const reaching = connections.filter((c) => c.to.name === OBJECT_STORE.service && userNamespaces.includes(c.from.namespace) && !Object.keys(c.from.labels).length);
    const owners = new Map(objects.filter((o) => o.kind === 'Namespace').map((o) => [o.metadata.annotations?.owner, o.metadata.name]));
    expect(reaching.map((c) => c.from.namespace).sort()).toEqual(userNamespaces);
    // An s3:// TensorBoard's own connection is declared (and so checked by both engines below).
    const boards = config.tensorboards.filter((tb) => tb.logs.startsWith('s3://')).map((tb) => `${owners.get(tb.owner)}/tensorboard-${tb.name} → ${OBJECT_STORE.service}`);
    expect(connections.filter((c) => c.to.name === OBJECT_STORE.service).map((c) => `${c.from.namespace}/${c.from.name} → ${c.to.name}`)).toEqual(expect.arrayContaining(boards));
    expect(boards.length).toBe(variant.includes('seaweedfs') || variant.includes('s3 TensorBoard') ? 1 : 0);
  });

  test('the JS evaluator: every declared connection is admitted on the server pod\'s port, the samples are refused', () => {
    const policies = new NetworkPolicies(objects);
    expect(verdicts(list, list.map((c) => policies.allows(c.from, c.to, c.port)))).toEqual(expectedVerdicts(list));
  });
});

describe('the engines catch the bug class (policy on the Service port instead of the pod\'s)', () => {
  let objects: K8sObject[];
  let list: Case[];
  beforeEach(() => { ({ objects, list } = servicePortBug()); });

  test('the JS evaluator refuses every S3 client', () => {
    expect(list.length).toBeGreaterThanOrEqual(2);
    const policies = new NetworkPolicies(objects);
    expect(list.map((c) => policies.allows(c.from, c.to, c.port))).toEqual(list.map(() => false));
  });
});
