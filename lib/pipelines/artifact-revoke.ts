import { STORE_ALIAS } from '../data';

/**
 * Revoking what the registration Job (artifact-users.ts) registered and no longer renders. microflow
 * owns exactly the store identities and policies named `kfp-<namespace>` (ARTIFACT_USER_PREFIX): the
 * scripts below touch nothing else, never the root identity (SeaweedFS' static `microflow`, MinIO's
 * root user, which `mc admin user list` does not even show), never a user or policy made by hand under
 * another name. An API error other than "not found" ends the Job naming the identity; the logs name
 * identities and revoked access key ids, never a secret.
 */
export const ARTIFACT_USER_PREFIX = 'kfp-';

/** One rendered namespace's store name (`kfp-<ns>`) and the variable holding its current access key. */
export interface RenderedKey {
  readonly user: string;
  readonly akVar: string;
}

/** Shell: the XML elements `$1` of the last IAM answer, one per line, entities decoded. */
const XML_VALUES = [
  'xmlvals() {',
  `  tr '<' '\\n' < "$d/out" | sed -n "s/^$1>//p" | sed -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&#34;/"/g' -e 's/&quot;/"/g' \\`,
  `    -e "s/&#39;/'/g" -e "s/&apos;/'/g" -e 's/&amp;/\\&/g'`,
  '}',
];

/**
 * SeaweedFS (IAM API, `iam` of SEAWEEDFS_IAM_PRELUDE), before any key is registered:
 * - every identity `kfp-*` not rendered loses its access keys, its inline policies, then itself
 *   (DeleteUser refuses an identity that still holds keys), so no key of a removed namespace opens
 *   anything, and a re-created identity of the same name would not inherit an old policy;
 * - `revoke_keys USER KEEP` and `revoke_policies USER KEEP` drop every access key and inline policy of a
 *   rendered identity but the ones its Secret and the render name (a Secret re-made with a new key id
 *   leaves the old one behind otherwise; SeaweedFS grants the union of all inline policies, so only
 *   `kfp-<ns>` may stay for a mode change to replace, not widen, the grant).
 */
export function seaweedfsRevocation(rendered: readonly RenderedKey[]): string[] {
  // No rendered identity (no user namespace) must still be a valid case pattern: '' names none.
  const mine = rendered.map((r) => r.user).join('|') || "''";
  return [
    ...XML_VALUES,
    'revoke_keys() {',
    '  iam ListAccessKeys "UserName=$1"',
    '  xmlvals AccessKeyId > "$d/keys"',
    '  while IFS= read -r k; do',
    '    if [ "$#" -gt 1 ] && [ "$k" = "$2" ]; then continue; fi',
    '    iam DeleteAccessKey "UserName=$1" "AccessKeyId@$(put key "$k")"',
    '    echo "store identity $1: access key $k revoked"',
    '  done < "$d/keys"',
    '}',
    'revoke_policies() {',
    '  iam ListUserPolicies "UserName=$1"',
    '  xmlvals member > "$d/policies"',
    '  while IFS= read -r p; do',
    '    if [ "$#" -gt 1 ] && [ "$p" = "$2" ]; then continue; fi',
    '    iam DeleteUserPolicy "UserName=$1" "PolicyName@$(put policyname "$p")"',
    '    echo "store identity $1: policy $p removed"',
    '  done < "$d/policies"',
    '}',
    'iam ListUsers',
    'xmlvals UserName > "$d/users"',
    'while IFS= read -r u; do',
    `  case $u in ${mine}) continue ;; ${ARTIFACT_USER_PREFIX}*) ;; *) continue ;; esac`,
    '  revoke_keys "$u"',
    '  revoke_policies "$u"',
    '  iam --accept NoSuchEntity DeleteUser "UserName=$u" || true',
    '  echo "store identity $u revoked: its namespace is no longer in users"',
    'done < "$d/users"',
  ];
}

