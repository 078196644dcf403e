/**
 * `npm test`: the Node tier. Node and sh/bash only, no network, nothing outside each test's own temp
 * folder. The native tier (`*.native.test.ts`, jest.native.config.js) and the control-plane suite
 * (jest.cluster.config.js) have their own configs.
 */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/cluster/', '\\.native\\.test\\.ts$'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  // examples/library imports the package by its name, as an app of a user's would (tsconfig.test.json "paths").
  moduleNameMapper: { '^microflow$': '<rootDir>/lib/index.ts' },
  // One worker per core: jest's default (cores - 1) runs the tier on one core of a 2-core machine
  // while the main process idles. The tests are hermetic (own temp folders, port 0), so they run side by side.
  maxWorkers: '100%',
  // A temp root per run, removed at its end: nothing a test writes reaches the machine-wide tmp.
  globalSetup: '<rootDir>/test/support/temp-root-setup.js',
  globalTeardown: '<rootDir>/test/support/temp-root-teardown.js',
};
