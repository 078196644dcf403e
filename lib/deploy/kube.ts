import { kubectl, KubectlError, type Kubectl } from './apply';

/**
 * Read helpers over kubectl for the deploy commands. Every call goes through the same kubectl
 * (`MICROFLOW_KUBECTL` or `kubectl` on PATH) and the current context, as `kubectl` itself would.
 */
export interface KubeOptions {
  /** kubectl binary (or, in tests, a function answering as one). @default process.env.MICROFLOW_KUBECTL ?? 'kubectl' */
  readonly kubectl?: Kubectl;
}

/** `kubectl <args> -o json`, parsed. */
export function getJson(args: string[], opts: KubeOptions = {}): any {
  return JSON.parse(kubectl([...args, '-o', 'json'], undefined, opts.kubectl));
}

/** Like getJson, but undefined when the object does not exist. */
export function getJsonIfExists(args: string[], opts: KubeOptions = {}): any | undefined {
  const out = kubectl([...args, '--ignore-not-found', '-o', 'json'], undefined, opts.kubectl);
  return out.trim() ? JSON.parse(out) : undefined;
}

/** A list's items; an empty list when the API does not serve the kind at all. */
export function listItems(args: string[], opts: KubeOptions = {}): any[] {
  try {
    return getJson(args, opts).items ?? [];
  } catch (e) {
    if (e instanceof KubectlError && /the server doesn't have a resource type|could not find the requested resource/.test(e.stderr)) return [];
    throw e;
  }
}

/** `a=b,c=d` for `kubectl -l`. */
export const labelSelector = (labels: Record<string, string>) => Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
