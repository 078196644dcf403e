/**
 * The jest run StrykerJS uses (`npm run mutation`): the unit and whole-stack tests, minus those that
 * run the compiled build/ (a mutant in lib/*.ts never reaches it), the dist/ drift snapshot and the
 * control-plane suite.
 * Renders are not cached here: each test must execute the code it checks itself, or per-test coverage
 * (which test covers which mutant) would credit only the first test of a file.
 */
const base = require('./jest.config.js');

process.env.MICROFLOW_RENDER_CACHE = 'off';

module.exports = {
  ...base,
  testPathIgnorePatterns: [...base.testPathIgnorePatterns, '<rootDir>/test/config/cli.test.ts', '<rootDir>/test/data/restore-cli.test.ts',
    // A snapshot of dist/ would "kill" every mutant that changes the laptop render without proving anything.
    '<rootDir>/test/drift.test.ts'],
  // Type checking is `npm test`'s job; here it would only cost time on every mutant.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json', isolatedModules: true, diagnostics: false }] },
};
