/**
 * Test files for a mutation run: only those holding a test the run asks for (by the index that
 * ./environment.js wrote in StrykerJS's initial run; StrykerJS names a mutant's covering tests in
 * testNamePattern), cheapest first: by that run's times, a file costs its loading and hooks (its time
 * minus its tests') plus the covering tests it holds (a file the index does not know goes last). With
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
    const pattern = this.pattern ? new RegExp(this.pattern, 'i') : undefined;
    const cost = new Map(tests.map((t) => {
      const entry = this.index[t.path];
      if (!Array.isArray(entry?.tests)) return [t, Number.MAX_SAFE_INTEGER];
      const own = entry.ms - entry.tests.reduce((sum, [, ms]) => sum + ms, 0);
      const covering = entry.tests.filter(([name]) => !pattern || pattern.test(name));
      // No covering test in it: not loaded at all.
      return [t, covering.length === 0 ? -1 : own + covering.reduce((sum, [, ms]) => sum + ms, 0)];
    }));
    // A file the index does not know is kept: skipping a covering test would let a mutant survive.
    return tests.filter((t) => cost.get(t) >= 0).sort((a, b) => cost.get(a) - cost.get(b) || a.path.localeCompare(b.path));
  }
}

module.exports = MutationSequencer;
