/**
 * The commands of the README and of docs/ are run, not trusted: every shell block says where it runs; `run: unit`
 * blocks run here in a scratch copy of the repository (so they cannot disturb the work tree), the
 * `run: cluster` ones in the control-plane suite, and `not-here` ones must say why. The copy's dist/ is
 * rendered here, not copied: whatever the work tree's dist/ holds (another profile's render, say) does
 * not matter; whether the committed dist/ is current is `npm run check:dist`'s question.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { resolveConfig } from '../lib/config';
import { renderTo } from '../lib/render';
import { documentationBlocks, documentationFiles } from './support/readme';
import { ROOT } from './support/stack';

const blocks = documentationBlocks();

test('every shell block of the README and docs/ is marked run: unit, run: cluster, or not-here with a reason', () => {
  expect(documentationFiles()).toEqual(expect.arrayContaining(['README.md', 'docs/pipelines.md', 'docs/notebooks.md']));
  expect(blocks.filter((b) => b.where === 'unmarked').map((b) => `${b.file}:${b.line}`)).toEqual([]);
  for (const b of blocks.filter((x) => x.where === 'not-here')) expect(b.reason?.length).toBeGreaterThan(10);
  // The control-plane suite runs the README's quick start (test/cluster/readme.test.ts reads README.md only).
  expect(blocks.filter((b) => b.where === 'cluster').map((b) => b.file)).toEqual(expect.arrayContaining(['README.md']));
  expect(blocks.filter((b) => b.where === 'cluster' && b.file !== 'README.md')).toEqual([]);
});

describe('run: unit blocks, in a scratch copy of the repository', () => {
  let copy: string;
  beforeAll(() => {
    copy = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-readme-'));
    for (const f of execFileSync('git', ['ls-files', '-co', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean)) {
      if (!fs.existsSync(path.join(ROOT, f)) || f.startsWith('dist/')) continue;
      fs.mkdirSync(path.dirname(path.join(copy, f)), { recursive: true });
      fs.copyFileSync(path.join(ROOT, f), path.join(copy, f));
    }
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
    renderTo(resolveConfig({}), path.join(copy, 'dist'));
    // The compiled build/, when current, spares the copy a full tsc (scripts/ensure-built.js compares
    // source hashes, so a stale one is rebuilt there).
    if (fs.existsSync(path.join(ROOT, 'build'))) fs.cpSync(path.join(ROOT, 'build'), path.join(copy, 'build'), { recursive: true });
    const git = (...args: string[]) => execFileSync('git', args, { cwd: copy, stdio: 'ignore' });
    git('init', '-q');
    git('add', '-A');
    git('-c', 'user.email=ci@microflow.invalid', '-c', 'user.name=ci', 'commit', '-qm', 'snapshot');
  }, 120_000);
  afterAll(() => fs.rmSync(copy, { recursive: true, force: true }));

  test.each(blocks.filter((b) => b.where === 'unit').map((b) => [`${b.file}:${b.line}`, b.script]))('%s', (_where, script) => {
    const env = { ...process.env };
    delete env.MICROFLOW_CONFIG;
    delete env.MICROFLOW_OUT;
    const r = spawnSync('bash', ['-euo', 'pipefail', '-c', script], { cwd: copy, env, encoding: 'utf8', timeout: 300_000 });
    expect({ status: r.status, output: `${r.stdout}${r.stderr}`.slice(-3000) }).toMatchObject({ status: 0 });
  }, 300_000);
});
