/**
 * The platform's commands themselves (`npm run deploy`, `diff`, `status`, `destroy`), run as a user
 * runs them, against the control plane: a deploy from empty, a second deploy that changes nothing,
 * a change the API server cannot make in place refused before anything is applied, a stuck pod
 * named with its state and events, a destroy that keeps the data, a purge that removes it.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MYSQL, OBJECT_STORE } from '../../lib/data';
import { NAMESPACES } from '../../lib/platform';
import { renderTo } from '../../lib/render';
import { exampleConfig, ROOT, type Example } from '../support/stack';
import { microflow, startFromEmpty } from './support/cli';
import { createMachineFixtures, FakeProvisioner } from './support/fixtures';
import { getJson, k, requireCluster, run, waitFor } from './support/kube';

const [profile, objectStore] = (process.env.MICROFLOW_PROFILE ?? 'laptop').split('+') as [Example, string | undefined];
const overrides = objectStore ? { objectStore } : {};
const config = exampleConfig(profile, overrides);
const configFile = path.join(ROOT, 'examples', `${profile}.yaml`);
const kf = NAMESPACES.kubeflow;
/** The Secrets the data layer's generator Job creates. */
const GENERATED = [MYSQL.rootSecret.name, ...Object.values(MYSQL.accounts).map((a) => a.credentials.name), OBJECT_STORE.secret.name];
const provisioner = new FakeProvisioner();
const summary: string[] = [];
let dir: string;
let dist: string;
let env: Record<string, string>;

/** Renders a variant of the configuration under test into its own folder. */
function render(name: string, extra: Record<string, unknown> = {}): string {
  const out = path.join(dir, name);
  renderTo(exampleConfig(profile, { ...overrides, ...extra }), out);
  return out;
}

const namespaceGone = async () => (await run(['get', 'namespace', kf])).code !== 0;
const claimsIn = async (ns: string) => (await getJson(['get', 'pvc', '-n', ns])).items.map((p: any) => `${p.metadata.name}:${p.metadata.uid}`).sort();

beforeAll(async () => {
  requireCluster();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), `microflow-commands-${profile}-`));
  dist = render('dist');
  env = objectStore ? {} : { MICROFLOW_CONFIG: configFile };
  if (objectStore) {
    const file = path.join(dir, 'config.json');
    fs.writeFileSync(file, JSON.stringify(config));
    env = { MICROFLOW_CONFIG: file };
  }
  await createMachineFixtures(profile, config);
  provisioner.start();
  // Another file of this suite may have left the platform (or its kept data) behind: start from empty.
  await startFromEmpty(dist, env, kf, namespaceGone, waitFor);
});

afterAll(async () => {
  await provisioner.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  console.log([`== microflow commands on the control plane (${profile}, object store ${config.objectStore})`, ...summary].join('\n'));
});

