/**
 * `npm run deploy [-- dir]`: applies a rendered folder (default dist/) to the current kubectl context
 * in ordered phases with server-side apply: CRDs, wait until Established, then the rest. One pass.
 */
import { applyPhases, planPhases, readRendered } from '../lib/deploy';

try {
  applyPhases(planPhases(readRendered(process.argv[2] ?? 'dist')));
} catch (e) {
  console.error(`microflow deploy: ${(e as Error).message}`);
  process.exitCode = 1;
}
