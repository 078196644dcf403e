/**
 * TEST FIXTURE: Istio's CRDs, generated from the schemas that @kubernetes-models/istio ships, so the
 * API server checks microflow's Istio objects against Istio's real field schema (Istio itself is not
 * installed by the suite; microk8s users install it separately).
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const validate = require('@kubernetes-models/validate');

/** Kinds microflow uses or will use, by group, with the versions the package has schemas for. */
const KINDS: { group: string; kind: string; plural: string; versions: string[] }[] = [
  { group: 'networking.istio.io', kind: 'Gateway', plural: 'gateways', versions: ['v1alpha3', 'v1beta1'] },
  { group: 'networking.istio.io', kind: 'VirtualService', plural: 'virtualservices', versions: ['v1alpha3', 'v1beta1'] },
  { group: 'networking.istio.io', kind: 'DestinationRule', plural: 'destinationrules', versions: ['v1alpha3', 'v1beta1'] },
  { group: 'security.istio.io', kind: 'AuthorizationPolicy', plural: 'authorizationpolicies', versions: ['v1beta1', 'v1'] },
  { group: 'security.istio.io', kind: 'RequestAuthentication', plural: 'requestauthentications', versions: ['v1beta1', 'v1'] },
  { group: 'security.istio.io', kind: 'PeerAuthentication', plural: 'peerauthentications', versions: ['v1beta1'] },
];

/** Reads the JSON schema a model registers with the validator, by catching the registration. */
function schemaOf(group: string, version: string, kind: string): any {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Model = require(`@kubernetes-models/istio/${group}/${version}/${kind}`)[kind];
  const original = validate.register;
  let captured: any;
  validate.register = (id: string, schema: any) => {
    if (id === `${group}.${version}.${kind}`) captured = schema;
    return original(id, schema);
  };
  try {
    try {
      new Model({ metadata: { name: 'x' } }).validate();
    } catch {
      // Only the registration matters here.
    }
  } finally {
    validate.register = original;
  }
  if (!captured) throw new Error(`no schema captured for ${group}/${version} ${kind} (already registered in this process?)`);
  return captured;
}

const DROP = new Set(['oneOf', 'anyOf', 'allOf', 'not', '$ref', 'format']);

/**
 * JSON schema → structural CRD schema: keeps types, properties, items, enums, required and maps;
 * drops the combinators and $refs a structural schema cannot hold.
 */
function structural(s: any): any {
  if (Array.isArray(s)) return s.map(structural);
  if (typeof s !== 'object' || s === null) return s;
  const out: any = {};
  for (const [k, v] of Object.entries(s)) {
    if (DROP.has(k)) continue;
    if (k === 'properties') out.properties = Object.fromEntries(Object.entries(v as object).map(([p, ps]) => [p, structural(ps)]));
    else if (k === 'additionalProperties') out.additionalProperties = typeof v === 'object' ? structural(v) : v;
    else if (k === 'items') out.items = structural(v);
    else out[k] = v;
  }
  if (!out.type) {
    if (out.properties || out.additionalProperties) out.type = 'object';
    else return { 'x-kubernetes-preserve-unknown-fields': true };
  }
  if (out.type === 'object' && out.properties && Object.keys(out.properties).length === 0 && !out.additionalProperties) {
    delete out.properties;
    out['x-kubernetes-preserve-unknown-fields'] = true;
  }
  if (out.additionalProperties && out.properties && Object.keys(out.properties).length === 0) delete out.properties;
  return out;
}

export function istioCrds(): object[] {
  return KINDS.map(({ group, kind, plural, versions }) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}`, labels: { 'microflow.dev/test-fixture': 'true' } },
    spec: {
      group,
      scope: 'Namespaced',
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      versions: versions.map((version, i) => {
        const schema = schemaOf(group, version, kind);
        return {
          name: version,
          served: true,
          storage: i === versions.length - 1,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: structural(schema.properties.spec ?? { type: 'object' }),
                status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              },
            },
          },
          subresources: { status: {} },
        };
      }),
    },
  }));
}
