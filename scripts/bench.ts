/**
 * `npm run bench`: how fast synth is and how much the platform asks of the machine, per profile.
 * - CPU time (user + sys) and wall time of whole processes (median/min/max over separate runs,
 *   BENCH_RUNS, default 5) of `node build/main.js` and of the app command in cdk8s.yaml (what
 *   `cdk8s synth` runs; it skips tsc when no source changed), taken by bash's `time`;
 * - where the laptop synth's CPU goes: one run of the app command under `node --cpu-prof`, its top
 *   costs by place and by function (scripts/cpu-profile.ts);
 * - object count; CPU/memory requests and limits per workload and per component, including any
 *   container injected at admission (Istio sidecars in namespaces labelled for injection);
 * - the same figures for kubeflow/manifests where a measured anchor is recorded, with the source;
 * - the targets, each marked met or missed.
 * A script, not a test: timings vary by machine and never fail a build.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { cpuMillis, memoryBytes } from '../lib/config';
import { formatCosts, profileCommand } from './cpu-profile';

const ROOT = path.resolve(__dirname, '..', '..');
const PROFILES = ['laptop', 'gpu-workstation', 'cluster'];
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/** What an injected Istio sidecar requests by default (istio's values: proxy 100m / 128Mi). */
const SIDECAR = { cpu: 100, memory: 128 * 2 ** 20 };
/** synthSeconds: wall time; synthCpuSeconds: the laptop render's CPU time through the app command (#24). */
const TARGETS = { synthSeconds: 1.0, synthCpuSeconds: 0.5, laptopCpu: 2000, laptopMemory: 4 * 2 ** 30 };

/** Measured anchors for kubeflow/manifests, each with where the figure comes from. */
const ANCHORS = [
  ['recommended machine', '16 GB RAM, 8 CPU cores', 'kubeflow/manifests README, "Prerequisites"'],
  ['requests of a full install', '4.4 CPU, 12 GiB', 'measured install of kubeflow/manifests v1.10 (docs/shared reference: kubeflow-wiring.md, "Upstream footprint")'],
  ['pods / injected sidecars', '~50 pods, 29 sidecars at 100m / 128Mi', 'same measurement'],
  ['rendered objects (offline-buildable)', '620, of which 58 containers lack CPU/memory requests', 'kustomize build of kubeflow/manifests example (facts.md, "Anchors\' weak points")'],
  ['persistent volumes', '65 GB of PVCs', 'same measurement as the requests'],
];

type Sizing = { reqCpu: number; reqMem: number; limCpu: number; limMem: number };
const zero = (): Sizing => ({ reqCpu: 0, reqMem: 0, limCpu: 0, limMem: 0 });

/**
 * One whole process of `command` (a shell command line): wall and CPU (user + sys of it and its
 * children) in milliseconds, as bash's `time` reports them.
 */
function timeOnce(command: string, env: NodeJS.ProcessEnv): { wall: number; cpu: number } {
  const script = 'TIMEFORMAT="%3R %3U %3S"; { time eval "$MICROFLOW_BENCH_COMMAND" >/dev/null 2>"$MICROFLOW_BENCH_ERR"; } 2>&1';
  const err = path.join(os.tmpdir(), `microflow-bench-${process.pid}.err`);
  try {
    const r = spawnSync('bash', ['-c', script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env, MICROFLOW_BENCH_COMMAND: command, MICROFLOW_BENCH_ERR: err } });
    const [wall, user, sys] = r.stdout.trim().split('\n').pop()!.split(' ').map(Number);
    if (r.status !== 0 || [wall, user, sys].some((x) => !Number.isFinite(x))) {
      throw new Error(`${command} failed:\n${fs.existsSync(err) ? fs.readFileSync(err, 'utf8') : r.stderr}`);
    }
    return { wall: wall * 1000, cpu: (user + sys) * 1000 };
  } finally {
    fs.rmSync(err, { force: true });
  }
}

/** RUNS whole processes of `command`: the statistics of their wall and CPU times. */
function measure(command: string, env: NodeJS.ProcessEnv) {
  const runs = Array.from({ length: RUNS }, () => timeOnce(command, env));
  return { wall: stats(runs.map((r) => r.wall)), cpu: stats(runs.map((r) => r.cpu)) };
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const median = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { median, min: s[0], max: s[s.length - 1] };
};
const fmt = (x: { median: number; min: number; max: number }) => `median ${x.median.toFixed(0)} ms (min ${x.min.toFixed(0)}, max ${x.max.toFixed(0)})`;

/** The app command of cdk8s.yaml. */
function appCommand(): string {
  const app = (yaml.load(fs.readFileSync(path.join(ROOT, 'cdk8s.yaml'), 'utf8')) as { app: string }).app;
  if (!app) throw new Error('cdk8s.yaml has no app command');
  return app;
}

interface Rendered { objects: any[]; workloads: Map<string, Sizing & { component: string; injected: number }> }

