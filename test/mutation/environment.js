/**
 * jest's node environment, plus "bail" for mutation runs: once a test has failed with a mutant active,
 * the mutant is killed, so the remaining tests of that run are skipped instead of run for nothing.
 * (StrykerJS cannot ask jest to bail programmatically; it mixes its own hooks into this class.)
 */
const { TestEnvironment } = require('jest-environment-node');

// StrykerJS sets this variable in its worker for each mutant run (INSTRUMENTER_CONSTANTS).
const ACTIVE_MUTANT = '__STRYKER_ACTIVE_MUTANT__';
/** The mutant whose run already has a failing test; shared by every test file of one worker. */
let killed;

class MutationEnvironment extends TestEnvironment {
  async handleTestEvent(event) {
    const mutant = process.env[ACTIVE_MUTANT];
    if (mutant === undefined) return;
    if (event.name === 'test_done' && event.test.errors.length > 0) killed = mutant;
    else if (event.name === 'test_start' && killed === mutant) event.test.mode = 'skip';
  }
}

module.exports = MutationEnvironment;
