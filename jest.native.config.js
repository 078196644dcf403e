/**
 * The native tier (`npm run test:native`): the `*.native.test.ts` files, which run real upstream
 * programs and system tools. test/native/tier.js says which tool each file needs; files whose tools
 * are missing are skipped with one line per tool, or fail the run with MICROFLOW_REQUIRE_NATIVE=1 (CI).
 */
const base = require('./jest.config.js');
const { plan } = require('./test/native/tier.js');

const { skipped, missing, messages } = plan();
if (missing.length && process.env.MICROFLOW_REQUIRE_NATIVE === '1') {
  throw new Error(`MICROFLOW_REQUIRE_NATIVE=1 but tools are missing:\n${messages.join('\n')}`);
}
for (const m of messages) console.warn(m);

module.exports = {
  ...base,
  testMatch: ['**/*.native.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/cluster/', ...skipped.map((f) => `<rootDir>/test/${f.replace(/\./g, '\\.')}$`)],
  // Real programs start, serve and build caches: minutes, not seconds.
  testTimeout: 300000,
};