test('deploy from empty: preflight, phased apply, every component Available, then the login hint', async () => {
  const t0 = Date.now();
  const r = await microflow(['deploy', '--timeout', '180', dist], env);
  expect(r.output).toContain('preflight:');
  expect({ code: r.code, output: r.code === 0 ? '' : r.output }).toEqual({ code: 0, output: '' });
  expect(r.stdout).toMatch(/ok {4}cluster reachable: .*Kubernetes v1\.\d+/);
  expect(r.stdout).toMatch(/ok {4}storage class: StorageClass "microk8s-hostpath"/);
  // The API server runs on this machine, so the node's own limits and flags are read, not guessed.
  expect(r.stdout).toMatch(/(ok|WARN) {2,4}inotify limits: /);
  expect(r.stdout).toMatch(/WARN {2}encryption at rest: Secrets .* stored unencrypted/);
  if (config.gpu.enabled) expect(r.stdout).toMatch(/ok {4}GPU node: /);
  expect(r.stdout).toMatch(/data: \d+\/\d+ Available/);
  expect(r.stdout).toContain('microflow is up.');
  // The login's hint: where to log in and how to read the first user's generated password.
  expect(r.stdout).toMatch(/log in at https:\/\/\S+\/\nyour generated password: kubectl -n auth get secret dex-password-\S+ -o jsonpath=/);
  summary.push(`deploy from empty: exit 0 in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
});

test('status: every component Available, exit 0', async () => {
  const r = await microflow(['status', dist], env);
  expect({ code: r.code, output: r.code === 0 ? '' : r.output }).toEqual({ code: 0, output: '' });
  expect(r.stdout).toMatch(/^COMPONENT +READY +STATE/);
  expect(r.stdout).toMatch(/\ndata +\d+\/\d+ +Available/);
  summary.push(`status:\n${r.stdout.trimEnd()}`);
});

test('a second deploy changes nothing: diff and --dry-run report no change, objects keep their generation', async () => {
  const before = (await getJson(['get', 'statefulsets,services,networkpolicies', '-A'])).items.map((o: any) => `${o.kind}/${o.metadata.name}@${o.metadata.generation ?? '-'}:${o.metadata.resourceVersion}`).sort();
  const diff = await microflow(['diff', dist], env);
  expect({ code: diff.code, output: diff.code === 0 ? '' : diff.output }).toEqual({ code: 0, output: '' });
  expect(diff.stdout).toContain('no changes');
  const dry = await microflow(['deploy', '--dry-run', dist], env);
  expect({ code: dry.code, output: dry.code === 0 ? '' : dry.output }).toEqual({ code: 0, output: '' });
  expect(dry.stdout).toContain('dry run: no changes');
  const again = await microflow(['deploy', '--timeout', '120', dist], env);
  expect({ code: again.code, output: again.code === 0 ? '' : again.output }).toEqual({ code: 0, output: '' });
  const after = (await getJson(['get', 'statefulsets,services,networkpolicies', '-A'])).items.map((o: any) => `${o.kind}/${o.metadata.name}@${o.metadata.generation ?? '-'}:${o.metadata.resourceVersion}`).sort();
  expect(after).toEqual(before);
});

test('a bigger MySQL volume on a running install is refused before anything is applied, with the steps', async () => {
  const bigger = render('bigger-mysql', { storage: { ...config.storage, mysql: '999Gi' } });
  const sts = await getJson(['get', 'statefulset', 'mysql', '-n', kf]);
  const diff = await microflow(['diff', bigger], env);
  expect({ code: diff.code, output: diff.code === 0 ? '' : diff.output }).toEqual({ code: 0, output: '' });
  expect(diff.stdout).toContain('a deploy would stop here');
  const r = await microflow(['deploy', bigger], env);
  expect(r.code).toBe(1);
  expect(r.stdout).toContain('cannot be applied in place; nothing was applied');
  expect(r.stdout).toContain(`StatefulSet ${kf}/mysql: spec.volumeClaimTemplates[data] storage ${config.storage.mysql} → 999Gi`);
  expect(r.stdout).toContain('StorageClass microk8s-hostpath does not allow volume expansion');
  expect(r.stdout).toContain(`kubectl -n ${kf} delete statefulset mysql`);
  expect(r.stdout).not.toMatch(/field is immutable|Forbidden/);
  const after = await getJson(['get', 'statefulset', 'mysql', '-n', kf]);
  expect(after.metadata.resourceVersion).toBe(sts.metadata.resourceVersion);
  summary.push(`storage.mysql ${config.storage.mysql} → 999Gi refused:\n${r.stdout.slice(r.stdout.indexOf('cannot be applied')).trimEnd()}`);
});

test('a pod that never becomes ready: the deploy times out naming it, with its container state and events', async () => {
  const image = process.env.MICROFLOW_NEVER_READY_IMAGE;
  if (!image) throw new Error('MICROFLOW_NEVER_READY_IMAGE is not set: run through test/cluster/with-cluster.sh');
  const stuck = render('stuck', { images: { [config.objectStore]: image } });
  const r = await microflow(['deploy', '--timeout', '20', stuck], env);
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/not Available after 20s: .*StatefulSet\/kubeflow\/(minio|seaweedfs)/);
  expect(r.stdout).toMatch(/stuck pod: (minio|seaweedfs)-\d+/);
  expect(r.stdout).toContain(`(${image}): no status reported yet`);
  expect(r.stdout).toMatch(/last events of pod (minio|seaweedfs)-\d+:\n.*Scheduled/);
  summary.push(`stuck deploy (exit 1):\n${r.stdout.slice(r.stdout.indexOf('not Available')).split('\n').slice(0, 12).join('\n')}`);
});

/** KWOK runs no container, so the generator Job completes without creating its Secrets: create what it would have. */
async function generatedSecretsFixture(): Promise<void> {
  for (const name of GENERATED) {
    if ((await run(['get', 'secret', name, '-n', kf])).code !== 0) await k(['create', 'secret', 'generic', name, '-n', kf, '--from-literal=fixture=not-a-real-credential']);
  }
}

test('destroy keeps the data claims and the generated Secrets; a new deploy reattaches them', async () => {
  await generatedSecretsFixture();
  const claims = await claimsIn(kf);
  expect(claims.length).toBeGreaterThan(0);
  const r = await microflow(['destroy', dist], env);
  expect({ code: r.code, output: r.code === 0 ? '' : r.output }).toEqual({ code: 0, output: '' });
  // Every data claim in the cluster is kept (notebook workspaces in user namespaces too).
  const allClaims = (await getJson(['get', 'pvc', '-A'])).items.length;
  expect(r.stdout).toContain(`keeps ${allClaims} data claims`);
  expect((await getJson(['get', 'statefulsets,deployments,jobs', '-n', kf])).items).toEqual([]);
  expect(await claimsIn(kf)).toEqual(claims);
  for (const s of GENERATED) await k(['get', 'secret', s, '-n', kf]);
  const again = await microflow(['deploy', '--timeout', '180', dist], env);
  expect({ code: again.code, output: again.code === 0 ? '' : again.output }).toEqual({ code: 0, output: '' });
  expect(await claimsIn(kf)).toEqual(claims);
  summary.push(`destroy kept ${claims.length} claims and the generated Secrets; deploy again reattached them`);
});

test('destroy --purge-data refuses without a terminal or --yes, and with --yes removes claims, Secrets and namespaces', async () => {
  const refused = await microflow(['destroy', '--purge-data', dist], env);
  expect(refused.code).toBe(1);
  expect(refused.stdout).toContain('nothing was deleted');
  expect((await claimsIn(kf)).length).toBeGreaterThan(0);
  await generatedSecretsFixture();
  const r = await microflow(['destroy', '--purge-data', '--yes', dist], env);
  expect({ code: r.code, output: r.code === 0 ? '' : r.output }).toEqual({ code: 0, output: '' });
  expect(r.stdout).toMatch(new RegExp(`purged \\d+ data claims and ${GENERATED.length} generated Secrets`));
  await waitFor(`namespace ${kf} to go`, namespaceGone, 180_000);
  expect((await getJson(['get', 'pv'])).items.filter((pv: any) => pv.spec.claimRef?.namespace === kf && pv.status.phase === 'Bound')).toEqual([]);
});
