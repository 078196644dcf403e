/**
 * The pinned release's istioctl, built by scripts/istio/build-istioctl.sh into the shared cache.
 * Only native-tier tests use it: test/native/tier.js skips them when it is not built.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ROOT } from './stack';

const release = fs.readFileSync(path.join(ROOT, 'vendor', 'istio', 'release.env'), 'utf8');
export const ISTIO_MODULE_VERSION = /^ISTIO_MODULE_VERSION=(\S+)$/m.exec(release)![1];

const cacheRoot = process.env.MICROFLOW_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'microflow');
export const ISTIOCTL = process.env.MICROFLOW_ISTIOCTL ?? path.join(cacheRoot, `istioctl-${ISTIO_MODULE_VERSION}`, 'bin', 'istioctl');
