/**
 * The GPU helper across whole stacks: on every profile, a container asks for GPUs only with the full
 * placement (runtime class, GPU node selector, taint toleration), nothing else tolerates the GPU taint
 * (so in the cluster profile nothing else lands on GPU nodes), and the laptop asks for no GPU at all.
 */
import * as yaml from 'js-yaml';
import { resolveConfig, type Config } from '../../lib/config';
import { GPU_OPERATOR_NAMESPACE, GPU_RESOURCE, TIME_SLICING } from '../../lib/gpu';
import { podSpecOf, renderStack, VARIANTS, variantConfig, variantObjects, type K8sObject } from '../support/stack';

/** Every pod template in a render, Notebooks' included. */
function podTemplates(objects: K8sObject[]): { owner: string; spec: any }[] {
  return objects.flatMap((o) => {
    const spec = o.kind === 'Notebook' ? o.spec.template.spec : podSpecOf(o);
    return spec ? [{ owner: `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`, spec }] : [];
  });
}
const gpuCount = (spec: any) => [...(spec.initContainers ?? []), ...spec.containers]
  .reduce((n: number, c: any) => n + Number(c.resources?.limits?.[GPU_RESOURCE] ?? 0), 0);

function checkPlacement(config: Config, objects: K8sObject[]) {
  const templates = podTemplates(objects);
  expect(templates.length).toBeGreaterThan(3);
  for (const { owner, spec } of templates) {
    const gpus = gpuCount(spec);
    const tolerates = (spec.tolerations ?? []).some((t: any) => t.key === config.gpu.taintKey);
    if (gpus > 0) {
      expect({ owner, runtimeClassName: spec.runtimeClassName, selects: spec.nodeSelector?.[config.gpu.nodeLabel], tolerates })
        .toEqual({ owner, runtimeClassName: config.gpu.runtimeClassName, selects: 'true', tolerates: true });
      for (const c of spec.containers) {
        if (c.resources?.limits?.[GPU_RESOURCE]) expect(c.resources.requests?.[GPU_RESOURCE] ?? c.resources.limits[GPU_RESOURCE]).toBe(c.resources.limits[GPU_RESOURCE]);
      }
    } else {
      expect({ owner, tolerates, runtimeClassName: spec.runtimeClassName }).toEqual({ owner, tolerates: false, runtimeClassName: undefined });
    }
  }
  return templates;
}

describe.each(VARIANTS)('%s', (variant) => {
  test('GPU requests only with the full placement; nothing else tolerates GPU nodes', () => {
    checkPlacement(variantConfig(variant), variantObjects(variant));
  });
  if (variant.includes('laptop')) {
    test('the laptop asks for no GPU anywhere (and its quotas grant none)', () => {
      const templates = podTemplates(variantObjects(variant));
      expect(templates.filter(({ spec }) => gpuCount(spec) > 0 || spec.runtimeClassName).map((t) => t.owner)).toEqual([]);
      for (const q of variantObjects(variant).filter((o) => o.kind === 'ResourceQuota')) expect(Number(q.spec.hard[`requests.${GPU_RESOURCE}`] ?? 0)).toBe(0);
    });
  }
});

test('time-slicing renders the device plugin ConfigMap the microk8s flags name', () => {
  const config = resolveConfig({ profile: 'gpu-workstation', gpu: { timeSlicing: { replicas: 4 } } });
  const { objects } = renderStack(config);
  const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === TIME_SLICING.configMap)!;
  expect(cm.metadata.namespace).toBe(GPU_OPERATOR_NAMESPACE);
  expect(yaml.load(cm.data[TIME_SLICING.key])).toEqual({
    version: 'v1',
    sharing: { timeSlicing: { renameByDefault: false, resources: [{ name: GPU_RESOURCE, replicas: 4 }] } },
  });
  expect(renderStack(resolveConfig({ profile: 'gpu-workstation' })).objects.some((o) => o.metadata.name === TIME_SLICING.configMap)).toBe(false);
});
