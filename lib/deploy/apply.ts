import { spawnSync } from 'child_process';
import * as yaml from 'js-yaml';
import type { Manifest, Phase } from './phases';

/** The field manager microflow's applies own their fields under. */
export const FIELD_MANAGER = 'microflow';

/** What a kubectl run gives back (spawnSync's shape). */
export interface KubectlResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Set when the program could not be started at all. */
  readonly error?: Error;
}

/**
 * kubectl: a binary, or a function that answers as one would. The deploy code's unit tests answer
 * in-process (test/deploy/scripted.ts): StrykerJS runs them once per mutant, and a process per
 * call made that hours.
 */
export type Kubectl = string | ((args: string[], input?: string) => KubectlResult);

const DEFAULT_KUBECTL = () => process.env.MICROFLOW_KUBECTL ?? 'kubectl';

/** Runs kubectl and returns what it printed and its exit status, whatever that is. */
export function runKubectl(args: string[], input?: string, bin: Kubectl = DEFAULT_KUBECTL(), maxBuffer = 64 * 2 ** 20): KubectlResult {
  return typeof bin === 'function' ? bin(args, input) : spawnSync(bin, args, { input, encoding: 'utf8', maxBuffer });
}

export interface ApplyOptions {
  /** kubectl binary (or, in tests, a function answering as one). @default process.env.MICROFLOW_KUBECTL ?? 'kubectl' */
  readonly kubectl?: Kubectl;
  /** Seconds to wait for CRDs to become Established. @default 60 */
  readonly crdTimeoutSeconds?: number;
  /** Progress lines go here. @default console.log */
  readonly log?: (line: string) => void;
  /** Seconds to wait for Deployments to become Available and webhooks to get their CA bundle. @default 300 */
  readonly availableTimeoutSeconds?: number;
  /** Seconds to wait for each ResourceQuota to count every resource it limits. @default 120 */
  readonly quotaTimeoutSeconds?: number;
  /** Polling interval for webhook CA bundles and quota status, in milliseconds. @default 2000 */
  readonly pollMs?: number;
}

/** A kubectl call that failed; carries its output. */
export class KubectlError extends Error {
  constructor(public readonly args: string[], public readonly stderr: string, public readonly status: number | null) {
    super(`kubectl ${args.join(' ')} failed (exit ${status}):\n${stderr}`);
    this.name = 'KubectlError';
  }
}

export function kubectl(args: string[], input?: string, bin: Kubectl = DEFAULT_KUBECTL()): string {
  return kubectlWarned(args, input, bin).stdout;
}

/**
 * The API server's warnings in kubectl's stderr (deprecated APIs, unknown or duplicate fields,
 * PodSecurity `warn`): kubectl prints each as a line starting with "Warning: ".
 */
export function apiWarnings(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('Warning: ')).map((l) => l.slice('Warning: '.length));
}

/** Runs kubectl; returns its output and the API server's warnings; throws on failure. */
export function kubectlWarned(args: string[], input?: string, bin: Kubectl = DEFAULT_KUBECTL()): { stdout: string; warnings: string[] } {
  const r = runKubectl(args, input, bin);
  if (r.error) throw r.error;
  if (r.status !== 0) throw new KubectlError(args, r.stderr, r.status);
  return { stdout: r.stdout, warnings: apiWarnings(r.stderr) };
}

const toYaml = (objects: object[]) => objects.map((o) => yaml.dump(o, { noRefs: true })).join('---\n');

/**
 * A Job's pod template is immutable, so an upgrade that changes one (a new image, a new script)
 * would fail the apply. Finished Jobs whose template changed are deleted first, so the apply
 * recreates them; a Job still running is an error (it is doing work that must not be cut off).
 */
