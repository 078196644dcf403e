/**
 * The user namespace's quota against what really runs there: every kind a user (or code in their
 * pods) can create is bounded, the platform's own objects fit the counts, and the pods the platform
 * starts for a user fit the LimitRange's max and, together with a pipeline step, the quota.
 */
import * as yaml from 'js-yaml';
import { cpuMillis, memoryBytes, MIN_OBJECTS } from '../../lib/config';
import { ARGO } from '../../lib/pipelines';
import { COUNTED_KINDS, USER_NAMESPACE } from '../../lib/users';
import { grants, type Grant } from '../support/rbac';
import { selfServiceRecipe } from '../support/self-service';
import { EXAMPLES, exampleConfig, exampleObjects, find, podSpecOf, type K8sObject } from '../support/stack';
import { resolveUsers } from '../../lib/users';

const userNamespaces = (objects: K8sObject[]) => objects
  .filter((o) => o.kind === 'Namespace' && o.metadata.labels?.[Object.keys(USER_NAMESPACE.labels)[0]] === 'true').map((o) => o.metadata.name);

/** `resource.group` (core: `resource`) of every kind the namespace's owner or its ServiceAccounts may create there. */
function creatableKinds(objects: K8sObject[], ns: string, owner: string): Set<string> {
  const kinds = new Set<string>();
  const theirs = (g: Grant) => (g.subject.kind === 'User' && g.subject.name === owner) || (g.subject.kind === 'ServiceAccount' && g.subject.namespace === ns);
  for (const g of grants(objects).filter((x) => (x.namespace === ns || x.namespace === '*') && theirs(x))) {
    for (const r of g.rules) {
      if (!r.verbs.includes('create') && !r.verbs.includes('*')) continue;
      for (const group of r.apiGroups ?? []) for (const res of r.resources ?? []) if (!res.includes('/')) kinds.add(group ? `${res}.${group}` : res);
    }
  }
  return kinds;
}

/**
 * Bounded otherwise: pods and claims by their own counts; Events expire after an hour; custom
 * resources are not counted, so that a one-pass install never meets "status unknown for quota"
 * (lib/users/quota.ts). Pipelines' group names the verbs its API server checks
 * (SubjectAccessReview), not stored kinds.
 */
const NOT_COUNTED = ['pods', 'persistentvolumeclaims', 'events'];
const BUILT_IN_GROUPS = ['', 'apps', 'batch'];
const notStored = (kind: string) => kind.endsWith('.pipelines.kubeflow.org');
const custom = (kind: string) => !BUILT_IN_GROUPS.includes(kind.split('.').slice(1).join('.'));

test.each(EXAMPLES)('%s: every kind a user or their pods can create in their namespace is counted by the quota', (example) => {
  const objects = exampleObjects(example);
  for (const u of resolveUsers(exampleConfig(example))) {
    const creatable = creatableKinds(objects, u.namespace, u.email);
    expect(creatable.size).toBeGreaterThan(10);
    const hard = find(objects, 'ResourceQuota', USER_NAMESPACE.quotaName, u.namespace).spec.hard;
    expect([...creatable].filter((k) => !NOT_COUNTED.includes(k) && !notStored(k) && !custom(k) && hard[`count/${k}`] === undefined)).toEqual([]);
    // ...and no custom resource is counted: the quota controller would not know it yet on a first install.
    expect(Object.keys(hard).filter((r) => r.startsWith('count/') && custom(r.slice('count/'.length)))).toEqual([]);
    expect([...creatable].filter(custom).filter((k) => !notStored(k)).length).toBeGreaterThan(0);
    expect(hard.pods).toBe(String(u.quota.pods));
    expect(hard.persistentvolumeclaims).toBe(String(u.quota.persistentVolumeClaims));
  }
});

test.each(EXAMPLES)(`%s: the platform's own objects of each counted kind in a user namespace stay within half of ${MIN_OBJECTS}`, (example) => {
  const objects = exampleObjects(example);
  for (const ns of userNamespaces(objects)) {
    for (const kind of COUNTED_KINDS) {
      const [resource, ...group] = kind.split('.');
      const mine = objects.filter((o) => o.metadata.namespace === ns && `${o.kind.toLowerCase()}s` === resource
        && (o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '') === group.join('.'));
      expect({ ns, kind, within: mine.length <= MIN_OBJECTS / 2 }).toEqual({ ns, kind, within: true });
    }
  }
});

// ---- pods against the LimitRange and the quota, as the API server admits them ----

