/**
 * Turns a container's view of the world into this machine's: mount paths into temporary folders,
 * container ports into free loopback ports, Service addresses into the loopback address of the
 * program serving them, and "listen on every interface" into loopback. One pass over each string,
 * so a replacement is never rewritten again.
 */

export interface RewriteRules {
  /** Container path (a mountPath) → host folder. */
  readonly paths: ReadonlyMap<string, string>;
  /** Container port → loopback port. */
  readonly ports: ReadonlyMap<number, number>;
  /** Literal address ("minio-service.kubeflow.svc.cluster.local:9000") → "127.0.0.1:<port>". */
  readonly addresses: ReadonlyMap<string, string>;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * Builds the rewrite for one container. Boundaries keep it honest: `/data` is rewritten in
 * `-dir=/data` and `/data/x` but not in `/database` or `http://host/data`; port 8333 is rewritten in
 * `-s3.port=8333` and `:8333` but not in `18333` or `1.8333`.
 */
export function rewriter(rules: RewriteRules): (s: string) => string {
  const addresses = [...rules.addresses.keys()].sort((a, b) => b.length - a.length);
  const paths = [...rules.paths.keys()].sort((a, b) => b.length - a.length);
  const ports = [...rules.ports.keys()].map(String);
  const alternatives: string[] = [];
  if (addresses.length) alternatives.push(`(?<address>(?<![\\w.-])(?:${addresses.map(escape).join('|')})(?![\\w-]))`);
  if (paths.length) alternatives.push(`(?<path>(?<![\\w.~/-])(?:${paths.map(escape).join('|')})(?=$|[^\\w.-]))`);
  if (ports.length) alternatives.push(`(?<port>(?<![\\w.-])(?:${ports.join('|')})(?![\\w-]|\\.\\d))`);
  alternatives.push('(?<any>(?<![\\w.])0\\.0\\.0\\.0(?![\\w.]))');
  const re = new RegExp(alternatives.join('|'), 'g');
  return (s: string) =>
    s.replace(re, (...args) => {
      const g = args[args.length - 1] as Record<string, string | undefined>;
      if (g.address !== undefined) return rules.addresses.get(g.address)!;
      if (g.path !== undefined) return rules.paths.get(g.path)!;
      if (g.port !== undefined) return String(rules.ports.get(Number(g.port)));
      return '127.0.0.1';
    });
}
