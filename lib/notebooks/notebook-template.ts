import { k8s } from 'cdk8s-plus-28';
import * as yaml from 'js-yaml';
import { notebookServerImage, type Config } from '../config';
import type { ObjectStore } from '../data';
import type { WorkloadPolicy } from '../platform';
import { NOTEBOOKS } from './constants';
import { notebookPodSpec, notebookResources } from './notebook-pod';

/**
 * Where the Jupyter web app reads the Notebook it fills in from the spawner form (apps/common/utils.py
 * NOTEBOOK_TEMPLATE_YAML in the image). microflow mounts its own there, so notebooks spawned from the
 * form get the same pod as notebooks declared in code: restricted security context, probes, the
 * pipelines token.
 */
export const WEB_APP_TEMPLATE_PATH = '/src/apps/common/yaml/notebook_template.yaml';

/** The web app fills these in with Python's str.format: no other brace may appear in the template. */
const PLACEHOLDERS = ['{name}', '{namespace}', '{serviceAccount}', '{creator}'];

/**
 * The web app's notebook template. Its form then sets the image, CPU/memory requests and limits, the
 * GPU limit, tolerations, affinity, volumes and /dev/shm; everything else comes from the same
 * `notebookPodSpec` as a `Notebook` declared in code. The web app creates notebooks as v1beta1.
 */
export function webAppNotebookTemplate(config: Pick<Config, 'jupyter' | 'gpu'>, policy: WorkloadPolicy, store?: ObjectStore): string {
  const spec = k8s.toJson_PodSpec(notebookPodSpec({
    policy,
    gpu: config.gpu,
    name: '{name}',
    image: notebookServerImage(config.jupyter.images[0]),
    resources: notebookResources(config.jupyter),
    // The form adds /dev/shm itself when asked (a second "dshm" volume would be refused).
    sharedMemory: false,
    store,
  })) as any;
  spec.serviceAccountName = '{serviceAccount}';
  spec.tolerations = [];
  spec.volumes = spec.volumes ?? [];
  const notebook = {
    apiVersion: 'kubeflow.org/v1beta1',
    kind: 'Notebook',
    metadata: {
      name: '{name}',
      namespace: '{namespace}',
      labels: { app: '{name}' },
      annotations: { [NOTEBOOKS.annotations.serverType]: '', [NOTEBOOKS.annotations.creator]: '{creator}' },
    },
    spec: { template: { spec } },
  };
  const text = yaml.dump(notebook, { noRefs: true, lineWidth: -1 });
  const stray = PLACEHOLDERS.reduce((t, p) => t.split(p).join(''), text).match(/[{}]/);
  if (stray) throw new Error(`notebook template: a literal "${stray[0]}" would break the web app's str.format; write it without empty maps or braces`);
  return text;
}
