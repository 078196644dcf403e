import { k8s } from 'cdk8s-plus-28';
import { IMAGES, isPinned, type ComponentKey, type Config, type ImageKey, type ImageSpec, type ResourceSpec } from '../../config';
import { NAMESPACES, PLATFORM_PRIORITY } from '../names';

/** A container as a component describes it; the policy adds everything every container must have. */
export interface ContainerProps {
  /** Container name, unique in the pod. */
  readonly name: string;
  /**
   * Which pinned image runs: a key of the image catalog (config may override the reference), or an
   * image a user chose (a notebook server), which must be pinned all the same.
   */
  readonly image: ImageKey | ImageSpec;
  /** Whose sizing (requests and limits) applies (config may override it), or a user's own sizing. */
  readonly resources: ComponentKey | ResourceSpec;
  /**
   * Extended resources to ask for, such as `nvidia.com/gpu` (lib/gpu decides these). Requests of
   * extended resources must equal their limits, so both are set. @default - none
   */
  readonly extendedResources?: Record<string, string>;
  /** @default - the image's working directory */
  readonly workingDir?: string;
  /** @default - the image's entrypoint */
  readonly command?: string[];
  /** @default - the image's default arguments */
  readonly args?: string[];
  /** @default - no environment */
  readonly env?: k8s.EnvVar[];
  /** Named container ports; Services target them by name. @default - none */
  readonly ports?: { name: string; port: number }[];
  /** Required for long-running containers (Deployments, StatefulSets). @default - none */
  readonly readiness?: k8s.Probe;
  /** Required for long-running containers (Deployments, StatefulSets). @default - none */
  readonly liveness?: k8s.Probe;
  /** For slow first starts (database initialisation). @default - none */
  readonly startup?: k8s.Probe;
  /** @default - none */
  readonly volumeMounts?: k8s.VolumeMount[];
  /**
   * Why the image cannot run with a read-only root filesystem. Leave unset whenever it can:
   * writable paths should be emptyDir mounts instead.
   * @default - the root filesystem is read-only
   */
  readonly writableRootReason?: string;
  /** The container does not run long (init containers, Job containers): probes are not required. @default false */
  readonly runsToCompletion?: boolean;
}

/** A pod as a component describes it. */
export interface PodProps {
  /** The main containers. */
  readonly containers: ContainerProps[];
  /** @default - none */
  readonly initContainers?: ContainerProps[];
  /** ServiceAccount the pod runs as (the workload constructs create one per workload). */
  readonly serviceAccountName: string;
  /**
   * Namespace the pod runs in. Pods in the platform's namespaces get the platform PriorityClass;
   * any other pod (a user's notebook or TensorBoard) keeps priority 0, as the user namespace's
   * quota refuses pods naming a class. @default - not a platform namespace: no PriorityClass
   */
  readonly namespace?: string;
  /** The pod talks to the Kubernetes API, so it gets a token. @default false */
  readonly apiAccess?: boolean;
  /** @default - none */
  readonly volumes?: k8s.Volume[];
  /** Seconds a pod gets to shut down cleanly. @default 30 */
  readonly terminationGracePeriodSeconds?: number;
  /** @default - none */
  readonly affinity?: k8s.Affinity;
  /** @default - none */
  readonly nodeSelector?: Record<string, string>;
  /** @default - none */
  readonly tolerations?: k8s.Toleration[];
  /** @default - none */
  readonly runtimeClassName?: string;
  /** Restart policy; Jobs use OnFailure or Never. @default - Always (the API default) */
  readonly restartPolicy?: 'Always' | 'OnFailure' | 'Never';
}

/** Error raised when a component asks for something the workload policy forbids. */
export class PolicyError extends Error {
  constructor(message: string) {
    super(`workload policy: ${message}`);
    this.name = 'PolicyError';
  }
}

/** The part of the configuration the workload policy reads: image overrides, resource overrides, autoscaling. */
export type PolicySettings = Pick<Config, 'images' | 'resources' | 'scaling'>;

/**
 * The one place that turns a component's description of a pod into a pod spec: pinned images,
 * IfNotPresent pulls, requests and limits on every container, probes on long-running containers,
 * the restricted security context, no API token unless the pod needs one, and the platform's
 * PriorityClass on the platform's pods.
 */
