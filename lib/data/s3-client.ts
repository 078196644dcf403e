import { k8s } from 'cdk8s-plus-28';
import type { ContainerProps } from '../platform';
import { S3_ENDPOINT_ENV } from './constants';
import { secretEnv, type ObjectStore } from './handles';

/** Alias the scripts below use for the object store. */
export const STORE_ALIAS = 'store';

/**
 * Shell prelude for an `mc` container: waits (bounded) until the store answers, then defines the
 * alias. `mc` keeps its config under /tmp, the container's only writable path.
 */
export const MC_PRELUDE = [
  'set -eu',
  'export MC_CONFIG_DIR=/tmp/mc',
  'tries=0',
  `until mc alias set ${STORE_ALIAS} "$S3_ENDPOINT" "$S3_ACCESS_KEY" "$S3_SECRET_KEY" --api S3v4 >/dev/null 2>&1 && mc ls ${STORE_ALIAS} >/dev/null 2>&1; do`,
  '  tries=$((tries + 1))',
  '  if [ "$tries" -ge 60 ]; then echo "object store $S3_ENDPOINT did not answer in 5 minutes" >&2; exit 1; fi',
  '  echo "waiting for the object store at $S3_ENDPOINT"; sleep 5',
  'done',
].join('\n');

/**
 * A container running a shell script against the store with its root key in S3_ACCESS_KEY and
 * S3_SECRET_KEY and its endpoint in S3_ENDPOINT, `/tmp` on MC_TMP_VOLUME: the shape `mcContainer` and
 * `seaweedfsIamContainer` share. `prelude` runs before `script`.
 */
export function storeScriptContainer(store: ObjectStore, image: 'mc' | 'seaweedfs', prelude: string, name: string, script: string, extra: Partial<ContainerProps> = {}): ContainerProps {
  return {
    name,
    image,
    resources: 'buckets',
    runsToCompletion: true,
    command: ['/bin/sh', '-c', `${prelude}\n${script}\n`],
    ...extra,
    env: [
      { name: S3_ENDPOINT_ENV, value: store.endpoint },
      secretEnv('S3_ACCESS_KEY', store.credentials, 'accesskey'),
      secretEnv('S3_SECRET_KEY', store.credentials, 'secretkey'),
      ...(extra.env ?? []),
    ],
    volumeMounts: [{ name: MC_TMP_VOLUME.name, mountPath: '/tmp' }, ...(extra.volumeMounts ?? [])],
  };
}

/** A container running an `mc` script against the store, as the workload policy wants it. */
export function mcContainer(store: ObjectStore, name: string, script: string, extra: Partial<ContainerProps> = {}): ContainerProps {
  return storeScriptContainer(store, 'mc', MC_PRELUDE, name, script, extra);
}

export const MC_TMP_VOLUME: k8s.Volume = { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } };
