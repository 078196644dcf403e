// @ts-check
/**
 * StrykerJS over one lib/ folder at a time: MICROFLOW_MUTATION_SCOPE (config, platform, data, deploy, auth,
 * users, gateway, pipelines, notebooks) picks the folder and, in jest.mutation.config.js, its tests. `npm run mutation` runs every scope.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
const scope = process.env.MICROFLOW_MUTATION_SCOPE ?? 'data';
// MICROFLOW_MUTATION_PART names a run over part of the folder (with --mutate), so that two runs of
// one folder can share the cores without sharing reports.
const part = process.env.MICROFLOW_MUTATION_PART;
const reports = `reports/mutation/${scope}${part ? `-${part}` : ''}`;

export default {
  testRunner: 'jest',
  // Every scope's tests are loaded by one file (test/mutation/scope.mutation.ts) through require(),
  // which jest's --findRelatedTests cannot follow: it would find no test at all.
  jest: { configFile: 'jest.mutation.config.js', enableFindRelatedTests: false },
  coverageAnalysis: 'perTest',
  mutate: [`lib/${scope}/**/*.ts`],
  // Module-level code (constant tables, the zod schema's construction) is covered by no test in
  // particular: each such "static" mutant would run all of the folder's tests, about a minute on 2
  // shared cores. Not run by default; MICROFLOW_MUTATION_STATIC=1 includes them (see test/README.md).
  ignoreStatic: process.env.MICROFLOW_MUTATION_STATIC !== '1',
  concurrency: 2,
  timeoutMS: 60000,
  // The first, unmutated run of a folder's tests includes real programs (weed, MariaDB, cyclonus):
  // on 2 shared cores it can pass StrykerJS' 5-minute default.
  dryRunTimeoutMinutes: 30,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `${reports}/index.html` },
  jsonReporter: { fileName: `${reports}/mutation.json` },
  incremental: true,
  incrementalFile: `${reports}/stryker-incremental.json`,
  ignorePatterns: ['dist', 'build', 'reports', '.dist-*'],
  tempDirName: '.stryker-tmp',
};
