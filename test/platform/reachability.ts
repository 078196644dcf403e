/**
 * The reachability questions both engines answer (reachability.test.ts: the JS evaluator;
 * reachability.native.test.ts: cyclonus): every declared connection, on the server pod's real port,
 * and per server the pods that must be refused.
 */
import { MYSQL, OBJECT_STORE } from '../../lib/data';
import { NAMESPACES, type Connection } from '../../lib/platform';
import type { TrafficQuery } from '../support/cyclonus';
import { rendered, variantConfig, type K8sObject } from '../support/stack';

/** A question with the answer the stack's design requires. */
export interface Case extends TrafficQuery {
  readonly what: string;
  readonly expected: boolean;
}

const serverPods = (c: Connection) => ({ namespace: c.to.namespace, labels: c.to.pods.labels });
const describeConnection = (c: Connection) =>
  `${c.from.namespace}/${c.from.name} → ${c.to.namespace}/${c.to.name}:${c.port} (pod port ${c.to.port(c.port).containerPort})`;

/** Every declared connection (must pass) and, per server port, pods that must be refused. */
export function cases(connections: readonly Connection[]): Case[] {
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

export const verdicts = (list: Case[], answers: boolean[]) => list.map((c, i) => ({ what: c.what, allowed: answers[i] }));
export const expectedVerdicts = (list: Case[]) => list.map((c) => ({ what: c.what, allowed: c.expected }));

/**
 * The laptop+SeaweedFS stack with the bug class the engines must catch: every allow into the object
 * store on the Service's port (9000) instead of the pod's (8333), and the S3 clients' questions.
 */
export function servicePortBug(): { objects: K8sObject[]; list: Case[] } {
  const stack = rendered(variantConfig('laptop with seaweedfs'));
  const toStore = (o: K8sObject) => o.kind === 'NetworkPolicy' && o.metadata.namespace === NAMESPACES.kubeflow && o.metadata.name.startsWith('object-store-');
  const objects = stack.objects.map((o) => (toStore(o)
    ? { ...o, spec: { ...o.spec, ingress: [{ ...o.spec.ingress[0], ports: [{ protocol: 'TCP', port: OBJECT_STORE.port }] }] } }
    : o));
  return { objects, list: cases(stack.connections).filter((c) => c.expected && c.what.includes(OBJECT_STORE.service)) };
}
