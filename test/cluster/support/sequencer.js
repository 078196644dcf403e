/**
 * The control-plane files of a variant in a fixed order, so a variant's result never depends on the
 * order jest happened to pick (jest's default puts the files that were slowest last time first).
 * The files that need an empty cluster come first: on a fresh cluster `startFromEmpty` has nothing to
 * purge, and `commands` ends by purging everything, so `readme` after it starts empty too (each purge
 * waits about a minute for namespaces to go). Then the rest by name; they apply the stack themselves.
 */
const path = require('path');
const Sequencer = require('@jest/test-sequencer').default;

const FIRST = ['commands', 'gitops', 'readme'];

class ClusterSequencer extends Sequencer {
  sort(tests) {
    const name = (t) => path.basename(t.path).replace(/\.test\.ts$/, '');
    const rank = (t) => (FIRST.includes(name(t)) ? FIRST.indexOf(name(t)) : FIRST.length);
    return [...tests].sort((a, b) => rank(a) - rank(b) || name(a).localeCompare(name(b)));
  }
}

module.exports = ClusterSequencer;