/** SeaweedFS, for one rendered identity (after CreateUser, before its key is registered). */
export function seaweedfsRevokeOld(r: RenderedKey): string[] {
  return [`revoke_keys ${r.user} "$${r.akVar}"`, `revoke_policies ${r.user} ${r.user}`];
}

/**
 * MinIO (`mc admin`), after every key is registered. A MinIO user IS an access key, holding policy
 * `kfp-<ns>`: a user holding a `kfp-*` policy is microflow's unless it is the current key of that
 * namespace. Such a user holding only `kfp-*` policies (an old key of a re-made Secret, the key of a
 * removed namespace) is removed, with any service account made under it; one that holds other policies
 * too (given by hand) only loses the `kfp-*` ones. Then every `kfp-*` policy not rendered is removed.
 * `mc admin user list` is read as JSON (its table cuts keys at 20 characters), by the shell alone: the
 * mc image has no awk, sed or tr. A key the script cannot read back (a `"` or `\` in it) ends the Job.
 */
export function minioRevocation(rendered: readonly RenderedKey[]): string[] {
  const a = STORE_ALIAS;
  return [
    // current POLICY: is POLICY rendered? Its namespace's current key then in $k.
    `current() { case $1 in ${rendered.map((r) => `${r.user}) k=$${r.akVar} ;;`).join(' ')} *) return 1 ;; esac; }`,
    // madmin WHO ARGS...: mc admin ARGS; "does not exist" is done already; any other failure ends the Job naming WHO.
    'madmin() {',
    '  who=$1; shift',
    '  if out=$(mc admin "$@" 2>&1); then return 0; fi',
    '  case $out in *"does not exist"*|*"already in effect"*) return 0 ;; esac',
    '  echo "revoking $who: mc admin $1 $2 failed: $out" >&2; exit 1',
    '}',
    // jget FIELD RECORD: the JSON string FIELD of RECORD, in $v ("" when absent).
    'jget() { v=""; case $2 in *"\\"$1\\":"*) v=${2#*\\"$1\\":}; v=${v#"${v%%[! ]*}"}; v=${v#\\"}; v=${v%%\\"*} ;; esac; }',
    `mc admin user list ${a} --json > /tmp/users.json`,
    'all=""; while IFS= read -r l || [ -n "$l" ]; do all="$all $l"; done < /tmp/users.json',
    "while :; do case $all in *'}'*) ;; *) break ;; esac",
    '  rec=${all%%\\}*}; all=${all#*\\}}',
    '  jget accessKey "$rec"; user=$v; jget policyName "$rec"; rest="$v,"',
    '  stale=""; keep=""',
    '  while [ "$rest" != "" ]; do',
    '    p=${rest%%,*}; rest=${rest#*,}',
    `    case $p in ${ARTIFACT_USER_PREFIX}*) if current "$p" && [ "$user" = "$k" ]; then keep=1; else stale="$stale $p"; fi ;; ?*) keep=1 ;; esac`,
    '  done',
    '  [ -n "$stale" ] || continue',
    `  case $user in ''|*[\\"\\\\]*) echo "a MinIO user holding$stale cannot be read from mc's list: remove it by hand (mc admin user list ${a} --json)" >&2; exit 1 ;; esac`,
    '  if [ -z "$keep" ]; then',
    `    madmin "user $user" user remove ${a} "$user"; echo "MinIO user $user (\${stale# }) revoked"`,
    '  else',
    `    madmin "user $user" policy detach ${a} $stale --user "$user"; echo "MinIO user $user: \${stale# } detached"`,
    '  fi',
    'done',
    `mc admin policy list ${a} > /tmp/policies`,
    'while IFS= read -r p; do',
    `  case $p in ${ARTIFACT_USER_PREFIX}*) current "$p" && continue; madmin "policy $p" policy remove ${a} "$p"; echo "MinIO policy $p removed: its namespace is no longer in users" ;; esac`,
    'done < /tmp/policies',
  ];
}
