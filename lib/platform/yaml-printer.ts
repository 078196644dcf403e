import * as YAML from 'yaml';

/**
 * The YAML printer of the rendered manifests (StackApp's numbered files in dist/, and the restore
 * Job `npm run restore` prints): the bytes cdk8s' `Yaml.stringify` gives (the `yaml` package,
 * YAML 1.1, no line folding, block style), about fifteen times faster.
 *
 * Why not a library: `yaml` builds a node tree of each document before printing it; for the 2.6 MB
 * of a laptop render that was 0.5 s of a synth's CPU, more than the whole 0.5 s budget of #24.
 * js-yaml's `dump` takes 0.26 s (0.14 s warm) and prints 99 of the 236 objects differently (other
 * quoting and indentation), so dist/ would change for every GitOps user; no other printer
 * reproduces `yaml`'s output. This walks the plain JSON once: 0.07 s (0.02 s warm).
 *
 * Each rule below is `yaml` 2.9's (stringify/stringifyString.js, stringifyPair.js,
 * stringifyCollection.js) with the options cdk8s passes, at the places they can apply to a
 * block-style document; test/platform/yaml-printer.test.ts compares both on every rendered object
 * of every example, on hostile strings and on documents fast-check makes of them. What this does not
 * print the way `yaml` would — an object reached twice (yaml writes an anchor and aliases), anything
 * but plain objects, arrays, strings, numbers, booleans and null, a document that is not a map or a
 * sequence — is handed to `yaml` itself, so the output never differs. `yaml` is pinned (package.json)
 * to the release cdk8s bundles, and the tests compare with cdk8s' `Yaml.stringify` too, so a cdk8s
 * that prints differently fails them.
 */
export function printYaml(docs: readonly unknown[]): string {
  const plain = new Set<string>();
  return docs.map((d) => (d === undefined ? '\n' : printDocument(d, plain))).join('---\n');
}

/**
 * One document, as `YAML.stringify(doc, { keepUndefined: true, lineWidth: 0, version: '1.1' })`.
 * `plain` remembers which strings print as they are (a file repeats most of its strings).
 */
export function printDocument(doc: unknown, plain = new Set<string>()): string {
  if (doc === null || typeof doc !== 'object') return yamlPrint(doc);
  try {
    return `${node(doc, '', { seen: new Set(), plain })}\n`;
  } catch (e) {
    if (e instanceof NotPlain) return yamlPrint(doc);
    throw e;
  }
}

/** What printing one document carries along: the objects met so far, and the strings known to print as they are. */
interface Walk {
  readonly seen: Set<object>;
  readonly plain: Set<string>;
}

const YAML_OPTIONS = { keepUndefined: true, lineWidth: 0, version: '1.1' } as const;
const yamlPrint = (doc: unknown): string => YAML.stringify(doc, YAML_OPTIONS);

/** Thrown where `yaml` would print something this does not: the document goes to `yaml`. */
class NotPlain extends Error {}

/** yaml's indentStep. */
const STEP = '  ';

/** A value at a place whose indentation (yaml's `ctx.indent`) is `indent`; `seen` holds the objects on the way. */
function node(value: unknown, indent: string, walk: Walk): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string': return str(value, indent, false, walk.plain);
    case 'number': return num(value);
    case 'boolean': return value ? 'true' : 'false';
    case 'bigint': return String(value);
    case 'object': break;
    default: throw new NotPlain();
  }
  // yaml gives an object met twice an anchor (&a1) and an alias (*a1) instead of a copy.
  if (walk.seen.has(value)) throw new NotPlain();
  walk.seen.add(value);
  if (Array.isArray(value)) return seq(value, indent, walk);
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw new NotPlain();
  return map(value as Record<string, unknown>, indent, walk);
}

function seq(items: readonly unknown[], indent: string, walk: Walk): string {
  if (items.length === 0) return '[]';
  const itemIndent = indent + STEP;
  let out = '';
  for (let i = 0; i < items.length; i++) out += `${i ? `\n${indent}` : ''}- ${node(items[i], itemIndent, walk)}`;
  return out;
}

