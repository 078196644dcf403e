import type { ContainerProps } from '../platform';
import type { ObjectStore } from './handles';
import { storeScriptContainer } from './s3-client';

/** Where the IAM scripts keep their files (a memory-backed emptyDir the caller mounts). */
const WORK = '/tmp';

/**
 * curl's config syntax for one quoted value, by awk from ENVIRON (never through a format string or
 * the shell's parser): inside double quotes curl reads \\, \", \t, \n, \r and \v as escapes and
 * every other byte as itself, so the root key may be anything a user put in the Secret.
 */
const CURL_QUOTE = [
  'function q(s,  out, i, c) {',
  '  out = ""',
  '  for (i = 1; i <= length(s); i++) {',
  '    c = substr(s, i, 1)',
  '    if (c == "\\"" || c == "\\\\") out = out "\\\\" c',
  '    else if (c == "\\n") out = out "\\\\n"',
  '    else if (c == "\\r") out = out "\\\\r"',
  '    else if (c == "\\t") out = out "\\\\t"',
  '    else if (c == "\\v") out = out "\\\\v"',
  '    else out = out c',
  '  }',
  '  return "\\"" out "\\""',
  '}',
].join('\n');

/**
 * Shell prelude of a SeaweedFS IAM script. SeaweedFS serves the AWS IAM API (CreateUser,
 * CreateAccessKey, PutUserPolicy...) on its S3 port; identities made there are kept in the filer
 * (on the data volume) beside the static root identity of `-s3.config`, and take effect at once.
 * `iam [--accept CODE] ACTION NAME=VALUE|NAME@FILE...` makes one call signed with the root key
 * (curl's SigV4) and ends the script on any failure, except that it returns 3 when the store
 * answered with the error code CODE. Its messages name the identity (`UserName=`) a call was about.
 * Responses go to a file and are never printed: CreateAccessKey's repeats the secret.
 */
export const SEAWEEDFS_IAM_PRELUDE = [
  'set -eu',
  'umask 077',
  `d=$(mktemp -d ${WORK}/iam.XXXXXX)`,
  'trap \'rm -rf "$d"\' EXIT',
  // curl's --user splits at the first ":"; an access key holding one would sign as someone else.
  'case $S3_ACCESS_KEY in *:*) echo "the store\'s access key contains \\":\\", which SigV4 clients cannot send: choose another" >&2; exit 1 ;; esac',
  '# The root key goes to curl in a config file, never on a command line.',
  `awk '${CURL_QUOTE}\nBEGIN { printf "user = %s\\n", q(ENVIRON["S3_ACCESS_KEY"] ":" ENVIRON["S3_SECRET_KEY"]) }' > "$d/root"`,
  'tries=0',
  'until curl -sf -o /dev/null "$S3_ENDPOINT/status"; do',
  '  tries=$((tries + 1))',
  '  if [ "$tries" -ge 60 ]; then echo "object store $S3_ENDPOINT did not answer in 5 minutes" >&2; exit 1; fi',
  '  echo "waiting for the object store at $S3_ENDPOINT"; sleep 5',
  'done',
  'iam() {',
  '  accept=""; if [ "$1" = --accept ]; then accept=$2; shift 2; fi',
  '  action=$1; shift; who=""',
  '  for a in "$@"; do case $a in UserName=*) who=" (user ${a#UserName=})" ;; esac; set -- "$@" --data-urlencode "$a"; shift; done',
  '  if ! code=$(curl -sS -o "$d/out" -w \'%{http_code}\' -K "$d/root" --aws-sigv4 aws:amz:us-east-1:iam --data-urlencode "Action=$action" "$@" "$S3_ENDPOINT/"); then',
  '    echo "IAM $action$who: no answer from $S3_ENDPOINT" >&2; exit 1',
  '  fi',
  '  [ "$code" = 200 ] && return 0',
  '  err=$(sed -n \'s:.*<Code>\\([^<]*\\)</Code>.*:\\1:p\' "$d/out")',
  '  if [ -n "$accept" ] && [ "$err" = "$accept" ]; then return 3; fi',
  '  echo "IAM $action: HTTP $code ${err:-no error code}: $(sed -n \'s:.*<Message>\\([^<]*\\)</Message>.*:\\1:p\' "$d/out")$who" >&2',
  '  exit 1',
  '}',
  // Values for `NAME@FILE` arguments: written with printf's %s, so nothing in them is interpreted.
  `put() { printf '%s' "$2" > "$d/$1"; echo "$d/$1"; }`,
].join('\n');

/**
 * A container running a SeaweedFS IAM script against the store with its root key: the SeaweedFS
 * image itself (Alpine, with curl), so no other image is pulled for it.
 */
export function seaweedfsIamContainer(store: ObjectStore, name: string, script: string, extra: Partial<ContainerProps> = {}): ContainerProps {
  if (store.kind !== 'seaweedfs') throw new Error(`seaweedfsIamContainer "${name}": the object store is ${store.kind}, not seaweedfs`);
  return storeScriptContainer(store, 'seaweedfs', SEAWEEDFS_IAM_PRELUDE, name, script, extra);
}
