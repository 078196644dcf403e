import { z } from 'zod';
import { cpuQuantity, memoryQuantity } from './quantity';
import { count, DNS_LABEL } from './validators';

/**
 * Who may log in, and what each user gets: the `users`, `login` and `userNamespace` parts of the
 * configuration schema. Login is always on (an open gateway would expose every app to anyone who
 * reaches the node port), so at least one user is required.
 */

const MAX_LABEL = 63;

/** Namespaces the platform owns or Kubernetes reserves: a user namespace may not take them. */
export const RESERVED_NAMESPACES = ['default', 'kubeflow', 'auth', 'oauth2-proxy', 'istio-system', 'gpu-operator-resources'];
const isReserved = (ns: string) => RESERVED_NAMESPACES.includes(ns) || ns.startsWith('kube-');

/** An email address, lower-cased: Dex, oauth2-proxy and the `kubeflow-userid` header all compare it exactly. */
export const emailSchema = z.email({ error: (iss) => `expected an email address, got ${JSON.stringify(iss.input)}` })
  .transform((e) => e.toLowerCase());

/** The namespace a user gets unless the configuration names one: the email with every other character as '-'. */
export function defaultUserNamespace(email: string): string {
  return email.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

export const userQuotaSchema = z.strictObject({
  /** Sum of the CPU requests of the namespace's pods. */
  cpu: cpuQuantity,
  /** Sum of the memory requests of the namespace's pods. */
  memory: memoryQuantity,
  /**
   * Sum of the CPU limits of the namespace's pods, and the most one container may set (LimitRange
   * `max`). At least `cpu`.
   */
  cpuLimit: cpuQuantity,
  /**
   * Sum of the memory limits of the namespace's pods, and the most one container may set: memory
   * cannot be taken back, so this bounds what the user's pods can hold on the node. At least `memory`.
   */
  memoryLimit: memoryQuantity,
  /**
   * Node-local disk (container layers, logs, emptyDirs) the namespace's pods may claim together, as
   * requests and as limits, and the most one container may set.
   */
  ephemeralStorage: memoryQuantity,
  /** Pods not yet finished (running or pending); finished pipeline steps do not count. At least 1. */
  pods: count('a number of pods'),
  /**
   * Most objects of each kind a user can create (ConfigMaps, Secrets, Services, Deployments, Jobs,
   * notebooks, workflows, …; lib/users/quota.ts lists them), so no user fills the cluster's datastore.
   */
  objects: count('a number of objects'),
  /** GPUs (`nvidia.com/gpu`) the namespace's pods may request together; 0 when GPUs are off. */
  gpus: count('a GPU count'),
  /** Sum of the sizes of the namespace's volume claims. */
  storage: memoryQuantity,
  /** Number of volume claims (notebook workspaces and data volumes). */
  persistentVolumeClaims: count('a number of volume claims'),
});

const userObjectSchema = z.strictObject({
  /** The user's email: their login and their identity in `kubeflow-userid`. */
  email: emailSchema,
  /** Their namespace. @default - the email with every other character as '-' ("you-example-com") */
  namespace: z.string({ error: 'expected a namespace name' }).regex(DNS_LABEL, {
    error: (iss) => `expected a namespace name: lowercase letters, digits and '-', got ${JSON.stringify(iss.input)}`,
  }).max(MAX_LABEL, { error: `expected a namespace name of at most ${MAX_LABEL} characters` }).optional(),
  /** This user's quota, over `userNamespace.quota`. @default - `userNamespace.quota` */
  quota: userQuotaSchema.partial().optional(),
});

/** A user: an email, or `{ email, namespace?, quota? }`. */
export const userSchema = z.preprocess((v) => (typeof v === 'string' ? { email: v } : v), userObjectSchema);

export const usersSchema = z.array(userSchema, { error: 'expected a list of users (email addresses, or mappings with an `email`)' });

/** A Secret (in namespace `auth`, created by you) and the key holding a connector's credential. */
const secretKeyRef = z.strictObject({
  /** metadata.name of the Secret in namespace `auth`. */
  name: z.string({ error: 'expected a Secret name' }).regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { error: (iss) => `expected a Secret name, got ${JSON.stringify(iss.input)}` }),
  /** Key in the Secret's data. */
  key: z.string({ error: 'expected a key of the Secret' }).regex(/^[-._a-zA-Z0-9]+$/, { error: (iss) => `expected a Secret key, got ${JSON.stringify(iss.input)}` }),
});

