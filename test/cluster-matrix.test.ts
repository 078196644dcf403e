/**
 * The control-plane matrix (test/cluster/support/matrix.js) leaves a file out of a variant only where
 * another variant on the same end proves the same thing: these tests check the reasons that are
 * facts about the render, so a change that makes two variants differ fails here, not silently in
 * a cell the matrix no longer runs.
 */
import * as fs from 'fs';
import * as path from 'path';
import { exampleConfig, renderStack, ROOT, type K8sObject } from './support/stack';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const matrix = require('./cluster/support/matrix') as {
  VARIANTS: string[]; ENDS: string[]; FILES: string[];
  MATRIX: Record<string, Record<string, string[]>>;
  filesFor(end: string, variant: string, env?: Record<string, string>): string[];
};

const render = (variant: string) => {
  const [profile, objectStore] = variant.split('+') as ['laptop' | 'gpu-workstation' | 'cluster', string | undefined];
  return renderStack(exampleConfig(profile, objectStore ? { objectStore } : {}));
};
const laptop = render('laptop');
const seaweedfs = render('laptop+seaweedfs');
const gpu = render('gpu-workstation');
/** A chart's file text (`0002-gateway.k8s.yaml` for `gateway`). */
const chart = (r: { files: Record<string, string> }, name: string) => {
  const file = Object.keys(r.files).find((f) => f.replace(/^\d+-/, '') === `${name}.k8s.yaml`);
  if (!file) throw new Error(`no ${name} chart in ${Object.keys(r.files).join(', ')}`);
  return r.files[file];
};

test('every control-plane file is in the matrix, and the matrix names no other', () => {
  const files = fs.readdirSync(path.join(ROOT, 'test', 'cluster')).filter((f) => f.endsWith('.test.ts')).map((f) => f.replace(/\.test\.ts$/, ''));
  expect([...matrix.FILES].sort()).toEqual(files.sort());
  for (const f of matrix.FILES) expect({ f, runs: matrix.ENDS.some((e) => matrix.MATRIX[f][e].length > 0) }).toEqual({ f, runs: true });
});

test('the stack files that prove acceptance, Pod Security and RBAC run in every variant on both ends', () => {
  for (const end of matrix.ENDS) {
    for (const v of matrix.VARIANTS) {
      expect({ end, v, files: matrix.filesFor(end, v, {}) }).toEqual({ end, v, files: expect.arrayContaining(['platform', 'pipelines']) });
    }
  }
});

test('MICROFLOW_CLUSTER_MATRIX=full runs every file everywhere; MICROFLOW_CLUSTER_FILES keeps only the files named', () => {
  expect(matrix.filesFor('1.28', 'laptop+seaweedfs', { MICROFLOW_CLUSTER_MATRIX: 'full' })).toEqual(matrix.FILES);
  expect(matrix.filesFor('current', 'cluster', { MICROFLOW_CLUSTER_FILES: 'platform readme' })).toEqual(['platform']);
  expect(matrix.filesFor('current', 'laptop', { MICROFLOW_CLUSTER_FILES: 'platform readme' })).toEqual(['platform', 'readme']);
});

test('laptop+seaweedfs renders the gateway, auth and users charts as laptop does (gateway, auth run in laptop)', () => {
  for (const name of ['gateway', 'auth', 'users']) expect({ name, same: chart(seaweedfs, name) === chart(laptop, name) }).toEqual({ name, same: true });
  expect(matrix.MATRIX.auth['1.28']).toContain('laptop');
  expect(matrix.MATRIX.gateway['1.28']).toContain('laptop');
});

test('laptop+seaweedfs renders the notebooks chart as laptop does, without MinIO\'s console (notebooks run in laptop)', () => {
  const docs = (text: string) => text.split(/^---$/m).map((d) => d.trim()).filter(Boolean);
  const withoutConsole = docs(chart(laptop, 'notebooks')).filter((d) => !/^ {2}name: minio-console/m.test(d))
    .map((d) => d.replace(/^ *<li><a href="\/minio\/ui\/">.*\n/m, ''));
  const hashless = (ds: string[]) => ds.map((d) => d.replace(/microflow\.dev\/config-hash: \w+/g, 'microflow.dev/config-hash: *'));
  expect(hashless(docs(chart(seaweedfs, 'notebooks')))).toEqual(hashless(withoutConsole));
});

test('gpu-workstation renders the gateway chart as laptop does (gateway runs in laptop)', () => {
  expect(chart(gpu, 'gateway')).toEqual(chart(laptop, 'gateway'));
});

test('Argo\'s controller: laptop+seaweedfs gets laptop\'s objects; gpu-workstation laptop\'s plus workflowDefaults', () => {
  const argo = (r: { objects: K8sObject[] }) => r.objects.filter((o) => /^(argo-)?workflow-controller|^argo-workflow-controller/.test(o.metadata.name));
  expect(argo(laptop).length).toBeGreaterThanOrEqual(5);
  expect(argo(seaweedfs)).toEqual(argo(laptop));
  // Runs happen in the one user's namespace, named after each example's user: the same binding there.
  const userNs = (r: { objects: K8sObject[] }) => r.objects.find((o) => o.kind === 'Namespace' && o.metadata.labels?.['microflow.dev/user-namespace'])!.metadata.name;
  const renamed = (os: K8sObject[], from: string, to: string) => JSON.parse(JSON.stringify(os).split(`"${from}"`).join(`"${to}"`)) as K8sObject[];
  const withoutDefaults = renamed(argo(gpu), userNs(gpu), userNs(laptop)).map((o) => (o.kind === 'ConfigMap' ? { ...o, data: { ...o.data, workflowDefaults: undefined } } : o));
  const plain = argo(laptop).map((o) => (o.kind === 'ConfigMap' ? { ...o, data: { ...o.data, workflowDefaults: undefined } } : o));
  expect(userNs(gpu)).not.toBe(userNs(laptop));
  expect(withoutDefaults).toEqual(plain);
  expect(argo(gpu).find((o) => o.kind === 'ConfigMap')!.data.workflowDefaults).toContain('runtimeClassName');
  expect(matrix.MATRIX['argo-controller'].current).toEqual(expect.arrayContaining(['laptop', 'gpu-workstation']));
});
