/**
 * Private network and mount namespaces for the front door's processes (test/cluster/front-door.test.ts):
 * one for the ingress gateway (its pod) and one for everything it talks to (istiod, Dex,
 * oauth2-proxy, the JWKS relay, the backends), joined by a veth pair. The gateway listens where its
 * pod does (8080, 8443, 15021, 15090 on 0.0.0.0: istiod and the bootstrap decide, and the
 * AuthorizationPolicies name those ports), so on the machine's own network it would collide with a
 * variant running beside it, and beside the other programs with the JWKS relay's and istiod's 8080:
 * in its own namespace, as in its pod, nothing else listens there. The only interfaces are loopback
 * and the pair (TEST-NET-1 addresses, RFC 5737: never routed): nothing is reachable from outside,
 * and a KWOK pod's fake address in an EndpointSlice is unreachable instead of routed off the machine.
 * What crosses the boundary are Unix sockets (files): the API server is reached through one (a small
 * forwarder inside, support/front-door-forward.js, this process outside), and each mount namespace
 * gives its processes their own /etc/hosts, the cluster DNS names they dial. Needs root (unshare,
 * nsenter, ip); every process gets a parent-death signal, so a killed jest leaves none behind.
 */
import { execFile, spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { sleep } from './kube';

/**
 * The pods' addresses on the veth pair, as pod IPs in EndpointSlices (which refuse loopback):
 * POD_ADDRESS for every program but the gateway, GATEWAY_ADDRESS for the gateway.
 */
export const POD_ADDRESS = '192.0.2.10';
export const GATEWAY_ADDRESS = '192.0.2.1';

export interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  /** The last 200 kB of its stdout and stderr. */
  log(): string;
}

export class Netns {
  private readonly procs: Proc[] = [];
  private holder?: ChildProcess;
  private apiBridge?: net.Server;

  constructor(private readonly dir: string, private readonly name: string) {}

  /** Starts the namespace with `hosts` as its /etc/hosts. */
  async start(hosts: Record<string, string>): Promise<void> {
    const file = path.join(this.dir, `hosts-${this.name}`);
    fs.writeFileSync(file, ['127.0.0.1 localhost', ...Object.entries(hosts).map(([name, ip]) => `${ip} ${name}`)].join('\n') + '\n');
    this.holder = spawn('setpriv', ['--pdeathsig', 'KILL', 'unshare', '--net', '--mount', '--propagation', 'private', 'sh', '-c',
      `ip link set lo up && mount --bind ${file} /etc/hosts && echo ready && exec sleep infinity`], { stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      let err = '';
      this.holder!.stderr!.on('data', (d) => { err += d; });
      this.holder!.stdout!.once('data', () => resolve());
      this.holder!.once('exit', (code) => reject(new Error(`unshare exited (${code}): ${err}`)));
    });
  }

  /** Joins this namespace to `peer` by a veth pair: `mine` here, `theirs` there (one /24). */
  async link(peer: Netns, mine: string, theirs: string): Promise<void> {
    const run = async (ns: Netns, script: string) => {
      const r = await ns.exec('sh', ['-c', script], this.dir);
      if (r.code !== 0) throw new Error(`${script}: ${r.stderr}`);
    };
    await run(this, `ip link add fd0 type veth peer name fd1 netns ${peer.holder!.pid} && ip addr add ${mine}/24 dev fd0 && ip link set fd0 up`);
    await run(peer, `ip addr add ${theirs}/24 dev fd1 && ip link set fd1 up`);
  }

  private nsArgs(cwd: string): string[] {
    const pid = this.holder!.pid!;
    return ['--pdeathsig', 'KILL', 'nsenter', `--net=/proc/${pid}/ns/net`, `--mount=/proc/${pid}/ns/mnt`, `--wd=${cwd}`, '--'];
  }

  /** Starts a long-running process inside, in `cwd`, with exactly `env` (plus PATH). */
  spawn(name: string, command: string, args: string[], opts: { cwd: string; env?: Record<string, string> }): Proc {
    const child = spawn('setpriv', [...this.nsArgs(opts.cwd), command, ...args],
      { env: { PATH: process.env.PATH ?? '', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    const keep = (d: Buffer) => { text = (text + d.toString()).slice(-200_000); };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const proc = { name, child, log: () => text };
    this.procs.push(proc);
    return proc;
  }

  /** Runs a short command inside and returns its exit code and output. */
  exec(command: string, args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile('setpriv', [...this.nsArgs(cwd), command, ...args], { maxBuffer: 16 * 2 ** 20 }, (err, stdout, stderr) => {
        resolve({ code: err ? ((err as any).code ?? 1) : 0, stdout, stderr });
      });
    });
  }

  /**
   * Makes the API server (MICROFLOW_API_SERVER, 127.0.0.1:<port> outside) reachable inside at the
   * same address, so kubeconfigs and its certificate work unchanged, and at each of `also`
   * (`address:port`: the service-account issuer's URL, which programs that discover it dial).
   * Its certificate names 127.0.0.1 and kubernetes.default.svc.cluster.local, nothing else.
   */
  async bridgeApiServer(also: string[] = []): Promise<void> {
    const url = new URL(process.env.MICROFLOW_API_SERVER!);
    const sock = path.join(this.dir, 'api.sock');
    this.apiBridge = net.createServer((c) => {
      const upstream = net.connect(Number(url.port), url.hostname);
      c.pipe(upstream).pipe(c);
      const close = () => { c.destroy(); upstream.destroy(); };
      c.on('error', close);
      upstream.on('error', close);
    });
    await new Promise<void>((r) => this.apiBridge!.listen(sock, r));
    const forward = this.spawn('api-bridge', process.execPath, [path.join(__dirname, 'front-door-forward.js'),
      ...[`127.0.0.1:${url.port}`, ...also].map((a) => `${a}=${sock}`)], { cwd: this.dir });
    for (let i = 0; i < 100 && !forward.log().includes('listening'); i++) {
      if (forward.child.exitCode !== null) break;
      await sleep(100);
    }
    if (!forward.log().includes('listening')) throw new Error(`the API server bridge did not start: ${forward.log()}`);
  }

  /** Logs of every process that exited, or whose log matches `pattern`, for a failure message. */
  logs(): string {
    return this.procs.map((p) => `== ${p.name} (exit ${p.child.exitCode ?? 'running'})\n${p.log().slice(-6000)}`).join('\n');
  }

  /** Stops every process (TERM, then KILL; their children too: pilot-agent's Envoy) and the namespace. */
  async stop(): Promise<void> {
    const children = this.procs.flatMap((p) => (p.child.pid ? descendants(p.child.pid) : []));
    for (const p of [...this.procs].reverse()) {
      if (p.child.exitCode !== null || p.child.signalCode !== null) continue;
      p.child.kill('SIGTERM');
      for (let i = 0; i < 50 && p.child.exitCode === null && p.child.signalCode === null; i++) await sleep(100);
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    }
    for (const pid of children) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    }
    this.holder?.kill('SIGKILL');
    await new Promise<void>((r) => (this.apiBridge ? this.apiBridge.close(() => r()) : r()));
  }
}

/** Every descendant's pid of `pid` (read from /proc before it is stopped). */
function descendants(pid: number): number[] {
  let direct: number[] = [];
  try {
    for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
      direct = direct.concat(fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number));
    }
  } catch { /* exited */ }
  return direct.flatMap((c) => [c, ...descendants(c)]);
}
