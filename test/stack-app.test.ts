import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, Chart } from 'cdk8s';
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
});
