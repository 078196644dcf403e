/** The control-plane suite: run through `npm run test:cluster`, which starts the cluster first. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test/cluster'],
  testMatch: ['**/*.test.ts'],
  testTimeout: 600000,
  maxWorkers: 1,
  // A fixed file order (test/cluster/support/sequencer.js): the files that start from an empty cluster first.
  testSequencer: require('path').join(__dirname, 'test', 'cluster', 'support', 'sequencer.js'),
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
};
