/**
 * The native tier (`npm run test:native`): the `*.native.test.ts` files, which run real upstream
 * programs and system tools. test/native/tier.js says which tool each file needs; files whose tools
 * are missing are skipped with one line per tool, or fail the run with MICROFLOW_REQUIRE_NATIVE=1 (CI).
 */
const base = require('./jest.config.js');
const { plan } = require('./test/native/tier.js');

const { skipped, missing } = plan();
if (missing.length && process.env.MICROFLOW_REQUIRE_NATIVE === '1') {
  for (const m of missing) console.error(`test:native: ${m.tool} missing (${m.get}), needed by ${m.files.join(', ')}`);
  console.error(`test:native: MICROFLOW_REQUIRE_NATIVE=1 and ${missing.length} tool(s) missing: failing before any test runs`);
  process.exit(1);
}
for (const m of missing) {
  console.warn(`skipping ${m.files.length} file${m.files.length === 1 ? '' : 's'}: ${m.tool} missing (${m.get}) — CI runs them: ${m.files.join(', ')}`);
}

const { maxWorkers, ...rest } = base;
module.exports = {
  // jest's default worker count (cores - 1): real servers and browsers, fewer at once.
  ...rest,
  testMatch: ['**/*.native.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/cluster/', ...skipped.map((f) => `<rootDir>/test/${f.replace(/\./g, '\\.')}$`)],
  // Real programs start, serve and build caches: minutes, not seconds.
  testTimeout: 300000,
};
