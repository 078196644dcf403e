/**
 * microflow as a construct library (lib/microflow.ts, lib/index.ts): the example app in
 * examples/library/ renders microflow's charts exactly as `microflow synth` does, plus its own chart,
 * numbered after them and built from microflow's handles. test/pack.test.ts renders the same app from
 * the packed package.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import * as yaml from 'js-yaml';
import { buildApp } from '../examples/library/main';
import { ArtifactsReport } from '../examples/library/artifacts-report';
import { Microflow, MICROFLOW_VERSION, resolveConfig, StackApp } from '../lib';
import { buildStack } from '../lib/stack';

let dir: string;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-library-')); });
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const read = (d: string) => Object.fromEntries(fs.readdirSync(d).sort().map((f) => [f, fs.readFileSync(path.join(d, f), 'utf8')]));

describe('the example app (examples/library)', () => {
  test('renders microflow byte for byte as the CLI does, then its own chart in the next numbered file', () => {
    buildApp(dir).synth();
    const files = read(dir);
    const cli = path.join(dir, '..', `${path.basename(dir)}-cli`);
    try {
      buildStack(resolveConfig({ users: ['ada@example.com'] }), cli).app.synth();
      const expected = read(cli);
      expect(Object.keys(files)).toEqual([...Object.keys(expected), '0007-artifacts-report.k8s.yaml']);
      for (const [f, text] of Object.entries(expected)) expect(files[f]).toBe(text);
    } finally {
      fs.rmSync(cli, { recursive: true, force: true });
    }
  });

  test("its chart is built from microflow's handles and policy: the store's client labels, key Secret and pinned mc", () => {
    buildApp(dir).synth();
    const objects = yaml.loadAll(fs.readFileSync(path.join(dir, '0007-artifacts-report.k8s.yaml'), 'utf8')) as any[];
    expect(objects.map((o) => o.kind).sort()).toEqual(['CronJob', 'ServiceAccount']);
    const job = objects.find((o) => o.kind === 'CronJob');
    expect(job).toMatchObject({ kind: 'CronJob', metadata: { name: 'artifacts-report', namespace: 'kubeflow' }, spec: { schedule: '0 6 * * 1' } });
    const pod = job.spec.jobTemplate.spec.template;
    expect(pod.metadata.labels['microflow.dev/object-store-client']).toBe('true');
    const [c] = pod.spec.containers;
    expect(c.image).toMatch(/^[^:@]+\/mc:RELEASE\.[^:]+$|@sha256:/);
    expect(c.command.join(' ')).toContain('mc du --depth 2 "store/mlpipeline/"');
    expect(c.env.filter((e: any) => e.valueFrom?.secretKeyRef).map((e: any) => e.valueFrom.secretKeyRef.name)).toEqual(['mlpipeline-minio-artifact', 'mlpipeline-minio-artifact']);
    expect(c.resources).toEqual({ requests: { cpu: '20m', memory: '32Mi' }, limits: { cpu: '200m', memory: '64Mi' } });
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(pod.spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  });

  test('a bad schedule of its own chart is refused by name', () => {
    const app = new StackApp({ outdir: dir });
    const mf = new Microflow(app, 'microflow', { config: resolveConfig({}) });
    expect(() => new ArtifactsReport(app, 'r', { store: mf.objectStore, policy: mf.policy, namespace: 'kubeflow', schedule: 'daily' }))
      .toThrow('ArtifactsReport: schedule must have five cron fields, got "daily"');
  });
});

describe('Microflow', () => {
  test("labels its objects with package.json's version: one source for the release", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
    expect(MICROFLOW_VERSION).toBe(pkg.version);
    const app = new StackApp({ outdir: dir });
    const mf = new Microflow(app, 'mf', { config: resolveConfig({}) });
    const labels = (mf.charts.users.toJson() as any[]).find((o) => o.kind === 'ClusterRole').metadata.labels;
    expect(labels['app.kubernetes.io/version']).toBe(pkg.version);
  });

  test('exposes its handles: database, object store, gateway, user namespaces, namespaces and charts', () => {
    const app = new StackApp({ outdir: dir });
    const mf = new Microflow(app, 'mf', { config: resolveConfig({ users: ['ada@example.com', 'bob@example.com'] }) });
    expect(mf.database).toBe(mf.charts.data.database);
    expect(mf.objectStore.endpoint).toBe('http://minio-service.kubeflow.svc.cluster.local:9000');
    expect(mf.gateway).toMatchObject({ name: 'kubeflow-gateway', namespace: 'kubeflow' });
    expect(mf.userNamespaces.map((u) => [u.email, u.namespace])).toEqual([['ada@example.com', 'ada-example-com'], ['bob@example.com', 'bob-example-com']]);
    expect(mf.namespaces.kubeflow.name).toBe('kubeflow');
    expect(mf.charts.gpu).toBeUndefined();
    expect(app.stackCharts.map((c) => c.node.id)).toEqual(['platform', 'data', 'gateway', 'auth', 'users', 'pipelines', 'notebooks']);
  });

  test('refuses a scope outside a StackApp, naming it (a plain App would write the files in no apply order)', () => {
    expect(() => new Microflow(new App({ outdir: dir }), 'mf', { config: resolveConfig({}) }))
      .toThrow(`Microflow "mf": its scope must belong to a StackApp (import { StackApp } from 'microflow'), which writes the charts' files in apply order; got App`);
  });

  test('refuses a chart of yours with the id of one of its charts before writing anything (the files would collide)', () => {
    const app = new StackApp({ outdir: dir });
    new Microflow(app, 'mf', { config: resolveConfig({}) });
    new Chart(app, 'data');
    expect(() => app.synth()).toThrow('StackApp: two charts have the id "data"');
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
