import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { MicroflowService, PolicyStatefulSet } from '../platform';
import { OBJECT_STORE } from './constants';
import { secretEnv, type DataServerProps, type ObjectStore } from './handles';
import { ObjectStoreService, S3_PORT_NAME } from './object-store-service';

export type SeaweedFsProps = DataServerProps;

const NAME = 'seaweedfs';
const S3_CONTAINER_PORT = 8333;
const CONFIG_DIR = '/etc/seaweedfs';

/**
 * SeaweedFS (master, volume, filer and S3 gateway in one `weed server`) behind the same
 * `minio-service` name and credential Secret as MinIO, so nothing else in the stack changes.
 * The S3 identity file holds the root credentials, so it is written at start into a memory volume
 * from the Secret, never rendered into a ConfigMap. Further identities are made at run time through
 * SeaweedFS' IAM API (`seaweedfsIamContainer`) and kept in the filer, so the pod needs no Secret that
 * a later component creates.
 */
export class SeaweedFs extends Construct {
  public readonly store: ObjectStore;

  constructor(scope: Construct, id: string, props: SeaweedFsProps) {
    super(scope, id);
    const ns = props.namespace;
    const credentials = [
      secretEnv('S3_ACCESS_KEY', OBJECT_STORE.secret, 'accesskey'),
      secretEnv('S3_SECRET_KEY', OBJECT_STORE.secret, 'secretkey'),
    ];
    const status = { httpGet: { path: '/status', port: k8s.IntOrString.fromString(S3_PORT_NAME) }, timeoutSeconds: 5 };

    const sts = new PolicyStatefulSet(this, 'StatefulSet', {
      name: NAME,
      namespace: ns,
      policy: props.policy,
      serviceName: NAME,
      dataVolume: { name: 'data', size: props.storageSize, storageClass: props.storageClass },
      pod: {
        initContainers: [
          {
            name: 's3-identities',
            image: 'seaweedfs',
            resources: 'seaweedfs',
            command: ['/bin/sh', '-c', identitiesScript()],
            env: credentials,
            volumeMounts: [{ name: 'config', mountPath: CONFIG_DIR }],
          },
        ],
        containers: [
          {
            name: 'seaweedfs',
            image: 'seaweedfs',
            resources: 'seaweedfs',
            command: ['weed'],
            args: [
              'server',
              '-dir=/data',
              // Master, volume and filer talk over loopback inside this one pod; only S3 is served.
              '-ip=127.0.0.1',
              '-ip.bind=0.0.0.0',
              '-master.volumePreallocate=false',
              '-master.volumeSizeLimitMB=1024',
              // weed reports cluster statistics to telemetry.seaweedfs.com unless told not to.
              '-master.telemetry=false',
              '-s3',
              `-s3.port=${S3_CONTAINER_PORT}`,
              `-s3.config=${CONFIG_DIR}/s3.json`,
              // Identities added later (per-user keys, lib/pipelines ArtifactUsers) go through the IAM
              // API on the S3 port, which only the root identity (Admin) may write to; users may not
              // even make keys for themselves.
              '-s3.iam.readOnly=false',
              '-s3.iam.selfServiceRequiresGrant=true',
            ],
            ports: [{ name: S3_PORT_NAME, port: S3_CONTAINER_PORT }],
            startup: { ...status, periodSeconds: 5, failureThreshold: 60 },
            liveness: { ...status, periodSeconds: 15, failureThreshold: 4 },
            readiness: { ...status, periodSeconds: 10, failureThreshold: 3 },
            volumeMounts: [
              { name: 'data', mountPath: '/data' },
              { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
              { name: 'tmp', mountPath: '/tmp' },
            ],
          },
        ],
        volumes: [
          { name: 'config', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } },
          { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('256Mi') } },
        ],
      },
    });

    new MicroflowService(this, 'Headless', {
      name: NAME,
      pods: sts.pods,
      headless: true,
      ports: [{ name: 'http-s3', port: S3_CONTAINER_PORT, targetPort: S3_PORT_NAME }],
    });
    this.store = new ObjectStoreService(this, 'Front', { kind: 'seaweedfs', pods: sts.pods }).store;
  }
}

/**
 * Writes s3.json from the credentials in the environment. The values are the user's own when they
 * made the Secret, so they are JSON-encoded (`"`, `\\` and control characters escaped) by awk, which
 * reads them from ENVIRON: they never pass through a format string or the shell's parser.
 */
function identitiesScript(): string {
  const awk = [
    'function enc(s,  out, i, c) {',
    '  out = ""',
    '  for (i = 1; i <= length(s); i++) {',
    '    c = substr(s, i, 1)',
    '    if (c == "\\"" || c == "\\\\") out = out "\\\\" c',
    '    else if (c in ctl) out = out sprintf("\\\\u%04x", ctl[c])',
    '    else out = out c',
    '  }',
    '  return "\\"" out "\\""',
    '}',
    'BEGIN {',
    '  for (i = 1; i < 32; i++) ctl[sprintf("%c", i)] = i',
    '  printf "{\\"identities\\":[{\\"name\\":\\"microflow\\",\\"credentials\\":[{\\"accessKey\\":%s,\\"secretKey\\":%s}],", enc(ENVIRON["S3_ACCESS_KEY"]), enc(ENVIRON["S3_SECRET_KEY"])',
    '  printf "\\"actions\\":[\\"Admin\\",\\"Read\\",\\"List\\",\\"Tagging\\",\\"Write\\"]}]}\\n"',
    '}',
  ].join('\n');
  return ['set -eu', 'umask 077', `awk '${awk}' > ${CONFIG_DIR}/s3.json`, ''].join('\n');
}
