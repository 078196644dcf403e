/**
 * printYaml writes every file of a render; it must print exactly the bytes cdk8s' `Yaml.stringify`
 * (the `yaml` package with cdk8s' options) prints, or dist/ would change under users' GitOps. Each
 * test compares the two: on every object of every example's render, on strings chosen to break a
 * YAML printer, and on documents fast-check generates from those strings (a fixed seed: a failure
 * names the document, and the run is the same on every machine).
 */
import * as os from 'os';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import * as fc from 'fast-check';
import * as YAML from 'yaml';
import { buildApp } from '../../examples/library/main';
import { resolveConfig, type Config } from '../../lib/config';
import { printDocument, printYaml } from '../../lib/platform/yaml-printer';
import { buildStack } from '../../lib/stack';
import { EXAMPLES, exampleConfig } from '../support/stack';


/** What cdk8s passes to `yaml` for each document (cdk8s/lib/yaml.js, Yaml.stringify). */
const CDK8S = { keepUndefined: true, lineWidth: 0, version: '1.1' } as const;
const yamlOf = (doc: unknown): string => YAML.stringify(doc, CDK8S);

/** The built-in profile and every example profile. */
const CONFIGS: [string, () => Config][] = [
  ['the built-in laptop profile', () => resolveConfig({})],
  ...EXAMPLES.map((e): [string, () => Config] => [`examples/${e}.yaml`, () => exampleConfig(e)]),
];

/** Each chart's objects, as StackApp.synth prints them. */
function chartsOf(app: { charts: { node: { id: string }; toJson(): any[] }[] }): [string, any[]][] {
  return app.charts.map((c) => [c.node.id, c.toJson()]);
}

/** A chart's file as printYaml and as cdk8s print it; when they differ, the first object that does, by name. */
function expectSameFile(chart: string, objects: any[]): void {
  const printed = printYaml(objects);
  if (printed === Yaml.stringify(...objects)) return;
  const o = objects.find((x) => printDocument(x) !== yamlOf(x)) ?? objects[0];
  expect({ chart, object: `${o.kind}/${o.metadata.name}`, yaml: printDocument(o) }).toEqual({ chart, object: `${o.kind}/${o.metadata.name}`, yaml: yamlOf(o) });
  expect(printed).toBe(Yaml.stringify(...objects));
}

describe.each(CONFIGS)('%s: every rendered object', (_, config) => {
  test('prints as cdk8s prints it', () => {
    const charts = chartsOf(buildStack(config(), path.join(os.tmpdir(), 'microflow-never-written')).app);
    expect(charts.flatMap(([, objects]) => objects).length).toBeGreaterThan(100);
    for (const [chart, objects] of charts) expectSameFile(chart, objects);
  });
});

test('the construct library example (examples/library), its own chart included', () => {
  for (const [chart, objects] of chartsOf(buildApp(path.join(os.tmpdir(), 'microflow-never-written')))) expectSameFile(chart, objects);
});

/** Strings a plain scalar cannot hold as they are, and some that look like one but are not. */
const HOSTILE = [
  '', ' ', '  ', ' lead', 'trail ', '\t', 'tab\tinside', 'a: b', 'a:b', 'a :b', 'a:', ':a', 'key: value # note', '#', 'a #b', 'a#b',
  '"', "'", 'say "hi"', "it's", `"both" 'kinds'`, '\\', 'back\\slash', '-', '- a', '-a', '?', '? a', '?a', '|', '>', '&a', '*a', '!tag',
  '%TAG', '@at', '`tick', '[a]', '{a}', 'a,b', ',', 'a]', '~', 'null', 'Null', 'NULL', 'y', 'Y', 'yes', 'Yes', 'YES', 'n', 'N', 'no',
  'No', 'on', 'ON', 'off', 'Off', 'true', 'False', '0', '-0', '+1', '1', '1.0', '.5', '1e3', '1E-3', '1_000', '0755', '0o17', '0x1F',
  '0b101', '12:30:00', '-1:20', '.inf', '-.Inf', '.NaN', 'NaN', 'inf', '2001-12-14', '2001-12-14t21:59:43.10-05:00', '<<', '=',
  '---', '--- a', '...', 'a\n---\nb', 'a\n...', '\n', '\n\n', 'x\n', 'x\n\n', '\nx', ' \n ', 'a\nb', 'a \nb', 'a\n b', 'a\n\nb', 'a\n',
  'multi\nline\ntext\n', 'trailing spaces after a break\n  ', 'a string of forty characters or more with a break\ninside it',
  'a string of forty characters or more with spaces before a break \n and after it', 'é', 'naïve café', '日本語', '😀 emoji',
  '\u0085', '\u00a0', '\u2028', '\u2029', '\ud800', '\x00', '\x07', '\x1b', '\x7f', '\r', 'a\r\nb', '\ufeffbom', 'k'.repeat(1100),
];

