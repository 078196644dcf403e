import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** Where microk8s reads kube-apiserver's arguments and where the README puts the configuration. */
export const MICROK8S_ENCRYPTION_CONFIG = '/var/snap/microk8s/current/args/encryption-config.yaml';

/**
 * An EncryptionConfiguration that encrypts Secrets with a key generated here, on this machine
 * (secretbox: XSalsa20-Poly1305, 32 random bytes). `identity` stays last so Secrets written before
 * encryption was switched on can still be read until they are rewritten.
 */
export function encryptionConfiguration(key: Buffer = crypto.randomBytes(32)): string {
  if (key.length !== 32) throw new Error('secretbox needs a 32-byte key');
  return [
    '# Written by `npm run encryption-config`. The key below decrypts every Secret of the cluster:',
    '# keep this file only on the node (mode 600), back it up somewhere safe, never commit it.',
    'apiVersion: apiserver.config.k8s.io/v1',
    'kind: EncryptionConfiguration',
    'resources:',
    '  - resources: [secrets]',
    '    providers:',
    '      - secretbox:',
    '          keys:',
    `            - name: key-${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`,
    `              secret: ${key.toString('base64')}`,
    '      - identity: {}',
    '',
  ].join('\n');
}

/**
 * Writes the configuration with mode 600. Refuses to replace an existing file (Secrets encrypted
 * with its key would become unreadable) and to write inside the repository (it would end up in git).
 */
export function writeEncryptionConfiguration(file: string, repoRoot: string): string {
  const target = path.resolve(file);
  const rel = path.relative(path.resolve(repoRoot), target);
  if (!rel.startsWith('..') && !path.isAbsolute(rel)) {
    throw new Error(`refusing to write the key inside the repository (${target}): it must never reach git or dist/. Write it to e.g. ~/.config/microflow/encryption-config.yaml`);
  }
  if (fs.existsSync(target)) {
    throw new Error(`${target} exists: replacing its key would make every Secret encrypted with it unreadable. Keep it, or rotate keys as the Kubernetes documentation describes (add a new key first, rewrite all Secrets, then drop the old one)`);
  }
  fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
  fs.writeFileSync(target, encryptionConfiguration(), { mode: 0o600, flag: 'wx' });
  return target;
}