/** Connector types microflow passes through to Dex, and the config field each one's credential goes in. */
export const CONNECTOR_SECRET_FIELDS = { github: 'clientSecret', oidc: 'clientSecret', ldap: 'bindPW' } as const;
export type ConnectorType = keyof typeof CONNECTOR_SECRET_FIELDS;

export const connectorSchema = z.strictObject({
  /** Dex connector type: `github`, `oidc` (any OpenID Connect provider) or `ldap`. */
  type: z.enum(Object.keys(CONNECTOR_SECRET_FIELDS) as [ConnectorType, ...ConnectorType[]], { error: 'expected "github", "oidc" or "ldap"' }),
  /** Connector ID (part of Dex's callback URL and of each user's Dex identity). */
  id: z.string({ error: 'expected a connector id' }).regex(DNS_LABEL, { error: (iss) => `expected a connector id: lowercase letters, digits and '-', got ${JSON.stringify(iss.input)}` }),
  /** Button label on Dex's login page. */
  name: z.string({ error: 'expected a display name' }).min(1, { error: 'expected a display name' }),
  /**
   * Where the credential comes from (`clientSecret` for github/oidc, `bindPW` for ldap): a Secret
   * you create in namespace `auth`; never written inline. Optional for an anonymous LDAP bind.
   * @default - none
   */
  secret: secretKeyRef.optional(),
  /** The connector's Dex `config`, passed through (clientID, redirectURI, orgs, host, ...); `insecureSkipEmailVerified` and `claimMapping.email` are refused. */
  config: z.record(z.string(), z.unknown(), { error: 'expected a mapping of the connector\'s Dex settings' }),
});

export const loginSchema = z.strictObject({
  /**
   * Kubernetes service-account tokens the gateway accepts (machine clients such as the kfp SDK):
   * the cluster's token issuer and the audience a token must be minted for
   * (`kubectl create token <sa> --audience=<audience>`).
   */
  serviceAccountTokens: z.strictObject({
    /**
     * The API server's `--service-account-issuer` (microk8s: `https://kubernetes.default.svc`).
     * @example login.serviceAccountTokens.issuer: https://kubernetes.default.svc.cluster.local
     */
    issuer: z.url({ protocol: /^https$/, error: (iss) => `expected the https URL of the cluster's service-account issuer, got ${JSON.stringify(iss.input)}` }),
    /** Audience gateway tokens carry. */
    audience: z.string({ error: 'expected an audience string' }).regex(/^[-._:/a-zA-Z0-9]+$/, { error: (iss) => `expected an audience such as "microflow-gateway", got ${JSON.stringify(iss.input)}` }),
  }),
  /**
   * Upstream identity providers Dex offers beside the configured users' passwords (docs/login.md); settings
   * that let an upstream account pick its email are refused (docs/security.md, path 10).
   * @example login.connectors: [{ type: github, id: github, name: GitHub, secret: { name: dex-github, key: client-secret }, config: { clientID: Iv1.abc, redirectURI: "https://kubeflow.example.org:30443/dex/callback" } }]
   */
  connectors: z.array(connectorSchema, { error: 'expected a list of connectors' }),
});

export const userNamespaceSchema = z.strictObject({
  /**
   * Quota of every user namespace (a user's own `quota` overrides parts of it).
   * @example userNamespace.quota: { cpu: "8", memory: 32Gi, cpuLimit: "16", memoryLimit: 48Gi, pods: 100 }
   */
  quota: userQuotaSchema,
  /** LimitRange defaults for containers that set no requests or limits (so quotas can count them). */
  containerDefaults: z.strictObject({
    /** Requests of a container that states none. */
    requests: z.strictObject({
      /** CPU request. */
      cpu: cpuQuantity,
      /** Memory request. */
      memory: memoryQuantity,
      /** Node-local disk request (the quota counts it, so every container needs one). */
      ephemeralStorage: memoryQuantity,
    }),
    /** Limits of a container that states none. */
    limits: z.strictObject({
      /** CPU limit. */
      cpu: cpuQuantity,
      /** Memory limit. */
      memory: memoryQuantity,
      /** Node-local disk limit: beyond it the kubelet evicts the pod. */
      ephemeralStorage: memoryQuantity,
    }),
  }),
});

export type UserConfig = z.infer<typeof userObjectSchema>;
export type UserQuota = z.infer<typeof userQuotaSchema>;
export type LoginConfig = z.infer<typeof loginSchema>;
export type ConnectorConfig = z.infer<typeof connectorSchema>;
export type UserNamespaceConfig = z.infer<typeof userNamespaceSchema>;

