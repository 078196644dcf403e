/**
 * The synth command (`npm run synth`, and the app command in cdk8s.yaml): compiles only when a
 * source changed, then runs the compiled synth in this same process (one node start-up, not two).
 */
'use strict';
require('./ensure-built').ensureBuilt({ quiet: true });
require('../build/main.js');
