/**
 * Test files for a mutation run: only those holding a test the run asks for (by the index that
 * ./environment.js wrote in StrykerJS's initial run; StrykerJS names a mutant's covering tests in
 * testNamePattern), smallest first. Loading a test file costs seconds (cdk8s is big), so this is most
 * of a mutant's run time; with the bail in ./environment.js a mutant usually dies in the first file.
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
      chosen = chosen.filter((t) => !this.index[t.path] || this.index[t.path].some((name) => pattern.test(name)));
    }
    const size = (t) => fs.statSync(t.path).size;
    return chosen.sort((a, b) => size(a) - size(b));
  }
}

module.exports = MutationSequencer;
