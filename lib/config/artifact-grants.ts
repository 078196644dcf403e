/**
 * What the object-store key of a user namespace opens: one fact, read by the Job that registers the
 * key (Pipelines' ArtifactUsers), by the TensorBoards that use it and by configuration validation
 * (a TensorBoard's s3:// logs must lie inside it). It lives in lib/config, below every component,
 * because validation needs it and lib/config imports no component.
 */

/** The bucket KFP's artifacts and Argo's logs go to (KFP's default `mlpipeline`). */
export const ARTIFACTS_BUCKET = 'mlpipeline';

/**
 * Artifact layout in the bucket: everything of a namespace lives under this prefix, so per-user
 * object-store credentials can be limited to it (upstream KFP's multi-user layout).
 */
export const ARTIFACT_PREFIX = 'private-artifacts';
/** The key prefix of one namespace's artifacts, ending in '/'. */
export const namespacePrefix = (namespace: string) => `${ARTIFACT_PREFIX}/${namespace}/`;

/** One user namespace's key: which part of which bucket it opens, and how. */
export interface ArtifactGrant {
  /** The user namespace whose `mlpipeline-minio-artifact` holds the key. */
  readonly namespace: string;
  /** The bucket it opens (the artifacts bucket). */
  readonly bucket: string;
  /** The key prefix it opens, read and written, ending in '/'. */
  readonly prefix: string;
}

/**
 * The grant a user namespace's key gets: runs happen in the namespace, so its key reads and writes its
 * own `private-artifacts/<ns>/` (pipeline root and Argo's logs), and nothing of another namespace's.
 */
export function artifactGrant(namespace: string): ArtifactGrant {
  return { namespace, bucket: ARTIFACTS_BUCKET, prefix: namespacePrefix(namespace) };
}

/**
 * The grants to register: one per user namespace. Which namespaces hold a key is not decided by what
 * is declared in them: a notebook started from the web app reads artifacts as much as a declared
 * TensorBoard does, so every user namespace gets one.
 */
export function artifactGrants(userNamespaces: readonly string[]): ArtifactGrant[] {
  return userNamespaces.map(artifactGrant);
}

/** `s3://<bucket>/<grant prefix>`, for messages. */
export const grantUrl = (g: ArtifactGrant) => `s3://${g.bucket}/${g.prefix}`;

/**
 * Why an object-store location (bucket, key prefix) lies outside what `grant` opens, or undefined;
 * `where` names it in the message. The prefix is compared as a folder ("a/b" reads "a/b/…"), and "."
 * or ".." segments are refused: S3 keys are literal, but clients may clean them into another folder.
 */
export function outsideGrant(bucket: string, prefix: string, grant: ArtifactGrant, where = `s3://${bucket}/${prefix}`): string | undefined {
  const folder = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  if (folder.split('/').some((s) => s === '.' || s === '..')) return `${where} has "." or ".." segments: name the folder as stored`;
  if (bucket === grant.bucket && folder.startsWith(grant.prefix)) return undefined;
  return `${where} is outside what namespace ${grant.namespace}'s object-store key may read; expected a folder under ${grantUrl(grant)} (each namespace's key opens its own prefix only)`;
}
