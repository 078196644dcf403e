/**
 * Runs a rendered pod's container natively on loopback: its init containers' commands to
 * completion, then the container's command and args with the environment and volumes as rendered
 * (paths, ports and Service addresses rewritten for this machine), then the rendered probes.
 */
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import { containerEnv, containerOf, expandRefs, type RenderedPod } from './pod';
import { describeProbe, prepareProbe, ProbeError, type ProbeKind, type ProbeResult, type ProbeTarget } from './probes';
import { rewriter } from './rewrite';

export interface NativeOptions {
  /** The container to run after the init containers. @default the pod's first container */
  readonly container?: string;
  /**
   * Program in the image (as the command names it, or its base name) → native binary, e.g.
   * `{ weed: '/…/weed' }`. Each is also linked by its base name into a folder first on PATH, so
   * scripts find it. A command not listed runs if it exists here (`/bin/sh`), else it is an error.
   * @default {}
   */
  readonly binaries?: Record<string, string>;
  /** Command of a container that has none in the render (the image's entrypoint), by container name. @default {} */
  readonly entrypoints?: Record<string, string[]>;
  /** Secret values by Secret name, then key (the render never holds them). @default {} */
  readonly secrets?: Record<string, Record<string, string>>;
  /** ConfigMaps to add or override, by name; the render's own are taken from the pod. @default {} */
  readonly configMaps?: Record<string, Record<string, string>>;
  /** Ports the program listens on without the pod declaring them, remapped like declared ones. @default [] */
  readonly extraPorts?: readonly number[];
  /**
   * Arguments appended to the container's, for settings the render leaves at a default that would
   * collide on a shared machine (fixed internal ports). Say why at the call site. @default none
   */
  readonly extraArgs?: (ports: ReadonlyMap<number, number>) => string[];
  /** Addresses the containers reach, rewritten wherever they appear: "host:port" → "127.0.0.1:port" (see NativePod.serviceAddresses). @default {} */
  readonly addresses?: Record<string, string>;
  /** Extra environment for every container, on top of the rendered one. @default {} */
  readonly env?: Record<string, string>;
  /** Seconds an init container (or a run to completion) may take. @default 120 */
  readonly timeoutSeconds?: number;
  /** Keep the work folder after stop(), for debugging. @default false */
  readonly keep?: boolean;
}

/** Ports the kernel says are free on 127.0.0.1 (all held open together, so they are distinct). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => new Promise<net.Server>((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => resolve(s));
  })));
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) try { process.kill(-c.pid!, 'SIGKILL'); } catch { /* already gone */ }
});
// A SIGKILLed test runner cannot run the handler above; PDEATHSIG makes the kernel stop the program.
const PDEATHSIG = spawnSync('setpriv', ['--help'], { encoding: 'utf8' }).stdout?.includes('--pdeathsig') ? ['setpriv', '--pdeathsig', 'KILL', '--'] : [];

function which(name: string, pathVar: string): string | undefined {
  if (name.includes('/')) return fs.existsSync(name) ? name : undefined;
  for (const dir of pathVar.split(':')) {
    const p = path.join(dir, name);
    try { fs.accessSync(p, fs.constants.X_OK); if (fs.statSync(p).isFile()) return p; } catch { /* next */ }
  }
  return undefined;
}

interface Prepared { container: IContainer; argv: string[]; env: Record<string, string>; cwd: string; rewrite: (s: string) => string }

/** A running native container. */
export class NativePod {
  /** Container port → loopback port, for every declared port of the pod (and `extraPorts`). */
  public readonly ports: ReadonlyMap<number, number>;
  /** Output of each init container, by name. */
  public readonly initOutput: Record<string, string> = {};
  private child?: ChildProcess;
  private output = '';
  private exit?: { code: number | null; signal: NodeJS.Signals | null };
  private main?: Prepared;

