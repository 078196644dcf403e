/**
 * The package as users install it (scripts/check-pack.sh): `npm pack`, unpacked into an empty folder
 * with its dependencies linked from this checkout (no registry in the Node tier; CI also runs the
 * script's real `npm install`), examples/library compiled against its types and rendered.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as path from 'path';

const SCRIPT = path.join(__dirname, '..', 'scripts', 'check-pack.sh');

test('the packed package installs, compiles examples/library and renders microflow exactly as its CLI does', () => {
  const out = execFileSync(SCRIPT, ['--link-deps'], { encoding: 'utf8', timeout: 120_000 });
  expect(out).toMatch(/^check-pack: microflow-\d+\.\d+\.\d+\.tgz \(link\) installs, compiles examples\/library and renders it: 8 files, microflow's identical to microflow synth's$/m);
}, 150_000);

test('an unknown argument is refused by name, before packing anything', () => {
  const r = spawnSync(SCRIPT, ['--link'], { encoding: 'utf8' });
  expect(r.status).toBe(2);
  expect(r.stderr).toBe('check-pack: unknown argument "--link" (expected nothing or --link-deps)\n');
});
