#!/usr/bin/env node
/**
 * The `microflow` command (package.json "bin"; the npm scripts are aliases of it). In a checkout it
 * compiles the TypeScript first, only when a source changed; an installed package ships compiled
 * (no tsconfig.json in it). Then it runs the compiled CLI (scripts/microflow.ts).
 */
'use strict';
const fs = require('fs');
const path = require('path');

if (fs.existsSync(path.join(__dirname, '..', 'tsconfig.json'))) require('../scripts/ensure-built').ensureBuilt({ quiet: true });
require('../build/scripts/microflow.js').run(process.argv.slice(2)).then((code) => { process.exitCode = code; });
