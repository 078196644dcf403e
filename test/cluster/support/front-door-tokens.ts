/**
 * Service-account tokens the API server would never issue, for the front door's refusals: one past
 * its expiry (the TokenRequest API refuses lifetimes under 10 minutes, so a test cannot wait one
 * out) signed with the harness's own signing key, and one signed by a key the cluster does not
 * publish. Claims, header and key id are those of a real token of `default-editor`, so the only
 * fault is the one named; an unexpired one signed by the cluster's key is the control that passes.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { k } from './kube';

const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');

export async function forgedToken(opts: { namespace: string; expiredSecondsAgo?: number; otherKey?: boolean; audience?: string; name?: string }): Promise<string> {
  const jwks = JSON.parse(await k(['get', '--raw', '/openid/v1/jwks']));
  const issuer = JSON.parse(await k(['get', '--raw', '/.well-known/openid-configuration'])).issuer;
  const key = opts.otherKey
    ? crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
    : crypto.createPrivateKey(fs.readFileSync(path.join(process.env.MICROFLOW_CLUSTER_DIR!, 'pki', 'sa.key')));
  const now = Math.floor(Date.now() / 1000);
  const exp = opts.expiredSecondsAgo ? now - opts.expiredSecondsAgo : now + 600;
  const name = opts.name ?? 'default-editor';
  const claims = {
    aud: [opts.audience ?? 'microflow-gateway'], exp, iat: exp - 600, nbf: exp - 600, iss: issuer,
    sub: `system:serviceaccount:${opts.namespace}:${name}`,
    'kubernetes.io': { namespace: opts.namespace, serviceaccount: { name, uid: '00000000-0000-4000-8000-000000000000' } },
  };
  const head = b64({ alg: 'RS256', kid: jwks.keys[0].kid });
  const body = b64(claims);
  const signature = crypto.sign('sha256', Buffer.from(`${head}.${body}`), key).toString('base64url');
  return `${head}.${body}.${signature}`;
}
