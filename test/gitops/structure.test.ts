/**
 * The Argo CD app-of-apps, tested for structure (Argo CD's engine cannot be built here; Flux's is
 * run on the control plane by test/cluster/gitops.test.ts): every chart present once, waves ordered
 * by the stack's dependency graph, every path and file it points at exists in the rendering.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { renderTo } from '../../lib/render';
import { APPLICATION_HEALTH_LUA } from '../../lib/gitops';
import { PLATFORM_PRIORITY } from '../../lib/platform';
import { exampleConfig, EXAMPLES, podSpecOf } from '../support/stack';

const gitops = { repoURL: 'https://github.com/me/platform.git', revision: 'main', path: 'clusters/home/dist' };

describe.each(EXAMPLES)('%s', (example) => {
  let repo: string;
  let files: string[];
  const read = (f: string): any => yaml.load(fs.readFileSync(path.join(repo, f), 'utf8'));
  const charts = () => fs.readdirSync(path.join(repo, gitops.path)).map((f) => f.replace(/^\d+-|\.k8s\.yaml$/g, ''));

  beforeAll(() => {
    repo = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-gitops-'));
    renderTo(exampleConfig(example, { gitops }), path.join(repo, gitops.path));
    files = fs.readdirSync(path.join(repo, 'clusters/home/gitops'), { recursive: true }).map(String).sort();
  });
  afterAll(() => fs.rmSync(repo, { recursive: true, force: true }));

  test('the GitOps files sit beside dist/, never inside it (kubectl apply -f dist/ does not pick them up)', () => {
    expect(fs.readdirSync(path.join(repo, gitops.path)).every((f) => /^\d{4}-.*\.k8s\.yaml$/.test(f))).toBe(true);
    expect(files).toContain('argocd/root.yaml');
    expect(files).toContain('flux/source.yaml');
  });

  test('Argo CD: one Application per chart, its file exists, ServerSideApply, automated prune', () => {
    const apps = charts().map((c) => read(`clusters/home/gitops/argocd/apps/${c}.yaml`));
    expect(files.filter((f) => f.startsWith('argocd/apps/'))).toHaveLength(charts().length);
    for (const a of apps) {
      expect(a.spec.source).toMatchObject({ repoURL: gitops.repoURL, targetRevision: gitops.revision, path: gitops.path });
      expect(fs.existsSync(path.join(repo, gitops.path, a.spec.source.directory.include))).toBe(true);
      expect(a.spec.syncPolicy.syncOptions).toContain('ServerSideApply=true');
      expect(a.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
    }
    expect(new Set(apps.map((a) => a.metadata.name)).size).toBe(apps.length);
  });

  test('Argo CD: every Application\'s wave is after the waves of the charts it depends on', () => {
    const apps = new Map(charts().map((c) => [c, read(`clusters/home/gitops/argocd/apps/${c}.yaml`)]));
    const wave = (c: string) => Number(apps.get(c).metadata.annotations['argocd.argoproj.io/sync-wave']);
    const flux = (c: string) => read(`clusters/home/gitops/flux/${c}.yaml`);
    for (const c of apps.keys()) {
      const deps = (flux(c).spec.dependsOn ?? []).map((d: any) => d.name.replace(/^microflow-/, ''));
      expect(apps.get(c).metadata.annotations['microflow.dev/depends-on'].split(',').filter(Boolean)).toEqual(deps);
      for (const d of deps) expect(wave(d)).toBeLessThan(wave(c));
    }
    expect(wave('platform')).toBe(0);
  });

  test('the platform PriorityClass is applied and healthy before any chart whose pods name it (Flux dependsOn, Argo CD waves)', () => {
    const docs = (c: string): any[] => yaml.loadAll(fs.readFileSync(path.join(repo, gitops.path, fs.readdirSync(path.join(repo, gitops.path)).find((f) => f.endsWith(`-${c}.k8s.yaml`))!), 'utf8')).filter(Boolean);
    const holder = charts().filter((c) => docs(c).some((o) => o.kind === 'PriorityClass' && o.metadata.name === PLATFORM_PRIORITY.name));
    expect(holder).toHaveLength(1);
    const namesIt = (c: string) => docs(c).some((o) => podSpecOf(o)?.priorityClassName === PLATFORM_PRIORITY.name);
    expect(namesIt(holder[0])).toBe(false);
    const deps = (c: string): string[] => (read(`clusters/home/gitops/flux/${c}.yaml`).spec.dependsOn ?? [])
      .map((d: any) => d.name.replace(/^microflow-/, '')).flatMap((d: string) => [d, ...deps(d)]);
    const wave = (c: string) => Number(read(`clusters/home/gitops/argocd/apps/${c}.yaml`).metadata.annotations['argocd.argoproj.io/sync-wave']);
    const users = charts().filter(namesIt);
    expect(users.length).toBeGreaterThan(3);
    for (const c of users) {
      expect({ chart: c, after: deps(c).includes(holder[0]) }).toEqual({ chart: c, after: true });
      expect(wave(c)).toBeGreaterThan(wave(holder[0]));
    }
  });

  test('Argo CD: the root app points at the apps folder, and the health customization waves need is there', () => {
    const root = read('clusters/home/gitops/argocd/root.yaml');
    expect(fs.existsSync(path.join(repo, root.spec.source.path))).toBe(true);
    const cm = read('clusters/home/gitops/argocd/argocd-cm.patch.yaml');
    expect(cm.data['resource.customizations.health.argoproj.io_Application']).toBe(APPLICATION_HEALTH_LUA);
    expect(cm.data['application.resourceTrackingMethod']).toBe('annotation');
  });

  test('Flux: a Kustomization per chart, wait and prune on, dependsOn existing ones, paths resolving to dist files', () => {
    const names = charts().map((c) => `microflow-${c}`);
    for (const c of charts()) {
      const k = read(`clusters/home/gitops/flux/${c}.yaml`);
      expect(k.spec).toMatchObject({ wait: true, prune: true, sourceRef: { kind: 'GitRepository', name: 'microflow' } });
      for (const d of k.spec.dependsOn ?? []) expect(names).toContain(d.name);
      const dir = path.join(repo, k.spec.path);
      const kz = yaml.load(fs.readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')) as any;
      expect(kz.resources.map((r: string) => path.relative(repo, path.resolve(dir, r)))).toEqual([path.join(gitops.path, fs.readdirSync(path.join(repo, gitops.path)).find((f) => f.endsWith(`-${c}.k8s.yaml`))!)]);
    }
    expect(read('clusters/home/gitops/flux/source.yaml').spec).toMatchObject({ url: gitops.repoURL, ref: { branch: 'main' } });
  });
});

test('a bad repository URL or a path leaving the repository is a configuration error naming the field', () => {
  expect(() => exampleConfig('laptop', { gitops: { ...gitops, repoURL: 'not a url' } })).toThrow(/gitops\.repoURL: expected a Git URL/);
  expect(() => exampleConfig('laptop', { gitops: { ...gitops, path: '../elsewhere' } })).toThrow(/gitops\.path: expected a relative path/);
});
