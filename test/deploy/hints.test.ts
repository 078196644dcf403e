/** What the deploy prints at the end, from its components' annotations (the laptop render's: commands.test.ts). */
import { deployHints, formatHints, type Manifest } from '../../lib/deploy';
import { DEPLOY_HINT_ANNOTATIONS } from '../../lib/platform';

test('without a login URL: which annotations a login component would carry', () => {
  expect(formatHints({})).toBe('login: this stack has no login component yet (when it does, its objects carry the '
    + `${DEPLOY_HINT_ANNOTATIONS.loginUrl} and ${DEPLOY_HINT_ANNOTATIONS.passwordCommand} annotations and they are printed here)`);
});

test('a login URL and the command that prints the generated password', () => {
  expect(formatHints({ loginUrl: 'https://microflow.local/', passwordCommand: 'kubectl get secret x' })).toBe('log in at https://microflow.local/\nyour generated password: kubectl get secret x');
});

test('a login URL without a password command: one line', () => {
  expect(formatHints({ loginUrl: 'https://microflow.local/' })).toBe('log in at https://microflow.local/');
});

test('each hint comes from the first object carrying it; objects without annotations are skipped', () => {
  const o = (name: string, annotations?: Record<string, string>): Manifest => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(annotations ? { annotations } : {}) } });
  expect(deployHints([
    o('plain'),
    o('first', { [DEPLOY_HINT_ANNOTATIONS.loginUrl]: 'https://a/' }),
    o('second', { [DEPLOY_HINT_ANNOTATIONS.loginUrl]: 'https://b/', [DEPLOY_HINT_ANNOTATIONS.passwordCommand]: 'cmd' }),
  ])).toEqual({ loginUrl: 'https://a/', passwordCommand: 'cmd' });
});
