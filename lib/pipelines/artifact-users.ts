import { Construct } from 'constructs';
import { GeneratedSecrets, mcContainer, MC_TMP_VOLUME, OBJECT_STORE, secretEnv, STORE_ALIAS, type GeneratedSecretSpec, type ObjectStore } from '../data';
import { PolicyJob, type WorkloadPolicy } from '../platform';
import { namespacePrefix } from './constants';

export interface ArtifactUsersProps {
  /** Where the generator and the store-side Job run (the store's namespace). */
  readonly namespace: string;
  readonly policy: WorkloadPolicy;
  readonly store: ObjectStore;
  /** The user namespaces runs happen in. */
  readonly userNamespaces: string[];
}

/** Bytes of a generated per-user key (hex-encoded, as the data layer's own keys). */
const KEY_BYTES = 16;
const SECRET_BYTES = 24;

/** The MinIO policy of one namespace: objects under its prefix only (IAM policy grammar). */
export function artifactPolicy(bucket: string, namespace: string): object {
  const prefix = namespacePrefix(namespace);
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'], Resource: [`arn:aws:s3:::${bucket}/${prefix}*`] },
      { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [`arn:aws:s3:::${bucket}`], Condition: { StringLike: { 's3:prefix': [`${prefix}*`] } } },
      { Effect: 'Allow', Action: ['s3:GetBucketLocation'], Resource: [`arn:aws:s3:::${bucket}`] },
    ],
  };
}

/** Name of the store-side copy of a user namespace's credentials (in the store's namespace). */
export const storeSideSecret = (namespace: string) => `pipelines-artifacts-${namespace}`;

/**
 * Per-user object-store credentials for multi-user runs: `mlpipeline-minio-artifact` in each user
 * namespace (what the launcher and Argo's executor read there), generated in the cluster, never
 * rendered. With MinIO each user gets an own key limited by a policy to `private-artifacts/<ns>/`
 * of the artifacts bucket, so one user's steps cannot read another's artifacts. SeaweedFS reads its
 * identities from a file the data layer writes at start from the root Secret: there the user Secrets
 * carry the root keys, and isolation between users is not enforced by the store (README, "Pipelines").
 */
export class ArtifactUsers extends Construct {
  /** Whether the store enforces the per-user prefix. */
  public readonly isolated: boolean;

  constructor(scope: Construct, id: string, props: ArtifactUsersProps) {
    super(scope, id);
    const { store, namespace, policy } = props;
    const keys = OBJECT_STORE.secret.keys;
    this.isolated = store.kind === 'minio';
    const secrets: GeneratedSecretSpec[] = props.userNamespaces.flatMap((ns): GeneratedSecretSpec[] => {
      const userSecret = { name: store.credentials.name, namespace: ns };
      if (!this.isolated) {
        return [{ ...userSecret, data: { [keys.accesskey]: { copy: { secret: store.credentials.name, key: keys.accesskey } }, [keys.secretkey]: { copy: { secret: store.credentials.name, key: keys.secretkey } } } }];
      }
      const own = storeSideSecret(ns);
      return [
        { name: own, data: { [keys.accesskey]: { random: KEY_BYTES }, [keys.secretkey]: { random: SECRET_BYTES } } },
        { ...userSecret, data: { [keys.accesskey]: { copy: { secret: own, key: keys.accesskey } }, [keys.secretkey]: { copy: { secret: own, key: keys.secretkey } } } },
      ];
    });
    // The root keys are copied: list them first so the generator may read them.
    const root: GeneratedSecretSpec[] = this.isolated ? [] : [{ name: store.credentials.name, data: { [keys.accesskey]: { random: KEY_BYTES }, [keys.secretkey]: { random: SECRET_BYTES } } }];
    const generator = new GeneratedSecrets(this, 'Secrets', { name: 'pipelines-artifact-secrets', namespace, policy, secrets: [...root, ...secrets] });
    if (!this.isolated) return;

    // MinIO: one user and one policy per namespace, made with the root keys. Idempotent: `user add`
    // resets the same key, `policy create` replaces the document, an existing attachment is kept.
    const lines: string[] = [];
    const env = props.userNamespaces.flatMap((ns, i) => {
      const name = `kfp-${ns}`;
      lines.push(
        `printf '%s' '${JSON.stringify(artifactPolicy(store.buckets.artifacts, ns))}' > /tmp/${name}.json`,
        `mc admin user add ${STORE_ALIAS} "$USER_${i}_AK" "$USER_${i}_SK" >/dev/null`,
        `mc admin policy create ${STORE_ALIAS} ${name} /tmp/${name}.json >/dev/null`,
        `out=$(mc admin policy attach ${STORE_ALIAS} ${name} --user "$USER_${i}_AK" 2>&1) || case "$out" in *already*) ;; *) echo "$out" >&2; exit 1 ;; esac`,
        `echo "namespace ${ns}: key limited to ${store.buckets.artifacts}/${namespacePrefix(ns)}"`,
      );
      const ref = { name: storeSideSecret(ns), keys: OBJECT_STORE.secret.keys };
      return [secretEnv(`USER_${i}_AK`, ref, 'accesskey'), secretEnv(`USER_${i}_SK`, ref, 'secretkey')];
    });
    const job = new PolicyJob(this, 'Job', {
      name: 'pipelines-artifact-users',
      namespace,
      policy,
      connectsTo: [store.server],
      pod: {
        containers: [mcContainer(store, 'configure-users', lines.join('\n'), { env, resources: 'pipelineArtifactUsers' })],
        volumes: [MC_TMP_VOLUME],
      },
    });
    job.node.addDependency(generator);
  }
}
