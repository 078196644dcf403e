/**
 * TEST FIXTURE: what Kubeflow's notebook controller makes of a Notebook, for suites that need notebook
 * pods (the controller is not buildable here: kubeflow/notebooks is not served by the Go module proxy).
 * The StatefulSet carries the Notebook's pod template unchanged, plus the controller's `statefulset`
 * and `notebook-name` labels and NB_PREFIX.
 */
import { NOTEBOOKS, notebookPath } from '../../../lib/notebooks';

/** The label every stand-in object carries, so a suite can find and remove them. */
export const FIXTURE_LABEL = { 'microflow.dev/test-fixture': 'controller-stand-in' } as const;

export function controllerStatefulSet(nb: any): object {
  const name = nb.metadata.name;
  const ns = nb.metadata.namespace;
  const spec = JSON.parse(JSON.stringify(nb.spec.template.spec));
  spec.containers[0].env = [...(spec.containers[0].env ?? []), { name: 'NB_PREFIX', value: notebookPath(ns, name).replace(/\/$/, '') }];
  const labels = { statefulset: name, [NOTEBOOKS.podLabel]: name, ...(nb.metadata.labels ?? {}) };
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet',
    metadata: {
      name, namespace: ns, labels: { ...FIXTURE_LABEL },
      // Owned by the Notebook as the controller sets it, so deleting the Notebook deletes its pod.
      ...(nb.metadata.uid ? { ownerReferences: [{ apiVersion: nb.apiVersion, kind: 'Notebook', name, uid: nb.metadata.uid, controller: true, blockOwnerDeletion: true }] } : {}),
    },
    spec: { replicas: 1, serviceName: '', selector: { matchLabels: { statefulset: name } }, template: { metadata: { labels }, spec } },
  };
}

/**
 * TEST FIXTURE: the Service and VirtualService Kubeflow's notebook controller makes for a running
 * Notebook `namespace/name` (USE_ISTIO, on `gateway`): `/notebook/<ns>/<name>/` to port 80 of a
 * Service named after the Notebook, prefix kept, as Jupyter's NB_PREFIX expects.
 */
export function controllerNotebookRoute(namespace: string, name: string, gateway: string, annotations: { headersRequestSet?: Record<string, string> } = {}): object[] {
  const prefix = notebookPath(namespace, name);
  // The controller copies the Notebook's `notebooks.kubeflow.org/http-headers-request-set` annotation
  // (JSON) into the route's `headers.request.set`: the owner of the Notebook chooses it.
  const headers = annotations.headersRequestSet ? { headers: { request: { set: annotations.headersRequestSet } } } : {};
  return [
    {
      apiVersion: 'v1', kind: 'Service',
      metadata: { name, namespace, labels: { ...FIXTURE_LABEL } },
      spec: { selector: { statefulset: name }, ports: [{ name: `http-${name}`, port: 80, targetPort: 8888, protocol: 'TCP' }] },
    },
    {
      apiVersion: 'networking.istio.io/v1', kind: 'VirtualService',
      metadata: { name: `notebook-${namespace}-${name}`, namespace, labels: { ...FIXTURE_LABEL } },
      spec: {
        hosts: ['*'], gateways: [gateway],
        http: [{ match: [{ uri: { prefix } }], rewrite: { uri: prefix }, route: [{ destination: { host: `${name}.${namespace}.svc.cluster.local`, port: { number: 80 } } }], timeout: '300s', ...headers }],
      },
    },
  ];
}
