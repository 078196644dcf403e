/**
 * Which control-plane files run in which variant on which end of the matrix (`npm run test:cluster`,
 * test/cluster/run.sh). One source of truth: run.sh asks this file, the unit test
 * test/cluster-matrix.test.ts checks the reasons that can be checked, and test/cluster/README.md
 * ("The matrix") gives the reason for every cell.
 *
 * The 1.28 end proves what depends on the API server's version: every variant's objects accepted
 * with no warning, Pod Security admission, RBAC as 1.28 evaluates it, CRD validation (CEL rules,
 * pruning), the scheduler's placement, the quota and defaulting messages, the StatefulSet
 * controller keeping claims. Behaviour that does not depend on it (the commands, Flux's engine,
 * the README walkthrough, the real Argo controller) runs once, mostly on the current end.
 *
 *   node test/cluster/support/matrix.js files <1.28|current> <variant>   the files, one a line
 *   node test/cluster/support/matrix.js cost <1.28|current> <variant>    its estimated seconds (run.sh
 *                                                                        starts the longest first)
 *   node test/cluster/support/matrix.js check <variant>...               exit 2 naming an unknown
 *                                                                        variant or setting
 * MICROFLOW_CLUSTER_MATRIX=full runs every file in every variant on both ends (the whole matrix);
 * MICROFLOW_CLUSTER_FILES="commands readme" keeps only these files (of the reduced or full matrix).
 */
const fs = require('fs');
const path = require('path');

const VARIANTS = ['laptop', 'gpu-workstation', 'cluster', 'laptop+seaweedfs'];
const ENDS = ['1.28', 'current'];
const [L, G, C, S] = VARIANTS;

/** file → end → variants. A file's own test.skip guards (readme, availability) stay for single runs. */
const MATRIX = {
  // Every variant's whole stack: acceptance, warnings, Pod Security, placement, RBAC, data safety.
  platform: { '1.28': [L, G, C, S], current: [L, G, C, S] },
  // The Pipelines chart differs in every variant (object store, GPU runtime for all steps, multi-user).
  pipelines: { '1.28': [L, G, C, S], current: [L, G, C, S] },
  // laptop+seaweedfs renders the auth, users and gateway charts byte for byte as laptop does, and the
  // notebooks chart only without MinIO's console route (checked by test/cluster-matrix.test.ts);
  // gpu-workstation renders the gateway chart as laptop does.
  auth: { '1.28': [L, G, C], current: [L, G, C] },
  notebooks: { '1.28': [L, G, C], current: [L, G, C] },
  gateway: { '1.28': [L, C], current: [L, C] },
  // HPA and PDB objects of the cluster profile's construct: accepted by each end (a few seconds).
  availability: { '1.28': [C], current: [C] },
  // The attacker suite (issue #18): bob against alice needs two users, which only the cluster profile
  // has; RBAC and admission decide every attack, so both ends.
  attacks: { '1.28': [C], current: [C] },
  // The real gateway (istiod, Envoy, Dex, oauth2-proxy) serving requests: bob against alice needs the
  // cluster profile's two users. What it proves is the programs' behaviour on the rendered objects,
  // not the API server's, so one end: 1.28, the floor the objects are written for.
  'front-door': { '1.28': [C], current: [] },
  // The real controller, split: each distinct rendered controller configuration once (laptop+seaweedfs
  // renders laptop's; gpu-workstation adds workflowDefaults; cluster is multi-user), and the controller
  // against each end's API server (its client against the 1.28 floor too).
  'argo-controller': { '1.28': [C], current: [L, G] },
  // Command paths: their kubectl calls are ones every kubectl since long before 1.28 has, and every
  // object they apply is accepted on 1.28 by platform; so once, on the current end, on the one-node GPU
  // profile (the GPU preflight too; readme deploys laptop, gitops laptop+seaweedfs).
  commands: { '1.28': [], current: [G] },
  gitops: { '1.28': [], current: [S] },
  readme: { '1.28': [], current: [L] },
};

const FILES = Object.keys(MATRIX);

/**
 * Rough seconds of each file in a variant, for the start order only (nothing is asserted on them),
 * from run.sh's summary (2026-12-07, v1.28.15, load average 40-50): a file that re-applies the stack
 * takes about a minute, plus FIRST_APPLY for whichever file applies it first on the fresh cluster.
 * The cluster profile takes about 1.3 times as long.
 */
const COST = {
  platform: 150, pipelines: 60, auth: 60, notebooks: 60, gateway: 50, availability: 20, attacks: 60,
  'argo-controller': 150, commands: 300, gitops: 200, readme: 100, 'front-door': 200,
};
const FIRST_APPLY = 130;

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function checkVariants(variants) {
  for (const v of variants) if (!VARIANTS.includes(v)) fail(`MICROFLOW_PROFILES: unknown variant "${v}": expected some of ${VARIANTS.join(', ')}`);
}

/** MICROFLOW_CLUSTER_MATRIX and MICROFLOW_CLUSTER_FILES, checked. */
function settings(env) {
  const mode = env.MICROFLOW_CLUSTER_MATRIX || 'reduced';
  if (!['reduced', 'full'].includes(mode)) fail(`MICROFLOW_CLUSTER_MATRIX=${mode}: expected reduced (the default) or full`);
  const only = (env.MICROFLOW_CLUSTER_FILES ?? '').split(/\s+/).filter(Boolean);
  for (const f of only) if (!FILES.includes(f)) fail(`MICROFLOW_CLUSTER_FILES: unknown file "${f}": expected some of ${FILES.join(', ')}`);
  return { mode, only };
}

/** The files a variant runs on an end, in MATRIX order (the suite's sequencer orders them). */
function filesFor(end, variant, env = process.env) {
  if (!ENDS.includes(end)) fail(`unknown Kubernetes end "${end}": expected ${ENDS.join(' or ')}`);
  checkVariants([variant]);
  const { mode, only } = settings(env);
  return FILES.filter((f) => (mode === 'full' || MATRIX[f][end].includes(variant)) && (only.length === 0 || only.includes(f)));
}

const costOf = (end, variant, env = process.env) =>
  Math.round(filesFor(end, variant, env).reduce((n, f) => n + COST[f], FIRST_APPLY) * (variant === C ? 1.3 : 1));

module.exports = { VARIANTS, ENDS, MATRIX, FILES, COST, filesFor, costOf };

if (require.main === module) {
  const [cmd, ...args] = process.argv.slice(2);
  if (cmd === 'files' && args.length === 2) {
    for (const f of filesFor(args[0], args[1])) {
      if (!fs.existsSync(path.join(__dirname, '..', `${f}.test.ts`))) fail(`matrix.js names ${f}, but test/cluster/${f}.test.ts does not exist`);
      process.stdout.write(`${f}\n`);
    }
  } else if (cmd === 'cost' && args.length === 2) {
    process.stdout.write(`${costOf(args[0], args[1])}\n`);
  } else if (cmd === 'check') {
    checkVariants(args);
    settings(process.env);
  } else {
    fail('usage: matrix.js files|cost <1.28|current> <variant> | check <variant>...');
  }
}
