import type { Construct } from 'constructs';
import { GeneratedSecrets, type GeneratedSecretSpec } from '../data';
import { NAMESPACES, type WorkloadPolicy } from '../platform';
import { AUTH_SECRETS } from './constants';

/** Random bytes of the OAuth2 client secret and of each user's initial password (hex-encoded). */
const CLIENT_SECRET_BYTES = 32;
const PASSWORD_BYTES = 16;
/** 16 bytes hex-encode to 32 characters, which oauth2-proxy reads as base64 of a 24-byte AES key. */
const COOKIE_SECRET_BYTES = 16;

export interface LoginSecretsProps {
  readonly policy: WorkloadPolicy;
  /** The users, by email and namespace: each gets a password Secret. */
  readonly users: readonly { readonly email: string; readonly namespace: string }[];
}

/**
 * The login chain's credentials, generated once in the cluster by the data layer's generator:
 * oauth2-proxy's client secret (made in `auth` for Dex, copied into `oauth2-proxy`), its cookie
 * secret, and each user's initial password with its bcrypt hash (hashed in the cluster; Dex reads
 * the hash from the environment). Nothing of it is rendered; a Secret created first wins.
 */
export class LoginSecrets {
  public readonly generator: GeneratedSecrets;

  constructor(scope: Construct, id: string, props: LoginSecretsProps) {
    const { dexClient, oauth2Proxy, userPassword, userPasswordKeys: k } = AUTH_SECRETS;
    const secrets: GeneratedSecretSpec[] = [
      { name: dexClient.name, data: { [dexClient.keys.clientSecret]: { random: CLIENT_SECRET_BYTES } } },
      {
        name: oauth2Proxy.name,
        namespace: NAMESPACES.oauth2Proxy,
        data: {
          [oauth2Proxy.keys.clientSecret]: { copy: { secret: dexClient.name, key: dexClient.keys.clientSecret } },
          [oauth2Proxy.keys.cookieSecret]: { random: COOKIE_SECRET_BYTES },
        },
      },
      ...props.users.map((u) => ({
        name: userPassword(u.namespace),
        data: { [k.username]: { fixed: u.email }, [k.password]: { random: PASSWORD_BYTES }, [k.hash]: { bcrypt: k.password } },
        // Dex reads only the hash: a Secret made beforehand with a hash of the user's own password is enough.
        required: [k.hash],
      })),
    ];
    this.generator = new GeneratedSecrets(scope, id, { name: 'login-secrets', namespace: NAMESPACES.auth, policy: props.policy, secrets });
  }
}
