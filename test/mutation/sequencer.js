/**
 * Test file order for mutation runs: smallest files first. With the bail in ./environment.js, a mutant
 * usually dies in a quick unit test before the slow whole-stack and script files run at all.
 */
const Sequencer = require('@jest/test-sequencer').default;
const fs = require('fs');

class SmallFirst extends Sequencer {
  sort(tests) {
    const size = (t) => fs.statSync(t.path).size;
    return [...tests].sort((a, b) => size(a) - size(b));
  }
}

module.exports = SmallFirst;
