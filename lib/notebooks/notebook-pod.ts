import { k8s } from 'cdk8s-plus-28';
import { scaleCpu, scaleMemory, type GpuConfig, type ImageSpec, type JupyterConfig, type ResourceSpec } from '../config';
import { gpuPlacement } from '../gpu';
import type { ObjectStore } from '../data';
import type { WorkloadPolicy } from '../platform';
import { NOTEBOOKS } from './constants';

/** A claim mounted into a notebook. */
export interface NotebookVolume {
  /** Volume name in the pod. */
  readonly name: string;
  /** PersistentVolumeClaim name in the notebook's namespace. */
  readonly claimName: string;
  readonly mountPath: string;
}

export interface NotebookPodProps {
  /** The shared workload policy. */
  readonly policy: WorkloadPolicy;
  /** GPU settings of the configuration (placement comes from lib/gpu). */
  readonly gpu: GpuConfig;
  /** The notebook's name: the controller runs its first container as the server. */
  readonly name: string;
  readonly image: ImageSpec;
  /** CPU and memory requests and limits. */
  readonly resources: ResourceSpec;
  /** Whole GPUs; 0 keeps the pod off GPU nodes and away from GPU resources. @default 0 */
  readonly gpus?: number;
  /** Claims to mount (workspace first). @default - none */
  readonly volumes?: NotebookVolume[];
  /** /dev/shm as memory (PyTorch data loaders need more than the runtime's 64 MiB). @default true */
  readonly sharedMemory?: boolean;
  /**
   * The object store whose key every user namespace holds (`mlpipeline-minio-artifact`, see
   * lib/pipelines ArtifactUsers): its endpoint and that key go into the environment.
   * @default - none
   */
  readonly store?: ObjectStore;
}

/**
 * The namespace's object-store key and the store's endpoint, under the names boto3, the AWS CLI and
 * examples/notebooks/read_artifacts.py read. A notebook has no API token to read the Secret itself.
 * Optional: a notebook still starts if the key is not generated yet; it then has no key.
 */
export function objectStoreEnv(store: ObjectStore): k8s.EnvVar[] {
  const key = (name: string, k: 'accesskey' | 'secretkey') => ({
    name, valueFrom: { secretKeyRef: { name: store.credentials.name, key: store.credentials.keys[k], optional: true } },
  });
  return [{ name: NOTEBOOKS.storeEndpointEnv, value: store.endpoint }, key('AWS_ACCESS_KEY_ID', 'accesskey'), key('AWS_SECRET_ACCESS_KEY', 'secretkey')];
}

/** A notebook's requests (the spawner defaults unless given) and limits (requests × limitFactor). */
export function notebookResources(jupyter: JupyterConfig, cpu = jupyter.cpu, memory = jupyter.memory): ResourceSpec {
  return {
    requests: { cpu, memory },
    limits: { cpu: scaleCpu(cpu, jupyter.limitFactor), memory: scaleMemory(memory, jupyter.limitFactor) },
  };
}

/** Volume of the projected pipelines token. */
const TOKEN_VOLUME = 'volume-kf-pipeline-token';

/**
 * The pod template of a notebook server: through the workload policy (pinned image, requests and
 * limits, restricted security context, probes) and lib/gpu (placement), with the pipelines token the
 * in-cluster SDK reads. The `Notebook` construct, the Jupyter web app's notebook template and the
 * control-plane test of the pod the controller would create all take their pod from here.
 */
export function notebookPodSpec(props: NotebookPodProps): k8s.PodSpec {
  const gpus = props.gpus ?? 0;
  const placement = gpus > 0 ? gpuPlacement(props.gpu, gpus) : undefined;
  const token = NOTEBOOKS.pipelinesToken;
  const shm = props.sharedMemory ?? true;
  const claimVolumes = (props.volumes ?? []).map((v) => ({ name: v.name, persistentVolumeClaim: { claimName: v.claimName } }));
  const port = k8s.IntOrString.fromString(NOTEBOOKS.serverPort.name);
  return props.policy.podSpec({
    serviceAccountName: NOTEBOOKS.serviceAccount,
    // No API token: the only API the notebook calls is the pipelines API, with the projected token below.
    apiAccess: false,
    containers: [{
      name: props.name,
      image: props.image,
      resources: props.resources,
      extendedResources: placement?.limits,
      ports: [{ name: NOTEBOOKS.serverPort.name, port: NOTEBOOKS.serverPort.port }],
      env: [{ name: token.env, value: `${token.dir}/${token.file}` }, ...(props.store ? objectStoreEnv(props.store) : [])],
      // A TCP check fits every server type (Jupyter, code-server, RStudio serve different paths).
      readiness: { tcpSocket: { port }, periodSeconds: 10, failureThreshold: 3 },
      liveness: { tcpSocket: { port }, initialDelaySeconds: 30, periodSeconds: 20, failureThreshold: 6 },
      writableRootReason: 'Kubeflow notebook images start under s6-overlay, which writes /run, and users install packages into the image\'s own environment',
      volumeMounts: [
        ...(props.volumes ?? []).map((v) => ({ name: v.name, mountPath: v.mountPath })),
        { name: TOKEN_VOLUME, mountPath: token.dir, readOnly: true },
        ...(shm ? [{ name: 'dshm', mountPath: '/dev/shm' }] : []),
      ],
    }],
    volumes: [
      ...claimVolumes,
      {
        name: TOKEN_VOLUME,
        projected: { sources: [{ serviceAccountToken: { path: token.file, audience: token.audience, expirationSeconds: token.expirationSeconds } }] },
      },
      ...(shm ? [{ name: 'dshm', emptyDir: { medium: 'Memory' } }] : []),
    ],
    nodeSelector: placement?.nodeSelector,
    tolerations: placement?.tolerations,
    runtimeClassName: placement?.runtimeClassName,
  });
}
