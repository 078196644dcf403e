import { memoryBytes } from '../config/quantity';
import { MYSQL } from '../data/constants';
import { listItems, type KubeOptions } from './kube';
import type { Manifest } from './phases';

/**
 * Changes the API server cannot apply in place, found BEFORE anything is applied, each with what
 * to do. Without this, `storage.mysql: 10Gi → 20Gi` on a running install ends in the API server's
 * bare "spec: Forbidden: updates to statefulset spec for fields other than ... are forbidden".
 */
export interface ImmutableChange {
  /** `Kind namespace/name`. */
  readonly object: string;
  /** The field, as a person reads it. */
  readonly field: string;
  readonly from: string;
  readonly to: string;
  /** What to do about it, step by step. */
  readonly advice: string;
}

/** What the comparison needs from the cluster (lists, as the API returns them). */
export interface LiveState {
  readonly objects: any[];
  /** PersistentVolumeClaims in the namespaces concerned. */
  readonly claims: any[];
  readonly storageClasses: any[];
}

const CHECKED_KINDS = ['StatefulSet', 'Deployment', 'DaemonSet', 'Service', 'PersistentVolumeClaim'];
/** `Kind namespace/name` (cluster-scoped: `Kind name`), as the reports name objects. */
export const objectRef = (o: { kind: string; metadata: { namespace?: string; name: string } }) => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
const id = objectRef;
const json = (v: unknown) => JSON.stringify(v ?? null);
/** Bytes of a storage quantity; callers check that there is one. */
const size = (q: unknown) => memoryBytes(String(q));

/** Reads what the comparison needs with one list call per kind. */
export function readLiveState(objects: Manifest[], opts: KubeOptions = {}): LiveState {
  const kinds = [...new Set(objects.filter((o) => CHECKED_KINDS.includes(o.kind)).map((o) => o.kind))];
  if (kinds.length === 0) return { objects: [], claims: [], storageClasses: [] };
  const live = listItems(['get', kinds.map((k) => k.toLowerCase()).join(','), '--all-namespaces'], opts);
  return {
    objects: live,
    claims: live.filter((o) => o.kind === 'PersistentVolumeClaim').concat(kinds.includes('PersistentVolumeClaim') ? [] : listItems(['get', 'persistentvolumeclaims', '--all-namespaces'], opts)),
    storageClasses: listItems(['get', 'storageclasses'], opts),
  };
}

/** Compares the rendered objects with the live ones. Pure: unit-tested without a cluster. */
export function findImmutableChanges(objects: Manifest[], live: LiveState): ImmutableChange[] {
  const byId = new Map(live.objects.map((o) => [id(o), o]));
  const changes: ImmutableChange[] = [];
  for (const desired of objects.filter((o) => CHECKED_KINDS.includes(o.kind))) {
    const current = byId.get(id(desired));
    if (!current) continue; // first install of this object: nothing to compare
    const d = (desired as any).spec ?? {};
    const c = current.spec ?? {};
    const add = (field: string, from: unknown, to: unknown, advice: string) =>
      changes.push({ object: id(desired), field, from: typeof from === 'string' ? from : json(from), to: typeof to === 'string' ? to : json(to), advice });
    switch (desired.kind) {
      case 'StatefulSet':
      case 'Deployment':
      case 'DaemonSet':
        if (json(d.selector) !== json(c.selector)) add('spec.selector', c.selector, d.selector, recreate(desired, 'the selector'));
        if (desired.kind === 'StatefulSet') statefulSetChanges(desired, d, c, live, add);
        break;
      case 'Service':
        if (d.clusterIP !== undefined && d.clusterIP !== c.clusterIP) {
          add('spec.clusterIP', c.clusterIP, d.clusterIP, `A Service's cluster IP never changes in place. Delete it and deploy again (clients reconnect to the new address):\n  kubectl -n ${desired.metadata.namespace} delete service ${desired.metadata.name}\n  npm run deploy`);
        }
        break;
      case 'PersistentVolumeClaim': {
        const want = d.resources?.requests?.storage;
        const have = c.resources?.requests?.storage;
        if (want !== undefined && have !== undefined && size(want) < size(have)) add('spec.resources.requests.storage', have, want, shrinkAdvice(have));
        else if (want !== undefined && have !== undefined && size(want) > size(have)) {
          const sc = c.storageClassName;
          if (!expandable(live, sc)) add('spec.resources.requests.storage', have, want, notExpandable(sc, `PersistentVolumeClaim ${desired.metadata.name}`, have, want));
        }
        if (d.storageClassName !== undefined && d.storageClassName !== c.storageClassName) {
          add('spec.storageClassName', c.storageClassName, d.storageClassName, 'A claim cannot move to another StorageClass: copy the data to a new claim, or keep the old class.');
        }
        break;
      }
    }
  }
  return changes;
}

type Add = (field: string, from: unknown, to: unknown, advice: string) => void;

