/**
 * A V8 code cache for the CommonJS modules the synth command loads (scripts/synth.js: the app
 * command of cdk8s.yaml). Compiling the 7 MB of JavaScript a synth loads (cdk8s, cdk8s-plus-28's
 * Kubernetes bindings, zod, microflow) took about 0.09 s of its CPU on every run; V8 can instead
 * reuse the code it compiled last time.
 *
 * Node 22.1+ does this itself (`module.enableCompileCache`); on Node 20 this does the same through
 * `vm.Script`'s cachedData: each module is compiled as Node compiles it (the same wrapper, file name
 * and dynamic `import()`), with the code cached for its path, size and modification time; V8 refuses
 * data that does not fit, and the module is then compiled as usual. The cache is one file, written
 * at exit when a module was compiled afresh, with the code as it ran (the functions compiled during
 * the run included). Plain JavaScript: it runs before the compiled code.
 *
 * Why not v8-compile-cache(-lib): measured here, it saved nothing (0.63 s with it, 0.64 s without):
 * it caches each module's code when it is compiled, before any of its functions ran, and hashes
 * every module's source to key it.
 */
'use strict';
const fs = require('fs');
const Module = require('module');
const path = require('path');
const vm = require('vm');

/** Uses `dir` for the code cache of this process; never fails a command (no cache is only slower). */
function enableCompileCache(dir) {
  try {
    if (typeof Module.enableCompileCache === 'function') {
      Module.enableCompileCache(dir);
    } else if (vm.constants && vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER) {
      cacheThroughVm(path.join(dir, `v8-${process.version}-${process.arch}.bin`));
    }
  } catch {
    // a read-only or missing folder: modules compile as usual
  }
}

/**
 * The cache file: a 4-byte length, a JSON index (file name → [mtimeMs, size, offset, length]) and
 * the cached data of every module, one after the other.
 */
function readCache(file) {
  try {
    const blob = fs.readFileSync(file);
    const indexLength = blob.readUInt32LE(0);
    const index = JSON.parse(blob.toString('utf8', 4, 4 + indexLength));
    return { blob, start: 4 + indexLength, index };
  } catch {
    return { blob: Buffer.alloc(0), start: 0, index: {} };
  }
}

/** `import(`, wherever it stands (a comment too: only the cache is lost). */
const DYNAMIC_IMPORT = /\bimport\s*\(/;

function cacheThroughVm(file) {
  const cache = readCache(file);
  /** Modules compiled without usable data this run: file name → [mtimeMs, size, script]. */
  const fresh = new Map();
  const compile = Module.prototype._compile;

  Module.prototype._compile = function compileCached(content, filename, ...rest) {
    // Node 20's V8 drops a script's dynamic-import loader when it is compiled from cached data
    // (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING): a module that may call import() compiles as usual.
    if (DYNAMIC_IMPORT.test(content)) return compile.call(this, content, filename, ...rest);
    let stat;
    try {
      stat = fs.statSync(filename);
    } catch {
      return compile.call(this, content, filename, ...rest);
    }
    const hit = cache.index[filename];
    const usable = hit && hit[0] === stat.mtimeMs && hit[1] === stat.size;
    const cachedData = usable ? cache.blob.subarray(cache.start + hit[2], cache.start + hit[2] + hit[3]) : undefined;
    // A leading #! line is a comment to Node's own loader; inside the wrapper it would not parse.
    const source = content.startsWith('#!') ? `//${content}` : content;
    const script = new vm.Script(Module.wrap(source), {
      filename,
      cachedData,
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    if (!cachedData || script.cachedDataRejected) fresh.set(filename, [stat.mtimeMs, stat.size, script]);
    const wrapper = script.runInThisContext({ displayErrors: true });
    return wrapper.call(this.exports, this.exports, requireFor(this), this, filename, path.dirname(filename));
  };

  process.once('exit', () => {
    if (fresh.size === 0) return;
    try {
      writeCache(file, cache, fresh);
    } catch {
      // the next run compiles again
    }
  });
}

/** What Node gives a module as `require`. */
function requireFor(mod) {
  const require = (id) => mod.require(id);
  const resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
  resolve.paths = (request) => Module._resolveLookupPaths(request, mod);
  require.resolve = resolve;
  require.main = process.mainModule;
  require.extensions = Module._extensions;
  require.cache = Module._cache;
  return require;
}

/** The old entries this run did not replace, and the fresh ones (their code as it ran: with the functions compiled since). */
function writeCache(file, cache, fresh) {
  const index = {};
  const parts = [];
  let offset = 0;
  const add = (name, mtimeMs, size, data) => {
    index[name] = [mtimeMs, size, offset, data.length];
    parts.push(data);
    offset += data.length;
  };
  for (const [name, [mtimeMs, size, at, length]] of Object.entries(cache.index)) {
    if (!fresh.has(name) && fs.existsSync(name)) add(name, mtimeMs, size, cache.blob.subarray(cache.start + at, cache.start + at + length));
  }
  for (const [name, [mtimeMs, size, script]] of fresh) add(name, mtimeMs, size, script.createCachedData());
  const head = Buffer.from(JSON.stringify(index));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(head.length, 0);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}`;
  fs.writeFileSync(tmp, Buffer.concat([length, head, ...parts]));
  fs.renameSync(tmp, file);
}

module.exports = { enableCompileCache };
