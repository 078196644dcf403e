import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Yaml } from 'cdk8s';
import { StackApp } from '../lib/stack-app';

let dir: string;
beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-stack-app-')); });
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function chart(app: StackApp, id: string): Chart {
  const c = new Chart(app, id);
  new ApiObject(c, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: id } });
  return c;
}

describe('StackApp', () => {
  test('numbers the files in construction order and keeps the declared dependencies', () => {
    const app = new StackApp({ outdir: dir });
    const platform = chart(app, 'platform');
    const data = chart(app, 'data');
    const apps = chart(app, 'apps');
    app.follow(data, platform);
    app.follow(apps, data, platform);
    app.synth();
    expect(fs.readdirSync(dir).sort()).toEqual(['0000-platform.k8s.yaml', '0001-data.k8s.yaml', '0002-apps.k8s.yaml']);
    expect(app.dependenciesOf(apps).map((c) => c.node.id)).toEqual(['data', 'platform']);
    expect(app.dependenciesOf(platform)).toEqual([]);
  });

  test('refuses a dependency on a chart constructed later (construction order is the apply order)', () => {
    const app = new StackApp({ outdir: dir });
    const first = chart(app, 'first');
    const later = chart(app, 'later');
    expect(() => app.follow(first, later)).toThrow('chart "first" follows "later", so "later" must be constructed first');
  });

  test('a cross-chart cdk8s dependency (slow, and numbered by cdk8s) fails with the way out', () => {
    const app = new StackApp({ outdir: dir });
    const a = chart(app, 'a');
    const b = chart(app, 'b');
    b.addDependency(a);
    expect(() => app.synth()).toThrow(/declare the order with StackApp\.follow instead/);
  });

  test('a chart inside a chart fails with the way out (cdk8s would make the outer one depend on it)', () => {
    const app = new StackApp({ outdir: dir });
    const outer = chart(app, 'outer');
    chart(outer as unknown as StackApp, 'inner');
    expect(() => app.synth()).toThrow('StackApp: chart "outer" depends on another chart through its constructs');
  });

  test('each file holds what cdk8s prints for its chart', () => {
    const app = new StackApp({ outdir: dir });
    const c = chart(app, 'one');
    new ApiObject(c, 'cm2', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'two' }, data: { on: 'yes', multi: 'a\nb\n' } });
    app.synth();
    expect(fs.readFileSync(path.join(dir, '0000-one.k8s.yaml'), 'utf8')).toBe(Yaml.stringify(...c.toJson()));
  });

  test('CDK8S_RECORD_CONSTRUCT_METADATA=true (cdk8s synth --record-construct-metadata): the construct paths, as cdk8s App writes them', () => {
    const build = (app: App) => { chart(app as StackApp, 'a'); const b = chart(app as StackApp, 'b'); new ApiObject(b, 'extra', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'extra' } }); };
    const plain = path.join(dir, 'plain');
    process.env.CDK8S_RECORD_CONSTRUCT_METADATA = 'true';
    try {
      const ours = new StackApp({ outdir: path.join(dir, 'ours') });
      build(ours);
      ours.synth();
      const theirs = new App({ outdir: plain });
      build(theirs);
      theirs.synth();
    } finally {
      delete process.env.CDK8S_RECORD_CONSTRUCT_METADATA;
    }
    const metadata = fs.readFileSync(path.join(dir, 'ours', 'construct-metadata.json'), 'utf8');
    expect(metadata).toBe(fs.readFileSync(path.join(plain, 'construct-metadata.json'), 'utf8'));
    expect(Object.keys(JSON.parse(metadata).resources)).toHaveLength(3);
    const without = new StackApp({ outdir: path.join(dir, 'without') });
    build(without);
    without.synth();
    expect(fs.existsSync(path.join(dir, 'without', 'construct-metadata.json'))).toBe(false);
  });
});
