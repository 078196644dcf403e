/**
 * Drift: the vendored Notebook CRD is what controller-gen v0.14.0 makes from the Notebook API of
 * Kubeflow Notebooks v1.11.0 (byte-identical to upstream's file, by its recorded sha256), and
 * imports/kubeflow.org.ts is what `cdk8s import` makes from it. Runs the generator in check mode; its
 * first run builds controller-gen (cached under ~/.cache/microflow/controller-gen-v0.14.0).
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { ROOT } from '../support/stack';

test('vendor/kubeflow-notebooks and imports/kubeflow.org.ts are up to date', () => {
  const r = spawnSync(path.join(ROOT, 'scripts', 'notebooks', 'generate-crds.sh'), ['--check'], { encoding: 'utf8', timeout: 900_000 });
  expect({ status: r.status, stdout: r.stdout.trim().split('\n').pop(), stderr: r.stderr.split('\n').filter((l) => !/Importing resources|^go: /.test(l)).join('\n').trim() })
    .toEqual({ status: 0, stdout: 'Notebook CRD and bindings are up to date', stderr: '' });
}, 900_000);