  private constructor(public readonly pod: RenderedPod, public readonly dir: string, ports: Map<number, number>,
    private readonly volumes: Map<string, string>, private readonly opts: NativeOptions) {
    this.ports = ports;
  }

  /** Runs the init containers, then starts the container; does not wait for it to be ready (see probes()). */
  static async start(pod: RenderedPod, opts: NativeOptions = {}): Promise<NativePod> {
    const np = await NativePod.prepare(pod, opts);
    try {
      await np.runInits();
      np.launch();
    } catch (e) {
      await np.stop();
      throw e;
    }
    return np;
  }

  /** Runs the init containers and the container to completion (a Job's pod); rejects on a non-zero exit. */
  static async runToCompletion(pod: RenderedPod, opts: NativeOptions = {}): Promise<{ output: string }> {
    const np = await NativePod.prepare(pod, opts);
    try {
      await np.runInits();
      const { container, argv, env, cwd } = np.prepared(np.containerName());
      const r = await np.exec(container.name, argv, env, cwd);
      return { output: r };
    } finally {
      await np.stop();
    }
  }

  private static async prepare(pod: RenderedPod, opts: NativeOptions): Promise<NativePod> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `microflow-native-${pod.name}-`));
    const declared = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].flatMap((c) => (c.ports ?? []).map((p) => p.containerPort));
    const wanted = [...new Set([...declared, ...(opts.extraPorts ?? [])])];
    const loopback = await freePorts(wanted.length);
    const ports = new Map(wanted.map((p, i) => [p, loopback[i]]));
    const volumes = new Map<string, string>();
    const np = new NativePod(pod, dir, ports, volumes, opts);
    fs.mkdirSync(path.join(dir, 'logs'));
    np.makeVolumes();
    np.makeBinDir();
    return np;
  }

  /** The loopback port serving a container port (by number or name). */
  port(p: number | string): number {
    return this.portOf(p, this.main?.container ?? containerOf(this.pod, this.containerName()).container).port;
  }

  /** Host folder behind a container path of the main container ("/data", "/etc/seaweedfs/s3.json"). */
  hostPath(containerPath: string): string {
    return this.prepared(this.containerName()).rewrite(containerPath);
  }

  /**
   * "host:port" → "127.0.0.1:<loopback>" for every rendered Service that selects this pod, in each
   * spelling a client may use (name, name.ns, name.ns.svc, name.ns.svc.cluster.local): pass it as
   * another pod's `addresses` to point that pod at this program.
   */
  serviceAddresses(): Record<string, string> {
    const out: Record<string, string> = {};
    const containers = this.pod.spec.containers;
    for (const svc of this.pod.objects.filter((o) => o.kind === 'Service' && (o.metadata.namespace ?? 'default') === this.pod.namespace)) {
      const selector: Record<string, string> = svc.spec.selector ?? {};
      if (!Object.keys(selector).length || !Object.entries(selector).every(([k, v]) => this.pod.labels[k] === v)) continue;
      for (const sp of svc.spec.ports ?? []) {
        const target = sp.targetPort ?? sp.port;
        const cp = typeof target === 'number' ? target : containers.flatMap((c) => c.ports ?? []).find((p) => p.name === target)?.containerPort;
        const local = cp === undefined ? undefined : this.ports.get(cp);
        if (local === undefined) continue;
        const n = svc.metadata.name;
        const ns = this.pod.namespace;
        for (const host of [n, `${n}.${ns}`, `${n}.${ns}.svc`, `${n}.${ns}.svc.cluster.local`]) out[`${host}:${sp.port}`] = `127.0.0.1:${local}`;
      }
    }
    return out;
  }

  /** Everything the container printed so far (init containers' output is in initOutput). */
  logs(): string {
    return this.output;
  }

  /** The exit status if the program has exited. */
  get exited(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    return this.exit;
  }

  /**
   * Runs the container's probes as the kubelet would: the startup probe until it passes (within
   * initialDelaySeconds + periodSeconds × failureThreshold), then readiness and liveness (each
   * within periodSeconds × failureThreshold). Throws ProbeError if one fails or the program exits;
   * an exec probe whose command does not exist here is reported as skipped.
   */
  async probes(): Promise<ProbeResult[]> {
    const main = this.main!;
    const c = main.container;
    const target: ProbeTarget = {
      port: (p) => this.portOf(p, c),
      resolve: (argv0) => this.resolve(argv0, main.env.PATH),
      rewrite: main.rewrite,
      env: main.env,
      cwd: main.cwd,
    };
    const results: ProbeResult[] = [];
    const kinds: [ProbeKind, IProbe | undefined][] = [['startup', c.startupProbe], ['readiness', c.readinessProbe], ['liveness', c.livenessProbe]];
    for (const [kind, probe] of kinds) {
      if (!probe) continue;
      const prepared = prepareProbe(probe, target);
      if (!prepared.attempt) {
        results.push({ container: c.name, kind, action: prepared.action, ok: false, skipped: prepared.skipped, attempts: 0, detail: '' });
        continue;
      }
      const delay = kind === 'startup' || !c.startupProbe ? probe.initialDelaySeconds ?? 0 : 0;
      const allowanceMs = (delay + (probe.periodSeconds ?? 10) * (probe.failureThreshold ?? 3)) * 1000;
      const deadline = Date.now() + allowanceMs;
      let attempts = 0;
      let last: { ok: boolean; detail: string };
      for (;;) {
        attempts++;
        last = await prepared.attempt();
        if (last.ok || Date.now() > deadline) break;
        if (this.exit) { last = { ok: false, detail: `${last.detail}; the program exited (${this.exit.signal ?? `code ${this.exit.code}`})` }; break; }
        await new Promise((r) => setTimeout(r, Math.min((probe.periodSeconds ?? 10) * 1000, 500)));
      }
      results.push({ container: c.name, kind, action: prepared.action, ok: last.ok, attempts, detail: last.detail });
      if (!last.ok) throw new ProbeError(results, this.tail());
    }
    return results;
  }

  /** Stops the program (TERM, then KILL after the grace period, at most 10 s) and removes the work folder. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child && !this.exit) {
      const grace = Math.min(this.pod.spec.terminationGracePeriodSeconds ?? 30, 10) * 1000;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* gone */ }
      const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, grace);
      await gone;
      clearTimeout(timer);
    }
    if (!this.opts.keep) fs.rmSync(this.dir, { recursive: true, force: true });
  }

  /** The probe results as lines, for a test's summary. */
  static describe(results: readonly ProbeResult[]): string {
    return results.map(describeProbe).join('\n');
  }

  // --- internals -------------------------------------------------------------------------------

  private containerName(): string {
    return this.opts.container ?? this.pod.spec.containers[0].name;
  }

  private portOf(p: number | string, c: IContainer): { port: number; label: string } {
    const all = [...(this.pod.spec.initContainers ?? []), ...this.pod.spec.containers];
    const declared = typeof p === 'string' ? (c.ports ?? []).find((x) => x.name === p) ?? all.flatMap((x) => x.ports ?? []).find((x) => x.name === p) : undefined;
    if (typeof p === 'string' && !declared && !/^\d+$/.test(p)) throw new Error(`${this.pod.source}: no container port named "${p}"`);
    const number = declared ? declared.containerPort : Number(p);
    const port = this.ports.get(number);
    if (port === undefined) throw new Error(`${this.pod.source}: port ${number} is not a declared container port (declare it, or pass it in extraPorts)`);
    return { port, label: declared?.name ? `${declared.name}=${number}` : String(number) };
  }

  private makeVolumes(): void {
    const { spec } = this.pod;
    const secrets = this.opts.secrets ?? {};
    const configMaps = { ...this.pod.configMaps, ...(this.opts.configMaps ?? {}) };
    const names = [...(spec.volumes ?? []).map((v) => v.name), ...this.pod.claimTemplates];
    for (const name of names) {
      const dir = path.join(this.dir, 'volumes', name);
      fs.mkdirSync(dir, { recursive: true });
      this.volumes.set(name, dir);
    }
    for (const v of spec.volumes ?? []) {
      const dir = this.volumes.get(v.name)!;
      const files = (data: Record<string, string> | undefined, items: { key: string; path: string }[] | undefined, what: string, optional?: boolean) => {
        if (!data) {
          if (optional) return;
          throw new Error(`${this.pod.source}: volume ${v.name} needs ${what}, which is not available${what.startsWith('Secret') ? ' (pass it in the secrets option)' : ''}`);
        }
        for (const item of items ?? Object.keys(data).map((key) => ({ key, path: key }))) {
          if (!(item.key in data)) throw new Error(`${this.pod.source}: volume ${v.name}: ${what} has no key ${item.key}`);
          fs.mkdirSync(path.dirname(path.join(dir, item.path)), { recursive: true });
          fs.writeFileSync(path.join(dir, item.path), data[item.key]);
        }
      };
      if (v.configMap) files(configMaps[v.configMap.name!], v.configMap.items, `ConfigMap ${v.configMap.name}`, v.configMap.optional);
      else if (v.secret) files(secrets[v.secret.secretName!], v.secret.items, `Secret ${v.secret.secretName}`, v.secret.optional);
      else if (v.projected) {
        for (const s of v.projected.sources ?? []) {
          if (s.configMap) files(configMaps[s.configMap.name!], s.configMap.items, `ConfigMap ${s.configMap.name}`, s.configMap.optional);
          else if (s.secret) files(secrets[s.secret.name!], s.secret.items, `Secret ${s.secret.name}`, s.secret.optional);
          else throw new Error(`${this.pod.source}: volume ${v.name}: projected source ${Object.keys(s).join(',')} is not supported natively`);
        }
      } else if (!v.emptyDir && !v.persistentVolumeClaim) {
        throw new Error(`${this.pod.source}: volume ${v.name} (${Object.keys(v).filter((k) => k !== 'name').join(',')}) is not supported natively`);
      }
    }
  }

  private makeBinDir(): void {
    const bin = path.join(this.dir, 'bin');
    fs.mkdirSync(bin);
    for (const [name, target] of Object.entries(this.opts.binaries ?? {})) {
      if (!fs.existsSync(target)) throw new Error(`native binary for ${name} not found: ${target}`);
      const link = path.join(bin, path.basename(name));
      if (!fs.existsSync(link)) fs.symlinkSync(path.resolve(target), link);
    }
  }

  private resolve(argv0: string, pathVar: string): string | undefined {
    const bins = this.opts.binaries ?? {};
    return bins[argv0] ?? bins[path.basename(argv0)] ?? which(argv0, pathVar);
  }

  private prepared(name: string): Prepared {
    const { container } = containerOf(this.pod, name);
    const paths = new Map<string, string>();
    for (const m of container.volumeMounts ?? []) {
      const vol = this.volumes.get(m.name);
      if (!vol) throw new Error(`${this.pod.source}: container ${name} mounts unknown volume ${m.name}`);
      const mountPath = m.mountPath.replace(/\/+$/, '');
      if (!mountPath) throw new Error(`${this.pod.source}: container ${name} mounts ${m.name} at /, which cannot be mapped`);
      const host = m.subPath ? path.join(vol, m.subPath) : vol;
      fs.mkdirSync(host, { recursive: true });
      paths.set(mountPath, host);
    }
    const rewrite = rewriter({ paths, ports: this.ports, addresses: new Map(Object.entries(this.opts.addresses ?? {})) });
    const home = path.join(this.dir, 'home', name);
    fs.mkdirSync(home, { recursive: true });
    const base = { PATH: `${path.join(this.dir, 'bin')}:${process.env.PATH}`, HOME: home, HOSTNAME: this.pod.name };
    const env = {
      ...base,
      ...containerEnv(container, { pod: this.pod, secrets: this.opts.secrets ?? {}, configMaps: { ...this.pod.configMaps, ...(this.opts.configMaps ?? {}) }, podIP: '127.0.0.1' }, rewrite),
      ...(this.opts.env ?? {}),
    };
    const command = container.command ?? this.opts.entrypoints?.[name];
    if (!command?.length) throw new Error(`${this.pod.source}: container ${name} has no command (the image's entrypoint): pass it in entrypoints`);
    const extra = !containerOf(this.pod, name).init && name === this.containerName() && this.opts.extraArgs ? this.opts.extraArgs(this.ports) : [];
    const argv = [...command, ...(container.args ?? [])].map((a) => expandRefs(rewrite(a), env)).concat(extra);
    const bin = this.resolve(argv[0], env.PATH);
    if (!bin) throw new Error(`${this.pod.source}: container ${name} runs ${argv[0]}, which is not available natively (map it in binaries)`);
    const cwd = container.workingDir ? rewrite(container.workingDir) : path.join(this.dir, 'work', name);
    fs.mkdirSync(cwd, { recursive: true });
    return { container, argv: [bin, ...argv.slice(1)], env, cwd, rewrite };
  }

  private spawn(name: string, argv: string[], env: Record<string, string>, cwd: string): ChildProcess {
    const [cmd, ...args] = [...PDEATHSIG, ...argv];
    // Its own process group, so stop() reaches whatever the program starts.
    const child = spawn(cmd, args, { env, cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    child.once('exit', () => live.delete(child));
    // Whole output in <dir>/logs/<container>.log (kept with `keep`), written synchronously so a
    // stop() that removes the folder never races an open stream.
    const fd = fs.openSync(path.join(this.dir, 'logs', `${name}.log`), 'a');
    const write = (d: Buffer) => { try { fs.writeSync(fd, d); } catch { /* folder removed */ } };
    child.stdout!.on('data', write);
    child.stderr!.on('data', write);
    child.once('close', () => fs.closeSync(fd));
    return child;
  }

  private exec(name: string, argv: string[], env: Record<string, string>, cwd: string): Promise<string> {
    const timeout = (this.opts.timeoutSeconds ?? 120) * 1000;
    return new Promise((resolve, reject) => {
      const child = this.spawn(name, argv, env, cwd);
      let out = '';
      child.stdout!.on('data', (d) => (out += d));
      child.stderr!.on('data', (d) => (out += d));
      const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, timeout);
      child.on('error', (e) => { clearTimeout(timer); reject(e); });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolve(out);
        else reject(new Error(`${this.pod.source}: container ${name} ${signal ? `was killed (${signal}${signal === 'SIGKILL' ? `, over ${timeout / 1000}s` : ''})` : `exited ${code}`}\n  argv: ${JSON.stringify(argv)}\n--- output ---\n${out}`));
      });
    });
  }

  private async runInits(): Promise<void> {
    for (const init of this.pod.spec.initContainers ?? []) {
      if ((init as any).restartPolicy === 'Always') throw new Error(`${this.pod.source}: sidecar init container ${init.name} is not supported natively yet`);
      const { argv, env, cwd } = this.prepared(init.name);
      this.initOutput[init.name] = await this.exec(init.name, argv, env, cwd);
    }
  }

  private launch(): void {
    const p = this.prepared(this.containerName());
    if (containerOf(this.pod, p.container.name).init) throw new Error(`${this.pod.source}: ${p.container.name} is an init container; pick a container to run`);
    this.main = p;
    const child = this.spawn(p.container.name, p.argv, p.env, p.cwd);
    const keep = (d: Buffer) => { this.output = (this.output + d).slice(-256 * 1024); };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.once('exit', (code, signal) => { this.exit = { code, signal }; });
    this.child = child;
  }

  private tail(lines = 40): string {
    return this.output.trimEnd().split('\n').slice(-lines).join('\n');
  }
}
