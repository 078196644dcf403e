import { z } from 'zod';
import { artifactGrant } from './artifact-grants';
import { gpuCountProblem } from './gpu-rules';
import { isPinned, NOTEBOOK_SERVER_IMAGES } from './images';
import { tensorboardLogsProblem } from './log-source';
import { cpuMillis, cpuQuantity, memoryBytes, memoryQuantity, scaleCpu, scaleMemory } from './quantity';
import type { Config } from './schema';
import { defaultUserNamespace, emailSchema } from './users';
import { count, DNS_LABEL } from './validators';

/**
 * The `jupyter`, `notebooks` and `tensorboards` parts of the configuration schema, and the checks
 * that need the whole configuration (owners among `users`, GPU quota, where an owner's key reads):
 * configSchema runs `notebookProblems` in its own refinement.
 */

const notebookImage = z.string({ error: 'expected an image reference string' }).refine(
  (v) => (NOTEBOOK_SERVER_IMAGES as readonly string[]).includes(v) || (v.includes('/') && isPinned(v)), {
    error: (iss) => `expected one of ${NOTEBOOK_SERVER_IMAGES.join(', ')} or a pinned "repository:tag" reference, got ${JSON.stringify(iss.input)}`,
  });
const dnsLabel = (what: string) => z.string({ error: `expected ${what} as a string` }).max(52, { error: `expected ${what} of at most 52 characters` })
  .regex(DNS_LABEL, { error: (iss) => `expected ${what}: lowercase letters, digits and '-', got ${JSON.stringify(iss.input)}` });
const email = emailSchema;

/**
 * The name of the self-service TensorBoard slot every user namespace has (served at
 * /tensorboard/<namespace>/self-service/): no declared TensorBoard may take it.
 */
export const TENSORBOARD_SELF_SERVICE_SLOT = 'self-service';

export const jupyterSchema = z.strictObject({
  /** Images the Jupyter web app offers (short names of Kubeflow's notebook servers, or pinned references); the first is the default. */
  images: z.array(notebookImage).min(1, { error: 'expected at least one image' }),
  /** Default CPU request of a notebook. */
  cpu: cpuQuantity,
  /** Default memory request of a notebook. */
  memory: memoryQuantity,
  /** Limits are requests times this factor (the web app's `limitFactor`). */
  limitFactor: z.number({ error: 'expected a number such as 1.2' }).min(1, { error: 'expected 1 or more (limits are never below requests)' }),
  /** Default workspace volume size. */
  workspaceSize: memoryQuantity,
  /** Idle culling: notebooks without kernel activity for `idleMinutes` are stopped (their volumes stay). */
  culling: z.strictObject({
    /** Whether the notebook controller stops idle notebooks (ENABLE_CULLING). */
    enabled: z.boolean({ error: 'expected true or false' }),
    /** Minutes without kernel activity before a notebook is stopped (CULL_IDLE_TIME). */
    idleMinutes: count('a number of minutes').min(1, { error: 'expected at least 1 minute' }),
    /** Minutes between two idleness checks (IDLENESS_CHECK_PERIOD). */
    checkPeriodMinutes: count('a number of minutes').min(1, { error: 'expected at least 1 minute' }),
  }),
});

/** An extra volume of a notebook: a new claim of `size`, or an existing `claim`. */
const dataVolumeSchema = z.strictObject({
  name: dnsLabel('a volume name'),
  mountPath: z.string({ error: 'expected an absolute path' }).regex(/^\/[^\0]*$/, { error: 'expected an absolute path such as "/home/jovyan/data"' }),
  size: memoryQuantity.optional(),
  claim: dnsLabel('a PersistentVolumeClaim name').optional(),
});

export const notebookSchema = z.strictObject({
  /** Notebook name, unique in its owner's namespace. */
  name: dnsLabel('a notebook name'),
  /** The user whose namespace it runs in (one of `users`). */
  owner: email,
  /** @default jupyter.images[0] */
  image: notebookImage.optional(),
  /** CPU request. @default jupyter.cpu */
  cpu: cpuQuantity.optional(),
  /** Memory request. @default jupyter.memory */
  memory: memoryQuantity.optional(),
  /** Whole GPUs. @default 0 */
  gpus: z.number({ error: 'expected a GPU count as a whole number' }).optional(),
  /** Workspace volume size (mounted at /home/jovyan, kept when the notebook is deleted). @default jupyter.workspaceSize */
  workspaceSize: memoryQuantity.optional(),
  /** Extra data volumes. @default - none */
  dataVolumes: z.array(dataVolumeSchema).optional(),
});

export const tensorboardSchema = z.strictObject({
  /** TensorBoard name, unique in its owner's namespace, not "self-service" (each namespace's own slot); served at /tensorboard/<namespace>/<name>/. */
  name: dnsLabel('a TensorBoard name'),
  owner: email,
  /**
   * Log directory: "pvc://<claim>/<path>" in the owner's namespace, or "s3://<bucket>/<prefix>" in the
   * platform's object store where the owner's key reads: "s3://mlpipeline/private-artifacts/<namespace>/…".
   */
  logs: z.string({ error: 'expected a log directory string' }).regex(/^(s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?|pvc:\/\/[a-z0-9]([-a-z0-9]*[a-z0-9])?(\/.*)?)$/, {
    error: (iss) => `expected "s3://<bucket>/<prefix>" or "pvc://<claim>/<path>", got ${JSON.stringify(iss.input)}`,
  }),
});

