/**
 * The cdk8s app (cdk8s.yaml runs it through scripts/synth.js; `npm run synth` and `microflow synth` too):
 * renders microflow into cdk8s' output folder.
 *   MICROFLOW_CONFIG=path/to/file.yaml  configuration file (default: the built-in laptop profile)
 *   MICROFLOW_OUT=path/to/dir           output folder (default: CDK8S_OUTDIR, set by `cdk8s synth`, else dist)
 * Exit code 1 on invalid configuration (the output folder as it was), 2 on any other failure.
 */
import { DEFAULT_OUT, SNAPSHOTS, synth } from './scripts/synth-command';

// An explicit MICROFLOW_OUT is a one-off render (tests, bench): no snapshot of it is kept.
const defaultOut = !process.env.MICROFLOW_OUT;
process.exitCode = synth({
  configFile: process.env.MICROFLOW_CONFIG,
  out: process.env.MICROFLOW_OUT || process.env.CDK8S_OUTDIR || DEFAULT_OUT,
  underCdk8s: defaultOut && !!process.env.CDK8S_OUTDIR,
  snapshots: defaultOut ? SNAPSHOTS : undefined,
});
