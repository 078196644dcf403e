/**
 * A real NetworkPolicy engine for the reachability checks: cyclonus (github.com/mattfenwick/cyclonus),
 * whose `analyze --mode query-traffic` answers allowed/denied for given source and destination pod
 * labels, namespaces and ports, using the same policy matcher it uses to drive CNI conformance probes.
 * Built by `scripts/programs/build.sh cyclonus` (recipe scripts/programs/cyclonus.sh).
 * Only the native tier uses it: test/native/tier.js skips reachability.native.test.ts when it is not built.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import type { PodRef } from './netpol';
import { programPath } from './programs';
import type { K8sObject } from './stack';

/** The cached cyclonus binary; undefined when it is not built. */
export function findCyclonus(): string | undefined {
  return programPath('cyclonus');
}

/** One question: may `from` open a TCP connection to `to` on the destination pod's `port`? */
export interface TrafficQuery {
  readonly from: PodRef;
  readonly to: PodRef;
  readonly port: number;
  /** Name of the destination container port (policies may name ports). @default - none */
  readonly portName?: string;
}

/**
 * Asks cyclonus about every query at once, with the given NetworkPolicies (written one per file, as
 * cyclonus reads them) and namespace labels (the API server adds kubernetes.io/metadata.name).
 * Returns one verdict per query, in order.
 */
export function cyclonusAllows(bin: string, objects: K8sObject[], queries: TrafficQuery[]): boolean[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-cyclonus-'));
  try {
    const policyDir = path.join(dir, 'policies');
    fs.mkdirSync(policyDir);
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    if (policies.length === 0) throw new Error('cyclonus: no NetworkPolicy to evaluate');
    policies.forEach((p, i) => fs.writeFileSync(path.join(policyDir, `${String(i).padStart(3, '0')}-${p.metadata.namespace}-${p.metadata.name}.yaml`), yaml.dump(p)));

    const nsLabels = new Map<string, Record<string, string>>();
    for (const ns of objects.filter((o) => o.kind === 'Namespace')) nsLabels.set(ns.metadata.name, ns.metadata.labels ?? {});
    // Addresses are only labels for the report here: no packet is sent (TEST-NET-1, RFC 5737).
    const peer = (p: PodRef, ip: string) => ({
      Internal: {
        PodLabels: p.labels,
        NamespaceLabels: { ...nsLabels.get(p.namespace), 'kubernetes.io/metadata.name': p.namespace },
        Namespace: p.namespace,
      },
      IP: ip,
    });
    const traffic = queries.map((q) => ({
      Source: peer(q.from, '192.0.2.1'),
      Destination: peer(q.to, '192.0.2.2'),
      Protocol: 'TCP',
      ResolvedPort: q.port,
      ResolvedPortName: q.portName ?? '',
    }));
    const trafficFile = path.join(dir, 'traffic.json');
    fs.writeFileSync(trafficFile, JSON.stringify(traffic));

    const r = spawnSync(bin, ['analyze', '--mode', 'query-traffic', '--policy-path', policyDir, '--traffic-path', trafficFile], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`cyclonus failed (exit ${r.status}):\n${r.stderr}\n${r.stdout}`);
    // Each answer ends with a table row "| IS ALLOWED? | TRUE |" (or FALSE), in the traffic file's order.
    const verdicts = [...r.stdout.matchAll(/IS ALLOWED\?\s*\|\s*(TRUE|FALSE)\s*\|/g)].map((m) => m[1] === 'TRUE');
    if (verdicts.length !== queries.length) {
      throw new Error(`cyclonus answered ${verdicts.length} of ${queries.length} queries:\n${r.stdout.slice(0, 4000)}`);
    }
    return verdicts;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
