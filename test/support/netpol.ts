/** The NetworkPolicy evaluator lives in lib/platform (the architecture diagram uses it too). */
export { NetworkPolicies, type PodRef } from '../../lib/platform/network-policies';
