/**
 * The pinned release's istioctl, built by `scripts/programs/build.sh istioctl` into the shared cache.
 * Tests that need it skip loudly when it is absent locally; CI (CI=true) or
 * MICROFLOW_REQUIRE_ISTIOCTL=1 makes its absence a failure.
 */
import * as fs from 'fs';
import * as path from 'path';
import { programPath } from './programs';
import { ROOT } from './stack';

const release = fs.readFileSync(path.join(ROOT, 'vendor', 'istio', 'release.env'), 'utf8');
export const ISTIO_MODULE_VERSION = /^ISTIO_MODULE_VERSION=(\S+)$/m.exec(release)![1];

// A name that exists nowhere when it is not built, so the tests below skip (or fail, when required).
export const ISTIOCTL = programPath('istioctl') ?? 'istioctl (not built)';

export const istioctlRequired = process.env.CI === 'true' || process.env.MICROFLOW_REQUIRE_ISTIOCTL === '1';

/** `describe` when istioctl is there (or required), else a loudly skipped `describe`. */
export function describeWithIstioctl(name: string, fn: () => void): void {
  if (fs.existsSync(ISTIOCTL) || istioctlRequired) {
    describe(name, () => {
      test('istioctl of the pinned release is built', () => {
        expect({ istioctl: ISTIOCTL, exists: fs.existsSync(ISTIOCTL) }).toEqual({ istioctl: ISTIOCTL, exists: true });
      });
      fn();
    });
  } else {
    console.warn(`SKIPPED "${name}": istioctl is not built. Run scripts/programs/build.sh istioctl (about 3.5 min); CI requires it.`);
    describe.skip(name, fn);
  }
}
