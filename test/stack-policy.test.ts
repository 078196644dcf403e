/**
 * Whole-stack rules, checked on every rendered object of every example profile: the workload
 * policy, stable names, labels, namespaces, references that resolve, and no credential anywhere.
 */
import { GeneratedSecrets } from '../lib/data';
import { CHECKED_ON_BEHALF_ANNOTATION, ISTIOD } from '../lib/gateway';
import { GPU_OPERATOR_NAMESPACE } from '../lib/gpu';
import { BASELINE_REASON_ANNOTATION, DEFAULT_DENY_POLICY, LABEL, NAMESPACES, PLATFORM_PRIORITY, POD_SECURITY_VERSION } from '../lib/platform';
import { resolveUsers } from '../lib/users';
import { selfServiceRecipe } from './support/self-service';
import {
  LONG_RUNNING_KINDS, VARIANTS, variantConfig, variantObjects, podSpecOf, podTemplateLabels, WORKLOAD_KINDS, type K8sObject,
} from './support/stack';

const CLUSTER_SCOPED = new Set([
  'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'StorageClass', 'RuntimeClass',
  'PriorityClass', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
]);
const CREDENTIAL_ENV = /PASS|SECRET|TOKEN|CREDENTIAL|ACCESS_?KEY|PRIVATE/i;

