/**
 * The README quick start's `run: cluster` blocks, run as written (bash, in the repository, kubectl
 * pointed at the control plane) on the laptop profile the committed dist/ is rendered from.
 */
import { execFile } from 'child_process';
import { NAMESPACES } from '../../lib/platform';
import { exampleConfig, ROOT } from '../support/stack';
import { readmeBlocks } from '../support/readme';
import { startFromEmpty } from './support/cli';
import { createMachineFixtures, FakeProvisioner } from './support/fixtures';
import { requireCluster, run, waitFor } from './support/kube';

// dist/ is the laptop render: the other variants would deploy a profile their nodes were not made for.
const laptop = (process.env.MICROFLOW_PROFILE ?? 'laptop') === 'laptop';
const maybe = laptop ? test : test.skip;
const provisioner = new FakeProvisioner();
const blocks = readmeBlocks().filter((b) => b.where === 'cluster');
const env = (): Record<string, string> => {
  const e = { ...process.env } as Record<string, string>;
  delete e.MICROFLOW_CONFIG;
  return e;
};

beforeAll(async () => {
  requireCluster();
  if (!laptop) return;
  await createMachineFixtures('laptop', exampleConfig('laptop'));
  provisioner.start();
  await startFromEmpty('dist', {}, NAMESPACES.kubeflow, async () => (await run(['get', 'namespace', NAMESPACES.kubeflow])).code !== 0, waitFor);
});

afterAll(() => provisioner.stop());

maybe.each(blocks.map((b) => [`README.md:${b.line}`, b.script]))('%s runs as written', async (_where, script) => {
  const r = await new Promise<{ code: number; out: string }>((resolve) => {
    execFile('bash', ['-euo', 'pipefail', '-c', script], { cwd: ROOT, env: env(), maxBuffer: 64 * 2 ** 20, timeout: 600_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as any).code ?? 1) : 0, out: stdout + stderr }));
  });
  expect({ code: r.code, tail: r.out.slice(-2000) }).toMatchObject({ code: 0 });
  expect(r.out).toContain('microflow is up.');
  expect(r.out).toMatch(/COMPONENT +READY +STATE/);
});
