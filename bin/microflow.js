#!/usr/bin/env node
/**
 * The `microflow` command (package.json "bin"; the npm scripts are aliases of it). Compiles the
 * TypeScript first only when a source changed, then runs the compiled CLI (scripts/microflow.ts).
 */
'use strict';
require('../scripts/ensure-built').ensureBuilt({ quiet: true });
require('../build/scripts/microflow.js').run(process.argv.slice(2)).then((code) => { process.exitCode = code; });
