/**
 * Whole-stack rules, checked on every rendered object of every example profile: the workload
 * policy, stable names, labels, namespaces, references that resolve, and no credential anywhere.
 */
import { GeneratedSecrets } from '../lib/data';
import { CHECKED_ON_BEHALF_ANNOTATION, ISTIOD } from '../lib/gateway';
import { BASELINE_REASON_ANNOTATION, DEFAULT_DENY_POLICY, LABEL } from '../lib/platform';
import {
  LONG_RUNNING_KINDS, VARIANTS, variantObjects, podSpecOf, podTemplateLabels, WORKLOAD_KINDS, type K8sObject,
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
  const objects = variantObjects(variant);
  const inNs = (ns: string | undefined, kind: string) => objects.filter((o) => o.kind === kind && o.metadata.namespace === ns);
  const longRunning = (ns: string | undefined) => LONG_RUNNING_KINDS.flatMap((k) => inNs(ns, k));

  test('renders workloads at all (guards every check below against an empty render)', () => {
    expect(workloads(objects).length).toBeGreaterThanOrEqual(4);
  });

  describe('workload policy', () => {
    for (const w of workloads(variantObjects(variant))) {
      const spec = podSpecOf(w);
      test(`${w.kind} ${w.metadata.name}: pinned images pulled IfNotPresent, requests and limits everywhere`, () => {
        for (const c of allContainers(spec)) {
          expect(c.image).toMatch(/(:[A-Za-z0-9_][A-Za-z0-9_.-]*|@sha256:[0-9a-f]{64})$/);
          expect(c.image).not.toMatch(/:latest$/);
          expect(c.imagePullPolicy).toBe('IfNotPresent');
          for (const kind of ['requests', 'limits']) {
            expect(c.resources?.[kind]?.cpu).toBeDefined();
            expect(c.resources?.[kind]?.memory).toBeDefined();
          }
        }
      });
      test(`${w.kind} ${w.metadata.name}: restricted security context`, () => {
        expect(spec.securityContext.runAsNonRoot).toBe(true);
        expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
        expect(spec.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
        for (const c of allContainers(spec)) {
          expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
          expect(c.securityContext.capabilities.drop).toEqual(['ALL']);
          expect(c.securityContext.privileged).toBe(false);
          expect(typeof c.securityContext.readOnlyRootFilesystem).toBe('boolean');
        }
      });
      test(`${w.kind} ${w.metadata.name}: API token only when it talks to the API`, () => {
        // Bindings whose rights another component checks on the subject's behalf (istiod's
        // SubjectAccessReview for the gateway's certificates) give the pods themselves no reason for a token.
        const talksToApi = objects.some((o) => (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') && !o.metadata.annotations?.[CHECKED_ON_BEHALF_ANNOTATION]
          ? (o.subjects ?? []).some((s: any) => s.kind === 'ServiceAccount' && s.name === spec.serviceAccountName && s.namespace === w.metadata.namespace)
          : false);
        expect(spec.automountServiceAccountToken).toBe(talksToApi);
      });
      if (LONG_RUNNING_KINDS.includes(w.kind)) {
        test(`${w.kind} ${w.metadata.name}: readiness and liveness probes on long-running containers`, () => {
          for (const c of spec.containers) {
            expect(c.readinessProbe).toBeDefined();
            expect(c.livenessProbe).toBeDefined();
          }
        });
      }
    }
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
      else expect(declared.has(o.metadata.namespace!)).toBe(true);
    }
  });

  test('every namespace enforces, warns and audits a pod security level and denies ingress by default', () => {
    for (const ns of objects.filter((o) => o.kind === 'Namespace')) {
      const l = ns.metadata.labels!;
      expect(['restricted', 'baseline']).toContain(l['pod-security.kubernetes.io/enforce']);
      expect(l['pod-security.kubernetes.io/warn']).toBe(l['pod-security.kubernetes.io/enforce']);
      expect(l['pod-security.kubernetes.io/audit']).toBe(l['pod-security.kubernetes.io/enforce']);
      expect(l['pod-security.kubernetes.io/enforce-version']).toMatch(/^v1\.\d+$/);
      if (l['pod-security.kubernetes.io/enforce'] === 'baseline') expect(ns.metadata.annotations?.[BASELINE_REASON_ANNOTATION]).toBeTruthy();
      const deny = inNs(ns.metadata.name, 'NetworkPolicy').find((p) => p.metadata.name === DEFAULT_DENY_POLICY);
      expect(deny?.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress'] });
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
        expect(names(ns, 'ServiceAccount').has(spec.serviceAccountName)).toBe(true);
        const volumes = new Set([
          ...(spec.volumes ?? []).map((v: any) => v.name),
          ...(w.spec.volumeClaimTemplates ?? []).map((t: any) => t.metadata.name),
        ]);
        for (const v of spec.volumes ?? []) {
          // Optional sources may be absent (istiod's plug-in CA, remote kubeconfig, cert-manager certificate).
          if (v.secret?.optional || v.configMap?.optional) continue;
          if (v.secret) expect(secrets.has(v.secret.secretName)).toBe(true);
          if (v.configMap) expect(configMaps.has(v.configMap.name)).toBe(true);
          if (v.persistentVolumeClaim) expect(names(ns, 'PersistentVolumeClaim').has(v.persistentVolumeClaim.claimName)).toBe(true);
        }
        for (const c of allContainers(spec)) {
          for (const m of c.volumeMounts ?? []) expect(volumes.has(m.name)).toBe(true);
          for (const e of c.env ?? []) {
            if (e.valueFrom?.secretKeyRef) expect(secrets.has(e.valueFrom.secretKeyRef.name)).toBe(true);
            if (e.valueFrom?.configMapKeyRef) expect(configMaps.has(e.valueFrom.configMapKeyRef.name)).toBe(true);
          }
          for (const f of c.envFrom ?? []) {
            if (f.secretRef) expect(secrets.has(f.secretRef.name)).toBe(true);
            if (f.configMapRef) expect(configMaps.has(f.configMapRef.name)).toBe(true);
          }
        }
      }
    });

    test('RoleBindings point at existing Roles and ServiceAccounts', () => {
      for (const b of objects.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')) {
        const roleKind = b.roleRef.kind;
        const roleNs = roleKind === 'Role' ? b.metadata.namespace : undefined;
        // Kubernetes' own `system:` ClusterRoles exist in every cluster.
        if (!(roleKind === 'ClusterRole' && b.roleRef.name.startsWith('system:'))) expect(names(roleNs, roleKind).has(b.roleRef.name)).toBe(true);
        for (const s of b.subjects) if (s.kind === 'ServiceAccount') expect(names(s.namespace, 'ServiceAccount').has(s.name)).toBe(true);
      }
    });

    test('Service selectors match a pod template and named targetPorts exist on it', () => {
      for (const svc of objects.filter((o) => o.kind === 'Service' && o.spec.selector)) {
        const pods = longRunning(svc.metadata.namespace).filter((w) => matches(svc.spec.selector, podTemplateLabels(w)));
        expect(pods.length).toBeGreaterThan(0);
        for (const port of svc.spec.ports) {
          if (typeof port.targetPort !== 'string') continue;
          const named = pods.flatMap((w) => allContainers(podSpecOf(w)).flatMap((c) => (c.ports ?? []).map((p: any) => p.name)));
          expect(named).toContain(port.targetPort);
        }
      }
    });

    test('NetworkPolicy pod selectors match a pod template', () => {
      for (const np of objects.filter((o) => o.kind === 'NetworkPolicy' && Object.keys(o.spec.podSelector.matchLabels ?? {}).length)) {
        const hit = longRunning(np.metadata.namespace).some((w) => matches(np.spec.podSelector.matchLabels, podTemplateLabels(w)));
        expect(hit).toBe(true);
      }
    });
  });

  describe('no credential anywhere', () => {
    test('no Secret carries data', () => {
      for (const s of objects.filter((o) => o.kind === 'Secret')) {
        expect(s.data).toBeUndefined();
        expect(s.stringData).toBeUndefined();
      }
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
