/**
 * Whole-stack reachability: every client → server connection the stack declares (a workload's
 * `connectsTo`) is admitted by the rendered NetworkPolicies on the server pod's real port, and
 * pods that should not talk to a server are refused. NetworkPolicy ports match the destination
 * pod's port, not the Service port: SeaweedFS serves S3 on 8333 behind minio-service:9000.
 */
import { MYSQL, OBJECT_STORE } from '../../lib/data';
import { NAMESPACES } from '../../lib/platform';
import { NetworkPolicies } from '../support/netpol';
import { renderWithConnections, VARIANTS, variantConfig } from '../support/stack';

describe.each(VARIANTS)('%s', (variant) => {
  const { objects, connections } = renderWithConnections(variantConfig(variant));
  const policies = new NetworkPolicies(objects);

  test('declares the data layer\'s connections (guards the loop below against an empty list)', () => {
    const pairs = connections.map((c) => `${c.from.name} → ${c.to.name}:${c.port}`);
    expect(pairs).toEqual(expect.arrayContaining([
      'object-store-buckets → minio-service:http-s3',
      'mysql-backup → mysql:tcp-mysql',
      'mysql-backup → minio-service:http-s3',
    ]));
  });

  test('every declared connection is admitted on the server pod\'s container port', () => {
    for (const c of connections) {
      const port = c.to.port(c.port);
      const connection = `${c.from.namespace}/${c.from.name} → ${c.to.namespace}/${c.to.name}:${c.port} (pod port ${port.containerPort})`;
      const allowed = policies.allows(c.from, { namespace: c.to.namespace, labels: c.to.pods.labels }, port.containerPort);
      expect({ connection, allowed }).toEqual({ connection, allowed: true });
    }
  });

  test('pods without the client labels, or in other namespaces, are refused', () => {
    const servers = [...new Map(connections.map((c) => [`${c.to.namespace}/${c.to.name}:${c.port}`, c])).values()];
    expect(servers.length).toBeGreaterThanOrEqual(2);
    for (const c of servers) {
      const to = { namespace: c.to.namespace, labels: c.to.pods.labels };
      const port = c.to.port(c.port).containerPort;
      expect(policies.allows({ namespace: c.to.namespace, labels: { app: 'stranger' } }, to, port)).toBe(false);
      expect(policies.allows({ namespace: 'some-user', labels: c.from.labels }, to, port)).toBe(false);
      expect(policies.allows({ namespace: NAMESPACES.istio, labels: {} }, to, port)).toBe(false);
    }
  });

  test('the database and the object store are told apart: an S3 client cannot reach MySQL', () => {
    const mysql = connections.find((c) => c.to.name === MYSQL.service)!;
    const s3Client = { namespace: NAMESPACES.kubeflow, labels: { [OBJECT_STORE.clientLabel]: 'true' } };
    expect(policies.allows(s3Client, { namespace: mysql.to.namespace, labels: mysql.to.pods.labels }, MYSQL.port)).toBe(false);
  });
});
