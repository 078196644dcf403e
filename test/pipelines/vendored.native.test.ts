/**
 * Drift: the vendored Argo CRDs and the generated bindings are what the pinned release and the
 * ScheduledWorkflow construct produce now (runs the generator in check mode; it downloads the Go
 * module once, no build).
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { ROOT } from '../support/stack';

test('vendor/argo-workflows and imports/{argoproj.io,scheduledworkflow.kubeflow.org}.ts are up to date', () => {
  const r = spawnSync(path.join(ROOT, 'scripts', 'pipelines', 'vendor-argo.sh'), ['--check'], { encoding: 'utf8', timeout: 300_000 });
  expect({ status: r.status, stderr: r.stderr.split('\n').filter((l) => !/Importing resources/.test(l)).join('\n').trim() })
    .toEqual({ status: 0, stderr: '' });
}, 300_000);