/** Steady-state sizing per workload: replicas × (containers + injected sidecars); Jobs and CronJobs listed apart. */
function read(out: string): Rendered {
  const objects = fs.readdirSync(out).sort().flatMap((f) => yaml.loadAll(fs.readFileSync(path.join(out, f), 'utf8')) as any[]).filter(Boolean);
  const injecting = new Set(objects.filter((o) => o.kind === 'Namespace' && o.metadata.labels?.['istio-injection'] === 'enabled').map((o) => o.metadata.name));
  const workloads = new Map<string, Sizing & { component: string; injected: number }>();
  for (const o of objects) {
    const template = o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template : o.spec?.template;
    if (!template?.spec?.containers) continue;
    const replicas = o.spec.replicas ?? (o.kind === 'Deployment' ? 1 : 1);
    const s = { ...zero(), component: o.metadata.labels?.['app.kubernetes.io/component'] ?? 'other', injected: 0 };
    for (const c of template.spec.containers) {
      s.reqCpu += replicas * cpuMillis(String(c.resources.requests.cpu));
      s.reqMem += replicas * memoryBytes(String(c.resources.requests.memory));
      s.limCpu += replicas * cpuMillis(String(c.resources.limits.cpu));
      s.limMem += replicas * memoryBytes(String(c.resources.limits.memory));
    }
    const injected = injecting.has(o.metadata.namespace) && template.metadata?.annotations?.['sidecar.istio.io/inject'] !== 'false';
    if (injected) {
      s.injected = replicas;
      s.reqCpu += replicas * SIDECAR.cpu;
      s.reqMem += replicas * SIDECAR.memory;
    }
    workloads.set(`${o.kind} ${o.metadata.name}`, s);
  }
  return { objects, workloads };
}

const mi = (b: number) => `${Math.round(b / 2 ** 20)}Mi`;
const m = (c: number) => `${c}m`;
const row = (cells: string[], widths: number[]) => cells.map((c, i) => c.padEnd(widths[i])).join('');
const W = [46, 14, 10, 10, 10, 10];
const add = (t: Sizing, s: Sizing) => { t.reqCpu += s.reqCpu; t.reqMem += s.reqMem; t.limCpu += s.limCpu; t.limMem += s.limMem; };
const mark = (ok: boolean) => (ok ? 'met' : 'MISSED');

/**
 * The figure of #24: the app command as `cdk8s synth` runs it, with the built-in laptop profile
 * (no configuration file), nothing changed since the last compile; and where its CPU goes.
 */
function appTarget(app: string): void {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-bench-default-'));
  try {
    const env = { MICROFLOW_CONFIG: '', MICROFLOW_OUT: out };
    const viaApp = measure(app, env);
    const objects = read(out).objects.length;
    console.log(`## the app command, built-in laptop profile (what cdk8s synth renders): ${objects} objects`);
    console.log(`CPU ${fmt(viaApp.cpu)}; wall ${fmt(viaApp.wall)}   [target ≤ ${TARGETS.synthCpuSeconds * 1000} ms CPU median: ${mark(viaApp.cpu.median <= TARGETS.synthCpuSeconds * 1000)}]`);
    console.log('where its CPU goes, one run under node --cpu-prof:');
    for (const line of formatCosts(profileCommand(app, env, ROOT))) console.log(`  ${line}`);
    console.log('');
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

export function main(): void {
  const app = appCommand();
  console.log(`microflow bench: ${RUNS} runs per measurement, node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`);
  console.log(`app command (cdk8s.yaml): ${app}\n`);
  const results: string[] = [];
  appTarget(app);
  for (const profile of PROFILES) {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), `microflow-bench-${profile}-`));
    try {
      const env = { MICROFLOW_CONFIG: path.join(ROOT, 'examples', `${profile}.yaml`), MICROFLOW_OUT: out };
      const main = measure(`"${process.execPath}" build/main.js`, env);
      const viaApp = measure(app, env);
      const { objects, workloads } = read(out);
      console.log(`## ${profile}: ${objects.length} objects`);
      console.log(`node build/main.js: CPU ${fmt(main.cpu)}; wall ${fmt(main.wall)}   [target ≤ ${TARGETS.synthSeconds * 1000} ms wall: ${mark(main.wall.median <= TARGETS.synthSeconds * 1000)}]`);
      console.log(`app command:        CPU ${fmt(viaApp.cpu)}; wall ${fmt(viaApp.wall)}   [target ≤ ${TARGETS.synthSeconds * 1000} ms wall median, nothing changed: ${mark(viaApp.wall.median <= TARGETS.synthSeconds * 1000)}]`);
      console.log(row(['workload', 'component', 'cpu req', 'cpu lim', 'mem req', 'mem lim'], W));
      const total = zero();
      const byComponent = new Map<string, Sizing>();
      let injected = 0;
      for (const [name, s] of workloads) {
        console.log(row([`${name}${s.injected ? ` (+${s.injected} sidecar)` : ''}`, s.component, m(s.reqCpu), m(s.limCpu), mi(s.reqMem), mi(s.limMem)], W));
        if (name.startsWith('Job ') || name.startsWith('CronJob ')) continue;
        add(total, s);
        if (!byComponent.has(s.component)) byComponent.set(s.component, zero());
        add(byComponent.get(s.component)!, s);
        injected += s.injected;
      }
      for (const [c, s] of byComponent) console.log(row([`component ${c} (steady state)`, c, m(s.reqCpu), m(s.limCpu), mi(s.reqMem), mi(s.limMem)], W));
      console.log(row(['steady state total (no Jobs)', '', m(total.reqCpu), m(total.limCpu), mi(total.reqMem), mi(total.limMem)], W));
      console.log(`injected containers: ${injected} (gateway-only Istio: no namespace is labelled for sidecar injection)`);
      if (profile === 'laptop') {
        console.log(`laptop target ≤ ${TARGETS.laptopCpu}m CPU and ≤ 4Gi requested: ${mark(total.reqCpu <= TARGETS.laptopCpu && total.reqMem <= TARGETS.laptopMemory)}`);
      }
      results.push(`${profile}: ${objects.length} objects, ${m(total.reqCpu)} / ${mi(total.reqMem)} requested`);
      console.log('');
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }
  console.log('## anchor: kubeflow/manifests (measured figures, with their source)');
  for (const [what, value, source] of ANCHORS) console.log(`${what.padEnd(38)}${value.padEnd(58)}${source}`);
  console.log(`\nmicroflow: ${results.join('; ')}`);
}

if (require.main === module) main();
