/**
 * VendoredManifest reads upstream's vendored files in-process instead of through cdk8s' `Include`
 * (a child process and a fresh parse per render). It must define exactly what `Include` defines:
 * the same objects, in the same order, under the same construct ids, for every vendored file.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Include, JsonPatch, type ResolutionContext, Testing } from 'cdk8s';
import { vendoredIstioFile } from '../../lib/gateway/istio';
import { notebookCrdFile } from '../../lib/notebooks/crd';
import { ARGO_CRDS_FILE } from '../../lib/pipelines/crds/argo';
import { loadVendoredDocuments, parseVendoredYaml, VendoredManifest, VendoredObject, vendoredJson, vendoredJsonFile } from '../../lib/platform';
import { main as vendorJson, VENDORED_FILES } from '../../scripts/vendor-json';

const FILES = { istio: vendoredIstioFile(), argo: ARGO_CRDS_FILE, notebooks: notebookCrdFile() };

const ids = (objects: ApiObject[]) => objects.map((o) => o.node.id);

describe.each(Object.entries(FILES))('%s: the vendored file', (_, file) => {
  test('defines what cdk8s Include defines: objects, order and construct ids', () => {
    const included = new Include(Testing.chart(), 'M', { url: file });
    const vendored = new VendoredManifest(Testing.chart(), 'M', { file });
    expect(vendored.apiObjects.length).toBeGreaterThan(0);
    expect(ids(vendored.apiObjects)).toEqual(ids(included.apiObjects));
    expect(vendored.apiObjects.map((o) => o.toJson())).toEqual(included.apiObjects.map((o) => o.toJson()));
  });
});

test('each manifest gets its own objects: changing one render does not leak into the next', () => {
  const first = loadVendoredDocuments(FILES.argo);
  first[0].metadata.name = 'changed';
  expect(loadVendoredDocuments(FILES.argo)[0].metadata.name).not.toBe('changed');
});

describe('parsing', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vendored-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => { const f = path.join(dir, name); fs.writeFileSync(f, text); return f; };

  test('YAML 1.1 as cdk8s reads it (octal 0755, yes/no), empty documents dropped, nameless objects numbered', () => {
    const file = write('a.yaml', '---\n---\nkind: ConfigMap\napiVersion: v1\ndata: { mode: 0755, on: yes }\n---\n{}\n---\nkind: Secret\napiVersion: v1\n');
    const included = new Include(Testing.chart(), 'M', { url: file });
    const vendored = new VendoredManifest(Testing.chart(), 'M', { file });
    expect(ids(vendored.apiObjects)).toEqual(['object0-configmap', 'object1-secret']);
    expect(vendored.apiObjects.map((o) => o.toJson())).toEqual(included.apiObjects.map((o) => o.toJson()));
  });

  test('a file changed on disk is read again', () => {
    const file = write('b.yaml', 'kind: ConfigMap\napiVersion: v1\nmetadata: { name: one }\n');
    expect(loadVendoredDocuments(file)[0].metadata.name).toBe('one');
    fs.writeFileSync(file, 'kind: ConfigMap\napiVersion: v1\nmetadata: { name: two }\n');
    fs.utimesSync(file, new Date(), new Date(Date.now() + 5000));
    expect(loadVendoredDocuments(file)[0].metadata.name).toBe('two');
  });

  test('without a JSON form, the parsed documents are kept per process and each caller gets its own copy', () => {
    const file = write('own.yaml', 'kind: ConfigMap\napiVersion: v1\nmetadata: { name: own }\n');
    const first = loadVendoredDocuments(file);
    first[0].metadata.name = 'changed';
    expect(loadVendoredDocuments(file)[0].metadata.name).toBe('own');
  });

  test('a broken file fails naming the file', () => {
    const file = write('c.yaml', 'kind: [unclosed\n');
    expect(() => loadVendoredDocuments(file)).toThrow(file);
  });
});

describe('the JSON form beside each vendored file (scripts/vendor-json.ts)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vendored-json-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => { const f = path.join(dir, name); fs.writeFileSync(f, text); return f; };

  test('each committed JSON is what the script makes of the committed YAML (run it after vendoring)', () => {
    const said: string[] = [];
    expect(VENDORED_FILES().sort()).toEqual(Object.values(FILES).sort());
    expect(vendorJson(['--check'], (l) => said.push(l))).toBe(0);
    expect(said).toEqual([]);
  });

  test('holds the documents parsing gives, headed by the hash of the YAML it was made from', () => {
    const file = write('d.yaml', 'kind: ConfigMap\napiVersion: v1\nmetadata: { name: d }\ndata: { mode: 0755, on: yes }\n---\n---\nkind: Secret\napiVersion: v1\n');
    const json = JSON.parse(vendoredJson(file));
    expect(json).toEqual({
      source: 'd.yaml',
      sha256: createHash('sha256').update(fs.readFileSync(file)).digest('hex'),
      generator: 'scripts/vendor-json.ts',
      documents: parseVendoredYaml(fs.readFileSync(file, 'utf8'), file),
    });
    // YAML 1.1, as cdk8s reads it: an octal number, and `on` a boolean (here a key).
    expect(json.documents[0].data).toEqual({ mode: 493, true: true });
    expect(vendoredJsonFile(file)).toBe(path.join(dir, 'd.json'));
    expect(vendoredJsonFile('/v/x.yaml-files/a.yml')).toBe('/v/x.yaml-files/a.json');
  });

  test('is read instead of the YAML while it was made from exactly that file, and not once the YAML changed', () => {
    const file = write('e.yaml', 'kind: ConfigMap\napiVersion: v1\nmetadata: { name: from-yaml }\n');
    const json = JSON.parse(vendoredJson(file));
    json.documents[0].metadata.name = 'from-json';
    fs.writeFileSync(vendoredJsonFile(file), JSON.stringify(json));
    expect(loadVendoredDocuments(file)[0].metadata.name).toBe('from-json');
    fs.writeFileSync(file, 'kind: ConfigMap\napiVersion: v1\nmetadata: { name: edited }\n');
    expect(loadVendoredDocuments(file)[0].metadata.name).toBe('edited');
  });

  test('refuses a document JSON cannot hold exactly', () => {
    expect(() => vendoredJson(write('f.yaml', 'kind: ConfigMap\ndata: { big: .inf }\n'))).toThrow(/f\.yaml: document 0 does not survive JSON unchanged/);
  });

  test('the script writes a missing or stale JSON, and --check names it without writing', () => {
    const file = write('g.yaml', 'kind: ConfigMap\napiVersion: v1\n');
    const said: string[] = [];
    expect(vendorJson(['--check', file], (l) => said.push(l))).toBe(1);
    expect(said).toEqual([expect.stringContaining(`${vendoredJsonFile(file)} is not what ${file} gives`)]);
    expect(fs.existsSync(vendoredJsonFile(file))).toBe(false);
    expect(vendorJson([file], (l) => said.push(l))).toBe(0);
    expect(fs.readFileSync(vendoredJsonFile(file), 'utf8')).toBe(vendoredJson(file));
    expect(vendorJson(['--check', file], (l) => said.push(l))).toBe(0);
    expect(said).toHaveLength(2);
  });
});

/**
 * VendoredObject renders an upstream object as ApiObject does, without resolving its body: each
 * case renders the same document both ways.
 */
