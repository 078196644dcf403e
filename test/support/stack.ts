import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import * as yaml from 'js-yaml';
import { Construct } from 'constructs';
import { loadConfigFile, resolveConfig, type Config } from '../../lib/config';
import { connectionsOf, WorkloadPolicy, type Connection } from '../../lib/platform';
import { buildStack } from '../../lib/stack';

export const ROOT = path.resolve(__dirname, '..', '..');
export const EXAMPLES = ['laptop', 'gpu-workstation', 'cluster'] as const;
export type Example = (typeof EXAMPLES)[number];

/** A rendered Kubernetes object, loosely typed for assertions. */
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: any; annotations?: any };
  [key: string]: any;
};

/** An example profile's configuration, optionally with overrides on top (as a user's file would add them). */
export function exampleConfig(example: Example, overrides: Record<string, unknown> = {}): Config {
  const file = path.join(ROOT, 'examples', `${example}.yaml`);
  if (Object.keys(overrides).length === 0) return loadConfigFile(file);
  return resolveConfig({ ...(yaml.load(fs.readFileSync(file, 'utf8')) as object), ...overrides }, `${file} + overrides`);
}

/** Renders a whole stack to a temporary folder and returns its files (in apply order) and objects. */
export function renderStack(config: Config): { files: Record<string, string>; objects: K8sObject[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-test-'));
  try {
    buildStack(config, dir).app.synth();
    const files: Record<string, string> = {};
    for (const f of fs.readdirSync(dir).sort()) files[f] = fs.readFileSync(path.join(dir, f), 'utf8');
    const objects = Object.values(files).flatMap((text) => yaml.loadAll(text) as K8sObject[]).filter(Boolean);
    return { files, objects };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Renders are cached per test file, except in StrykerJS's initial run (jest.mutation.config.js turns
 * the cache off): there every test must run the code it checks itself, or StrykerJS cannot tell which
 * tests cover a mutant. For the same reason, tests render inside `test`, never in `describe` or
 * `beforeAll`. In a run with a mutant active the same code runs for every test, so caching is sound
 * again, and it is what makes a surviving mutant affordable: it runs every covering test.
 */
const CACHE = process.env.MICROFLOW_RENDER_CACHE !== 'off' || process.env.__STRYKER_ACTIVE_MUTANT__ !== undefined;

/** `f`, evaluated once per test file (every call under mutation testing). */
export function once<T>(f: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!CACHE) return f();
    if (!done) { value = f(); done = true; }
    return value;
  };
}

/** The whole stack's objects and declared connections, rendered in memory (apply order, no files). */
export function renderWithConnections(config: Config): { objects: K8sObject[]; connections: readonly Connection[] } {
  const { app } = buildStack(config, path.join(os.tmpdir(), 'microflow-never-written'));
  const objects = app.charts.flatMap((c) => c.toJson()) as K8sObject[];
  return { objects, connections: connectionsOf(app) };
}

const renders = new Map<string, { objects: K8sObject[]; connections: readonly Connection[] }>();
/** The stack of a configuration, rendered once per test file (see `once`). */
export function rendered(config: Config): { objects: K8sObject[]; connections: readonly Connection[] } {
  const key = JSON.stringify(config);
  if (!CACHE) return renderWithConnections(config);
  if (!renders.has(key)) renders.set(key, renderWithConnections(config));
  return renders.get(key)!;
}

/** Objects of an example profile. */
export function exampleObjects(example: Example): K8sObject[] {
  return rendered(exampleConfig(example)).objects;
}

/** A chart and a policy for unit-testing one construct; `synth()` returns its objects. */
export function constructHarness(input: Record<string, unknown> = {}) {
  const config = resolveConfig(input);
  const chart = Testing.chart();
  const policy = new WorkloadPolicy(config);
  return { config, chart: chart as Construct, policy, synth: () => Testing.synth(chart) as K8sObject[] };
}

export const find = (objects: K8sObject[], kind: string, name: string, namespace?: string): K8sObject => {
  const hit = objects.find((o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
  if (!hit) throw new Error(`no ${kind} ${namespace ? `${namespace}/` : ''}${name} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return hit;
};

/** The pod spec of a workload object, whatever its kind. */
export function podSpecOf(o: K8sObject): any | undefined {
  switch (o.kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'Job':
      return o.spec.template.spec;
    case 'CronJob':
      return o.spec.jobTemplate.spec.template.spec;
    case 'Pod':
      return o.spec;
    default:
      return undefined;
  }
}

export function podTemplateLabels(o: K8sObject): Record<string, string> {
  return o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template.metadata?.labels ?? {} : o.spec.template.metadata?.labels ?? {};
}

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob'];
export const LONG_RUNNING_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'];

/** Every example profile, plus variants the examples do not cover (the SeaweedFS object store, one user's s3:// TensorBoard). */
export const VARIANTS = [...EXAMPLES.map((e) => `profile ${e}`), 'laptop with seaweedfs', 'laptop with an s3 TensorBoard'] as const;

/**
 * The configuration of a variant name from VARIANTS.
 * - `laptop with seaweedfs`: two users: per-user keys and allows render for both, and ann's
 *   TensorBoard reads her runs' prefix with her key.
 * - `laptop with an s3 TensorBoard`: the laptop example (one user) whose TensorBoard reads its runs'
 *   artifacts in the object store with its namespace's key (which every user namespace holds): its
 *   sync container's connection to the store renders too.
 */
export function variantConfig(variant: string): Config {
  if (variant.startsWith('profile ')) return exampleConfig(variant.slice('profile '.length) as Example);
  if (variant === 'laptop with an s3 TensorBoard') {
    return exampleConfig('laptop', { tensorboards: [{ name: 'runs', owner: 'you@microflow.local', logs: 's3://mlpipeline/private-artifacts/you-microflow-local/v2/artifacts/' }] });
  }
  if (variant !== 'laptop with seaweedfs') throw new Error(`unknown variant ${JSON.stringify(variant)}`);
  return resolveConfig({
    objectStore: 'seaweedfs',
    users: ['ann@microflow.local', 'ben@microflow.local'],
    tensorboards: [{ name: 'runs', owner: 'ann@microflow.local', logs: 's3://mlpipeline/private-artifacts/ann-microflow-local/v2/artifacts/' }],
  });
}

/** The rendered objects of a variant name from VARIANTS. */
export function variantObjects(variant: string): K8sObject[] {
  return rendered(variantConfig(variant)).objects;
}
