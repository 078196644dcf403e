/**
 * The GitOps path with a real engine: Flux's own apply library (github.com/fluxcd/pkg/ssa, in
 * test/gitops/flux-apply) applies the rendered Flux layout to the control plane the way
 * kustomize-controller would: kustomize build of each Kustomization's path, staged server-side
 * apply (CRDs, ClusterRoles and Namespaces first), wait, in dependsOn order; a second run changes
 * nothing; and garbage collection from Flux's inventory never deletes the data claims, the
 * generated Secrets or the namespace holding them.
 */
import { execFile, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MYSQL, OBJECT_STORE } from '../../lib/data';
import { NAMESPACES } from '../../lib/platform';
import { renderTo } from '../../lib/render';
import { exampleConfig, ROOT, type Example } from '../support/stack';
import { startFromEmpty } from './support/cli';
import { createMachineFixtures, FakeProvisioner } from './support/fixtures';
import { getJson, k, requireCluster, run, waitFor } from './support/kube';

const [profile, objectStore] = (process.env.MICROFLOW_PROFILE ?? 'laptop').split('+') as [Example, string | undefined];
const gitops = { repoURL: 'https://git.example.invalid/me/platform.git', revision: 'main', path: 'clusters/home/dist' };
const config = exampleConfig(profile, { ...(objectStore ? { objectStore } : {}), gitops });
const kf = NAMESPACES.kubeflow;
const GENERATED = [MYSQL.rootSecret.name, ...Object.values(MYSQL.accounts).map((a) => a.credentials.name), OBJECT_STORE.secret.name];
const provisioner = new FakeProvisioner({ notebookController: true });
const summary: string[] = [];
let repo: string;
let bin: string;
let inventory: string;

interface Report { name: string; objects: number; actions: Record<string, number>; changed: string[] | null; pruned: string[] | null; skippedPrune: string[] | null; waited: boolean; removed: boolean; error?: string }

/** Runs flux-apply asynchronously (the fake provisioner must keep binding claims meanwhile). */
function fluxApply(extra: string[] = []): Promise<{ code: number; reports: Report[]; stderr: string }> {
  const args = ['-repo', repo, '-flux', path.join(repo, 'clusters/home/gitops/flux'), '-inventory', inventory, '-timeout', '3m', ...extra];
  return new Promise((resolve) => execFile(bin, args, { maxBuffer: 64 * 2 ** 20 }, (err, stdout, stderr) => {
    let reports: Report[] = [];
    try { reports = JSON.parse(stdout); } catch { /* reported through stderr */ }
    resolve({ code: err ? Number((err as any).code ?? 1) : 0, reports, stderr });
  }));
}

/** Flux Kustomization of each rendered chart (`0003-auth.k8s.yaml` → `microflow-auth`), in file order. */
const kustomizations = () => fs.readdirSync(path.join(repo, gitops.path)).filter((f) => f.endsWith('.k8s.yaml')).sort()
  .map((f) => `microflow-${f.replace(/^\d+-/, '').replace(/\.k8s\.yaml$/, '')}`);

const namespaceGone = async () => (await run(['get', 'namespace', kf])).code !== 0;

beforeAll(async () => {
  requireCluster();
  bin = execFileSync(path.join(ROOT, 'test/gitops/build-flux-apply.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  repo = fs.mkdtempSync(path.join(os.tmpdir(), `microflow-gitops-${profile}-`));
  inventory = path.join(repo, 'inventory.json');
  renderTo(config, path.join(repo, gitops.path));
  await createMachineFixtures(profile, config);
  provisioner.start();
  await startFromEmpty(path.join(repo, gitops.path), {}, kf, namespaceGone, waitFor);
}, 900_000);

afterAll(async () => {
  await provisioner.stop();
  if (repo) fs.rmSync(repo, { recursive: true, force: true });
  console.log([`== Flux's apply engine (fluxcd/pkg/ssa) on the control plane (${profile})`, ...summary].join('\n'));
});

test('first reconciliation: every Kustomization builds, applies staged, and becomes healthy, in dependsOn order', async () => {
  const r = await fluxApply();
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  // Every chart's Kustomization, platform first and each after what it depends on.
  const names = r.reports.map((x) => x.name);
  expect([...names].sort()).toEqual([...kustomizations()].sort());
  expect(names[0]).toBe('microflow-platform');
  expect(names.indexOf('microflow-users')).toBeGreaterThan(names.indexOf('microflow-auth'));
  expect(names.indexOf('microflow-notebooks')).toBeGreaterThan(names.indexOf('microflow-users'));
  for (const x of r.reports) {
    expect(x.waited).toBe(true);
    expect(x.actions.created).toBe(x.objects);
  }
  summary.push(`first run: ${r.reports.map((x) => `${x.name} created ${x.actions.created}/${x.objects}, healthy`).join('; ')}`);
});

test('second reconciliation reports no change', async () => {
  const r = await fluxApply();
  expect(r.code).toBe(0);
  for (const x of r.reports) expect({ name: x.name, changed: x.changed ?? [], unchanged: x.actions.unchanged }).toEqual({ name: x.name, changed: [], unchanged: x.objects });
  summary.push(`second run: ${r.reports.map((x) => `${x.name} unchanged ${x.actions.unchanged}/${x.objects}`).join('; ')}`);
});

test('pruning everything from Git keeps the data claims, the generated Secrets and their namespace', async () => {
  // KWOK runs no container, so the generator Job created nothing: create what it would have.
  for (const name of GENERATED) {
    if ((await run(['get', 'secret', name, '-n', kf])).code !== 0) await k(['create', 'secret', 'generic', name, '-n', kf, '--from-literal=fixture=not-a-real-credential']);
  }
  const claims = (await getJson(['get', 'pvc', '-n', kf])).items.map((p: any) => `${p.metadata.name}:${p.metadata.uid}`).sort();
  expect(claims.length).toBeGreaterThan(0);
  // Every rendered Kustomization, dependents first.
  const r = await fluxApply(['-remove', kustomizations().reverse().join(',')]);
  expect(r.code).toBe(0);
  const pruned = r.reports.flatMap((x) => x.pruned ?? []);
  expect(pruned).toContain(`StatefulSet/${kf}/${MYSQL.service}`);
  expect(pruned).not.toContain(`Namespace/${kf}`);
  expect(r.reports.flatMap((x) => x.skippedPrune ?? []).join('\n')).toMatch(new RegExp(`Namespace/${kf} skipped`));
  await waitFor('the data StatefulSets to go', async () => (await getJson(['get', 'statefulsets', '-n', kf])).items.length === 0, 120_000);
  expect((await run(['get', 'namespace', kf])).code).toBe(0);
  expect((await getJson(['get', 'pvc', '-n', kf])).items.map((p: any) => `${p.metadata.name}:${p.metadata.uid}`).sort()).toEqual(claims);
  for (const s of GENERATED) await k(['get', 'secret', s, '-n', kf]);
  summary.push(`prune of every Kustomization: ${pruned.length} objects deleted; kept namespace ${kf}, claims ${claims.map((c: string) => c.split(':')[0]).join(', ')} and ${GENERATED.length} generated Secrets`);
});
