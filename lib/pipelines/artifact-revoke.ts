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
  const mine = rendered.map((r) => r.user).join('|');
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
