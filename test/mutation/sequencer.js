/**
 * Test files for a mutation run: only those holding a test the run asks for (by the index that
 * ./environment.js wrote in StrykerJS's initial run; StrykerJS names a mutant's covering tests in
 * testNamePattern), fastest first by that run's times (a file the index does not know last). With
 * the bail in ./environment.js a mutant dies in the first file that notices it, so the files that
 * start real programs (weed, MariaDB: tens of seconds) run only when the quick ones did not kill it.
 */
const fs = require('fs');
const Sequencer = require('@jest/test-sequencer').default;
const { indexFile } = require('./environment');

class MutationSequencer extends Sequencer {
  constructor(options) {
    super(options);
    this.pattern = options.globalConfig.testNamePattern;
    this.index = {};
    const rootDir = options.globalConfig.rootDir;
    if (rootDir && fs.existsSync(indexFile(rootDir))) this.index = JSON.parse(fs.readFileSync(indexFile(rootDir), 'utf8'));
  }

  sort(tests) {
    let chosen = [...tests];
    if (this.pattern) {
      const pattern = new RegExp(this.pattern, 'i');
      // A file the index does not know is kept: skipping a covering test would let a mutant survive.
      chosen = chosen.filter((t) => !this.index[t.path] || this.index[t.path].names.some((name) => pattern.test(name)));
    }
    const ms = (t) => this.index[t.path]?.ms ?? Number.MAX_SAFE_INTEGER;
    return chosen.sort((a, b) => ms(a) - ms(b) || a.path.localeCompare(b.path));
  }
}

module.exports = MutationSequencer;
