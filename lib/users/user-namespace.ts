import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AuthorizationPolicy, AuthorizationPolicySpecAction } from '../../imports/security.istio.io';
import type { UserNamespaceConfig, UserQuota } from '../config';
import { GATEWAY_HTTP_PORTS } from '../auth';
import type { Gateway } from '../gateway';
import { KEEP_ON_PRUNE_ANNOTATIONS, MicroflowNamespace, type Peer } from '../platform';
import { KUBEFLOW_ROLES, NOTEBOOK, PER_NAMESPACE_PREFIXES, USER_NAMESPACE, userRoleBindingName } from './constants';
import { containerLimits, NO_PRIORITY_CLASS, quotaHard } from './quota';

/** A user's namespace, as the pipelines and notebooks components add their per-user objects to it. */
export interface UserNamespace {
  /** The user's email (their identity in `kubeflow-userid`). */
  readonly email: string;
  /** The namespace's name. */
  readonly namespace: string;
  /** ServiceAccounts Kubeflow apps expect there. */
  readonly editorServiceAccount: string;
  readonly viewerServiceAccount: string;
  /** The namespace's pods as a NetworkPolicy peer (e.g. to admit them to the pipeline API). */
  readonly peer: Peer;
  /** The quota in force (GPUs are 0 when the platform's GPUs are off). */
  readonly quota: UserQuota;
  /** Restricts a gateway path prefix (e.g. `/notebook/<namespace>/`) to this user's `kubeflow-userid`. */
  ownerOnly(prefix: string): void;
}

export interface UserNamespaceProps {
  readonly email: string;
  readonly namespace: string;
  readonly quota: UserQuota;
  /** LimitRange defaults for containers that set no resources. */
  readonly containerDefaults: UserNamespaceConfig['containerDefaults'];
  /** The gateway: its pods reach the user's notebooks; its policies check the owner. */
  readonly gateway: Gateway;
  /** Header the gateway writes the verified identity into (`kubeflow-userid`). */
  readonly userIdHeader: string;
}

/**
 * One user's namespace, declared (no Profile controller): Kubeflow's owner annotation and labels,
 * Pod Security `restricted`, default-deny ingress plus the gateway in to notebook servers, the
 * owner bound to `kubeflow-edit`, `default-editor`/`default-viewer` service accounts, a quota
 * (resources, pods, object counts, no node ports), container defaults and maximums, no pod with a
 * PriorityClass, and a gateway policy that keeps the namespace's paths to its owner.
 */
export class UserNamespaceConstruct extends Construct implements UserNamespace {
  public readonly email: string;
  public readonly namespace: string;
  public readonly editorServiceAccount = USER_NAMESPACE.editorServiceAccount;
  public readonly viewerServiceAccount = USER_NAMESPACE.viewerServiceAccount;
  public readonly peer: Peer;
  public readonly quota: UserQuota;
  private readonly prefixes: string[];

  constructor(scope: Construct, id: string, props: UserNamespaceProps) {
    super(scope, id);
    this.email = props.email;
    const ns = (this.namespace = props.namespace);
    this.peer = { namespace: ns };
    this.quota = props.quota;
    this.prefixes = PER_NAMESPACE_PREFIXES(ns);

    new MicroflowNamespace(this, 'Namespace', {
      name: ns,
      labels: USER_NAMESPACE.labels,
      annotations: { [USER_NAMESPACE.ownerAnnotation]: props.email },
      // Leaving the configuration never deletes a user's work: GitOps pruning and `destroy` keep it.
      holdsData: true,
    });

    const binding = (name: string, role: string, subject: k8s.Subject, annotations?: Record<string, string>) =>
      new k8s.KubeRoleBinding(this, name, {
        metadata: { name, namespace: ns, ...(annotations ? { annotations } : {}) },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
        subjects: [subject],
      });
    binding(userRoleBindingName(props.email, 'edit'), KUBEFLOW_ROLES.edit,
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: props.email }, { user: props.email, role: 'edit' });
    for (const [sa, role] of [[this.editorServiceAccount, KUBEFLOW_ROLES.edit], [this.viewerServiceAccount, KUBEFLOW_ROLES.view]] as const) {
      new k8s.KubeServiceAccount(this, `${sa}-sa`, { metadata: { name: sa, namespace: ns } });
      binding(sa, role, { kind: 'ServiceAccount', name: sa, namespace: ns });
    }

    new k8s.KubeResourceQuota(this, 'Quota', {
      metadata: { name: USER_NAMESPACE.quotaName, namespace: ns },
      spec: { hard: quotaHard(props.quota) },
    });
    // Any pod naming a PriorityClass is refused here: the platform's would let a user's pods
    // preempt the platform's, and the system ones would put them above the node's own.
    new k8s.KubeResourceQuota(this, 'NoPriorityClass', {
      metadata: { name: USER_NAMESPACE.priorityQuotaName, namespace: ns },
      spec: NO_PRIORITY_CLASS,
    });
    new k8s.KubeLimitRange(this, 'Limits', {
      metadata: { name: USER_NAMESPACE.limitRangeName, namespace: ns },
      spec: { limits: [containerLimits(props.quota, props.containerDefaults)] },
    });

    // The gateway reaches notebook servers; nothing else does (the namespace denies ingress by default).
    const gw = props.gateway.workload;
    new k8s.KubeNetworkPolicy(this, 'NotebooksFromGateway', {
      metadata: { name: 'notebooks-from-gateway', namespace: ns },
      spec: {
        podSelector: { matchExpressions: [{ key: NOTEBOOK.podLabel, operator: 'Exists' }] },
        policyTypes: ['Ingress'],
        ingress: [{
          from: [{ podSelector: { matchLabels: gw.selector }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': gw.namespace } } }],
          ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(NOTEBOOK.port) }],
        }],
      },
    });

    // In istio-system, where a policy selecting the ingress gateway takes effect. Envoy evaluates
    // it after the JWT filter has written kubeflow-userid from a verified token. Kept when GitOps
    // prunes a removed user: their notebooks outlive the render until offboarding deletes them, and
    // must not become everyone's meanwhile (docs/offboarding.md).
    new AuthorizationPolicy(this, 'OwnerOnly', {
      metadata: { name: `owner-only-${ns}`, namespace: gw.namespace, annotations: { ...KEEP_ON_PRUNE_ANNOTATIONS } },
      spec: {
        selector: { matchLabels: gw.selector },
        action: AuthorizationPolicySpecAction.DENY,
        rules: [{
          to: [{ operation: { ports: GATEWAY_HTTP_PORTS, paths: Lazy.any({ produce: () => this.prefixes.map((p) => `${p}*`) }) as unknown as string[] } }],
          when: [{ key: `request.headers[${props.userIdHeader}]`, notValues: [props.email] }],
        }],
      },
    });
  }

  public ownerOnly(prefix: string): void {
    if (!/^\/([-._~a-zA-Z0-9]+\/)+$/.test(prefix)) throw new Error(`ownerOnly(${JSON.stringify(prefix)}): expected a path prefix starting and ending with "/"`);
    if (!this.prefixes.includes(prefix)) this.prefixes.push(prefix);
  }
}