describe('VendoredObject', () => {
  const DOC = () => ({
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'things.example.com', labels: { b: '2', a: '1' } },
    spec: { versions: [{ name: 'v1', served: true, schema: null }], group: 'example.com', names: { plural: 'things', kind: 'Thing' }, empty: {}, none: [] },
    status: { conditions: null, accepted: true },
  });
  const both = (app = Testing.app()) => {
    const chart = new Chart(app, 'c');
    return { app, vendored: new VendoredObject(chart, 'v', DOC()), api: new ApiObject(chart, 'a', DOC()) };
  };

  test('the same JSON: keys sorted, empty values dropped, apiVersion, kind and metadata first', () => {
    const { vendored, api } = both();
    expect(JSON.stringify(vendored.toJson())).toBe(JSON.stringify(api.toJson()));
    // Dropped, not kept as undefined: the printer would write `schema: null`.
    expect(vendored.toJson()).toStrictEqual(api.toJson());
    expect(Object.keys(vendored.toJson().spec.versions[0])).toEqual(['name', 'served']);
    expect(Object.keys(vendored.toJson())).toEqual(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
  });

  test('metadata added later and JSON patches on the body apply', () => {
    const { vendored, api } = both();
    for (const o of [vendored, api]) {
      o.metadata.addLabel('c', '3');
      o.addJsonPatch(JsonPatch.replace('/spec/group', 'patched.example.com'), JsonPatch.remove('/status/accepted'));
    }
    expect(vendored.toJson()).toEqual(api.toJson());
    expect(vendored.toJson().spec.group).toBe('patched.example.com');
  });

  test('keys in the file order under CDK8S_DISABLE_SORT, as ApiObject', () => {
    process.env.CDK8S_DISABLE_SORT = '1';
    try {
      const { vendored, api } = both();
      expect(JSON.stringify(vendored.toJson())).toBe(JSON.stringify(api.toJson()));
      expect(Object.keys(vendored.toJson().spec)).toEqual(['versions', 'group', 'names', 'empty', 'none']);
    } finally {
      delete process.env.CDK8S_DISABLE_SORT;
    }
  });

  test("an app's own resolver sees the body, as it would an ApiObject's", () => {
    const resolver = { resolve: (c: ResolutionContext) => { if (c.key.join('.') === 'spec.names.plural' && c.value !== 'resolved') c.replaceValue('resolved'); } };
    const { vendored, api } = both(new App({ outdir: os.tmpdir(), resolvers: [resolver] }));
    expect(vendored.toJson()).toEqual(api.toJson());
    expect(vendored.toJson().spec.names.plural).toBe('resolved');
  });

  test('a value that is no plain JSON fails naming the construct, as ApiObject fails', () => {
    const chart = Testing.chart();
    const o = new VendoredObject(chart, 'v', { ...DOC(), spec: { when: new Date(0) } });
    expect(() => o.toJson()).toThrow(`Failed serializing construct at path '${o.node.path}' with name '${o.name}': Error: can't render non-simple object of type 'Date'`);
    try {
      o.toJson();
    } catch (e) {
      expect((e as Error).cause).toEqual(new Error("can't render non-simple object of type 'Date'"));
    }
  });
});
