/**
 * `npm run bench`: how fast synth is and how much the platform asks of the machine, per profile.
 * - wall time (median/min/max over separate process runs) of `node build/main.js` and of the app
 *   command in cdk8s.yaml (what `cdk8s synth` and `npm run synth` run; it skips tsc when no source changed);
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

const ROOT = path.resolve(__dirname, '..', '..');
const PROFILES = ['laptop', 'gpu-workstation', 'cluster'];
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
/** What an injected Istio sidecar requests by default (istio's values: proxy 100m / 128Mi). */
const SIDECAR = { cpu: 100, memory: 128 * 2 ** 20 };
const TARGETS = { synthSeconds: 1.0, laptopCpu: 2000, laptopMemory: 4 * 2 ** 30 };

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

function timeOnce(cmd: string, args: string[], env: NodeJS.ProcessEnv, shell = false): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, shell });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
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

export function main(): void {
  const app = appCommand();
  console.log(`microflow bench: ${RUNS} runs per measurement, node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`);
  console.log(`app command (cdk8s.yaml): ${app}\n`);
  const results: string[] = [];
  for (const profile of PROFILES) {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), `microflow-bench-${profile}-`));
    try {
      const env = { MICROFLOW_CONFIG: path.join(ROOT, 'examples', `${profile}.yaml`), MICROFLOW_OUT: out };
      const main = stats(Array.from({ length: RUNS }, () => timeOnce(process.execPath, [path.join(ROOT, 'build', 'main.js')], env)));
      const viaApp = stats(Array.from({ length: RUNS }, () => timeOnce(app, [], env, true)));
      const { objects, workloads } = read(out);
      console.log(`## ${profile}: ${objects.length} objects`);
      console.log(`node build/main.js: ${fmt(main)}   [target ≤ ${TARGETS.synthSeconds * 1000} ms: ${mark(main.median <= TARGETS.synthSeconds * 1000)}]`);
      console.log(`app command:        ${fmt(viaApp)}   [target ≤ ${TARGETS.synthSeconds * 1000} ms median, nothing changed: ${mark(viaApp.median <= TARGETS.synthSeconds * 1000)}]`);
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