/** What is wrong with the declared notebooks and TensorBoards: owners, duplicates, GPU requests, volumes. */
export function notebookProblems(c: Config): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  const seen = new Set<string>();
  const emails = c.users.map((u) => u.email);
  c.notebooks.forEach((nb, i) => {
    const at = (...p: (string | number)[]) => ['notebooks', i, ...p];
    const who = `notebook "${nb.name}"`;
    if (!emails.includes(nb.owner)) out.push({ path: at('owner'), message: `${who}: owner ${nb.owner} is not one of users (${emails.join(', ') || 'none'})` });
    const key = `${nb.owner}/${nb.name}`;
    if (seen.has(key)) out.push({ path: at('name'), message: `${who}: ${nb.owner} already has a notebook of that name` });
    seen.add(key);
    // 0 (or no `gpus`) is a CPU notebook; anything else must be a count the profile can place.
    if (nb.gpus !== undefined && nb.gpus !== 0) {
      const problem = gpuCountProblem(c.gpu, nb.gpus);
      if (problem) {
        out.push({ path: at('gpus'), message: `${who} ${problem.startsWith('expected') ? `(profile "${c.profile}"): ${problem}` : `${problem} (profile "${c.profile}")`}` });
      } else {
        // The owner's namespace quota (their own over userNamespace.quota, as lib/users resolves it)
        // must admit this notebook together with the owner's other GPU notebooks.
        const user = c.users.find((u) => u.email === nb.owner);
        const quota = user?.quota?.gpus ?? c.userNamespace.quota.gpus;
        const total = c.notebooks.slice(0, i + 1).filter((o) => o.owner === nb.owner).reduce((n, o) => n + (o.gpus ?? 0), 0);
        if (user && total > quota) {
          out.push({ path: at('gpus'), message: `${who} asks for ${nb.gpus} GPU(s)${total > nb.gpus! ? `, ${total} with ${nb.owner}'s notebooks declared before it` : ''}, but their namespace's GPU quota is ${quota} (users[].quota.gpus or userNamespace.quota.gpus): the API server would refuse its pod` });
        }
      }
    }
    // Its limits (requests × limitFactor) must fit the owner's LimitRange max, their quota's limits.
    const owner = c.users.find((u) => u.email === nb.owner);
    if (owner) {
      const q = { ...c.userNamespace.quota, ...owner.quota };
      const factor = c.jupyter.limitFactor;
      try {
        const cpu = scaleCpu(nb.cpu ?? c.jupyter.cpu, factor);
        if (cpuMillis(cpu) > cpuMillis(q.cpuLimit)) out.push({ path: at('cpu'), message: `${who}'s CPU limit ${cpu} (cpu × jupyter.limitFactor) is above ${nb.owner}'s cpuLimit ${q.cpuLimit}, the most one container may have: the API server would refuse its pod` });
        const memory = scaleMemory(nb.memory ?? c.jupyter.memory, factor);
        if (memoryBytes(memory) > memoryBytes(q.memoryLimit)) out.push({ path: at('memory'), message: `${who}'s memory limit ${memory} (memory × jupyter.limitFactor) is above ${nb.owner}'s memoryLimit ${q.memoryLimit}, the most one container may have: the API server would refuse its pod` });
      } catch { /* a value that is no quantity is reported by its own field */ }
    }
    (nb.dataVolumes ?? []).forEach((v, j) => {
      if ((v.size === undefined) === (v.claim === undefined)) {
        out.push({ path: at('dataVolumes', j), message: `${who}: data volume "${v.name}" needs exactly one of size (a new claim) or claim (an existing one)` });
      }
    });
  });
  const tbSeen = new Set<string>();
  c.tensorboards.forEach((tb, i) => {
    if (!emails.includes(tb.owner)) out.push({ path: ['tensorboards', i, 'owner'], message: `TensorBoard "${tb.name}": owner ${tb.owner} is not one of users (${emails.join(', ') || 'none'})` });
    const key = `${tb.owner}/${tb.name}`;
    if (tbSeen.has(key)) out.push({ path: ['tensorboards', i, 'name'], message: `TensorBoard "${tb.name}": ${tb.owner} already has a TensorBoard of that name` });
    tbSeen.add(key);
    // Every user namespace has the self-service slot (lib/notebooks/tensorboard-slot.ts) at that path.
    if (tb.name === TENSORBOARD_SELF_SERVICE_SLOT) {
      out.push({ path: ['tensorboards', i, 'name'], message: `TensorBoard "${tb.name}": the name is reserved for the self-service TensorBoard slot every user namespace has (/tensorboard/<namespace>/${TENSORBOARD_SELF_SERVICE_SLOT}/, docs/notebooks.md, "TensorBoards"); choose another name` });
    }
    // s3:// logs must lie where the key the owner's namespace gets can read (lib/config/artifact-grants.ts).
    const user = c.users.find((u) => u.email === tb.owner);
    if (user) {
      const ns = user.namespace ?? defaultUserNamespace(user.email);
      const problem = tensorboardLogsProblem(tb, ns, artifactGrant(ns));
      if (problem) out.push({ path: ['tensorboards', i, 'logs'], message: problem });
    }
  });
  return out;
}