type Res = 'cpu' | 'memory' | 'ephemeral-storage';
const RESOURCES: Res[] = ['cpu', 'memory', 'ephemeral-storage'];
const amount = (r: Res, q: string) => (r === 'cpu' ? cpuMillis(q) : memoryBytes(q));
type Usage = Record<`${'requests' | 'limits'}.${Res}`, number>;

/** A container's requests and limits after API defaulting (request = limit) and the LimitRange's defaults. */
function admitted(c: any, limitRange: any): { requests: Record<Res, number>; limits: Record<Res, number> } {
  const out = { requests: {} as Record<Res, number>, limits: {} as Record<Res, number> };
  for (const r of RESOURCES) {
    const limit = c.resources?.limits?.[r];
    out.limits[r] = amount(r, limit ?? limitRange.default[r]);
    out.requests[r] = amount(r, c.resources?.requests?.[r] ?? limit ?? limitRange.defaultRequest[r]);
  }
  return out;
}

/** What the quota charges for a pod: per resource, the larger of its containers' sum and its largest init container. */
function podUsage(spec: any, limitRange: any): Usage {
  const usage = {} as Usage;
  for (const kind of ['requests', 'limits'] as const) {
    for (const r of RESOURCES) {
      const sum = (spec.containers as any[]).reduce((a, c) => a + admitted(c, limitRange)[kind][r], 0);
      const init = Math.max(0, ...(spec.initContainers ?? []).map((c: any) => admitted(c, limitRange)[kind][r]));
      usage[`${kind}.${r}`] = Math.max(sum, init);
    }
  }
  return usage;
}

/**
 * A pipeline step pod: Argo's init and wait containers with the executor resources the workflow
 * controller is configured with, KFP's launcher init container and the component's main container
 * as a pipeline that sets no resources leaves them (the LimitRange fills them in).
 */
function stepPod(objects: K8sObject[]): any {
  const executor = yaml.load(find(objects, 'ConfigMap', ARGO.configMap).data.executor) as any;
  const argo = { resources: executor.resources };
  return { initContainers: [{ name: 'init', ...argo }, { name: 'kfp-launcher' }], containers: [{ name: 'wait', ...argo }, { name: 'main' }] };
}

/** Pods the platform starts in a namespace: notebook servers (the controller's template) and TensorBoards. */
function platformPods(objects: K8sObject[], ns: string): { name: string; spec: any }[] {
  return objects.filter((o) => o.metadata.namespace === ns && (o.kind === 'Notebook' || podSpecOf(o)))
    .map((o) => ({ name: `${o.kind}/${o.metadata.name}`, spec: o.kind === 'Notebook' ? o.spec.template.spec : podSpecOf(o) }));
}

test.each(EXAMPLES)('%s: each user\'s notebooks, TensorBoards, the self-service TensorBoard and a running pipeline step fit the quota together', (example) => {
  const objects = exampleObjects(example);
  for (const u of resolveUsers(exampleConfig(example))) {
    const limitRange = find(objects, 'LimitRange', USER_NAMESPACE.limitRangeName, u.namespace).spec.limits[0];
    const hard = find(objects, 'ResourceQuota', USER_NAMESPACE.quotaName, u.namespace).spec.hard;
    const pods = [...platformPods(objects, u.namespace), { name: 'pipeline step', spec: stepPod(objects) }, { name: 'self-service TensorBoard', spec: selfServiceRecipe().spec.template.spec }];
    expect(pods.filter((p) => p.name.startsWith('Notebook/')).length).toBeGreaterThan(0);
    // No container above the LimitRange's max (the API server would refuse its pod).
    for (const p of pods) {
      for (const c of [...p.spec.containers, ...(p.spec.initContainers ?? [])]) {
        const a = admitted(c, limitRange);
        for (const r of RESOURCES) expect({ pod: p.name, container: c.name, r, over: a.limits[r] > amount(r, limitRange.max[r]) }).toEqual({ pod: p.name, container: c.name, r, over: false });
      }
    }
    // All of them at once within every quota line they are charged against.
    const total = pods.map((p) => podUsage(p.spec, limitRange)).reduce((a, b) => {
      for (const k of Object.keys(b) as (keyof Usage)[]) a[k] = (a[k] ?? 0) + b[k];
      return a;
    }, {} as Usage);
    for (const [key, used] of Object.entries(total)) {
      const r = key.split('.').slice(1).join('.') as Res;
      expect({ ns: u.namespace, key, fits: used <= amount(r, hard[key]) }).toEqual({ ns: u.namespace, key, fits: true });
    }
    expect(pods.length).toBeLessThanOrEqual(u.quota.pods);
  }
});
