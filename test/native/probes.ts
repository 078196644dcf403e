/**
 * The kubelet's probes, run against a native program: HTTP GET and TCP on the remapped loopback
 * port, exec when its command exists here. KWOK never probes, so this is where a probe on a path
 * or port the program does not serve is caught.
 */
import { spawn } from 'child_process';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import type { IProbe } from 'kubernetes-models/v1/Probe';

export type ProbeKind = 'startup' | 'readiness' | 'liveness';

export interface ProbeResult {
  readonly container: string;
  readonly kind: ProbeKind;
  /** What was probed: "GET http://127.0.0.1:41234/status (container port s3=8333)". */
  readonly action: string;
  readonly ok: boolean;
  /** Why the probe was not run (an exec probe whose command does not exist here, a gRPC probe). */
  readonly skipped?: string;
  readonly attempts: number;
  /** The last attempt's outcome ("HTTP 200", "connection refused", "exit 1: ..."). */
  readonly detail: string;
}

/** Thrown when a probe failed; carries every result for the message and for assertions. */
export class ProbeError extends Error {
  constructor(public readonly results: readonly ProbeResult[], logs: string) {
    super(`probe failed:\n${results.map(describeProbe).join('\n')}\n--- program output (last lines) ---\n${logs}`);
    this.name = 'ProbeError';
  }
}

export const describeProbe = (r: ProbeResult) =>
  `  ${r.ok ? 'ok  ' : r.skipped ? 'skip' : 'FAIL'} ${r.container} ${r.kind}: ${r.action} → ${r.skipped ?? r.detail}${r.attempts > 1 ? ` (${r.attempts} attempts)` : ''}`;

/** How one probe is carried out here; built by NativePod, which knows the ports and the environment. */
export interface ProbeTarget {
  /** Loopback port for a probe's port (name or number); throws for one the container does not declare. */
  port(p: number | string): { port: number; label: string };
  /** Resolves an exec probe's command; undefined when it does not exist on this machine. */
  resolve(argv0: string): string | undefined;
  /** The container's path/port rewrite, applied to an exec probe's arguments. */
  rewrite(s: string): string;
  readonly env: Record<string, string>;
  readonly cwd: string;
}

interface Attempt { ok: boolean; detail: string }
export interface PreparedProbe { action: string; skipped?: string; attempt?: () => Promise<Attempt> }

/** Turns a rendered probe into something that can be attempted (or says why it cannot). */
export function prepareProbe(probe: IProbe, target: ProbeTarget): PreparedProbe {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.httpGet) {
    const g = probe.httpGet;
    if (g.host && !['127.0.0.1', 'localhost'].includes(g.host)) throw new Error(`httpGet probe host ${g.host}: only the pod's own address can be probed natively`);
    const { port, label } = target.port(g.port as number | string);
    const scheme = (g.scheme ?? 'HTTP').toLowerCase();
    const url = `${scheme}://127.0.0.1:${port}${g.path ?? '/'}`;
    const headers = Object.fromEntries((g.httpHeaders ?? []).map((h) => [h.name, h.value]));
    return { action: `GET ${url} (container port ${label})`, attempt: () => httpGet(url, headers, timeoutMs) };
  }
  if (probe.tcpSocket) {
    const { port, label } = target.port(probe.tcpSocket.port as number | string);
    return { action: `TCP 127.0.0.1:${port} (container port ${label})`, attempt: () => tcpConnect(port, timeoutMs) };
  }
  if (probe.exec) {
    const argv = (probe.exec.command ?? []).map((a) => target.rewrite(a));
    const bin = argv.length ? target.resolve(argv[0]) : undefined;
    const action = `exec ${JSON.stringify(argv)}`;
    if (!bin) return { action, skipped: `not run: ${argv[0] ?? '(empty command)'} does not exist on this machine` };
    return { action, attempt: () => execProbe(bin, argv.slice(1), target, timeoutMs) };
  }
  if (probe.grpc) return { action: `gRPC port ${probe.grpc.port}`, skipped: 'not run: gRPC probes are not supported natively yet' };
  throw new Error(`probe without a handler: ${JSON.stringify(probe)}`);
}

function httpGet(url: string, headers: Record<string, string>, timeoutMs: number): Promise<Attempt> {
  const client = url.startsWith('https') ? https : http;
  return new Promise((resolve) => {
    const req = client.get(url, { headers, timeout: timeoutMs, agent: false, rejectUnauthorized: false } as https.RequestOptions, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      // The kubelet's rule: 200 <= code < 400 is success.
      resolve({ ok: code >= 200 && code < 400, detail: `HTTP ${code}` });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs / 1000}s`)));
    req.on('error', (e: any) => resolve({ ok: false, detail: e.code === 'ECONNREFUSED' ? 'connection refused' : e.message }));
  });
}

function tcpConnect(port: number, timeoutMs: number): Promise<Attempt> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port, timeout: timeoutMs });
    s.on('connect', () => { s.destroy(); resolve({ ok: true, detail: 'connected' }); });
    s.on('timeout', () => { s.destroy(); resolve({ ok: false, detail: `no connection in ${timeoutMs / 1000}s` }); });
    s.on('error', (e: any) => resolve({ ok: false, detail: e.code === 'ECONNREFUSED' ? 'connection refused' : e.message }));
  });
}

function execProbe(bin: string, args: string[], target: ProbeTarget, timeoutMs: number): Promise<Attempt> {
  return new Promise((resolve) => {
    const child = spawn(bin, args, { env: target.env, cwd: target.cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', (e) => resolve({ ok: false, detail: e.message }));
    child.on('close', (code, signal) => {
      const tail = out.trim().split('\n').slice(-3).join(' | ');
      resolve({ ok: code === 0, detail: signal ? `killed (${signal}) after ${timeoutMs / 1000}s` : `exit ${code}${tail ? `: ${tail}` : ''}` });
    });
  });
}
