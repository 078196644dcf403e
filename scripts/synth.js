/**
 * The synth command (`npm run synth`, and the app command in cdk8s.yaml): compiles only when a
 * source changed, then runs the compiled synth in this same process (one node start-up, not two),
 * with V8's code of the last run (scripts/compile-cache.js, kept in build/).
 */
'use strict';
const path = require('path');

require('./compile-cache').enableCompileCache(path.join(__dirname, '..', 'build', '.compile-cache'));
require('./ensure-built').ensureBuilt({ quiet: true });
require('../build/main.js');
