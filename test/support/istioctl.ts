/**
 * The pinned release's istioctl, built by `scripts/programs/build.sh istioctl` into the shared cache.
 * Only native-tier tests use it: test/native/tier.js skips them when it is not built.
 */
import * as fs from 'fs';
import * as path from 'path';
import { programPath } from './programs';
import { ROOT } from './stack';

const release = fs.readFileSync(path.join(ROOT, 'vendor', 'istio', 'release.env'), 'utf8');
export const ISTIO_MODULE_VERSION = /^ISTIO_MODULE_VERSION=(\S+)$/m.exec(release)![1];

// A name that exists nowhere when it is not built (test/native/tier.js skips the files that need it).
export const ISTIOCTL = programPath('istioctl') ?? 'istioctl (not built)';