export class WorkloadPolicy {
  constructor(public readonly config: PolicySettings) {}

  /** The image a key resolves to, after config overrides; a user's image is checked as it is. */
  public image(key: ImageKey | ImageSpec): ImageSpec {
    if (typeof key !== 'string') {
      if (!isPinned(key.ref)) throw new PolicyError(`image ${key.ref} is not pinned (give a tag other than "latest", or a digest)`);
      return key;
    }
    const base = IMAGES[key];
    const ref = this.config.images[key] ?? base.ref;
    if (!isPinned(ref)) throw new PolicyError(`image "${key}" is not pinned: ${ref}`);
    return { ...base, ref };
  }

  /** The sizing of a component, after config overrides; a user's own sizing is used as it is. */
  public resources(key: ComponentKey | ResourceSpec): ResourceSpec {
    if (typeof key !== 'string') return key;
    const spec = this.config.resources[key];
    if (!spec) throw new PolicyError(`no resources are defined for component "${key}"`);
    return spec;
  }

  /** Builds a pod spec. All containers of one pod share the UID of the first container's image. */
  public podSpec(props: PodProps): k8s.PodSpec {
    if (props.containers.length === 0) throw new PolicyError('a pod needs at least one container');
    const image = this.image(props.containers[0].image);
    const uid = image.uid;
    const gid = image.gid ?? uid;
    const hasVolumes = (props.volumes ?? []).length > 0;
    const platform = (Object.values(NAMESPACES) as string[]).includes(props.namespace ?? '');
    return {
      serviceAccountName: props.serviceAccountName,
      // First on a full node: the scheduler preempts users' pods for these, and the kubelet evicts users' pods first.
      ...(platform ? { priorityClassName: PLATFORM_PRIORITY.name } : {}),
      automountServiceAccountToken: props.apiAccess ?? false,
      // Service-link variables leak every Service in the namespace into the environment; nothing here needs them.
      enableServiceLinks: false,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: uid,
        runAsGroup: gid,
        ...(hasVolumes ? { fsGroup: gid, fsGroupChangePolicy: 'OnRootMismatch' } : {}),
        seccompProfile: { type: 'RuntimeDefault' },
      },
      initContainers: props.initContainers?.map((c) => this.container({ ...c, runsToCompletion: true })),
      containers: props.containers.map((c) => this.container(c)),
      volumes: props.volumes,
      terminationGracePeriodSeconds: props.terminationGracePeriodSeconds,
      affinity: props.affinity,
      nodeSelector: props.nodeSelector,
      tolerations: props.tolerations,
      runtimeClassName: props.runtimeClassName,
      restartPolicy: props.restartPolicy,
    };
  }

  private container(props: ContainerProps): k8s.Container {
    if (!props.runsToCompletion && (!props.readiness || !props.liveness)) {
      throw new PolicyError(`container "${props.name}" runs long and needs both a readiness and a liveness probe`);
    }
    if (props.writableRootReason !== undefined && props.writableRootReason.trim() === '') {
      throw new PolicyError(`container "${props.name}": writableRootReason must say why the root filesystem must be writable`);
    }
    const r = this.resources(props.resources);
    const extended = Object.fromEntries(Object.entries(props.extendedResources ?? {}).map(([k, v]) => [k, k8s.Quantity.fromString(v)]));
    return {
      name: props.name,
      image: this.image(props.image).ref,
      imagePullPolicy: 'IfNotPresent',
      command: props.command,
      args: props.args,
      workingDir: props.workingDir,
      env: props.env,
      ports: props.ports?.map((p) => ({ name: p.name, containerPort: p.port, protocol: 'TCP' })),
      resources: {
        requests: { cpu: k8s.Quantity.fromString(r.requests.cpu), memory: k8s.Quantity.fromString(r.requests.memory), ...extended },
        limits: { cpu: k8s.Quantity.fromString(r.limits.cpu), memory: k8s.Quantity.fromString(r.limits.memory), ...extended },
      },
      readinessProbe: props.readiness,
      livenessProbe: props.liveness,
      startupProbe: props.startup,
      volumeMounts: props.volumeMounts,
      securityContext: {
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: props.writableRootReason === undefined,
        runAsNonRoot: true,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      },
    };
  }
}
