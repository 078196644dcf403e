import { createHash } from 'crypto';
import * as fs from 'fs';
import { isDeepStrictEqual } from 'util';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import * as YAML from 'yaml';
import { VendoredObject } from './vendored-object';

export interface VendoredManifestProps {
  /** Path of the vendored multi-document YAML file (a local file, never a URL). */
  readonly file: string;
}

/** Parsed documents per file, with the modification time they were read at. */
const parsed = new Map<string, { mtimeMs: number; docs: readonly unknown[] }>();

/** The JSON form of a vendored YAML file, beside it (`istio.yaml` → `istio.json`). */
export const vendoredJsonFile = (yamlFile: string): string => yamlFile.replace(/\.ya?ml$/, '') + '.json';

/** What a vendored JSON file holds: its documents, and the YAML they were read from. */
interface VendoredJson {
  readonly source: string;
  /** sha256 of the YAML file's bytes: the JSON is used only while the YAML is exactly that file. */
  readonly sha256: string;
  readonly generator: string;
  readonly documents: Record<string, any>[];
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/**
 * The non-empty documents of a YAML text, as cdk8s' `Yaml.load` parses them (the same `yaml`
 * release, YAML 1.1, empty documents dropped). `file` names the file in errors.
 */
export function parseVendoredYaml(text: string, file: string): Record<string, any>[] {
  return YAML.parseAllDocuments(text, { version: '1.1' }).map((d) => {
    if (d.errors.length > 0) throw new Error(`${file}: ${d.errors[0].message}`);
    return d.toJSON();
  }).filter((o) => o !== null && o !== undefined && !(typeof o === 'object' && Object.keys(o).length === 0));
}

/**
 * The text of a vendored YAML file's JSON form (`scripts/vendor-json.ts` writes it beside the file,
 * a test fails when the committed one differs): the documents as {@link parseVendoredYaml} reads
 * them, one per line, headed by the YAML's sha256. Refuses a document JSON cannot hold exactly
 * (`.inf`, `.nan`, -0, a binary or a date), so loading the JSON always gives what parsing would.
 */
export function vendoredJson(yamlFile: string): string {
  const bytes = fs.readFileSync(yamlFile);
  const documents = parseVendoredYaml(bytes.toString('utf8'), yamlFile);
  const lines = documents.map((d, i) => {
    const line = JSON.stringify(d);
    if (!isDeepStrictEqual(JSON.parse(line), d)) throw new Error(`${yamlFile}: document ${i} does not survive JSON unchanged`);
    return line;
  });
  const header = { source: yamlFile.replace(/.*[\\/]/, ''), sha256: sha256(bytes), generator: 'scripts/vendor-json.ts' };
  return `${JSON.stringify(header).slice(0, -1)},"documents":[\n${lines.join(',\n')}\n]}\n`;
}

/**
 * The non-empty documents of a vendored YAML file; each caller gets its own copy. Read from the
 * JSON beside it when that was generated from exactly this file (a hash of its bytes): parsing
 * Istio's, Argo's and the Notebook CRD's YAML took about 0.9 s of every synth's 2 s of CPU, reading
 * their JSON about 20 ms. Without a matching JSON the YAML is parsed, once per process.
 */
export function loadVendoredDocuments(file: string): Record<string, any>[] {
  const json = readVendoredJson(file);
  if (json) return json;
  const mtimeMs = fs.statSync(file).mtimeMs;
  let hit = parsed.get(file);
  if (!hit || hit.mtimeMs !== mtimeMs) {
    hit = { mtimeMs, docs: parseVendoredYaml(fs.readFileSync(file, 'utf8'), file) };
    parsed.set(file, hit);
  }
  return structuredClone(hit.docs) as Record<string, any>[];
}

/** The documents of `file`'s JSON form, or undefined when there is none or it was made from another file. */
function readVendoredJson(file: string): Record<string, any>[] | undefined {
  let text: string;
  try {
    text = fs.readFileSync(vendoredJsonFile(file), 'utf8');
  } catch {
    return undefined;
  }
  const json = JSON.parse(text) as VendoredJson;
  return json.sha256 === sha256(fs.readFileSync(file)) ? json.documents : undefined;
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
      new VendoredObject(this, objectId, obj);
    }
  }

  /** The included objects, in the file's order. */
  public get apiObjects(): ApiObject[] {
    return this.node.children.filter((c): c is ApiObject => c instanceof ApiObject);
  }
}
