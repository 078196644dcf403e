/**
 * The EncryptionConfiguration `npm run encryption-config` writes, word for word: the API server
 * reads it as YAML, and the comments are the only warning the operator gets about the key.
 * (Randomness, file mode and where it may be written: commands.test.ts.)
 */
import { encryptionConfiguration } from '../../lib/deploy';

afterEach(() => jest.useRealTimers());

test('a secretbox provider with the given key named after today\'s date, identity last', () => {
  // A fixed clock: the key name carries the date it was generated.
  jest.useFakeTimers({ now: new Date('2026-03-04T23:59:59Z') });
  const key = Buffer.alloc(32, 7);
  expect(encryptionConfiguration(key)).toBe([
    '# Written by `npm run encryption-config`. The key below decrypts every Secret of the cluster:',
    '# keep this file only on the node (mode 600), back it up somewhere safe, never commit it.',
    'apiVersion: apiserver.config.k8s.io/v1',
    'kind: EncryptionConfiguration',
    'resources:',
    '  - resources: [secrets]',
    '    providers:',
    '      - secretbox:',
    '          keys:',
    '            - name: key-20260304',
    `              secret: ${key.toString('base64')}`,
    '      - identity: {}',
    '',
  ].join('\n'));
});

test('secretbox takes 32-byte keys only', () => {
  expect(() => encryptionConfiguration(Buffer.alloc(16))).toThrow('secretbox needs a 32-byte key');
});
