/**
 * VendoredManifest reads upstream's vendored files in-process instead of through cdk8s' `Include`
 * (a child process and a fresh parse per render). It must define exactly what `Include` defines:
 * the same objects, in the same order, under the same construct ids, for every vendored file.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, Include, Testing } from 'cdk8s';
import { vendoredIstioFile } from '../../lib/gateway/istio';
import { notebookCrdFile } from '../../lib/notebooks/crd';
import { ARGO_CRDS_FILE } from '../../lib/pipelines/crds/argo';
import { loadVendoredDocuments, VendoredManifest } from '../../lib/platform';

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

  test('a broken file fails naming the file', () => {
    const file = write('c.yaml', 'kind: [unclosed\n');
    expect(() => loadVendoredDocuments(file)).toThrow(file);
  });
});
