/**
 * A workload that mounts a ConfigMap file by subPath never sees it change (the kubelet refreshes
 * only whole-volume mounts), and Dex and nginx read their configuration once at start: when such a
 * ConfigMap changes, the pod template must change too (the config-hash annotation), or `kubectl
 * apply` leaves the old configuration running (a new user would see no namespace on the landing page
 * and could not log in through Dex).
 */
import { CONFIG_HASH_ANNOTATION } from '../../lib/platform';
import { exampleConfig, podSpecOf, rendered, WORKLOAD_KINDS, type K8sObject } from '../support/stack';

/** Workloads that read a mounted ConfigMap only at start even though it is mounted as a volume. */
const READ_AT_START = ['dex'];

const key = (o: K8sObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const templateOf = (o: K8sObject) => (o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template : o.spec.template);

/** ConfigMaps whose files a workload's pods cannot see change while they run. */
function staticConfigMaps(o: K8sObject): string[] {
  const spec = podSpecOf(o);
  const volumes = new Map<string, string>((spec.volumes ?? []).filter((v: any) => v.configMap).map((v: any) => [v.name, v.configMap.name]));
  const mounts = [...(spec.containers ?? []), ...(spec.initContainers ?? [])].flatMap((c: any) => c.volumeMounts ?? []);
  const names = mounts.filter((m: any) => volumes.has(m.name) && (m.subPath || READ_AT_START.includes(o.metadata.name))).map((m: any) => volumes.get(m.name)!);
  return [...new Set(names)];
}

function byKey(objects: K8sObject[]) {
  return new Map(objects.map((o) => [key(o), o]));
}

describe('configuration read once rolls the pods when it changes', () => {
  // A second user, and a different notebook image list: the landing page's map, Dex's static
  // passwords, oauth2-proxy's allow list and the web app's form all change.
  const before = () => rendered(exampleConfig('laptop'));
  const after = () => rendered(exampleConfig('laptop', {
    users: ['you@microflow.local', 'sam@microflow.local'],
  }));

  test('every workload whose start-time ConfigMap changed gets a new pod template annotation', () => {
    const a = byKey(before().objects);
    const b = byKey(after().objects);
    const checked: string[] = [];
    for (const [k, o] of b) {
      if (!WORKLOAD_KINDS.includes(o.kind) || !a.has(k)) continue;
      const ns = o.metadata.namespace;
      const changed = staticConfigMaps(o).filter((cm) => {
        const oldData = a.get(`ConfigMap/${ns}/${cm}`)?.data;
        const newData = b.get(`ConfigMap/${ns}/${cm}`)?.data;
        return JSON.stringify(oldData) !== JSON.stringify(newData);
      });
      if (changed.length === 0) continue;
      checked.push(k);
      const oldHash = templateOf(a.get(k)!).metadata?.annotations?.[CONFIG_HASH_ANNOTATION];
      const newHash = templateOf(o).metadata?.annotations?.[CONFIG_HASH_ANNOTATION];
      expect({ workload: k, changed, hash: newHash }).toEqual({ workload: k, changed, hash: expect.stringMatching(/^[0-9a-f]{16}$/) });
      expect({ workload: k, rolled: newHash !== oldHash }).toEqual({ workload: k, rolled: true });
    }
    // The change above must reach at least these, or the check proves nothing.
    expect(checked).toEqual(expect.arrayContaining(['Deployment/kubeflow/landing-page', 'Deployment/auth/dex']));
  });

  test('the same configuration renders the same hash (no restart on every apply)', () => {
    const hashes = (objects: K8sObject[]) => objects.filter((o) => WORKLOAD_KINDS.includes(o.kind))
      .map((o) => [key(o), templateOf(o).metadata?.annotations?.[CONFIG_HASH_ANNOTATION]]);
    expect(hashes(rendered(exampleConfig('laptop', { users: ['you@microflow.local'] })).objects)).toEqual(hashes(before().objects));
  });
});
