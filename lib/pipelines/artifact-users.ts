import { Construct } from 'constructs';
import {
  GeneratedSecrets, mcContainer, MC_TMP_VOLUME, OBJECT_STORE, secretEnv, seaweedfsIamContainer, STORE_ALIAS,
  type GeneratedSecretSpec, type ObjectStore,
} from '../data';
import { declareConnection, IngressAllow, PolicyJob, type ContainerProps, type WorkloadPolicy } from '../platform';
import type { ArtifactGrant } from '../config';
import { ARTIFACT_USER_PREFIX, minioRevocation, seaweedfsRevocation, seaweedfsRevokeOld, type RenderedKey } from './artifact-revoke';

export interface ArtifactUsersProps {
  /** Where the generator and the store-side Job run (the store's namespace). */
  readonly namespace: string;
  readonly policy: WorkloadPolicy;
  readonly store: ObjectStore;
  /**
   * The user namespaces that get a key (every one), and what each key opens (`artifactGrants`):
   * multi-user, read-write on its own prefix; single-user, read-only on the runs' prefix.
   */
  readonly grants: readonly ArtifactGrant[];
}

/** Bytes of a generated per-user key (hex-encoded, as the data layer's own keys). */
const KEY_BYTES = 16;
const SECRET_BYTES = 24;

/** What a key may do with objects under its prefix: read, write, delete, finish or abandon multipart uploads. */
const OBJECT_ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'];

/**
 * The policy of one namespace's key: objects under its grant's prefix only (IAM policy grammar), read
 * and written. MinIO and SeaweedFS both evaluate it as AWS does, the listing limited by
 * the `s3:prefix` condition.
 */
export function artifactPolicy(grant: ArtifactGrant): object {
  const { bucket, prefix } = grant;
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: OBJECT_ACTIONS, Resource: [`arn:aws:s3:::${bucket}/${prefix}*`] },
      { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [`arn:aws:s3:::${bucket}`], Condition: { StringLike: { 's3:prefix': [`${prefix}*`] } } },
      { Effect: 'Allow', Action: ['s3:GetBucketLocation'], Resource: [`arn:aws:s3:::${bucket}`] },
    ],
  };
}

/** Name of the store-side copy of a user namespace's credentials (in the store's namespace). */
export const storeSideSecret = (namespace: string) => `pipelines-artifacts-${namespace}`;
/** The store's user (MinIO) or identity (SeaweedFS) of a namespace, and the name of its policy. */
export const artifactUser = (namespace: string) => `${ARTIFACT_USER_PREFIX}${namespace}`;
/** metadata.name of the NetworkPolicy that admits the user namespaces' pods to the store. */
export const USER_PODS_TO_STORE = 'object-store-user-namespaces';

/**
 * Per-namespace object-store credentials: `mlpipeline-minio-artifact` in each namespace of `grants`
 * (what the launcher and Argo's executor read there in runs, and notebooks and s3:// TensorBoards),
 * generated in the cluster, never rendered, never the root key, limited by the store to the grant:
 * `private-artifacts/<ns>/` read-write, so one user's steps cannot read another's artifacts. A Job in the
 * store's namespace registers each key with the root key: MinIO users and policies (`mc admin`),
 * SeaweedFS identities (its IAM API). Every pod of such a namespace may then reach the store: what it
 * can do there is what its namespace's key allows.
 */
export class ArtifactUsers extends Construct {
  /** Whether the store enforces the per-user prefix: both stores do. */
  public readonly isolated = true;

