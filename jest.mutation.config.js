/**
 * The jest runs StrykerJS makes (`npm run mutation`, see test/README.md). MICROFLOW_MUTATION_SCOPE
 * (config, platform, data, deploy, auth, users, gateway, pipelines, notebooks) picks the tests of the lib/ folder under mutation; every scope
 * leaves out the tests of the compiled build/ (a mutant in lib/*.ts never reaches it) and the
 * control-plane suite. Renders are not cached: each test must execute the code it checks itself, or
 * per-test coverage would credit only the first test of a file.
 */
const fs = require('fs');
const path = require('path');
const base = require('./jest.config.js');

process.env.MICROFLOW_RENDER_CACHE = 'off';

const TESTS = {
  // The configuration's rules on users, notebooks and TensorBoards are tested beside what they render.
  // config also holds the image catalog and the rules components share with validation (GPU counts,
  // object-store grants, TensorBoard log sources): their tests live beside the components that use them.
  config: [
    'config/*.test.ts', 'config-flow.test.ts', 'gpu/*.test.ts', 'platform/primitives.test.ts', 'platform/workload.test.ts',
    'pipelines/artifact-keys.test.ts',
    'notebooks/notebook.test.ts', 'notebooks/tensorboard.test.ts', 'notebooks/tensorboard-store.test.ts', 'notebooks/tensorboard-self-service.test.ts',
  ],
  platform: ['platform/*.test.ts', 'stack-policy.test.ts', 'config-flow.test.ts'],
  data: ['data/*.test.ts', 'platform/reachability.test.ts', 'config-flow.test.ts'],
  deploy: ['deploy/*.test.ts'],
  // #18's folders: each one's own tests, plus every other test that imports the folder directly.
  auth: [
    'auth/*.test.ts', 'gateway/https-default.test.ts', 'gateway/mesh-config.test.ts', 'users/user-namespace.test.ts',
    'pipelines/task-service.test.ts', 'notebooks/tensorboard-self-service.test.ts', 'data/object-store-console.test.ts',
  ],
  users: [
    'users/*.test.ts', 'config/users.test.ts', 'gateway/route-destinations.test.ts', 'platform/namespace.test.ts',
    'auth/login-stack.test.ts', 'deploy/offboard.test.ts', 'pipelines/user-access.test.ts', 'pipelines/mode.test.ts',
    'pipelines/artifact-keys.test.ts', 'notebooks/store-env.test.ts', 'notebooks/culling-network.test.ts',
    'notebooks/tensorboard-self-service.test.ts', 'stack-policy.test.ts',
  ],
  gateway: [
    'gateway/*.test.ts', 'auth/login-stack.test.ts', 'auth/gateway-policies.test.ts', 'pipelines/metadata-route.test.ts',
    'notebooks/tensorboard-self-service.test.ts', 'data/object-store-console.test.ts', 'stack-policy.test.ts',
  ],
  pipelines: ['pipelines/*.test.ts', 'users/quota.test.ts', 'notebooks/tensorboard-store.test.ts', 'auth/login-stack.test.ts', 'stack-policy.test.ts'],
  notebooks: [
    'notebooks/*.test.ts', 'config/notebook-rules.test.ts', 'auth/login-stack.test.ts', 'data/object-store-console.test.ts',
    'stack-policy.test.ts',
  ],
};
const scope = process.env.MICROFLOW_MUTATION_SCOPE;
/**
 * The native tier's tests (`*.native.test.ts`: weed, MariaDB, htpasswd...; jest.config.js leaves them out
 * too) are left out unless MICROFLOW_MUTATION_NATIVE=1:
 * they render the stack, so they cover every data-layer mutant, and each surviving mutant would
 * start them (about 45 s a mutant, a full lib/data run over 3 hours on 2 cores). The scripts they
 * run are run with the test doubles too (test/data/scripts.test.ts), which is what kills script
 * mutants; the native tests prove that the real programs accept what is rendered.
 */
const NATIVE = '\\.native\\.test\\.ts$';
if (scope !== undefined && !(scope in TESTS)) throw new Error(`MICROFLOW_MUTATION_SCOPE: expected one of ${Object.keys(TESTS).join(', ')}, got ${scope}`);
const ignored = [
  ...base.testPathIgnorePatterns.filter((p) => p !== NATIVE || process.env.MICROFLOW_MUTATION_NATIVE !== '1'),
  '<rootDir>/test/config/cli.test.ts', '<rootDir>/test/data/restore-cli.test.ts',
];

/**
 * The scope's test files, smallest first, for test/mutation/scope.mutation.ts. Each jest test file
 * has its own module registry: every file a mutant's run loads imports cdk8s and lib/ anew and renders
 * the stack cold (about 4 s each under load, most of a surviving mutant's 90 s). Loaded as one file,
 * they pay that once. MICROFLOW_MUTATION_FILES=separate keeps them apart (and test/mutation/
 * sequencer.js orders them).
 */
function scopeFiles() {
  const root = path.join(__dirname, 'test');
  const skip = ignored.map((p) => new RegExp(p.replace('<rootDir>', __dirname.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))));
  const files = TESTS[scope].flatMap((t) => {
    const dir = path.dirname(path.join(root, t));
    const name = new RegExp(`^${path.basename(t).replace(/\./g, '\\.').replace(/\*/g, '.*')}$`);
    return fs.readdirSync(dir).filter((f) => name.test(f)).map((f) => path.join(dir, f));
  }).filter((f) => !skip.some((re) => re.test(f)));
  return [...new Set(files)].sort((a, b) => fs.statSync(a).size - fs.statSync(b).size);
}
const together = scope !== undefined && process.env.MICROFLOW_MUTATION_FILES !== 'separate';
if (together) process.env.MICROFLOW_MUTATION_TEST_FILES = JSON.stringify(scopeFiles());

module.exports = {
  ...base,
  testMatch: together ? ['<rootDir>/test/mutation/scope.mutation.ts'] : scope ? TESTS[scope].map((t) => `<rootDir>/test/${t}`) : base.testMatch,
  testPathIgnorePatterns: ignored,
  // An absolute path: StrykerJS resolves the environment itself, without jest's <rootDir>.
  testEnvironment: path.join(__dirname, 'test', 'mutation', 'environment.js'),
  testSequencer: path.join(__dirname, 'test', 'mutation', 'sequencer.js'),
  // Type checking is `npm test`'s job; here it would only cost time on every mutant.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json', isolatedModules: true, diagnostics: false }] },
};