describe('strings that break YAML printers', () => {
  test.each(HOSTILE.map((s) => [JSON.stringify(s).slice(0, 60), s]))('%s as a value, a key and an item, at every depth', (_, s) => {
    for (const doc of [{ v: s }, { [s]: 'v' }, { v: s, [s]: s }, [s], { a: { b: [{ [s]: s, c: [s, [s]] }] } }, { [s]: { [s]: [s] } }, { [s]: [] }, { [s]: {} }, { [s]: null }]) {
      expect(printDocument(doc)).toBe(yamlOf(doc));
    }
  });

  test('numbers, booleans, null and empty collections', () => {
    const doc = { i: 1, n: -12, f: 0.1, e: 1e21, small: 1e-7, big: 2 ** 60, zero: -0, inf: Infinity, ninf: -Infinity, nan: NaN, t: true, f2: false, nil: null, none: undefined, o: {}, a: [], nested: [[], {}, [[]], [null, undefined]] };
    expect(printDocument(doc)).toBe(yamlOf(doc));
  });
});

describe('what yaml prints its own way is left to yaml', () => {
  const shared = { a: 1 };
  test.each([
    ['an object met twice (an anchor and an alias)', { x: shared, y: [shared] }],
    ['a Date', { when: new Date(0) }],
    ['a Map and a Set', { m: new Map([['a', 1]]), s: new Set([1]) }],
    ['a class instance', { c: new (class Thing { public readonly a = 1; })() }],
    ['a bigint', { b: BigInt(10) }],
    ['an object without a prototype', Object.assign(Object.create(null), { a: { b: 1 } })],
  ])('%s', (_, doc) => {
    expect(printDocument(doc)).toBe(yamlOf(doc));
  });

  test('a function or a symbol fails as yaml fails', () => {
    for (const doc of [{ f: () => 1 }, [Symbol('s')]]) {
      expect(() => yamlOf(doc)).toThrow(/Tag not resolved/);
      expect(() => printDocument(doc)).toThrow(/Tag not resolved/);
    }
  });

  test('a document that is not a collection, and an undefined one between documents', () => {
    for (const doc of [null, 1, 'yes', 'a\nb', true]) expect(printDocument(doc)).toBe(yamlOf(doc));
    const docs = [{ a: 1 }, undefined, ['b'], 'c'];
    expect(printYaml(docs)).toBe(Yaml.stringify(...docs));
    expect(printYaml([])).toBe(Yaml.stringify());
  });

  test('a plain render never reaches yaml; anything else does', () => {
    // yaml's exports cannot be spied on; every YAML.stringify prints through a Document's toString.
    const printed = jest.spyOn(YAML.Document.prototype, 'toString');
    try {
      printYaml([{ a: ['b', { c: 'yes', d: 'x\ny' }], e: {} }, [1, 'two']]);
      expect(printed).not.toHaveBeenCalled();
      printYaml([{ a: new Date(0) }]);
      expect(printed).toHaveBeenCalledTimes(1);
    } finally {
      printed.mockRestore();
    }
  });
});

describe('documents fast-check makes from those strings', () => {
  const PIECES = [...HOSTILE.filter((s) => s.length < 20), 'a', 'b', 'Z', 'x', '0', '1', 'e', '.', ':', ' ', '\n', '#', '-', '"', "'"];
  /** Joined pieces (every indicator, quote, break and keyword next to any other), and arbitrary text. */
  const text = fc.oneof(
    fc.array(fc.constantFrom(...PIECES), { maxLength: 8 }).map((a) => a.join('')),
    fc.string({ unit: 'grapheme-composite', maxLength: 12 }),
    fc.string({ unit: 'binary', maxLength: 8 }),
  );
  const scalar = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
  const { tree } = fc.letrec((tie) => ({
    tree: fc.oneof({ depthSize: 'small' }, scalar, tie('list'), tie('map')),
    list: fc.array(tie('tree'), { maxLength: 4 }),
    map: fc.dictionary(text, tie('tree'), { maxKeys: 4 }),
  }));
  const document = fc.oneof(fc.dictionary(text, tree, { maxKeys: 5 }), fc.array(tree, { maxLength: 5 }));

  test('print as yaml prints them', () => {
    fc.assert(fc.property(document, (doc) => { expect(printDocument(doc)).toBe(yamlOf(doc)); }), { numRuns: 1000, seed: 24 });
  });
});
