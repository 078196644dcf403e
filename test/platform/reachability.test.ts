/**
 * Whole-stack reachability: every client → server connection the stack declares (a workload's
 * `connectsTo`, read back with `connectionsOf`, so later components' connections are checked without
 * editing this file) is admitted by the rendered NetworkPolicies on the server pod's real port, and
 * pods that should not talk to a server are refused. NetworkPolicy ports match the destination
 * pod's port, not the Service port: SeaweedFS serves S3 on 8333 behind minio-service:9000.
 *
 * Two engines answer every question: the small evaluator in test/support/netpol.ts, and cyclonus,
 * a real NetworkPolicy engine (skipped loudly when it is not built, required in CI).
 */
import { MYSQL, OBJECT_STORE } from '../../lib/data';
import { NAMESPACES, type Connection } from '../../lib/platform';
import { USER_NAMESPACE } from '../../lib/users';
import { cyclonusAllows, findCyclonus, type TrafficQuery } from '../support/cyclonus';
import { NetworkPolicies } from '../support/netpol';
import { rendered, VARIANTS, variantConfig, type K8sObject } from '../support/stack';

const CYCLONUS = findCyclonus();
if (!CYCLONUS) {
  if (process.env.MICROFLOW_REQUIRE_CYCLONUS === '1') {
    throw new Error('MICROFLOW_REQUIRE_CYCLONUS=1 but cyclonus is not built: run test/support/cyclonus.sh');
  }
  console.warn([
    '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
    '!! SKIPPED: the NetworkPolicy checks with cyclonus (a real policy engine) did not run: it is not',
    '!! built. Build it once with test/support/cyclonus.sh (Go needed; CI does this and requires it).',
    '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!',
  ].join('\n'));
}
const withCyclonus = CYCLONUS ? test : test.skip;

/** A question with the answer the stack's design requires. */
interface Case extends TrafficQuery {
  readonly what: string;
  readonly expected: boolean;
}

const serverPods = (c: Connection) => ({ namespace: c.to.namespace, labels: c.to.pods.labels });
const describeConnection = (c: Connection) =>
  `${c.from.namespace}/${c.from.name} → ${c.to.namespace}/${c.to.name}:${c.port} (pod port ${c.to.port(c.port).containerPort})`;

/** Every declared connection (must pass) and, per server port, pods that must be refused. */
function cases(connections: readonly Connection[]): Case[] {
  const out: Case[] = connections.map((c) => {
    const port = c.to.port(c.port);
    return { what: `declared: ${describeConnection(c)}`, from: c.from, to: serverPods(c), port: port.containerPort, portName: port.targetPort, expected: true };
  });
  const servers = [...new Map(connections.map((c) => [`${c.to.namespace}/${c.to.name}:${c.port}`, c])).values()];
  for (const c of servers) {
    const port = c.to.port(c.port);
    const q = (what: string, from: { namespace: string; labels: Record<string, string> }): Case =>
      ({ what: `refused: ${what} → ${c.to.name}:${c.port}`, from, to: serverPods(c), port: port.containerPort, portName: port.targetPort, expected: false });
    out.push(
      q('an unlabelled pod in the server\'s namespace', { namespace: c.to.namespace, labels: { app: 'stranger' } }),
      q('a pod with the client labels in another namespace', { namespace: 'some-user', labels: c.from.labels }),
      q('any pod of the gateway namespace', { namespace: NAMESPACES.istio, labels: {} }),
    );
  }
  const mysql = connections.find((c) => c.to.name === MYSQL.service);
  const store = connections.find((c) => c.to.name === OBJECT_STORE.service);
  if (mysql) {
    out.push({
      what: 'refused: an S3-only client → MySQL', from: { namespace: NAMESPACES.kubeflow, labels: { [OBJECT_STORE.clientLabel]: 'true' } },
      to: serverPods(mysql), port: mysql.to.port(mysql.port).containerPort, expected: false,
    });
  }
  // Pods of a user namespace reach the object store (multi-user: their key is limited to their prefix), nothing else of the data layer.
  const userPods = connections.find((c) => c.to.name === OBJECT_STORE.service && c.from.namespace !== NAMESPACES.kubeflow && !Object.keys(c.from.labels).length);
  if (mysql && userPods) {
    out.push({
      what: 'refused: a pod of a user namespace → MySQL', from: userPods.from,
      to: serverPods(mysql), port: mysql.to.port(mysql.port).containerPort, expected: false,
    });
  }
  if (store) {
    out.push({
      what: 'refused: a MySQL-only client → the object store', from: { namespace: NAMESPACES.kubeflow, labels: { [MYSQL.clientLabel]: 'true' } },
      to: serverPods(store), port: store.to.port(store.port).containerPort, expected: false,
    });
  }
  return out;
}

const verdicts = (list: Case[], answers: boolean[]) => list.map((c, i) => ({ what: c.what, allowed: answers[i] }));
const expectedVerdicts = (list: Case[]) => list.map((c) => ({ what: c.what, allowed: c.expected }));

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

  withCyclonus('cyclonus agrees on every question', () => {
    expect(verdicts(list, cyclonusAllows(CYCLONUS!, objects, list))).toEqual(expectedVerdicts(list));
  });
});

describe('the engines catch the bug class (policy on the Service port instead of the pod\'s)', () => {
  // The object-store policy as it was before the fix: port 9000 (the Service's) for SeaweedFS on 8333.
  let objects: K8sObject[];
  let list: Case[];
  beforeEach(() => {
    const stack = rendered(variantConfig('laptop with seaweedfs'));
    // Every allow into the store (its own clients', the step pods', the user namespaces') on the wrong port.
    const toStore = (o: K8sObject) => o.kind === 'NetworkPolicy' && o.metadata.namespace === NAMESPACES.kubeflow && o.metadata.name.startsWith('object-store-');
    objects = stack.objects.map((o) => (toStore(o)
      ? { ...o, spec: { ...o.spec, ingress: [{ ...o.spec.ingress[0], ports: [{ protocol: 'TCP', port: OBJECT_STORE.port }] }] } }
      : o));
    list = cases(stack.connections).filter((c) => c.expected && c.what.includes(OBJECT_STORE.service));
  });

  test('the JS evaluator refuses every S3 client', () => {
    expect(list.length).toBeGreaterThanOrEqual(2);
    const policies = new NetworkPolicies(objects);
    expect(list.map((c) => policies.allows(c.from, c.to, c.port))).toEqual(list.map(() => false));
  });

  withCyclonus('cyclonus refuses every S3 client', () => {
    expect(cyclonusAllows(CYCLONUS!, objects, list)).toEqual(list.map(() => false));
  });
});