  constructor(scope: Construct, id: string, props: ArtifactUsersProps) {
    super(scope, id);
    const { store, namespace, policy } = props;
    const keys = OBJECT_STORE.secret.keys;
    if (props.grants.length === 0) throw new Error('ArtifactUsers: no namespace to make a key for');
    const namespaces = props.grants.map((g) => g.namespace);
    const secrets: GeneratedSecretSpec[] = namespaces.flatMap((ns): GeneratedSecretSpec[] => {
      const own = storeSideSecret(ns);
      return [
        { name: own, data: { [keys.accesskey]: { random: KEY_BYTES }, [keys.secretkey]: { random: SECRET_BYTES } } },
        { name: store.credentials.name, namespace: ns, data: { [keys.accesskey]: { copy: { secret: own, key: keys.accesskey } }, [keys.secretkey]: { copy: { secret: own, key: keys.secretkey } } } },
      ];
    });
    const generator = new GeneratedSecrets(this, 'Secrets', { name: 'pipelines-artifact-secrets', namespace, policy, secrets });

    // Every run registers each rendered key and revokes what is stale (artifact-revoke.ts): SeaweedFS
    // first drops identities of removed namespaces (a key id may move to another namespace), MinIO
    // after all keys are in (its stale users are found by the policies they hold).
    const rendered: RenderedKey[] = props.grants.map((g, i) => ({ user: artifactUser(g.namespace), akVar: `USER_${i}_AK` }));
    const lines: string[] = store.kind === 'minio' ? [] : seaweedfsRevocation(rendered);
    const env = props.grants.flatMap((grant, i) => {
      const ns = grant.namespace;
      const vars = { ak: rendered[i].akVar, sk: `USER_${i}_SK` };
      lines.push(...(store.kind === 'minio' ? minioLines : seaweedfsLines)(grant, vars));
      lines.push(`echo "namespace ${ns}: key limited to ${grant.bucket}/${grant.prefix}"`);
      const ref = { name: storeSideSecret(ns), keys: OBJECT_STORE.secret.keys };
      return [secretEnv(vars.ak, ref, 'accesskey'), secretEnv(vars.sk, ref, 'secretkey')];
    });
    if (store.kind === 'minio') lines.push(...minioRevocation(rendered));
    const container: ContainerProps = (store.kind === 'minio' ? mcContainer : seaweedfsIamContainer)(
      store, 'configure-users', lines.join('\n'), { env, resources: 'pipelineArtifactUsers' });
    const job = new PolicyJob(this, 'Job', {
      name: 'pipelines-artifact-users',
      namespace,
      policy,
      connectsTo: [store.server],
      pod: { containers: [container], volumes: [MC_TMP_VOLUME] },
    });
    job.node.addDependency(generator);

    // Any pod of a user namespace (step pods, notebooks, TensorBoards): users may label their pods as
    // they like, so labels would not narrow who gets in; the per-namespace key is the boundary.
    const server = store.server;
    new IngressAllow(this, 'UserPods', {
      name: USER_PODS_TO_STORE,
      pods: server.service.pods,
      ports: [server.service.port(server.port).targetPort],
      from: namespaces.map((ns) => ({ namespace: ns })),
    });
    for (const ns of namespaces) {
      declareConnection(this, { from: { name: 'any pod', namespace: ns, labels: {} }, to: server.service, port: server.port });
    }
  }
}

type KeyVars = { readonly ak: string; readonly sk: string };

/** MinIO: `user add` resets the same key, `policy create` replaces the document, an existing attachment is kept. */
function minioLines(grant: ArtifactGrant, v: KeyVars): string[] {
  const name = artifactUser(grant.namespace);
  return [
    `printf '%s' '${JSON.stringify(artifactPolicy(grant))}' > /tmp/${name}.json`,
    `mc admin user add ${STORE_ALIAS} "$${v.ak}" "$${v.sk}" >/dev/null`,
    `mc admin policy create ${STORE_ALIAS} ${name} /tmp/${name}.json >/dev/null`,
    `out=$(mc admin policy attach ${STORE_ALIAS} ${name} --user "$${v.ak}" 2>&1) || case "$out" in *already*) ;; *) echo "$out" >&2; exit 1 ;; esac`,
  ];
}

/**
 * SeaweedFS: an existing identity is kept, its other keys and policies revoked; a key it already has
 * is replaced (the Secret may have been re-made with another secret; a key another identity holds
 * fails the Job); PutUserPolicy replaces the document. Keys go to curl as files, never on a command line.
 */
function seaweedfsLines(grant: ArtifactGrant, v: KeyVars): string[] {
  const name = artifactUser(grant.namespace);
  const key = `"AccessKeyId@$(put ak "$${v.ak}")" "SecretAccessKey@$(put sk "$${v.sk}")"`;
  return [
    `iam --accept EntityAlreadyExists CreateUser UserName=${name} || true`,
    ...seaweedfsRevokeOld({ user: name, akVar: v.ak }),
    `if ! iam --accept EntityAlreadyExists CreateAccessKey UserName=${name} ${key}; then`,
    `  iam DeleteAccessKey UserName=${name} "AccessKeyId@$(put ak "$${v.ak}")"`,
    `  iam CreateAccessKey UserName=${name} ${key}`,
    'fi',
    `iam PutUserPolicy UserName=${name} PolicyName=${name} "PolicyDocument@$(put policy '${JSON.stringify(artifactPolicy(grant))}')"`,
  ];
}
