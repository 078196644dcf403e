import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Notebook as NotebookResource } from '../../imports/kubeflow.org';
import { notebookServerImage, type Config, type NotebookConfig } from '../config';
import type { ObjectStore } from '../data';
import { KEEP_ON_PRUNE_ANNOTATIONS, type WorkloadPolicy } from '../platform';
import { NOTEBOOKS, notebookPath } from './constants';
import { notebookPodSpec, notebookResources, type NotebookVolume } from './notebook-pod';

/** Annotations that keep a claim when GitOps tools prune what left the configuration. */
export const KEEP_ON_PRUNE: Record<string, string> = { ...KEEP_ON_PRUNE_ANNOTATIONS, 'helm.sh/resource-policy': 'keep' };

export interface NotebookProps {
  /** The notebook as the configuration declares it (defaults are filled in from `jupyter`). */
  readonly notebook: NotebookConfig;
  /** The owner's namespace. */
  readonly namespace: string;
  /** The web app's defaults, GPU placement and the workspace StorageClass. */
  readonly config: Pick<Config, 'jupyter' | 'gpu' | 'storageClass'>;
  readonly policy: WorkloadPolicy;
  /** The object store whose key the namespace holds, for the notebook's environment. @default - none */
  readonly store?: ObjectStore;
}

/**
 * A notebook server declared in code: its workspace claim (and data claims) and the Notebook the
 * controller runs. Claims are separate objects without an owner reference, and carry the annotations
 * that keep them through GitOps pruning: deleting a notebook never deletes its work.
 */
export class Notebook extends Construct {
  /** The notebook's name. */
  public readonly name: string;
  public readonly namespace: string;
  /** Where it is served through the gateway. */
  public readonly path: string;
  /** The pod template the controller runs (the same object the Notebook carries). */
  public readonly podSpec: k8s.PodSpec;
  /** Claims it mounts, workspace first. */
  public readonly claims: readonly string[];

  constructor(scope: Construct, id: string, props: NotebookProps) {
    super(scope, id);
    const { notebook: nb, config, namespace } = props;
    const jupyter = config.jupyter;
    this.name = nb.name;
    this.namespace = namespace;
    this.path = notebookPath(namespace, nb.name);

    const volumes: NotebookVolume[] = [
      { name: 'workspace', claimName: NOTEBOOKS.workspaceClaim(nb.name), mountPath: NOTEBOOKS.workspaceMount },
      ...(nb.dataVolumes ?? []).map((v) => ({ name: v.name, claimName: v.claim ?? `${nb.name}-${v.name}`, mountPath: v.mountPath })),
    ];
    const newClaims = [
      { name: volumes[0].claimName, size: nb.workspaceSize ?? jupyter.workspaceSize },
      ...(nb.dataVolumes ?? []).filter((v) => v.size).map((v) => ({ name: `${nb.name}-${v.name}`, size: v.size! })),
    ];
    for (const c of newClaims) {
      new k8s.KubePersistentVolumeClaim(this, `Claim-${c.name}`, {
        metadata: { name: c.name, namespace, annotations: KEEP_ON_PRUNE, labels: { [NOTEBOOKS.podLabel]: nb.name } },
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName: config.storageClass,
          resources: { requests: { storage: k8s.Quantity.fromString(c.size) } },
        },
      });
    }
    this.claims = volumes.map((v) => v.claimName);

    this.podSpec = notebookPodSpec({
      policy: props.policy,
      gpu: config.gpu,
      name: nb.name,
      image: notebookServerImage(nb.image ?? jupyter.images[0]),
      resources: notebookResources(jupyter, nb.cpu, nb.memory),
      gpus: nb.gpus ?? 0,
      volumes,
      store: props.store,
    });
    new NotebookResource(this, 'Resource', {
      metadata: {
        name: nb.name,
        namespace,
        annotations: { [NOTEBOOKS.annotations.serverType]: 'jupyter', [NOTEBOOKS.annotations.creator]: nb.owner },
      },
      // The generated bindings use their own (structurally identical) pod types.
      spec: { template: { spec: this.podSpec as any } },
    });
  }
}