export function replaceChangedJobs(objects: Manifest[], opts: ApplyOptions = {}): string[] {
  const bin = opts.kubectl;
  const replaced: string[] = [];
  for (const job of objects.filter((o) => o.kind === 'Job')) {
    const ns = job.metadata.namespace ?? 'default';
    const found = kubectl(['get', 'job', job.metadata.name, '-n', ns, '--ignore-not-found', '-o', 'json'], undefined, bin);
    if (!found.trim()) continue; // first install: nothing to replace
    const r = runKubectl(['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '--dry-run=server', '-f', '-'], toYaml([job]), bin);
    if (r.status === 0) continue;
    if (!/field is immutable/.test(r.stderr)) throw new KubectlError(['apply', '--dry-run=server', `job/${job.metadata.name}`], r.stderr, r.status);
    if ((JSON.parse(found).status?.active ?? 0) > 0) {
      throw new Error(`Job ${ns}/${job.metadata.name} changed but is still running; wait for it to finish (kubectl -n ${ns} wait --for=condition=complete job/${job.metadata.name}) and deploy again`);
    }
    kubectl(['delete', 'job', job.metadata.name, '-n', ns, '--cascade=foreground', '--wait=true', '--timeout=120s'], undefined, bin);
    replaced.push(`${ns}/${job.metadata.name}`);
  }
  return replaced;
}

/** What an apply did besides applying. */
export interface ApplyResult {
  /** The API server's warnings, each prefixed with its phase ("data: ..."); also logged. */
  readonly warnings: string[];
}

/**
 * Applies the phases in order with server-side apply, waiting for CRDs in between. Stops at the
 * first failure (no retry loop: a failure is a bug to report, not to wait out). Returns the API
 * server's warnings, which the control-plane suite requires to be none.
 */
export function applyPhases(phases: Phase[], opts: ApplyOptions = {}): ApplyResult {
  const log = opts.log ?? console.log;
  const warnings: string[] = [];
  for (const phase of phases) {
    const replaced = replaceChangedJobs(phase.objects, opts);
    if (replaced.length) log(`phase ${phase.name}: finished Jobs whose template changed were replaced: ${replaced.join(', ')}`);
    const applied = kubectlWarned(['apply', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', '-'], toYaml(phase.objects), opts.kubectl);
    const out = applied.stdout;
    for (const w of applied.warnings) {
      warnings.push(`${phase.name}: ${w}`);
      log(`phase ${phase.name}: warning: ${w}`);
    }
    log(`phase ${phase.name}: ${phase.objects.length} objects applied`);
    if (out.trim()) log(out.trimEnd());
    if (phase.waitEstablished.length) {
      kubectl(['wait', '--for=condition=Established', `--timeout=${opts.crdTimeoutSeconds ?? 60}s`, ...phase.waitEstablished.map((n) => `crd/${n}`)], undefined, opts.kubectl);
      log(`phase ${phase.name}: ${phase.waitEstablished.length} CRDs established`);
    }
    const timeout = opts.availableTimeoutSeconds ?? 300;
    for (const d of phase.waitAvailable ?? []) {
      const [ns, name] = d.split('/');
      kubectl(['wait', '--for=condition=Available', `--timeout=${timeout}s`, '-n', ns, `deployment/${name}`], undefined, opts.kubectl);
      log(`phase ${phase.name}: deployment ${d} available`);
    }
    for (const w of phase.waitWebhooks ?? []) {
      waitForCaBundle(w, timeout, opts);
      log(`phase ${phase.name}: ${w} has its server's CA bundle`);
    }
    if (phase.waitQuotas?.length) {
      for (const q of phase.waitQuotas) waitForQuotaStatus(q, opts.quotaTimeoutSeconds ?? 120, opts);
      log(`phase ${phase.name}: ${phase.waitQuotas.length} quotas count what they limit`);
    }
  }
  return { warnings };
}

/**
 * Waits until a ResourceQuota's status has a usage figure for every resource its spec limits. The
 * quota controller fills them in asynchronously (for a custom resource's `count/…`, only after its next discovery of
 * the CRD, up to half a minute), and the API server refuses any object of a resource the status
 * does not list yet.
 */
function waitForQuotaStatus(ref: string, timeoutSeconds: number, opts: ApplyOptions): void {
  const [ns, name] = ref.split('/');
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const live = JSON.parse(kubectl(['get', 'ResourceQuota', name, '-n', ns, '-o', 'json'], undefined, opts.kubectl));
    // Admission wants a usage figure (status.used), not only the limit copied into status.hard.
    const missing = Object.keys(live.spec?.hard ?? {}).filter((r) => !(r in (live.status?.used ?? {})));
    if (missing.length === 0) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutSeconds}s waiting for quota ${ref} to count ${missing.join(', ')}: is kube-controller-manager running? (kubectl -n ${ns} describe resourcequota ${name})`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, opts.pollMs ?? 2000);
  }
}

/**
 * Waits until every webhook of a configuration carries a CA bundle: istiod patches its own in once
 * it serves, and until then the API server could not verify it (and would refuse what it validates).
 */
function waitForCaBundle(config: string, timeoutSeconds: number, opts: ApplyOptions): void {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const live = JSON.parse(kubectl(['get', config, '-o', 'json'], undefined, opts.kubectl));
    if ((live.webhooks ?? []).every((h: any) => h.clientConfig?.caBundle)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutSeconds}s waiting for ${config} to get its CA bundle: is its server running? (kubectl -n istio-system logs deployment/istiod)`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, opts.pollMs ?? 2000);
  }
}

/** Server-side dry-run diff of the phases against the cluster; empty means a second apply changes nothing. */
export function diffPhases(phases: Phase[], opts: ApplyOptions = {}): string {
  let diff = '';
  for (const phase of phases) {
    const r = runKubectl(['diff', '--server-side', `--field-manager=${FIELD_MANAGER}`, '-f', '-'], toYaml(phase.objects), opts.kubectl, 256 * 2 ** 20);
    // kubectl diff: 0 = no differences, 1 = differences, >1 = error.
    if (r.status !== 0 && r.status !== 1) throw new KubectlError(['diff', '--server-side'], r.stderr, r.status);
    diff += r.stdout;
  }
  return diff;
}
