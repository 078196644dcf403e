/**
 * The intended layers of lib/, checked by `npm run deps` (dependency-cruiser, part of `npm test`).
 * Each component folder may import only the folders below it; lib/config imports no component, so
 * the configuration can be read and validated without declaring anything; no module cycles.
 *
 *   config  <  platform, gpu  <  gateway  <  data  <  auth  <  users  <  pipelines  <  notebooks
 *   deploy, docs, gitops: tools over a rendered stack; lib/*.ts (stack, Microflow): the top
 */
const LAYERS = {
  config: [],
  platform: ['config'],
  gpu: ['config'],
  gateway: ['config', 'platform'],
  data: ['config', 'platform', 'gateway'],
  auth: ['config', 'platform', 'gateway', 'data'],
  users: ['config', 'platform', 'gpu', 'gateway', 'auth'],
  pipelines: ['config', 'platform', 'gpu', 'gateway', 'data', 'auth', 'users'],
  notebooks: ['config', 'platform', 'gpu', 'gateway', 'data', 'auth', 'users', 'pipelines'],
  deploy: ['config', 'platform', 'gpu', 'data', 'users'],
  // The generated docs render a stack (architecture.md), and GitOps reads the app's chart order.
  docs: ['config', 'platform', 'TOP'],
  gitops: ['config', 'platform', 'TOP'],
};

const folder = (f) => `^lib/${f}/`;
const allowed = (deps) => `^lib/(${deps.filter((d) => d !== 'TOP').join('|') || '__none__'})/`;

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A module cycle: one of its modules must move down a layer, or the shared fact into lib/config.',
      from: {},
      // A cycle through an `import type` is erased by the compiler (lib/config's rules name the
      // Config type that the schema using them defines); the folder rules below count type imports too.
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    ...Object.entries(LAYERS).map(([name, deps]) => ({
      name: `layer-${name}`,
      severity: 'error',
      comment: `lib/${name} may import only ${deps.length ? deps.map((d) => (d === 'TOP' ? 'lib/*.ts' : `lib/${d}`)).join(', ') : 'no other lib/ folder'} (.dependency-cruiser.cjs, LAYERS)`,
      from: { path: folder(name) },
      to: {
        path: '^lib/',
        pathNot: [folder(name), allowed(deps), ...(deps.includes('TOP') ? ['^lib/[^/]+\\.ts$'] : [])],
      },
    })),
    {
      name: 'lib-is-the-product',
      severity: 'error',
      comment: 'lib/ imports neither scripts/ (the CLI over it), test/ nor examples/.',
      from: { path: '^lib/' },
      to: { path: '^(scripts|test|examples)/' },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(build|dist|vendor|reports|node_modules)/' },
    tsConfig: { fileName: 'tsconfig.test.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['require', 'node', 'default', 'types'] },
  },
};
