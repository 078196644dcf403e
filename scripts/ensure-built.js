/**
 * Compiles the TypeScript sources into build/ only when they changed since the last compile, so
 * `npm run synth` and `cdk8s synth` cost a synth, not a full `tsc` (~2 s), when nothing changed.
 * Type checking is not skipped: any source change recompiles (`npm test` too), and `npm run build` always does.
 *
 * Plain JavaScript on purpose: it decides whether the compiled JavaScript is current, so it cannot
 * be part of it. Used as a module (`ensureBuilt()`) and as a command (`node scripts/ensure-built.js
 * [--force]`).
 */
'use strict';
const { spawnSync } = require('child_process');
const { createHash } = require('crypto');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const STAMP = path.join(ROOT, 'build', '.sources.sha256');
/** What tsc reads (tsconfig.json "include"), plus the compiler settings and version. */
const SOURCE_DIRS = ['lib', 'imports', 'scripts'];
const SOURCE_FILES = ['main.ts', 'tsconfig.json', 'package-lock.json'];

function walk(dir, out) {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith('.ts')) out.push(p);
  }
}

function sourceFiles() {
  const files = SOURCE_FILES.map((f) => path.join(ROOT, f));
  for (const d of SOURCE_DIRS) walk(path.join(ROOT, d), files);
  return files.sort();
}

/** A hash of every source's path and content: content, not mtimes, so a checkout or touch does not matter. */
function sourceHash(files = sourceFiles()) {
  const h = createHash('sha256');
  for (const f of files) {
    h.update(path.relative(ROOT, f));
    h.update('\0');
    try {
      h.update(fs.readFileSync(f));
    } catch {
      h.update('(missing)');
    }
    h.update('\0');
  }
  return h.digest('hex');
}

/**
 * A hash of every source's path, size and modification time: when it is the one recorded with the
 * last content hash, no source was touched since and their content need not be read (2.4 MB, a
 * tenth of a synth's CPU). When it differs, the content decides, as before.
 */
function statHash(files) {
  const h = createHash('sha256');
  for (const f of files) {
    let st;
    try {
      st = fs.statSync(f);
    } catch {
      st = undefined;
    }
    h.update(`${path.relative(ROOT, f)}\0${st ? `${st.size}:${st.mtimeMs}:${st.ino}` : '(missing)'}\0`);
  }
  return h.digest('hex');
}

/** Runs tsc when the sources changed (or `force`); exits the process with tsc's status when it fails. */
function ensureBuilt({ force = false, quiet = false } = {}) {
  const files = sourceFiles();
  const stats = statHash(files);
  const stamp = readStamp();
  const built = fs.existsSync(path.join(ROOT, 'build', 'main.js'));
  if (built && !force && stamp.stats === stats) return false;
  const hash = sourceHash(files);
  if (built && !force && stamp.hash === hash) {
    writeStamp(hash, stats);
    return false;
  }
  const tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.json')], { stdio: quiet ? ['ignore', 'pipe', 'inherit'] : 'inherit', encoding: 'utf8' });
  if (r.status !== 0) {
    if (quiet && r.stdout) process.stderr.write(r.stdout);
    try { fs.rmSync(STAMP); } catch { /* never built */ }
    process.exit(r.status ?? 2);
  }
  writeStamp(hash, stats);
  return true;
}

/** The stamp: the sources' content hash, then the stat hash it was last confirmed with. */
function readStamp() {
  try {
    const [hash, stats] = fs.readFileSync(STAMP, 'utf8').split('\n');
    return { hash, stats };
  } catch {
    return {};
  }
}

function writeStamp(hash, stats) {
  try {
    fs.writeFileSync(STAMP, `${hash}\n${stats}\n`);
  } catch {
    // A read-only checkout: the content hash is read again next time.
  }
}

module.exports = { ensureBuilt, sourceHash };

if (require.main === module) ensureBuilt({ force: process.argv.includes('--force') });