const allContainers = (spec: any): any[] => [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
const workloads = (objs: K8sObject[]) => objs.filter((o) => WORKLOAD_KINDS.includes(o.kind));
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

describe.each(VARIANTS)('%s', (variant) => {
  // Rendered in beforeEach (which runs as part of each test), never at collection time: see test/support/stack.ts.
  let objects: K8sObject[] = [];
  beforeEach(() => { objects = variantObjects(variant); });
  const inNs = (ns: string | undefined, kind: string) => objects.filter((o) => o.kind === kind && o.metadata.namespace === ns);
  const longRunning = (ns: string | undefined) => LONG_RUNNING_KINDS.flatMap((k) => inNs(ns, k));
  /**
   * What runs in a namespace once users use it: the rendered workloads and, in each user namespace, the
   * self-service TensorBoard recipe applied there (the slot's Service and policy select its pods, which
   * the user runs, not microflow).
   */
  const runningThere = (ns: string | undefined) => [
    ...longRunning(ns),
    ...(resolveUsers(variantConfig(variant)).some((u) => u.namespace === ns) ? [selfServiceRecipe(ns)] : []),
  ];
  /** Every container of every workload, with a name for failure messages. */
  const containers = () => workloads(objects).flatMap((w) => allContainers(podSpecOf(w)).map((c) => ({ id: `${w.kind} ${w.metadata.name}/${c.name}`, w, c })));

  test('renders workloads at all (guards every check below against an empty render)', () => {
    expect(workloads(objects).length).toBeGreaterThanOrEqual(4);
  });

  describe('workload policy', () => {
    test('pinned images pulled IfNotPresent, requests and limits on every container', () => {
      for (const { id, c } of containers()) {
        expect({ id, image: c.image }).toEqual({ id, image: expect.stringMatching(/(:[A-Za-z0-9_][A-Za-z0-9_.-]*|@sha256:[0-9a-f]{64})$/) });
        expect({ id, image: c.image }).not.toEqual({ id, image: expect.stringMatching(/:latest$/) });
        expect({ id, pull: c.imagePullPolicy }).toEqual({ id, pull: 'IfNotPresent' });
        for (const kind of ['requests', 'limits']) {
          expect({ id, kind, cpu: String(c.resources?.[kind]?.cpu) }).toEqual({ id, kind, cpu: expect.stringMatching(/^\d+(\.\d+)?m?$/) });
          expect({ id, kind, memory: String(c.resources?.[kind]?.memory) }).toEqual({ id, kind, memory: expect.stringMatching(/^\d+(\.\d+)?(Ki|Mi|Gi|Ti)?$/) });
        }
      }
    });

    test('restricted security context on every pod and container', () => {
      for (const w of workloads(objects)) {
        const { securityContext } = podSpecOf(w);
        expect({ workload: w.metadata.name, runAsNonRoot: securityContext.runAsNonRoot, seccomp: securityContext.seccompProfile, rootUid: securityContext.runAsUser === 0 })
          .toEqual({ workload: w.metadata.name, runAsNonRoot: true, seccomp: { type: 'RuntimeDefault' }, rootUid: false });
      }
      for (const { id, c } of containers()) {
        // No microflow container needs a writable root (a writableRootReason would be the only way).
        expect({ id, ...c.securityContext }).toEqual({
          id, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false, readOnlyRootFilesystem: true, runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' },
        });
      }
    });

    test('every pod in a platform namespace names the platform PriorityClass, which is rendered; users\' pods name none', () => {
      const platform = Object.values(NAMESPACES) as string[];
      const pods = [...workloads(objects), ...objects.filter((o) => o.kind === 'Notebook')]
        .map((w) => ({ id: `${w.kind} ${w.metadata.namespace}/${w.metadata.name}`, ns: w.metadata.namespace!, spec: w.kind === 'Notebook' ? w.spec.template.spec : podSpecOf(w) }));
      expect(pods.filter((p) => !platform.includes(p.ns)).length).toBeGreaterThan(0);
      for (const p of pods) {
        expect({ id: p.id, priorityClassName: p.spec.priorityClassName }).toEqual({ id: p.id, priorityClassName: platform.includes(p.ns) ? PLATFORM_PRIORITY.name : undefined });
      }
      const pc = objects.filter((o) => o.kind === 'PriorityClass');
      expect(pc).toEqual([expect.objectContaining({ metadata: expect.objectContaining({ name: PLATFORM_PRIORITY.name }), globalDefault: false, preemptionPolicy: 'PreemptLowerPriority' })]);
      // Above users' 0, below what Kubernetes lets anyone but itself use (system classes start at 2000000000).
      expect(pc[0].value).toBeGreaterThanOrEqual(100_000);
      expect(pc[0].value).toBeLessThanOrEqual(1_000_000_000);
    });

    test('an API token only for pods whose ServiceAccount is bound to a role', () => {
      const tokens = workloads(objects).map((w) => {
        const spec = podSpecOf(w);
        // Bindings whose rights another component checks on the subject's behalf (istiod's
        // SubjectAccessReview for the gateway's certificates) give the pods themselves no reason for a token.
        const bound = objects.some((o) => (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') && !o.metadata.annotations?.[CHECKED_ON_BEHALF_ANNOTATION]
          && (o.subjects ?? []).some((s: any) => s.kind === 'ServiceAccount' && s.name === spec.serviceAccountName && s.namespace === w.metadata.namespace));
        return { workload: w.metadata.name, token: spec.automountServiceAccountToken, bound };
      });
      expect(tokens.filter((t) => t.bound).length).toBeGreaterThan(0);
      expect(tokens).toEqual(tokens.map((t) => ({ ...t, token: t.bound })));
    });

    test('readiness and liveness probes on every long-running container', () => {
      const long = workloads(objects).filter((w) => LONG_RUNNING_KINDS.includes(w.kind));
      expect(long.length).toBeGreaterThanOrEqual(2);
      for (const w of long) {
        for (const c of podSpecOf(w).containers) {
          expect({ id: `${w.metadata.name}/${c.name}`, readiness: !!c.readinessProbe, liveness: !!c.livenessProbe }).toEqual({ id: `${w.metadata.name}/${c.name}`, readiness: true, liveness: true });
        }
      }
    });
  });

  test('stable names: every object has an explicit metadata.name without a cdk8s hash suffix', () => {
    for (const o of objects) {
      expect(o.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
      expect(o.metadata.name).not.toMatch(/-c8[0-9a-f]{6}$/);
    }
    const keys = objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test('recommended labels on every object', () => {
    for (const o of objects) {
      for (const key of Object.values(LABEL)) expect(o.metadata.labels?.[key]).toBeTruthy();
      expect(o.metadata.labels?.[LABEL.partOf]).toBe('microflow');
    }
  });

  test('namespaced objects carry a namespace that microflow declares; cluster-scoped ones do not', () => {
    const declared = new Set(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
    for (const o of objects) {
      if (CLUSTER_SCOPED.has(o.kind)) expect(o.metadata.namespace).toBeUndefined();
      // The GPU operator's namespace belongs to microk8s' nvidia addon; microflow only adds its time-slicing ConfigMap.
      else if (o.metadata.namespace !== GPU_OPERATOR_NAMESPACE) expect(declared.has(o.metadata.namespace!)).toBe(true);
    }
  });

  test('every namespace, and only microflow\'s (its own and one per configured user), is rendered', () => {
    const users = resolveUsers(variantConfig(variant)).map((u) => u.namespace);
    expect(users.length).toBeGreaterThan(0);
    expect(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name).sort()).toEqual([...Object.values(NAMESPACES), ...users].sort());
  });

  test('every namespace enforces, warns and audits Pod Security "restricted" at the pinned version and denies ingress by default', () => {
    for (const ns of objects.filter((o) => o.kind === 'Namespace')) {
      const pss = Object.fromEntries(Object.entries(ns.metadata.labels ?? {}).filter(([k]) => k.startsWith('pod-security.kubernetes.io/')));
      // "restricted" everywhere is the rule; a departure needs a written reason (none so far).
      const level = ns.metadata.annotations?.[BASELINE_REASON_ANNOTATION] ? 'baseline' : 'restricted';
      expect({ namespace: ns.metadata.name, pss }).toEqual({
        namespace: ns.metadata.name,
        pss: Object.fromEntries(['enforce', 'warn', 'audit'].flatMap((m) => [[`pod-security.kubernetes.io/${m}`, level], [`pod-security.kubernetes.io/${m}-version`, POD_SECURITY_VERSION]])),
      });
      const deny = inNs(ns.metadata.name, 'NetworkPolicy').find((p) => p.metadata.name === DEFAULT_DENY_POLICY);
      expect({ namespace: ns.metadata.name, deny: deny?.spec }).toEqual({ namespace: ns.metadata.name, deny: { podSelector: {}, policyTypes: ['Ingress'] } });
    }
  });

  describe('references resolve', () => {
    const names = (ns: string | undefined, kind: string) => new Set(inNs(ns, kind).map((o) => o.metadata.name));
    // The annotation lists `name` (the Job's namespace) or `namespace/name` (another one).
    const generatedSecrets = (ns: string | undefined) => new Set(
      objects.filter((o) => o.kind === 'Job').flatMap((j) => (j.metadata.annotations?.[GeneratedSecrets.ANNOTATION] ?? '').split(',').filter(Boolean)
        .map((entry: string) => (entry.includes('/') ? entry.split('/') : [j.metadata.namespace, entry]))
        .filter(([secretNs]: string[]) => secretNs === ns).map(([, name]: string[]) => name)),
    );

    test('Secrets, ConfigMaps, ServiceAccounts and volumes named by pods exist', () => {
      for (const w of workloads(objects)) {
        const ns = w.metadata.namespace;
        const spec = podSpecOf(w);
        const secrets = new Set([...names(ns, 'Secret'), ...generatedSecrets(ns)]);
        // istiod publishes its root certificate, and the controller-manager the cluster's CA
        // bundle, in every namespace at run time.
        const configMaps = new Set([...names(ns, 'ConfigMap'), ISTIOD.rootCertConfigMap, 'kube-root-ca.crt']);
        expect([...names(ns, 'ServiceAccount')]).toContain(spec.serviceAccountName);
        const volumes = new Set([
          ...(spec.volumes ?? []).map((v: any) => v.name),
          ...(w.spec.volumeClaimTemplates ?? []).map((t: any) => t.metadata.name),
        ]);
        for (const v of spec.volumes ?? []) {
          // Optional sources may be absent (istiod's plug-in CA, remote kubeconfig, cert-manager certificate).
          if (v.secret?.optional || v.configMap?.optional) continue;
          if (v.secret) expect([...secrets]).toContain(v.secret.secretName);
          if (v.configMap) expect([...configMaps]).toContain(v.configMap.name);
          if (v.persistentVolumeClaim) expect([...names(ns, 'PersistentVolumeClaim')]).toContain(v.persistentVolumeClaim.claimName);
        }
        for (const c of allContainers(spec)) {
          for (const m of c.volumeMounts ?? []) expect([...volumes]).toContain(m.name);
          for (const e of c.env ?? []) {
            if (e.valueFrom?.secretKeyRef) expect([...secrets]).toContain(e.valueFrom.secretKeyRef.name);
            if (e.valueFrom?.configMapKeyRef) expect([...configMaps]).toContain(e.valueFrom.configMapKeyRef.name);
          }
          for (const f of c.envFrom ?? []) {
            if (f.secretRef) expect([...secrets]).toContain(f.secretRef.name);
            if (f.configMapRef) expect([...configMaps]).toContain(f.configMapRef.name);
          }
        }
      }
    });

    test('RoleBindings point at existing Roles and ServiceAccounts', () => {
      const bindings = objects.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding');
      expect(bindings.length).toBeGreaterThan(0);
      for (const b of bindings) {
        const roleKind = b.roleRef.kind;
        const roleNs = roleKind === 'Role' ? b.metadata.namespace : undefined;
        // Kubernetes' own `system:` ClusterRoles exist in every cluster.
        if (!(roleKind === 'ClusterRole' && b.roleRef.name.startsWith('system:'))) expect([...names(roleNs, roleKind)]).toContain(b.roleRef.name);
        for (const s of b.subjects) if (s.kind === 'ServiceAccount') expect([...names(s.namespace, 'ServiceAccount')]).toContain(s.name);
      }
    });

    test('Service selectors match a pod template (rendered, or the self-service recipe in a user namespace) and named targetPorts exist on it', () => {
      const services = objects.filter((o) => o.kind === 'Service' && o.spec.selector);
      expect(services.length).toBeGreaterThan(0);
      for (const svc of services) {
        const pods = runningThere(svc.metadata.namespace).filter((w) => matches(svc.spec.selector, podTemplateLabels(w)));
        expect(pods.length).toBeGreaterThan(0);
        for (const port of svc.spec.ports) {
          if (typeof port.targetPort !== 'string') continue;
          const named = pods.flatMap((w) => allContainers(podSpecOf(w)).flatMap((c) => (c.ports ?? []).map((p: any) => p.name)));
          expect(named).toContain(port.targetPort);
        }
      }
    });

    test('every <X>_HOST / <X>_PORT pair a container is given names a rendered Service and one of its ports', () => {
      // Istio's own variables are its templates' (resolved by istiod at injection), not addresses.
      const resolve = (ns: string, e: any): string | undefined => {
        if (e.value !== undefined) return e.value;
        const ref = e.valueFrom?.configMapKeyRef;
        if (!ref) return undefined; // fieldRef (the pod's own IP) or a Secret: not a Service address
        const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.namespace === ns && o.metadata.name === ref.name);
        return cm?.data?.[ref.key];
      };
      const pairs: string[] = [];
      for (const w of workloads(objects)) {
        const ns = w.metadata.namespace!;
        for (const c of allContainers(podSpecOf(w))) {
          const env = new Map<string, any>((c.env ?? []).map((e: any) => [e.name, e]));
          for (const [name, e] of env) {
            if (!name.endsWith('_HOST') || name.startsWith('ISTIO_') || !env.has(name.replace(/_HOST$/, '_PORT'))) continue;
            const host = resolve(ns, e);
            const port = resolve(ns, env.get(name.replace(/_HOST$/, '_PORT')));
            if (host === undefined || port === undefined) continue;
            const [svcName, svcNs = ns] = host.replace(/\.svc(\.cluster\.local)?$/, '').split('.');
            const svc = objects.find((o) => o.kind === 'Service' && o.metadata.name === svcName && o.metadata.namespace === svcNs);
            const where = `${w.kind}/${ns}/${w.metadata.name} ${c.name}: ${name}=${host} port ${port}`;
            expect({ where, service: svc ? `${svcNs}/${svcName}` : 'none' }).toEqual({ where, service: `${svcNs}/${svcName}` });
            expect({ where, ports: svc!.spec.ports.map((p: any) => p.port).includes(Number(port)) }).toEqual({ where, ports: true });
            pairs.push(name);
          }
        }
      }
      // The API server's database, object store, metadata and pipeline API addresses at least.
      expect(new Set(pairs).size).toBeGreaterThanOrEqual(5);
    });

    test('NetworkPolicy pod selectors match a pod template (rendered, or the self-service recipe in a user namespace)', () => {
      const policies = objects.filter((o) => o.kind === 'NetworkPolicy' && Object.keys(o.spec.podSelector.matchLabels ?? {}).length);
      expect(policies.length).toBeGreaterThan(0);
      for (const np of policies) {
        const selected = runningThere(np.metadata.namespace).filter((w) => matches(np.spec.podSelector.matchLabels, podTemplateLabels(w))).map((w) => w.metadata.name);
        expect({ policy: np.metadata.name, selects: selected.length > 0 ? 'pods' : 'nothing' }).toEqual({ policy: np.metadata.name, selects: 'pods' });
      }
    });
  });

  describe('no credential anywhere', () => {
    test('no Secret carries data (credentials are generated in the cluster)', () => {
      expect(objects.filter((o) => o.kind === 'Secret' && (o.data !== undefined || o.stringData !== undefined)).map((o) => o.metadata.name)).toEqual([]);
    });
    test('credential-like environment variables come from Secrets, never literals', () => {
      for (const w of workloads(objects)) {
        for (const c of allContainers(podSpecOf(w))) {
          for (const e of c.env ?? []) {
            if (CREDENTIAL_ENV.test(e.name)) {
              expect({ container: `${w.metadata.name}/${c.name}`, env: e.name, literal: e.value }).toEqual({ container: `${w.metadata.name}/${c.name}`, env: e.name, literal: undefined });
            }
          }
        }
      }
    });
    test('no ConfigMap or script holds a literal password', () => {
      const text = JSON.stringify(objects);
      for (const known of ['12341234', 'minio123', 'admin/admin', '"password":"password"']) expect(text).not.toContain(known);
      for (const cm of objects.filter((o) => o.kind === 'ConfigMap')) {
        for (const v of Object.values<string>(cm.data ?? {})) {
          // On one line: a YAML key with a nested block ("secret:\n  optional: true") is no value.
          expect(v).not.toMatch(/(password|passwd|secret)[ \t]*[:=][ \t]*['"]?[A-Za-z0-9]/i);
        }
      }
    });
  });
});
