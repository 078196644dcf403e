/**
 * Small async kubectl helpers for the control-plane suite. Everything goes through the kubectl
 * that the harness built for the version under test (MICROFLOW_KUBECTL) and the admin KUBECONFIG
 * it wrote.
 */
import { execFile } from 'child_process';
import * as yaml from 'js-yaml';
import { apiWarnings } from '../../../lib/deploy';

export const KUBECTL = process.env.MICROFLOW_KUBECTL ?? 'kubectl';

export function requireCluster(): void {
  if (!process.env.KUBECONFIG || !process.env.MICROFLOW_KUBECTL) {
    throw new Error('no control plane: run this suite through `npm run test:cluster` (test/cluster/with-cluster.sh starts one)');
  }
}

export interface Result { code: number; stdout: string; stderr: string }

/**
 * Every API server warning any kubectl call of the suite received ("kubectl apply ...: <warning>"),
 * besides those of the deploy code path: the suite fails on any (see platform.test.ts).
 */
export const warnings: string[] = [];

/** Runs kubectl; never throws on a non-zero exit (callers assert on it). Records API warnings. */
export function run(args: string[], input?: string): Promise<Result> {
  return new Promise((resolve) => {
    const child = execFile(KUBECTL, args, { maxBuffer: 64 * 2 ** 20 }, (err, stdout, stderr) => {
      for (const w of apiWarnings(stderr)) warnings.push(`kubectl ${args.join(' ')}: ${w}`);
      resolve({ code: err ? ((err as any).code ?? 1) : 0, stdout, stderr });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** Runs kubectl and throws with its stderr on failure. */
export async function k(args: string[], input?: string): Promise<string> {
  const r = await run(args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

export async function getJson(args: string[]): Promise<any> {
  return JSON.parse(await k([...args, '-o', 'json']));
}

export const applyObjects = (objects: object[]) => k(['apply', '--server-side', '--field-manager=microflow-test', '-f', '-'], objects.map((o) => yaml.dump(o)).join('---\n'));

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a truthy value or `timeoutMs` passes; returns the value, or throws with `describe()`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs: number, describe?: () => Promise<string>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${describe ? `\n${await describe()}` : ''}`);
    await sleep(1000);
  }
}

/** `kubectl auth can-i` as a ServiceAccount. */
export async function canI(sa: { namespace: string; name: string }, verb: string, resource: string, namespace?: string): Promise<boolean> {
  const args = ['auth', 'can-i', verb, resource, `--as=system:serviceaccount:${sa.namespace}:${sa.name}`];
  args.push(namespace ? `--namespace=${namespace}` : '--all-namespaces');
  const r = await run(args);
  if (r.code !== 0 && r.code !== 1) throw new Error(`can-i failed: ${r.stderr}`);
  return r.stdout.trim() === 'yes';
}
