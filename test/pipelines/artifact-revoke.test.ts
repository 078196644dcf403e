/**
 * The revocation scripts must be valid shell for any set of rendered identities, including none
 * (configuration validation requires a user today, but the scripts must not rely on it: an empty
 * `case` pattern is a syntax error that would fail the whole registration Job).
 */
import { execFileSync } from 'child_process';
import { minioRevocation, seaweedfsRevocation, seaweedfsRevokeOld } from '../../lib/pipelines/artifact-revoke';

const parses = (lines: string[]) => execFileSync('sh', ['-n'], { input: `${lines.join('\n')}\n`, stdio: ['pipe', 'pipe', 'pipe'] });

describe.each([
  ['no identity', []],
  ['one identity', [{ user: 'kfp-ann', akVar: 'USER_0_AK' }]],
  ['two identities', [{ user: 'kfp-ann', akVar: 'USER_0_AK' }, { user: 'kfp-ben', akVar: 'USER_1_AK' }]],
])('%s', (_, rendered) => {
  test('the SeaweedFS revocation is valid shell', () => {
    expect(() => parses([...seaweedfsRevocation(rendered), ...rendered.flatMap(seaweedfsRevokeOld)])).not.toThrow();
  });
  test('the MinIO revocation is valid shell', () => {
    expect(() => parses(minioRevocation(rendered))).not.toThrow();
  });
});
