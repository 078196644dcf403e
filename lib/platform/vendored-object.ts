import { ApiObject, App, ImplicitTokenResolver, JsonPatch, LazyResolver, NumberStringUnionResolver, resolve } from 'cdk8s';
import { Construct } from 'constructs';

/**
 * One object of an upstream manifest (a CRD, istiod's webhook), rendered as `ApiObject` renders it
 * without walking its body through cdk8s' resolvers. cdk8s resolves every value of an object (for
 * each one it looks up the app, builds a context and asks three resolvers) and then copies it again
 * to sort its keys: for the 2 MB of Istio's, Argo's and the Notebook CRDs that was about 0.1 s of a
 * synth's CPU, to find nothing, since a body read from a file holds no token. Here the body is
 * copied once, keys sorted and empty values dropped as cdk8s does; the metadata (labels added
 * later) still goes through `ApiObject.toJson`. With a resolver of the app's own, cdk8s' way is taken.
 */
export class VendoredObject extends ApiObject {
  private readonly body: Record<string, unknown>;
  private readonly bodyPatches: JsonPatch[] = [];

  constructor(scope: Construct, id: string, document: Record<string, any>) {
    const { apiVersion, kind, metadata, ...body } = document;
    super(scope, id, { apiVersion, kind, metadata });
    this.body = body;
  }

  /** Patches apply to the whole object, body included, as `ApiObject`'s do. */
  public addJsonPatch(...ops: JsonPatch[]): void {
    this.bodyPatches.push(...ops);
  }

  public toJson(): any {
    const head = super.toJson();
    const sortKeys = !process.env.CDK8S_DISABLE_SORT;
    const body = App.of(this).resolvers.every(isBuiltIn) ? this.body : resolve([], this.body, this);
    let json: Record<string, unknown>;
    try {
      json = { ...head, ...sanitize(body, sortKeys) };
    } catch (e) {
      throw new Error(`Failed serializing construct at path '${this.node.path}' with name '${this.name}': ${e}`, { cause: e });
    }
    const patched = JsonPatch.apply(json, ...this.bodyPatches);
    // ApiObject's order: apiVersion, kind and metadata first, then the rest.
    const result: Record<string, unknown> = {};
    for (const k of ['apiVersion', 'kind', 'metadata', ...Object.keys(patched)]) if (k in patched) result[k] = patched[k];
    return result;
  }
}

/** cdk8s' own resolvers: none of them changes a value parsed from JSON. */
const isBuiltIn = (r: unknown): boolean => r instanceof LazyResolver || r instanceof ImplicitTokenResolver || r instanceof NumberStringUnionResolver;

/** cdk8s' sanitizeValue: a copy without null or undefined members, keys sorted unless CDK8S_DISABLE_SORT. */
function sanitize(value: any, sortKeys: boolean): any {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((x) => sanitize(x, sortKeys));
  if (value.constructor.name !== 'Object') throw new Error(`can't render non-simple object of type '${value.constructor.name}'`);
  const out: Record<string, unknown> = {};
  const keys = sortKeys ? Object.keys(value).sort() : Object.keys(value);
  for (const key of keys) {
    const v = sanitize(value[key], sortKeys);
    if (v !== null && v !== undefined) out[key] = v;
  }
  return out;
}
