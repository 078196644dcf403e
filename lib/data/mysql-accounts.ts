import { k8s } from 'cdk8s-plus-28';
import type { ContainerProps } from '../platform';
import { secretEnv, type DatabaseAccount } from './handles';

/** Where the accounts' SQL is written for mysqld's `--init-file` (a memory volume: it holds passwords). */
export const ACCOUNTS_DIR = '/run/mysql-init';
export const ACCOUNTS_FILE = `${ACCOUNTS_DIR}/accounts.sql`;
export const ACCOUNTS_VOLUME: k8s.Volume = { name: 'accounts', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } };

/**
 * The init container that writes the SQL mysqld runs at every start (`--init-file`, as its bootstrap
 * user): each database created, and each account created, given its Secret's current password, stripped
 * of every privilege and granted exactly its own databases. So an upgraded server converges too (an
 * account that used to hold more loses it), no account needs root, and root never leaves the pod.
 * The passwords reach the file through the environment, never a command line or the manifest.
 */
export function accountsInitContainer(accounts: readonly DatabaseAccount[], databases: readonly string[]): ContainerProps {
  const env = accounts.flatMap((a, i) => [
    secretEnv(`ACCOUNT_${i}_USER`, a.credentials, 'username'),
    secretEnv(`ACCOUNT_${i}_PASSWORD`, a.credentials, 'password'),
  ]);
  return {
    name: 'accounts',
    image: 'mysql',
    resources: 'mysql',
    command: ['/bin/sh', '-c', accountsScript(accounts, databases)],
    env: [{ name: 'ACCOUNTS_FILE', value: ACCOUNTS_FILE }, ...env],
    volumeMounts: [{ name: ACCOUNTS_VOLUME.name, mountPath: ACCOUNTS_DIR }],
  };
}

/** A database name, which goes into the SQL between backquotes and into the script unquoted. */
function identifier(name: string): string {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`MySQL accounts: database name ${JSON.stringify(name)} must be lower-case letters, digits and _`);
  return name;
}

/**
 * The script (POSIX sh). User names and passwords come from Secrets an admin may have made, so they
 * are refused when they could not be one line of SQL or would touch MySQL's own accounts, and go into
 * the SQL only as string literals with `\` and `'` doubled.
 */
export function accountsScript(accounts: readonly DatabaseAccount[], databases: readonly string[]): string {
  const grants = (a: DatabaseAccount) => a.databases.map((d) => {
    if (!databases.includes(d)) throw new Error(`MySQL accounts: ${a.credentials.name} is granted ${d}, which the server does not create`);
    return identifier(d);
  }).join(' ');
  return [
    'set -eu',
    'umask 077',
    // printf's "." keeps trailing newlines through $(...); they are refused below anyway.
    'lit() { v=$(printf \'%s.\' "$1" | sed -e \'s/\\\\/\\\\\\\\/g\' -e "s/\'/\'\'/g"); printf "\'%s\'" "${v%.}"; }',
    'nl=$(printf \'\\n.\'); nl=${nl%.}',
    'seen=" "',
    'account() {',
    '  secret=$1 user=$2 password=$3; shift 3',
    '  case "$user$password" in *"$nl"*) echo "mysql-accounts: $secret: a username or password with a line break cannot be one line of SQL" >&2; exit 1;; esac',
    '  [ -n "$user" ] && [ -n "$password" ] || { echo "mysql-accounts: $secret: username and password must not be empty" >&2; exit 1; }',
    '  case "$user" in root|mysql.*|mariadb.*) echo "mysql-accounts: $secret: username $user is one of MySQL\'s own accounts" >&2; exit 1;; esac',
    '  [ ${#user} -le 32 ] || { echo "mysql-accounts: $secret: username $user is longer than MySQL\'s 32 characters" >&2; exit 1; }',
    '  case "$seen" in *" $user "*) echo "mysql-accounts: $secret: username $user is already another account\'s" >&2; exit 1;; esac',
    '  seen="$seen$user "',
    '  u="$(lit "$user")@\'%\'" p=$(lit "$password")',
    // printf, not echo: dash's echo would read the backslashes the literals double.
    '  printf \'%s\\n\' "CREATE USER IF NOT EXISTS $u IDENTIFIED BY $p;" "ALTER USER $u IDENTIFIED BY $p;" "REVOKE ALL PRIVILEGES, GRANT OPTION FROM $u;"',
    '  for db in "$@"; do printf \'%s\\n\' "GRANT ALL PRIVILEGES ON \\`$db\\`.* TO $u;"; done',
    '}',
    '{',
    ...databases.map((d) => `  printf '%s\\n' 'CREATE DATABASE IF NOT EXISTS \`${identifier(d)}\`;'`),
    ...accounts.map((a, i) => `  account ${a.credentials.name} "$ACCOUNT_${i}_USER" "$ACCOUNT_${i}_PASSWORD" ${grants(a)}`),
    '} > "$ACCOUNTS_FILE.new"',
    'mv "$ACCOUNTS_FILE.new" "$ACCOUNTS_FILE"',
    '',
  ].join('\n');
}
