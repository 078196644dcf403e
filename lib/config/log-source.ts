/**
 * TensorBoard log directories: parsing, and whether the owner's object-store key can read them.
 * Pure (no cdk8s), so configuration validation reports a bad `logs` with its field path.
 */
import { outsideGrant, type ArtifactGrant } from './artifact-grants';

/** Where a log directory comes from. */
export type LogSource = { kind: 's3'; bucket: string; prefix: string } | { kind: 'pvc'; claim: string; path: string };

/** Parses "s3://bucket/prefix" or "pvc://claim/path" (upstream Tensorboard's `logspath` forms). */
export function logSource(logs: string): LogSource {
  const source = parseLogs(logs);
  if (!source) throw new Error(`TensorBoard logs: expected "s3://<bucket>/<prefix>" or "pvc://<claim>/<path>", got ${JSON.stringify(logs)}`);
  return source;
}

/** `logSource`, or undefined for a malformed string (the schema's own check reports that one). */
function parseLogs(logs: string): LogSource | undefined {
  const m = /^(s3|pvc):\/\/([^/]+)\/?(.*)$/.exec(logs);
  if (!m) return undefined;
  return m[1] === 's3' ? { kind: 's3', bucket: m[2], prefix: m[3] } : { kind: 'pvc', claim: m[2], path: m[3] };
}

/** A TensorBoard as far as its log directory goes. */
interface Board {
  readonly name: string;
  readonly owner: string;
  readonly logs: string;
}

/**
 * What is wrong with a TensorBoard's `logs` given the key its namespace holds (`grant`, undefined
 * when it holds none), or undefined. PVC directories need no key.
 */
export function tensorboardLogsProblem(tb: Board, namespace: string, grant: ArtifactGrant | undefined): string | undefined {
  const source = parseLogs(tb.logs);
  if (source?.kind !== 's3') return undefined;
  const who = `TensorBoard "${tb.name}" (owner ${tb.owner})`;
  if (!grant) return `${who}: s3:// logs need an object-store key in namespace ${namespace}, and none is generated there`;
  const problem = outsideGrant(source.bucket, source.prefix, grant, tb.logs);
  return problem && `${who}: ${problem}`;
}
