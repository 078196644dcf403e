/**
 * `npm run bench`: how fast synth is and how much the platform asks of the machine.
 * - median wall time of `node build/main.js` over several separate process runs, per profile;
 * - CPU and memory requests and limits per component and in total, per profile.
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

type Sizing = { reqCpu: number; reqMem: number; limCpu: number; limMem: number };

function synthOnce(profile: string, out: string): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [path.join(ROOT, 'build', 'main.js')], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, MICROFLOW_CONFIG: path.join(ROOT, 'examples', `${profile}.yaml`), MICROFLOW_OUT: out },
  });
  if (r.status !== 0) throw new Error(`synth of ${profile} failed:\n${r.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Steady-state sizing per workload: replicas × containers (init containers run before, not beside). */
function sizing(out: string): Map<string, Sizing> {
  const rows = new Map<string, Sizing>();
  for (const f of fs.readdirSync(out).sort()) {
    for (const o of yaml.loadAll(fs.readFileSync(path.join(out, f), 'utf8')) as any[]) {
      const spec = o?.kind === 'CronJob' ? o.spec.jobTemplate.spec.template.spec : o?.spec?.template?.spec;
      if (!spec) continue;
      const replicas = o.spec.replicas ?? 1;
      const key = `${o.kind} ${o.metadata.name}`;
      const acc = rows.get(key) ?? { reqCpu: 0, reqMem: 0, limCpu: 0, limMem: 0 };
      for (const c of spec.containers) {
        acc.reqCpu += replicas * cpuMillis(String(c.resources.requests.cpu));
        acc.reqMem += replicas * memoryBytes(String(c.resources.requests.memory));
        acc.limCpu += replicas * cpuMillis(String(c.resources.limits.cpu));
        acc.limMem += replicas * memoryBytes(String(c.resources.limits.memory));
      }
      rows.set(key, acc);
    }
  }
  return rows;
}

const mi = (b: number) => `${Math.round(b / 2 ** 20)}Mi`;
const m = (c: number) => `${c}m`;
const pad = (s: string, n: number) => s.padEnd(n);

function main(): void {
  console.log(`microflow bench: ${RUNS} synth runs per profile, node ${process.version}, ${os.cpus().length} CPUs\n`);
  for (const profile of PROFILES) {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), `microflow-bench-${profile}-`));
    try {
      const times = Array.from({ length: RUNS }, () => synthOnce(profile, out));
      console.log(`## ${profile}: median synth ${median(times).toFixed(0)} ms (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)})`);
      const rows = sizing(out);
      const total: Sizing = { reqCpu: 0, reqMem: 0, limCpu: 0, limMem: 0 };
      console.log(`${pad('workload', 34)}${pad('cpu req', 10)}${pad('cpu lim', 10)}${pad('mem req', 10)}mem lim`);
      for (const [name, s] of rows) {
        console.log(`${pad(name, 34)}${pad(m(s.reqCpu), 10)}${pad(m(s.limCpu), 10)}${pad(mi(s.reqMem), 10)}${mi(s.limMem)}`);
        if (!name.startsWith('Job ') && !name.startsWith('CronJob ')) {
          total.reqCpu += s.reqCpu; total.reqMem += s.reqMem; total.limCpu += s.limCpu; total.limMem += s.limMem;
        }
      }
      console.log(`${pad('steady state (no Jobs)', 34)}${pad(m(total.reqCpu), 10)}${pad(m(total.limCpu), 10)}${pad(mi(total.reqMem), 10)}${mi(total.limMem)}\n`);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }
}

main();
