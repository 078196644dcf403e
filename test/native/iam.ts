/**
 * IAM calls to SeaweedFS' IAM API (on its S3 port), signed with a given key by curl's SigV4 as the
 * rendered Jobs sign them, for tests that check what the Jobs left in the store.
 */
import { spawnSync } from 'child_process';

export type Keys = { readonly accessKey: string; readonly secretKey: string };

/** One IAM call: the HTTP status and the response body. */
export function iamCall(endpoint: string, who: Keys, form: Record<string, string>): { status: number; body: string } {
  const args = Object.entries(form).flatMap(([k, v]) => ['--data-urlencode', `${k}=${v}`]);
  const r = spawnSync('curl', ['-sS', '-w', '\n%{http_code}', '--aws-sigv4', 'aws:amz:us-east-1:iam', '--user', `${who.accessKey}:${who.secretKey}`, ...args, `${endpoint}/`], { encoding: 'utf8' });
  const lines = r.stdout.trim().split('\n');
  const status = Number(lines.pop());
  return { status, body: lines.join('\n') };
}

/** One IAM call: the HTTP status and the error code (undefined on success). */
export function iamAs(endpoint: string, who: Keys, form: Record<string, string>): { status: number; code?: string } {
  const { status, body } = iamCall(endpoint, who, form);
  return { status, code: /<Code>([^<]*)<\/Code>/.exec(body)?.[1] };
}

/** The store's identities and each one's access key ids, sorted, as `admin` sees them (ListUsers, ListAccessKeys). */
export function identities(endpoint: string, admin: Keys): Record<string, string[]> {
  const values = (body: string, tag: string) => [...body.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => m[1]);
  const users = values(iamCall(endpoint, admin, { Action: 'ListUsers' }).body, 'UserName');
  return Object.fromEntries(users.sort().map((u) => [u, values(iamCall(endpoint, admin, { Action: 'ListAccessKeys', UserName: u }).body, 'AccessKeyId').sort()]));
}
