/**
 * A small NetworkPolicy evaluator (ingress only, TCP, matchLabels selectors; what microflow renders),
 * for whole-stack reachability checks and the architecture diagram: may pods with these labels in this namespace open a
 * connection to that pod on that port? Follows the API's semantics: a pod selected by no ingress
 * policy admits everything; otherwise the union of the selecting policies' rules decides.
 */
/** A rendered object, as far as the evaluator reads it. */
interface K8sObject { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: any }

export interface PodRef {
  readonly namespace: string;
  readonly labels: Record<string, string>;
}

const matches = (selector: any, labels: Record<string, string>) => {
  if (selector.matchExpressions?.length) throw new Error('netpol evaluator: matchExpressions are not supported');
  return Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
};

export class NetworkPolicies {
  /** The policies that admit `from` → `to` on `port` (empty when none selects `to`, or none admits). */
  admitting(from: PodRef, to: PodRef, port: number): string[] {
    return this.selecting(to).filter((p) => this.admits(p, from, port)).map((p) => p.metadata.name);
  }

  private readonly policies: K8sObject[];
  private readonly namespaceLabels = new Map<string, Record<string, string>>();

  constructor(objects: K8sObject[]) {
    this.policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    for (const ns of objects.filter((o) => o.kind === 'Namespace')) {
      // The API server adds this label to every namespace.
      this.namespaceLabels.set(ns.metadata.name, { ...ns.metadata.labels, 'kubernetes.io/metadata.name': ns.metadata.name });
    }
  }

  private nsLabels(ns: string): Record<string, string> {
    return this.namespaceLabels.get(ns) ?? { 'kubernetes.io/metadata.name': ns };
  }

  private selecting(to: PodRef): K8sObject[] {
    return this.policies.filter((p) => p.metadata.namespace === to.namespace
      && (p.spec.policyTypes ?? ['Ingress']).includes('Ingress') && matches(p.spec.podSelector, to.labels));
  }

  private admits(p: K8sObject, from: PodRef, port: number): boolean {
    return (p.spec.ingress ?? []).some((rule: any) => {
      const portOk = !rule.ports?.length || rule.ports.some((rp: any) => (rp.protocol ?? 'TCP') === 'TCP' && (rp.port === undefined || rp.port === port));
      const peerOk = !rule.from?.length || rule.from.some((peer: any) => {
        if (peer.ipBlock) return false;
        const nsOk = peer.namespaceSelector ? matches(peer.namespaceSelector, this.nsLabels(from.namespace)) : from.namespace === p.metadata.namespace;
        const podOk = peer.podSelector ? matches(peer.podSelector, from.labels) : true;
        return nsOk && podOk;
      });
      return portOk && peerOk;
    });
  }

  /** True when `from` may connect to `to` on TCP `port` (the destination pod's port). */
  allows(from: PodRef, to: PodRef, port: number): boolean {
    const selecting = this.selecting(to);
    return selecting.length === 0 || selecting.some((p) => this.admits(p, from, port));
  }
}
