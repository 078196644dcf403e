/**
 * TensorBoards as the stack renders them: a PVC log directory mounted read-only, an object-store
 * prefix mirrored into the pod, the owner's namespace, and the route at /tensorboard/<ns>/<name>/.
 */
import { OBJECT_STORE } from '../../lib/data';
import { logSource } from '../../lib/config';
import { exampleConfig, find, renderStack, type K8sObject } from '../support/stack';

const owner = 'alice@example.org';
const ns = 'alice-example-org';

function render(logs: string, objectStore = 'minio'): K8sObject[] {
  return renderStack(exampleConfig('cluster', {
    objectStore,
    ...(objectStore === 'seaweedfs' ? { storage: { objectStoreReplicas: 1 } } : {}),
    tensorboards: [{ name: 'runs', owner, logs }],
  })).objects;
}
const container = (pod: any, name: string) => pod.containers.find((c: any) => c.name === name);

test('a PVC log directory: mounted read-only at the given path, no sync container, routed owner-only at its prefix', () => {
  const objects = render('pvc://explore-workspace/logs/mnist');
  const pod = (find(objects, 'Deployment', 'tensorboard-runs', ns) as any).spec.template.spec;
  expect(pod.volumes).toContainEqual({ name: 'logs', persistentVolumeClaim: { claimName: 'explore-workspace', readOnly: true } });
  const tb = container(pod, 'tensorboard');
  expect(tb.command).toEqual(['tensorboard', '--logdir=/logs', '--bind_all', '--port=6006']);
  expect(tb.volumeMounts).toContainEqual({ name: 'logs', mountPath: '/logs', subPath: 'logs/mnist', readOnly: true });
  expect(pod.containers.map((c: any) => c.name)).toEqual(['tensorboard']);
  expect(tb.readinessProbe.httpGet).toEqual({ path: '/', port: 'http' });

  const svc = find(objects, 'Service', 'tensorboard-runs', ns) as any;
  expect(svc.spec.ports).toEqual([expect.objectContaining({ port: 80, targetPort: 'http' })]);
  const vs = find(objects, 'VirtualService', 'tensorboard-runs', ns) as any;
  expect(vs.spec.http[0]).toMatchObject({
    match: [{ uri: { prefix: `/tensorboard/${ns}/runs/` } }],
    rewrite: { uri: '/' },
    route: [{ destination: { host: `tensorboard-runs.${ns}.svc.cluster.local`, port: { number: 80 } } }],
  });
  // Only the owner reaches it: the namespace's owner-only rule covers every /tensorboard/<ns>/ path.
  const denies = objects.filter((o) => o.kind === 'AuthorizationPolicy' && (o as any).spec.action === 'DENY');
  expect(JSON.stringify(denies)).toContain(`/tensorboard/${ns}/*`);
});

test.each([['minio'], ['seaweedfs']])('an object-store prefix (%s): mirrored by mc with the store\'s Secret into a memory volume tensorboard reads', (store) => {
  const objects = render(`s3://mlpipeline/private-artifacts/${ns}/run-1`, store);
  const pod = (find(objects, 'Deployment', 'tensorboard-runs', ns) as any).spec.template.spec;
  expect(pod.volumes).toContainEqual({ name: 'logs', emptyDir: { sizeLimit: '2Gi' } });
  expect(container(pod, 'tensorboard').volumeMounts).toContainEqual({ name: 'logs', mountPath: '/logs', readOnly: true });
  const sync = container(pod, 'sync');
  expect(sync.volumeMounts).toContainEqual({ name: 'logs', mountPath: '/logs' });
  const script = sync.command[sync.command.length - 1];
  // The folder is data (an env var), never pasted into the script.
  expect(script).toContain('src="store/$LOGS_SOURCE"');
  expect(script).not.toContain('private-artifacts');
  expect(sync.env).toContainEqual({ name: 'LOGS_SOURCE', value: `mlpipeline/private-artifacts/${ns}/run-1` });
  expect(script).toMatch(/mc mirror --overwrite "\$src" \/logs && touch \/tmp\/synced/);
  expect(script).toMatch(/exec mc mirror --watch --overwrite "\$src" \/logs/);
  expect(sync.readinessProbe.exec.command).toEqual(['/bin/sh', '-c', 'test -f /tmp/synced']);
  // The store's credentials, from the Secret Kubeflow Pipelines keeps per namespace.
  const secretRefs = (sync.env ?? []).filter((e: any) => e.valueFrom?.secretKeyRef).map((e: any) => e.valueFrom.secretKeyRef.name);
  expect(new Set(secretRefs)).toEqual(new Set([OBJECT_STORE.secret.name]));
});

test('log directories other than s3:// and pvc:// are refused with the forms expected', () => {
  expect(logSource('s3://b/p/q')).toEqual({ kind: 's3', bucket: 'b', prefix: 'p/q' });
  expect(logSource('pvc://claim')).toEqual({ kind: 'pvc', claim: 'claim', path: '' });
  expect(() => logSource('gs://b/p')).toThrow('expected "s3://<bucket>/<prefix>" or "pvc://<claim>/<path>", got "gs://b/p"');
  expect(() => exampleConfig('cluster', { tensorboards: [{ name: 'x', owner, logs: 'gs://b/p' }] })).toThrow(/tensorboards\.0\.logs/);
});
