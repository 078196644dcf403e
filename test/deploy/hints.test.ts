/** What the deploy prints at the end; the annotations themselves are read in commands.test.ts. */
import { formatHints } from '../../lib/deploy';
import { DEPLOY_HINT_ANNOTATIONS } from '../../lib/platform';

test('without a login URL: which annotations a login component would carry', () => {
  expect(formatHints({})).toBe('login: this stack has no login component yet (when it does, its objects carry the '
    + `${DEPLOY_HINT_ANNOTATIONS.loginUrl} and ${DEPLOY_HINT_ANNOTATIONS.passwordCommand} annotations and they are printed here)`);
});

test('a login URL without a password command: one line', () => {
  expect(formatHints({ loginUrl: 'https://microflow.local/' })).toBe('log in at https://microflow.local/');
});
