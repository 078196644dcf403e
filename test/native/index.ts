/**
 * Run a rendered container natively: see README.md. The API:
 *   const pod = renderedPod(objects, 'StatefulSet', 'seaweedfs', 'kubeflow');
 *   const np = await NativePod.start(pod, { binaries: { weed }, secrets: { ... } });
 *   await np.probes();            // the rendered probes, against the native program
 *   np.port('s3'); np.serviceAddresses(); np.hostPath('/data');
 *   await np.stop();
 *   await NativePod.runToCompletion(jobPod, { addresses: np.serviceAddresses(), ... });
 */
export { renderedPod, expandRefs, quantity, type RenderedObject, type RenderedPod } from './pod';
export { freePorts, NativePod, type NativeOptions } from './run';
export { ProbeError, type ProbeKind, type ProbeResult } from './probes';
export { rewriter, type RewriteRules } from './rewrite';
export { nativeProgram, requireNative, type NativeProgram } from './programs';