function map(obj: Record<string, unknown>, indent: string, walk: Walk): string {
  const keys = Object.keys(obj);
  if (keys.length === 0) return '{}';
  let out = '';
  for (let i = 0; i < keys.length; i++) out += `${i ? `\n${indent}` : ''}${pair(keys[i], obj[keys[i]], indent, walk)}`;
  return out;
}

/** stringifyPair: a key over 1024 characters is explicit (`? key`), a non-empty collection starts on the next line. */
function pair(key: string, value: unknown, indent: string, walk: Walk): string {
  const inner = indent + STEP;
  const k = str(key, inner, true, walk.plain);
  const explicit = k.length > 1024;
  const head = explicit ? `? ${k}\n${indent}:` : `${k}:`;
  const v = node(value, inner, walk);
  // An empty collection is the only one printed on one line ({} or []; a string "{}" is quoted).
  if (!explicit && value !== null && typeof value === 'object') return v === '{}' || v === '[]' ? `${head} ${v}` : `${head}\n${inner}${v}`;
  return v === '' || v[0] === '\n' ? head + v : `${head} ${v}`;
}

/** stringifyNumber, as the 1.1 schema's int and float tags call it. */
function num(n: number): string {
  if (!isFinite(n)) return isNaN(n) ? '.nan' : n < 0 ? '-.inf' : '.inf';
  return Object.is(n, -0) ? '-0' : JSON.stringify(n);
}

/** Control characters and unpaired surrogates force double quotes. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;
/** What a plain scalar cannot start with, contain or end with. */
const INDICATOR = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
const DOCUMENT_MARKER = /^(%|---|\.\.\.)/m;

/**
 * A string that YAML 1.1 would read as something else when plain (null, a boolean, a number, a
 * timestamp, the merge key): the tests of `yaml`'s own 1.1 schema, so both always agree.
 */
const NOT_A_STRING: readonly RegExp[] = (() => {
  const schema = new YAML.Document(null, { version: '1.1' }).schema as unknown as { tags: Tag[]; compat?: Tag[] | null };
  return [...schema.tags, ...(schema.compat ?? [])].filter((t) => t.default && t.tag !== 'tag:yaml.org,2002:str' && t.test).map((t) => t.test!);
})();
interface Tag { default?: unknown; tag: string; test?: RegExp }

/**
 * stringifyString with actualString; `indent` is never empty (documents are collections). `plain`
 * holds the strings met so far that printed as themselves: they do wherever they stand, except one
 * holding a document marker (`---`), which a top-level key quotes.
 */
function str(value: string, indent: string, implicitKey: boolean, plain: Set<string>): string {
  if (plain.has(value)) return value;
  const printed = scalar(value, indent, implicitKey);
  if (printed === value && !DOCUMENT_MARKER.test(value)) plain.add(value);
  return printed;
}

/** A string as yaml prints it: plain when it can be read back as the same string, else quoted or a block. */
function scalar(value: string, indent: string, implicitKey: boolean): string {
  // The 1.1 schema's merge tag claims the string "<<" and prints it bare.
  if (value === '<<') return value;
  if (CONTROL.test(value)) return doubleQuoted(value, indent, implicitKey);
  const multiLine = value.includes('\n');
  if (implicitKey && multiLine) return quoted(value, indent, implicitKey);
  if (INDICATOR.test(value)) return implicitKey || !multiLine ? quoted(value, indent, implicitKey) : block(value, indent, implicitKey);
  if (multiLine) return block(value, indent, implicitKey);
  if (implicitKey && indent === STEP && DOCUMENT_MARKER.test(value)) return quoted(value, indent, implicitKey);
  for (const test of NOT_A_STRING) if (test.test(value)) return quoted(value, indent, implicitKey);
  return value;
}

