/**
 * The front door's backends: every Service a VirtualService on the gateway routes to, and the
 * ext-authz provider's (oauth2-proxy). Those a real program serves in the test (`real`: Dex,
 * oauth2-proxy) point at its port; every other one is answered by an echo server inside the test's
 * namespace (front-door-echo.js). Their workloads are scaled to zero, so the EndpointSlice
 * controller's slices are empty and the test's slice (POD_ADDRESS) is each Service's only endpoint: a
 * request is seen by exactly the backend the gateway chose.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Manifest } from '../../../lib/deploy';
import { getJson, k, waitFor } from './kube';
import { POD_ADDRESS, type Netns } from './netns';
import { find, pointServiceAt } from './front-door';

export interface Backends {
  /** `namespace/service` → the echo's port inside the namespace. */
  readonly ports: Record<string, number>;
  clear(): void;
  /** What the backends received since the last clear, in order. */
  read(): { backend: string; method: string; url: string; headers: Record<string, string> }[];
}

const FIRST_PORT = 20000;

export async function frontDoorBackends(ns: Netns, dir: string, objects: Manifest[], real: Record<string, number>): Promise<Backends> {
  const services = new Map<string, any>();
  for (const vs of objects.filter((o) => o.kind === 'VirtualService') as any[]) {
    for (const http of vs.spec.http ?? []) {
      for (const route of http.route ?? []) {
        const [name, namespace] = route.destination.host.split('.');
        services.set(`${namespace}/${name}`, find(objects, 'Service', name, namespace));
      }
    }
  }
  // The ext-authz provider's Service, from the mesh config's extension provider.
  const mesh = (objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'istio') as any).data.mesh as string;
  for (const [, name, namespace] of mesh.matchAll(/service: ([a-z0-9-]+)\.([a-z0-9-]+)\.svc/g)) services.set(`${namespace}/${name}`, find(objects, 'Service', name, namespace));

  const ports: Record<string, number> = {};
  [...services.keys()].filter((key) => !(key in real)).sort().forEach((key, i) => { ports[key] = FIRST_PORT + i; });
  for (const [key, svc] of services) {
    const { namespace, name } = svc.metadata;
    // The workloads behind it (their pods are KWOK's, with addresses nothing serves).
    for (const d of objects.filter((o) => (o.kind === 'Deployment' || o.kind === 'StatefulSet') && o.metadata.namespace === namespace) as any[]) {
      const labels = d.spec.template.metadata.labels ?? {};
      if (Object.entries(svc.spec.selector ?? {}).every(([l, v]) => labels[l] === v)) await k(['scale', d.kind.toLowerCase(), d.metadata.name, '-n', namespace, '--replicas=0']);
    }
    await waitFor(`the EndpointSlice controller to empty ${key}`, async () => {
      const slices = await getJson(['get', 'endpointslices', '-n', namespace, '-l', `kubernetes.io/service-name=${name},endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io`]);
      return slices.items.every((sl: any) => (sl.endpoints ?? []).length === 0);
    }, 120_000);
    await pointServiceAt(namespace, name, Object.fromEntries(svc.spec.ports.map((p: any) => [p.name, real[key] ?? ports[key]])));
  }

  const log = path.join(dir, 'backends.jsonl');
  fs.writeFileSync(log, '');
  const echo = ns.spawn('backends', process.execPath, [path.join(__dirname, 'front-door-echo.js'), log, POD_ADDRESS, ...Object.entries(ports).map(([key, port]) => `${key}=${port}`)], { cwd: dir });
  await waitFor('the echo backends to listen', async () => {
    if (echo.child.exitCode !== null) throw new Error(`the echo backends exited: ${echo.log()}`);
    return echo.log().includes('listening');
  }, 30_000);
  return {
    ports,
    clear: () => fs.writeFileSync(log, ''),
    read: () => fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)),
  };
}
