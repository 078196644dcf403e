/**
 * jest's node environment, adapted for mutation runs (jest.mutation.config.js):
 * - bail: once a test has failed with a mutant active, the mutant is killed, so the remaining tests of
 *   that run are skipped instead of run for nothing (StrykerJS cannot ask jest to bail itself);
 * - an index of each file's tests with their run times, and the file's own time, written during
 *   StrykerJS's initial run (no mutant active), from which ./sequencer.js loads only the files that
 *   hold a mutant's covering tests, cheapest first.
 * StrykerJS mixes its own coverage hooks into this class.
 */
const fs = require('fs');
const path = require('path');
const { TestEnvironment } = require('jest-environment-node');

// StrykerJS sets this variable in its worker for each mutant run (INSTRUMENTER_CONSTANTS).
const ACTIVE_MUTANT = '__STRYKER_ACTIVE_MUTANT__';
/** The mutant whose run already has a failing test; shared by every test file of one worker. */
let killed;

/** Where the test-name index lives, in the sandbox's root. */
const indexFile = (rootDir) => path.join(rootDir, '.mutation-test-index.json');

/** A test's full name as jest matches testNamePattern against it (and StrykerJS builds its filter). */
function fullName(test) {
  const names = [];
  for (let block = test.parent; block && block.parent; block = block.parent) names.unshift(block.name);
  return [...names, test.name].join(' ');
}

class MutationEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.testPath = context.testPath;
    this.rootDir = config.projectConfig.rootDir;
    this.tests = [];
    this.started = Date.now();
  }

  async handleTestEvent(event) {
    const mutant = process.env[ACTIVE_MUTANT];
    if (mutant === undefined) {
      if (event.name === 'test_start') this.testStarted = Date.now();
      if (event.name === 'test_done') this.tests.push([fullName(event.test), Date.now() - this.testStarted]);
      return;
    }
    if (event.name === 'test_done' && event.test.errors.length > 0) killed = mutant;
    else if (event.name === 'test_start' && killed === mutant) event.test.mode = 'skip';
  }

  async teardown() {
    if (process.env[ACTIVE_MUTANT] === undefined && this.tests.length > 0) {
      const file = indexFile(this.rootDir);
      const index = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
      index[this.testPath] = { tests: this.tests, ms: Date.now() - this.started };
      fs.writeFileSync(file, JSON.stringify(index));
    }
    await super.teardown();
  }
}

MutationEnvironment.indexFile = indexFile;
module.exports = MutationEnvironment;