function statefulSetChanges(desired: Manifest, d: any, c: any, live: LiveState, add: Add): void {
  const ns = desired.metadata.namespace!;
  const name = desired.metadata.name;
  if ((d.podManagementPolicy ?? 'OrderedReady') !== (c.podManagementPolicy ?? 'OrderedReady')) {
    add('spec.podManagementPolicy', c.podManagementPolicy ?? 'OrderedReady', d.podManagementPolicy ?? 'OrderedReady', recreate(desired, 'podManagementPolicy'));
  }
  if (d.serviceName !== c.serviceName) add('spec.serviceName', c.serviceName, d.serviceName, recreate(desired, 'serviceName'));
  const liveTemplates = new Map<string, any>((c.volumeClaimTemplates ?? []).map((t: any) => [t.metadata.name, t]));
  const wantTemplates: any[] = d.volumeClaimTemplates ?? [];
  const names = (ts: Iterable<any>) => [...ts].map((t) => t.metadata.name).sort();
  if (json(names(wantTemplates)) !== json(names(liveTemplates.values()))) {
    add('spec.volumeClaimTemplates', names(liveTemplates.values()), names(wantTemplates), recreate(desired, 'the set of volumes'));
    return;
  }
  for (const t of wantTemplates) {
    const lt = liveTemplates.get(t.metadata.name);
    const field = `spec.volumeClaimTemplates[${t.metadata.name}]`;
    if ((t.spec.storageClassName ?? null) !== (lt.spec.storageClassName ?? null)) {
      add(`${field}.storageClassName`, lt.spec.storageClassName, t.spec.storageClassName, 'Existing claims cannot move to another StorageClass: copy the data to claims of the new class (back up, purge, deploy, restore), or keep the old class.');
    }
    if (json([...(t.spec.accessModes ?? [])].sort()) !== json([...(lt.spec.accessModes ?? [])].sort())) {
      add(`${field}.accessModes`, lt.spec.accessModes, t.spec.accessModes, recreate(desired, 'access modes'));
    }
    const want = t.spec.resources?.requests?.storage;
    const have = lt.spec.resources?.requests?.storage;
    if (want === undefined || have === undefined || size(want) === size(have)) continue;
    const claims = live.claims.filter((p) => p.metadata.namespace === ns && new RegExp(`^${t.metadata.name}-${name}-\\d+$`).test(p.metadata.name));
    const sc = t.spec.storageClassName ?? lt.spec.storageClassName;
    // A claim may have been grown by hand past the template: the size to keep is the biggest one.
    const biggest: string = claims.map((p) => p.spec?.resources?.requests?.storage).reduce((m, q) => (q !== undefined && size(q) > size(m) ? q : m), have);
    if (size(want) < size(biggest)) add(`${field} storage`, have, want, shrinkAdvice(biggest));
    else add(`${field} storage`, have, want, growAdvice(desired, t.metadata.name, claims.map((p) => p.metadata.name), sc, have, want, expandable(live, sc)));
  }
}

function expandable(live: LiveState, storageClass: string | undefined): boolean {
  return live.storageClasses.some((s) => s.metadata.name === storageClass && s.allowVolumeExpansion === true);
}

function recreate(o: Manifest, what: string): string {
  const ns = o.metadata.namespace;
  return `${o.kind} ${what} cannot change in place. Delete the ${o.kind} without its pods and deploy again; the new one adopts the running pods (claims are kept):\n`
    + `  kubectl -n ${ns} delete ${o.kind.toLowerCase()} ${o.metadata.name} --cascade=orphan\n  npm run deploy`;
}

const shrinkAdvice = (have: string) =>
  `Kubernetes never shrinks a volume. Set the size back to ${have} or more in your configuration (a smaller size would need a new, empty volume: back up, \`npm run destroy -- --purge-data\`, deploy, restore).`;

function notExpandable(sc: string | undefined, what: string, have: string, want: string): string {
  return `StorageClass ${sc ?? '(default)'} does not allow volume expansion (allowVolumeExpansion is not true), so ${what} stays ${have}.`
    + (sc === 'microk8s-hostpath' ? ' microk8s-hostpath does not enforce sizes at all: the volume can already use the disk\'s free space, so keeping the old size loses nothing.' : '')
    + ` Either keep ${have} in your configuration, or move the data to a new ${want} volume (back up, purge, deploy, restore).`;
}

function growAdvice(o: Manifest, template: string, claims: string[], sc: string | undefined, have: string, want: string, canExpand: boolean): string {
  const ns = o.metadata.namespace!;
  const name = o.metadata.name;
  const claimList = claims.length ? claims.join(', ') : `${template}-${name}-0`;
  if (canExpand) {
    return `The API server refuses any change to a StatefulSet's volumeClaimTemplates. StorageClass ${sc} allows expansion, so grow the claims, then recreate the StatefulSet around its running pods:\n`
      + claims.map((c) => `  kubectl -n ${ns} patch pvc ${c} -p '{"spec":{"resources":{"requests":{"storage":"${want}"}}}}'\n`).join('')
      + `  kubectl -n ${ns} delete statefulset ${name} --cascade=orphan\n  npm run deploy`;
  }
  const isMysql = name === MYSQL.service;
  return `The API server refuses any change to a StatefulSet's volumeClaimTemplates, and ${notExpandable(sc, `claim ${claimList}`, have, want)}\n`
    + `To move to ${want} (this recreates the volume, so the data goes through a backup):\n`
    + (isMysql
      ? `  1. kubectl -n ${ns} create job --from=cronjob/mysql-backup before-resize && kubectl -n ${ns} wait --for=condition=complete job/before-resize --timeout=15m\n`
      : '  1. copy the data out of the volume\n')
    + `  2. kubectl -n ${ns} delete statefulset ${name}\n`
    + `  3. kubectl -n ${ns} delete pvc ${claimList.split(', ').join(' ')}   # deletes the old volume\n`
    + '  4. npm run deploy\n'
    + (isMysql ? '  5. npm run --silent restore -- <the dump before-resize listed> | kubectl apply -f -   (see docs/data.md, "Backups and restore")' : '  5. copy the data back');
}

/** The pre-apply report: what changed, and what to do, per change. */
export function formatImmutableChanges(changes: ImmutableChange[]): string {
  return [`${changes.length} change${changes.length > 1 ? 's' : ''} cannot be applied in place; nothing was applied:`, '',
    ...changes.map((c) => `* ${c.object}: ${c.field} ${c.from} → ${c.to}\n${c.advice.split('\n').map((l) => `  ${l}`).join('\n')}`)].join('\n');
}