type Issue = { path: (string | number)[]; message: string };

/**
 * Dex connector settings that let whoever holds an upstream account choose the email Dex vouches
 * for, which the gateway turns into `kubeflow-userid` (docs/security.md, path 10). `at` is the
 * end of the setting's path inside `config`: it is refused at any depth, so no nesting hides it.
 * Groups (`insecureEnableGroups`) are not here: no app microflow runs authorizes by them.
 */
export const REFUSED_CONNECTOR_SETTINGS: readonly { at: readonly string[]; harmless: unknown; why: string }[] = [
  {
    at: ['insecureSkipEmailVerified'],
    harmless: false,
    why: 'Dex would vouch for emails the upstream provider never verified, so anyone who puts another user\'s address on an upstream account logs in as that user',
  },
  {
    at: ['claimMapping', 'email'],
    harmless: 'email',
    why: 'Dex would take the email from another claim while `email_verified` still speaks of the `email` claim, so anyone who can set that other claim upstream picks the email they log in as',
  },
];

/** Every [path, value] in a connector's `config`, depth first (arrays by index). */
function settings(value: unknown, path: (string | number)[] = []): [(string | number)[], unknown][] {
  if (value === null || typeof value !== 'object') return [];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([k, v]) => [[[...path, k], v] as [(string | number)[], unknown], ...settings(v, [...path, k])]);
}

/** Issues for connector settings that would let an upstream account choose its own email. */
function refusedSettings(config: Record<string, unknown>, where: (string | number)[]): Issue[] {
  return settings(config).flatMap(([path, value]) => REFUSED_CONNECTOR_SETTINGS
    .filter((r) => r.at.every((k, i) => path[path.length - r.at.length + i] === k) && value !== r.harmless)
    .map((r) => ({ path: [...where, ...path], message: `must not be set (remove it): ${r.why}` })));
}

/** Cross-field rules of the user list and connectors, as issues for the schema's superRefine. */
export function userIssues(users: UserConfig[], login: LoginConfig): Issue[] {
  const issues: Issue[] = [];
  if (users.length === 0) {
    issues.push({ path: ['users'], message: 'expected at least one user: login is always on and only listed users can log in (e.g. users: [you@example.com])' });
  }
  const emails = new Map<string, number>();
  const namespaces = new Map<string, number>();
  users.forEach((u, i) => {
    if (emails.has(u.email)) issues.push({ path: ['users', i, 'email'], message: `${u.email} is listed twice (also users.${emails.get(u.email)})` });
    emails.set(u.email, i);
    const ns = u.namespace ?? defaultUserNamespace(u.email);
    const where = u.namespace ? ['users', i, 'namespace'] : ['users', i];
    if (!u.namespace && (ns.length > MAX_LABEL || !DNS_LABEL.test(ns))) {
      issues.push({ path: where, message: `the namespace derived from ${u.email} ("${ns}") is not a valid namespace name: set \`namespace\`` });
    } else if (isReserved(ns)) {
      issues.push({ path: where, message: `namespace "${ns}" is reserved for the platform or Kubernetes: set another \`namespace\`` });
    } else if (namespaces.has(ns)) {
      issues.push({ path: where, message: `namespace "${ns}" is already users.${namespaces.get(ns)}'s: set \`namespace\`` });
    }
    namespaces.set(ns, i);
  });
  const ids = new Set<string>();
  login.connectors.forEach((c, i) => {
    if (ids.has(c.id) || c.id === 'local') issues.push({ path: ['login', 'connectors', i, 'id'], message: `connector id "${c.id}" is ${c.id === 'local' ? 'reserved for the users\' passwords' : 'used twice'}` });
    ids.add(c.id);
    const field = CONNECTOR_SECRET_FIELDS[c.type];
    if (field in c.config) {
      issues.push({ path: ['login', 'connectors', i, 'config', field], message: `must not be written inline: create a Secret in namespace auth and name it in \`secret\` ({ name, key })` });
    }
    issues.push(...refusedSettings(c.config, ['login', 'connectors', i, 'config']));
    if (!c.secret && c.type !== 'ldap') issues.push({ path: ['login', 'connectors', i, 'secret'], message: `expected the Secret holding the ${c.type} ${field} ({ name, key } of a Secret you create in namespace auth)` });
  });
  return issues;
}
