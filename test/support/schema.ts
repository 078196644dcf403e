import type { K8sObject } from './stack';

/**
 * Validates an object against the published schema of its kind: the Kubernetes OpenAPI schema
 * (kubernetes-models) for core kinds, Istio's CRD schemas (@kubernetes-models/istio) for Istio kinds.
 * Throws with the schema's message; returns the module path used.
 */
export function validateAgainstSchema(o: K8sObject): string {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  // Istio serves v1 and v1beta1 from one schema; the package has models up to v1beta1.
  const modulePath = group.endsWith('istio.io')
    ? `@kubernetes-models/istio/${group}/${version === 'v1' ? 'v1beta1' : version}/${o.kind}`
    : `kubernetes-models/${group ? `${group}/` : ''}${version}/${o.kind}`;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(modulePath);
  const Model = mod[o.kind];
  if (typeof Model !== 'function') throw new Error(`no schema model for ${o.apiVersion} ${o.kind}`);
  new Model(modulePath.includes('/v1beta1/') && version === 'v1' ? { ...o, apiVersion: `${group}/v1beta1` } : o).validate();
  return modulePath;
}
