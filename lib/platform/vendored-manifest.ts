import * as fs from 'fs';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as YAML from 'yaml';

export interface VendoredManifestProps {
  /** Path of the vendored multi-document YAML file (a local file, never a URL). */
  readonly file: string;
}

/** Parsed documents per file, with the modification time they were read at. */
const parsed = new Map<string, { mtimeMs: number; docs: readonly unknown[] }>();

/**
 * The non-empty documents of a YAML file, parsed once per process as cdk8s' `Yaml.load` parses
 * them (the same `yaml` release, YAML 1.1, empty documents dropped); each caller gets its own copy.
 */
export function loadVendoredDocuments(file: string): Record<string, any>[] {
  const mtimeMs = fs.statSync(file).mtimeMs;
  let hit = parsed.get(file);
  if (!hit || hit.mtimeMs !== mtimeMs) {
    const docs = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'), { version: '1.1' }).map((d) => {
      if (d.errors.length > 0) throw new Error(`${file}: ${d.errors[0].message}`);
      return d.toJSON();
    }).filter((o) => o !== null && o !== undefined && !(typeof o === 'object' && Object.keys(o).length === 0));
    hit = { mtimeMs, docs };
    parsed.set(file, hit);
  }
  return structuredClone(hit.docs) as Record<string, any>[];
}

/**
 * Every object of a vendored upstream manifest, as cdk8s' `Include` defines them (same construct ids:
 * name, kind, namespace), read in-process. `Include` reads a file through a child process and
 * re-parses it on every render: with Istio's and Argo's files that was most of a render's time, paid
 * by every synth and every test that renders the stack.
 */
export class VendoredManifest extends Construct {
  constructor(scope: Construct, id: string, props: VendoredManifestProps) {
    super(scope, id);
    let order = 0;
    for (const obj of loadVendoredDocuments(props.file)) {
      const name = obj.metadata?.name ?? `object${order++}`;
      const objectId = [name, obj.kind?.toLowerCase(), obj.metadata?.namespace].filter((x) => x).join('-');
      new ApiObject(this, objectId, obj as any);
    }
  }

  /** The included objects, in the file's order. */
  public get apiObjects(): ApiObject[] {
    return this.node.children.filter((c): c is ApiObject => c instanceof ApiObject);
  }
}
