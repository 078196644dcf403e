/**
 * scripts/compile-cache.js: the synth command's modules compiled from V8's code of the last run. A
 * module must behave exactly as Node's own loader runs it, with or without a cache, and a module
 * changed since must never run from its old code. Each case runs a small program in its own node
 * process, in its own temp folder.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const CACHE_MODULE = path.resolve(__dirname, '..', 'scripts', 'compile-cache.js');

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-compile-cache-'));
  const write = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);
  // What a module sees of Node's loader: its require (resolve, main, cache), its own names, import(), a #! line.
  write('dep.js', 'module.exports = { value: "one" };\n');
  write('esm.mjs', 'export const esm = "imported";\n');
  write('tool.js', '#!/usr/bin/env node\nmodule.exports = "shebang";\n');
  write('probe.js', [
    "'use strict';",
    'const dep = require("./dep");',
    'const self = this === module.exports;',
    'module.exports = async () => ({',
    '  dep: dep.value,',
    '  resolved: require.resolve("./dep") === __dirname + "/dep.js",',
    '  paths: Array.isArray(require.resolve.paths("x")),',
    '  main: require.main === process.mainModule,',
    '  cached: require.cache[__filename] === module,',
    '  filename: __filename.endsWith("probe.js") && __dirname === require("path").dirname(__filename),',
    '  self,',
    '  esm: (await import("./esm.mjs")).esm,',
    '  tool: require("./tool"),',
    '  stack: new Error("here").stack.includes("probe.js:"),',
    '});',
  ].join('\n'));
  write('main.js', [
    `if (process.argv[2] === 'cache') require(${JSON.stringify(CACHE_MODULE)}).enableCompileCache(require('path').join(__dirname, 'cache'));`,
    "require('./probe')().then((r) => console.log(JSON.stringify(r)));",
  ].join('\n'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const run = (mode: 'cache' | 'plain') => {
  const r = spawnSync(process.execPath, [path.join(dir, 'main.js'), mode], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
};
const cacheFiles = () => (fs.existsSync(path.join(dir, 'cache')) ? fs.readdirSync(path.join(dir, 'cache'), { recursive: true }).map(String) : []);

test("modules run as under Node's own loader, on the run that writes the cache and on the one that reads it", () => {
  const plain = run('plain');
  expect(plain).toEqual({ dep: 'one', resolved: true, paths: true, main: true, cached: true, filename: true, self: true, esm: 'imported', tool: 'shebang', stack: true });
  expect(cacheFiles()).toEqual([]);
  expect(run('cache')).toEqual(plain);
  expect(cacheFiles().length).toBeGreaterThan(0);
  const written = cacheFiles().map((f) => fs.statSync(path.join(dir, 'cache', f)).mtimeMs);
  expect(run('cache')).toEqual(plain);
  // Every module came from the cache: nothing was compiled afresh, so nothing was written.
  expect(cacheFiles().map((f) => fs.statSync(path.join(dir, 'cache', f)).mtimeMs)).toEqual(written);
});

test('a module changed since the cache was written runs its new code', () => {
  run('cache');
  fs.writeFileSync(path.join(dir, 'dep.js'), 'module.exports = { value: "two, and longer" };\n');
  expect(run('cache').dep).toBe('two, and longer');
  fs.writeFileSync(path.join(dir, 'dep.js'), 'module.exports = { value: "3" };\n');
  const later = new Date(Date.now() + 10_000);
  fs.utimesSync(path.join(dir, 'dep.js'), later, later);
  expect(run('cache').dep).toBe('3');
});

test('a cache that cannot be read or written only costs the compile', () => {
  fs.writeFileSync(path.join(dir, 'cache'), 'a file where the folder should be');
  expect(run('cache').dep).toBe('one');
  fs.rmSync(path.join(dir, 'cache'));
  run('cache');
  for (const f of cacheFiles()) {
    const file = path.join(dir, 'cache', f);
    if (fs.statSync(file).isFile()) fs.writeFileSync(file, 'garbage');
  }
  expect(run('cache').dep).toBe('one');
});
