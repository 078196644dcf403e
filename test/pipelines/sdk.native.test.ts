/**
 * The real kfp SDK (2.17.x from PyPI, in a cached venv: scripts/programs/kfp-sdk.sh) compiles the
 * docs/pipelines.md's GPU pipeline, and its GPU step asks for exactly what the stack's GPU settings say for
 * gpu-workstation and cluster: the GPU resource, the node label and the taint toleration from the
 * one GPU helper, with the RuntimeClass (which the SDK cannot set) supplied by the platform.
 * Native tier: needs python3; `scripts/programs/build.sh kfp-sdk` makes the venv from PyPI on first use.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { gpuPlacement, GPU_RESOURCE } from '../../lib/gpu';
import { ARGO } from '../../lib/pipelines';
import { buildProgram } from '../support/programs';
import { exampleConfig, find, ROOT, variantObjects } from '../support/stack';

const EXAMPLE = path.join(ROOT, 'examples', 'pipelines', 'gpu_pipeline.py');
const GPU_STEP = 'exec-total-on-gpu';

function sdkPython(): string {
  const r = buildProgram('kfp-sdk');
  if (r.path) return r.path;
  throw new Error(`the kfp SDK venv could not be made:\n${r.log}`);
}

const python = sdkPython();

/** What the example compiles to, with `GPU_PRODUCT` set to `product` or unset (the example's product knob). */
function compile(product?: string): { pipelineSpec: any; platformSpec: any } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-kfp-'));
  const { GPU_PRODUCT: _, ...env } = process.env;
  try {
    execFileSync(python, [EXAMPLE], { cwd: dir, encoding: 'utf8', env: product === undefined ? env : { ...env, GPU_PRODUCT: product } });
    const [pipelineSpec, platformSpec] = yaml.loadAll(fs.readFileSync(path.join(dir, 'gpu_demo.yaml'), 'utf8')) as any[];
    return { pipelineSpec, platformSpec };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('the GPU pipeline of docs/pipelines.md, compiled by kfp 2.17', () => {
  let pipelineSpec: any;
  /** Platform specs by the product compiled for ('' = GPU_PRODUCT unset). */
  const platformSpecs = new Map<string, any>();
  const products = [...new Set((['gpu-workstation', 'cluster'] as const).map((p) => exampleConfig(p).gpu.product ?? ''))];

  beforeAll(() => {
    // Once without a product and once with each product a profile configures (the cluster example's).
    for (const product of ['', ...products]) {
      if (platformSpecs.has(product)) continue;
      const out = compile(product || undefined);
      pipelineSpec ??= out.pipelineSpec;
      platformSpecs.set(product, out.platformSpec);
    }
  });

  test('docs/pipelines.md shows exactly the tested file', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'docs', 'pipelines.md'), 'utf8');
    const block = /<!-- tested: examples\/pipelines\/gpu_pipeline.py -->\n```python\n([\s\S]*?)```/.exec(readme);
    expect(block?.[1]).toBe(fs.readFileSync(EXAMPLE, 'utf8'));
  });

  test('the SDK is the 2.17 line the API server speaks', () => {
    expect(execFileSync(python, ['-c', 'import kfp; print(kfp.__version__)'], { encoding: 'utf8' }).trim()).toMatch(/^2\.17\./);
    expect(pipelineSpec.sdkVersion).toMatch(/^kfp-2\.17\./);
  });

  test('GPU_PRODUCT adds exactly the product selector; unset, the pipeline takes any GPU model', () => {
    const selector = (product: string) => platformSpecs.get(product).platforms.kubernetes.deploymentSpec.executors[GPU_STEP].nodeSelector.labels;
    const cluster = exampleConfig('cluster').gpu;
    expect(cluster.product).toBeTruthy();
    expect(selector(cluster.product!)).toEqual({ ...selector(''), [cluster.productLabel]: cluster.product });
    expect(Object.keys(selector(''))).not.toContain(cluster.productLabel);
  });

  test('two steps, one of them the GPU step', () => {
    expect(Object.keys(pipelineSpec.deploymentSpec.executors).sort()).toEqual(['exec-make-numbers', GPU_STEP]);
    expect(pipelineSpec.deploymentSpec.executors['exec-make-numbers'].container.resources?.accelerator).toBeUndefined();
  });

  describe.each(['gpu-workstation', 'cluster'] as const)('matches the %s configuration', (profile) => {
    const config = exampleConfig(profile);
    const placement = gpuPlacement(config.gpu, 1);

    test('GPU resource and count: what the GPU helper puts in the limits', () => {
      const acc = pipelineSpec.deploymentSpec.executors[GPU_STEP].container.resources.accelerator;
      expect({ [acc.resourceType]: acc.resourceCount }).toEqual(placement.limits);
      expect(acc.resourceType).toBe(GPU_RESOURCE);
    });

    test('node selector and toleration: the GPU helper\'s, compiled with the profile\'s GPU_PRODUCT', () => {
      // The cluster example names a GPU model; gpu-workstation takes any GPU, so its compile sets none.
      const k8s = platformSpecs.get(config.gpu.product ?? '').platforms.kubernetes.deploymentSpec.executors[GPU_STEP];
      expect(k8s.nodeSelector.labels).toEqual(placement.nodeSelector);
      expect(k8s.tolerations).toEqual(placement.tolerations);
    });

    test('RuntimeClass: supplied by the platform where every node has the GPU runtime', () => {
      const argo = find(variantObjects(`profile ${profile}`), 'ConfigMap', ARGO.configMap);
      const defaults = argo.data.workflowDefaults ? (yaml.load(argo.data.workflowDefaults) as any) : undefined;
      if (config.pipelines.gpuRuntimeForAllSteps) {
        expect(JSON.parse(defaults.spec.podSpecPatch)).toEqual({ runtimeClassName: placement.runtimeClassName });
      } else {
        expect(defaults).toBeUndefined();
      }
    });
  });
});
