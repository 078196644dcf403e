/**
 * Every jest run gets a temp root of its own: globalSetup makes `<tmp>/microflow-jest-XXXXXX` and points
 * TMPDIR at it before jest starts its workers (they inherit the environment), so every `os.tmpdir()`,
 * `mktemp` and `mkdtemp` of a test, of a script it runs, and of cdk8s itself (Testing.app() leaves a
 * `cdk8s.outdir.*` folder per app) lands inside it; globalTeardown removes it. Two runs at once, in one
 * clone or two, never see each other's files, and a run leaves nothing behind.
 */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

async function setup() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-jest-'));
  // Traversable, not listable, by other users, as /tmp is: nginx's workers (user nobody under a root
  // master) serve files from a test's own 0755 folder inside it.
  fs.chmodSync(root, 0o711);
  process.env.MICROFLOW_JEST_TEMP_ROOT = root;
  process.env.TMPDIR = root;
}

async function teardown() {
  const root = process.env.MICROFLOW_JEST_TEMP_ROOT;
  if (root && path.basename(root).startsWith('microflow-jest-')) fs.rmSync(root, { recursive: true, force: true });
}

module.exports = { setup, teardown };
