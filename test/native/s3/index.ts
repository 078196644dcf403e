/**
 * A real S3 client (boto3, from the `s3-client` venv that scripts/programs/build.sh caches) for tests
 * that run an object store natively, and an `mc` stand-in over it for the rendered `mc` scripts.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export type S3Auth = 'keys' | 'anonymous' | { access_key: string; secret_key: string };
export type S3Op =
  | { op: 'list_buckets'; auth?: S3Auth }
  | { op: 'create_bucket' | 'head_bucket' | 'list_objects'; bucket: string; prefix?: string; auth?: S3Auth }
  | { op: 'put'; bucket: string; key: string; body_hex: string; auth?: S3Auth }
  | { op: 'get' | 'delete'; bucket: string; key: string; auth?: S3Auth };
export type S3Result = { ok: true; value: any } | { ok: false; code: string; status: number; message: string };

/** Runs the operations in one boto3 process; `keys` are what `auth: 'keys'` (the default) signs with. */
export function s3(python: string, endpoint: string, keys: { accessKey: string; secretKey: string }, ops: S3Op[]): S3Result[] {
  const r = spawnSync(python, [path.join(__dirname, 's3ops.py'), endpoint], {
    input: JSON.stringify(ops), encoding: 'utf8', timeout: 120_000,
    env: { ...process.env, S3_ACCESS_KEY: keys.accessKey, S3_SECRET_KEY: keys.secretKey },
  });
  if (r.status !== 0) throw new Error(`s3ops.py failed (${r.status ?? r.signal}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** Writes an `mc` executable (into `dir`) that runs the boto3 stand-in with the venv's Python. */
export function mcStandIn(python: string, dir: string): string {
  const file = path.join(dir, 'mc');
  fs.writeFileSync(file, `#!/bin/sh\nexec '${python}' '${path.join(__dirname, 'mc.py')}' "$@"\n`, { mode: 0o755 });
  return file;
}
