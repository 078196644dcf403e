import * as yaml from 'js-yaml';
import { cpuMillis, memoryBytes, NOTEBOOK_SERVER_IMAGES, notebookServerImage, type Config } from '../config';
import { GPU_RESOURCE, gpuNodeAffinity, gpuToleration } from '../gpu';
import { NOTEBOOKS } from './constants';

/** Keys of the GPU choices the spawner offers (affinity and toleration groups). */
export const SPAWNER_GPU_OPTION = 'nvidia-gpu-node';

/** The web app parses CPU as a float of cores and memory as a float of Gi: give it those forms. */
const cores = (q: string) => String(cpuMillis(q) / 1000);
const gibibytes = (q: string) => `${Number((memoryBytes(q) / 2 ** 30).toFixed(2))}Gi`;

/**
 * The Jupyter web app's `spawner_ui_config.yaml` (top key `spawnerFormDefaults`), generated from the
 * configuration: images, CPU/memory defaults and limit factor, the NVIDIA GPU vendor, a GPU node
 * affinity and toleration choice from lib/gpu, the storage class and the workspace size.
 */
export function spawnerUiConfig(config: Pick<Config, 'jupyter' | 'gpu' | 'storageClass'>): string {
  const j = config.jupyter;
  const refs = j.images.map((i) => notebookServerImage(i).ref);
  const group = (name: string) => notebookServerImage(NOTEBOOK_SERVER_IMAGES.find((i) => i.startsWith(name))!).ref;
  const gpuChoices = config.gpu.enabled;
  const spawnerFormDefaults = {
    allowCustomImage: true,
    hideRegistry: true,
    hideTag: false,
    imagePullPolicy: { readOnly: false, value: 'IfNotPresent' },
    image: { value: refs[0], options: refs },
    imageGroupOne: { value: group('codeserver'), options: [group('codeserver')] },
    imageGroupTwo: { value: group('rstudio'), options: [group('rstudio')] },
    cpu: { readOnly: false, value: cores(j.cpu), limitFactor: String(j.limitFactor) },
    memory: { readOnly: false, value: gibibytes(j.memory), limitFactor: String(j.limitFactor) },
    gpus: {
      // Without GPUs in the profile the choice is fixed to none.
      readOnly: !gpuChoices,
      value: { vendor: gpuChoices ? GPU_RESOURCE : '', vendors: gpuChoices ? [{ limitsKey: GPU_RESOURCE, uiName: 'NVIDIA' }] : [], num: 'none' },
    },
    workspaceVolume: {
      readOnly: false,
      value: {
        mount: NOTEBOOKS.workspaceMount,
        newPvc: {
          metadata: { name: NOTEBOOKS.workspaceClaim('{notebook-name}') },
          spec: { storageClassName: config.storageClass, resources: { requests: { storage: j.workspaceSize } }, accessModes: ['ReadWriteOnce'] },
        },
      },
    },
    dataVolumes: { readOnly: false, value: [] },
    // A GPU notebook spawned from the form must also select GPU nodes and tolerate their taint: the
    // form sets only the GPU limit. (The form cannot set runtimeClassName; see docs/gpus.md.)
    affinityConfig: {
      readOnly: false,
      value: '',
      options: gpuChoices ? [{ configKey: SPAWNER_GPU_OPTION, displayName: 'NVIDIA GPU node', affinity: gpuNodeAffinity(config.gpu) }] : [],
    },
    tolerationGroup: {
      readOnly: false,
      value: '',
      options: gpuChoices ? [{ groupKey: SPAWNER_GPU_OPTION, displayName: 'NVIDIA GPU node', tolerations: [gpuToleration(config.gpu)] }] : [],
    },
    shm: { readOnly: false, value: true },
    configurations: { readOnly: false, value: [] },
    environment: { readOnly: false, value: {} },
  };
  return yaml.dump({ spawnerFormDefaults }, { noRefs: true, lineWidth: -1 });
}
