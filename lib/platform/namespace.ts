import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { KEEP_ON_PRUNE_ANNOTATIONS } from './names';

/** Pod Security Standards level pinned on a namespace. */
export type PodSecurityLevel = 'restricted' | 'baseline';

/** The Kubernetes minor whose PSS rules are enforced, so an upgrade never tightens rules silently. */
export const POD_SECURITY_VERSION = 'v1.28';

/** metadata.name of every namespace's default-deny ingress NetworkPolicy. */
export const DEFAULT_DENY_POLICY = 'default-deny-ingress';
/** Annotation carrying the written reason a namespace runs `baseline`. */
export const BASELINE_REASON_ANNOTATION = 'microflow.dev/pod-security-reason';

export interface MicroflowNamespaceProps {
  /** metadata.name of the namespace. */
  readonly name: string;
  /** Enforced level. @default 'restricted' */
  readonly podSecurity?: PodSecurityLevel;
  /** Required with `baseline`: why this namespace's images cannot run restricted. @default - none */
  readonly baselineReason?: string;
  /** Extra labels (the Pod Security labels always win). @default - none */
  readonly labels?: Record<string, string>;
  /** Annotations. @default - none */
  readonly annotations?: Record<string, string>;
  /**
   * The namespace holds data (claims, generated Secrets): GitOps pruning never deletes it or its
   * default-deny policy (KEEP_ON_PRUNE_ANNOTATIONS: what stays behind stays closed), and
   * `npm run destroy` keeps it unless told to purge.
   * @default false
   */
  readonly holdsData?: boolean;
}

/**
 * A namespace with Pod Security admission enforced (and warned and audited at the same level), and
 * a default-deny ingress NetworkPolicy: every component adds explicit allows for what it serves.
 */
export class MicroflowNamespace extends Construct {
  public readonly name: string;
  public readonly podSecurity: PodSecurityLevel;

  constructor(scope: Construct, id: string, props: MicroflowNamespaceProps) {
    super(scope, id);
    this.name = props.name;
    this.podSecurity = props.podSecurity ?? 'restricted';
    if (this.podSecurity === 'baseline' && !props.baselineReason?.trim()) {
      throw new Error(`namespace "${props.name}": podSecurity "baseline" needs a baselineReason saying why restricted cannot work`);
    }
    const pss: Record<string, string> = {};
    for (const mode of ['enforce', 'warn', 'audit']) {
      pss[`pod-security.kubernetes.io/${mode}`] = this.podSecurity;
      pss[`pod-security.kubernetes.io/${mode}-version`] = POD_SECURITY_VERSION;
    }
    const annotations = {
      ...props.annotations,
      ...(props.baselineReason ? { [BASELINE_REASON_ANNOTATION]: props.baselineReason } : {}),
      ...(props.holdsData ? KEEP_ON_PRUNE_ANNOTATIONS : {}),
    };
    new k8s.KubeNamespace(this, 'Resource', {
      metadata: {
        name: props.name,
        labels: { ...props.labels, ...pss },
        ...(Object.keys(annotations).length ? { annotations } : {}),
      },
    });
    new k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: { name: DEFAULT_DENY_POLICY, namespace: props.name, ...(props.holdsData ? { annotations: { ...KEEP_ON_PRUNE_ANNOTATIONS } } : {}) },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    });
  }
}
