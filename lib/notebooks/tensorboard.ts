import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { TensorBoardConfig } from '../config';
import { mcContainer, MC_TMP_VOLUME, STORE_ALIAS, type ObjectStore } from '../data';
import { MicroflowService, PolicyDeployment, type ServiceHandle, type WorkloadPolicy } from '../platform';
import { tensorboardPath } from './constants';

export interface TensorBoardProps {
  /** The TensorBoard as the configuration declares it. */
  readonly tensorboard: TensorBoardConfig;
  /** The owner's namespace. */
  readonly namespace: string;
  readonly policy: WorkloadPolicy;
  /** The platform's object store, for `s3://` log directories. */
  readonly store: ObjectStore;
}

/** Where a log directory comes from. */
export type LogSource = { kind: 's3'; bucket: string; prefix: string } | { kind: 'pvc'; claim: string; path: string };

/** Parses "s3://bucket/prefix" or "pvc://claim/path" (upstream Tensorboard's `logspath` forms). */
export function logSource(logs: string): LogSource {
  const m = /^(s3|pvc):\/\/([^/]+)\/?(.*)$/.exec(logs);
  if (!m) throw new Error(`TensorBoard logs: expected "s3://<bucket>/<prefix>" or "pvc://<claim>/<path>", got ${JSON.stringify(logs)}`);
  return m[1] === 's3' ? { kind: 's3', bucket: m[2], prefix: m[3] } : { kind: 'pvc', claim: m[2], path: m[3] };
}

const HTTP = { name: 'http', port: 6006 };
const LOGS = '/logs';

/**
 * A TensorBoard for one log directory, in its owner's namespace, through the workload policy. A PVC
 * directory is mounted read-only; an object-store prefix is mirrored into the pod by an `mc mirror
 * --watch` container (TensorFlow's own S3 support moved out of TensorFlow, and this works the same
 * against MinIO and SeaweedFS). Routed at /tensorboard/<namespace>/<name>/ (rewritten to /).
 */
export class TensorBoard extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly path: string;
  /** Its Service, for the route. */
  public readonly service: ServiceHandle;
  /** The Service port the route targets. */
  public readonly port = 'http-tensorboard';

  constructor(scope: Construct, id: string, props: TensorBoardProps) {
    super(scope, id);
    const tb = props.tensorboard;
    this.name = tb.name;
    this.namespace = props.namespace;
    this.path = tensorboardPath(props.namespace, tb.name);
    const source = logSource(tb.logs);
    const workload = `tensorboard-${tb.name}`;
    const http = k8s.IntOrString.fromString(HTTP.name);

    const containers = [{
      name: 'tensorboard',
      image: 'tensorboard' as const,
      resources: 'tensorboard' as const,
      command: ['tensorboard', `--logdir=${LOGS}`, '--bind_all', `--port=${HTTP.port}`],
      env: [{ name: 'HOME', value: '/tmp' }],
      ports: [HTTP],
      readiness: { httpGet: { path: '/', port: http }, periodSeconds: 10 },
      liveness: { httpGet: { path: '/', port: http }, initialDelaySeconds: 30, periodSeconds: 20, timeoutSeconds: 5 },
      volumeMounts: [
        source.kind === 'pvc'
          ? { name: 'logs', mountPath: LOGS, subPath: source.path || undefined, readOnly: true }
          : { name: 'logs', mountPath: LOGS, readOnly: true },
        { name: 'tensorboard-tmp', mountPath: '/tmp' },
      ],
    }];
    const volumes: k8s.Volume[] = [
      source.kind === 'pvc'
        ? { name: 'logs', persistentVolumeClaim: { claimName: source.claim, readOnly: true } }
        : { name: 'logs', emptyDir: { sizeLimit: k8s.Quantity.fromString('2Gi') } },
      { name: 'tensorboard-tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('256Mi') } },
    ];
    const ready = { exec: { command: ['/bin/sh', '-c', 'test -f /tmp/synced'] }, periodSeconds: 15 };
    const sync = source.kind === 's3' ? [mcContainer(props.store, 'sync', [
      // The folder comes in as data (LOGS_SOURCE), never pasted into the script: it is free text.
      `src="${STORE_ALIAS}/$LOGS_SOURCE"`,
      // One full copy first, then follow new event files as training writes them.
      `mc mirror --overwrite "$src" ${LOGS} && touch /tmp/synced`,
      `exec mc mirror --watch --overwrite "$src" ${LOGS}`,
    ].join('\n'), {
      env: [{ name: 'LOGS_SOURCE', value: `${source.bucket}/${source.prefix}` }],
      resources: 'tensorboardSync',
      runsToCompletion: false,
      readiness: ready,
      liveness: { ...ready, initialDelaySeconds: 300, failureThreshold: 4 },
      volumeMounts: [{ name: 'logs', mountPath: LOGS }],
    })] : [];

    const deployment = new PolicyDeployment(this, 'Deployment', {
      name: workload,
      namespace: props.namespace,
      policy: props.policy,
      connectsTo: source.kind === 's3' ? [props.store.server] : [],
      pod: { containers: [...containers, ...sync], volumes: [...volumes, ...(sync.length ? [MC_TMP_VOLUME] : [])] },
    });
    this.service = new MicroflowService(this, 'Service', {
      name: workload,
      pods: deployment.pods,
      ports: [{ name: this.port, port: 80, targetPort: HTTP.name }],
    });
  }
}