/** quotedString: single quotes only for a string with double quotes and no single ones. */
function quoted(value: string, indent: string, implicitKey: boolean): string {
  const hasDouble = value.includes('"');
  const hasSingle = value.includes("'");
  return hasDouble && !hasSingle ? singleQuoted(value, indent, implicitKey) : doubleQuoted(value, indent, implicitKey);
}

function singleQuoted(value: string, indent: string, implicitKey: boolean): string {
  if ((implicitKey && value.includes('\n')) || /[ \t]\n|\n[ \t]/.test(value)) return doubleQuoted(value, indent, implicitKey);
  return `'${value.replace(/'/g, "''").replace(/\n+/g, `$&\n${indent}`)}'`;
}

/** doubleQuotedString: JSON's escapes, YAML's short ones, and real line breaks in values of 40 characters or more. */
function doubleQuoted(value: string, indent: string, implicitKey: boolean): string {
  const json = JSON.stringify(value);
  let out = '';
  let start = 0;
  for (let i = 0, ch = json[i]; ch; ch = json[++i]) {
    if (ch === ' ' && json[i + 1] === '\\' && json[i + 2] === 'n') {
      // A space before a line break is escaped, or folding would eat it.
      out += json.slice(start, i) + '\\ ';
      i += 1;
      start = i;
      ch = '\\';
    }
    if (ch !== '\\') continue;
    if (json[i + 1] === 'u') {
      out += json.slice(start, i);
      const code = json.substr(i + 2, 4);
      out += SHORT_ESCAPES[code] ?? (code.startsWith('00') ? `\\x${code.substr(2)}` : json.substr(i, 6));
      i += 5;
      start = i + 1;
    } else if (json[i + 1] === 'n' && !(implicitKey || json[i + 2] === '"' || json.length < 40)) {
      out += `${json.slice(start, i)}\n\n`;
      while (json[i + 2] === '\\' && json[i + 3] === 'n' && json[i + 4] !== '"') {
        out += '\n';
        i += 2;
      }
      out += indent;
      if (json[i + 2] === ' ') out += '\\';
      i += 1;
      start = i + 1;
    } else {
      i += 1;
    }
  }
  return start ? out + json.slice(start) : json;
}
const SHORT_ESCAPES: Record<string, string> = { '0000': '\\0', '0007': '\\a', '000b': '\\v', '001b': '\\e', '0085': '\\N', '00a0': '\\_', '2028': '\\L', '2029': '\\P' };

const BLOCK_END_NEWLINES = /(^|(?<!\n))\n+(?!\n|$)/g;

/** blockString, literal style (no line is ever too long: lineWidth 0): `|`, its chomping and indentation indicators. */
function block(value: string, indent: string, implicitKey: boolean): string {
  if (/\n[\t ]+$/.test(value)) return quoted(value, indent, implicitKey);
  let endStart = value.length;
  while (endStart > 0 && '\n\t '.includes(value[endStart - 1])) endStart--;
  let end = value.substring(endStart);
  const endNl = end.indexOf('\n');
  const chomp = endNl === -1 ? '-' : value === end || endNl !== end.length - 1 ? '+' : '';
  if (end) {
    value = value.slice(0, -end.length);
    if (end[end.length - 1] === '\n') end = end.slice(0, -1);
    end = end.replace(BLOCK_END_NEWLINES, `$&${indent}`);
  }
  let startWithSpace = false;
  let startEnd = 0;
  let startNl = -1;
  for (; startEnd < value.length; ++startEnd) {
    const ch = value[startEnd];
    if (ch === ' ') startWithSpace = true;
    else if (ch === '\n') startNl = startEnd;
    else break;
  }
  let start = value.substring(0, startNl < startEnd ? startNl + 1 : startEnd);
  if (start) {
    value = value.substring(start.length);
    start = start.replace(/\n+/g, `$&${indent}`);
  }
  const header = (startWithSpace ? '2' : '') + chomp;
  return `|${header}\n${indent}${start}${value.replace(/\n+/g, `$&${indent}`)}${end}`;
}
