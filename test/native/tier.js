/**
 * The native tier (`npm run test:native`, jest.native.config.js): every `*.native.test.ts` file runs a
 * real upstream program or a system tool beyond node and sh/bash. This is the one list of which file
 * needs what and how to get it. A file whose tools are all here runs; the others are skipped with one
 * line per missing tool, or, with MICROFLOW_REQUIRE_NATIVE=1 (CI), the run fails naming them.
 * The tests themselves do not skip: a file that runs finds its tools or fails.
 */
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..', '..');

const onPath = (name) => spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).status === 0;
const anyFile = (...files) => files.some((f) => !!f && fs.existsSync(f));
const PROGRAMS = path.join(ROOT, 'scripts', 'programs', 'build.sh');
/** scripts/programs/build.sh's path of a program (exit 0 = built, 3 = not built), or undefined. */
const programPath = (name) => {
  const r = spawnSync(PROGRAMS, ['--path', name], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
};
const built = (name) => programPath(name) !== undefined;
const build = (name) => `scripts/programs/build.sh ${name}`;

/** Each tool: whether it is here, and how to get it (one line). */
const TOOLS = {
  go: { here: () => onPath('go'), get: 'Go 1.22+ on the PATH (https://go.dev/dl)' },
  python3: { here: () => onPath('python3'), get: 'apt-get install python3 python3-venv; the kfp SDK venv is made from PyPI on first use' },
  openssl: { here: () => onPath('openssl'), get: 'apt-get install openssl' },
  htpasswd: { here: () => onPath('htpasswd'), get: 'apt-get install apache2-utils' },
  busybox: { here: () => anyFile('/usr/bin/busybox', '/bin/busybox'), get: 'apt-get install busybox' },
  nginx: { here: () => anyFile('/usr/sbin/nginx', '/usr/bin/nginx'), get: 'apt-get install nginx-light' },
  chromium: { here: () => anyFile('/usr/bin/chromium', '/usr/bin/chromium-browser'), get: 'apt-get install chromium' },
  mariadb: {
    here: () => (onPath('mariadbd') || anyFile('/usr/sbin/mariadbd', '/usr/sbin/mysqld')) && ['mariadb-install-db', 'mysql', 'mysqldump'].every(onPath),
    get: 'apt-get install mariadb-server mariadb-client',
  },
  kubectl: {
    here: () => anyFile(process.env.MICROFLOW_KUBECTL, built('k8s-v1.28.15') && path.join(path.dirname(programPath('k8s-v1.28.15')), 'kubectl')),
    get: `${build('k8s-v1.28.15')} (or MICROFLOW_KUBECTL=/path/to/kubectl)`,
  },
  // scripts/programs/ recipes: the tests find them through `build.sh --path` too (test/support/programs.ts).
  ...Object.fromEntries(['seaweedfs', 's3-client', 'ml-metadata', 'oauth2-proxy', 'cyclonus', 'istioctl'].map((name) => [name, { here: () => built(name), get: build(name) }])),
};

/** Every native test file (relative to test/) and the tools it runs. */
const FILES = {
  'auth/oauth2-proxy.native.test.ts': ['oauth2-proxy', 'openssl'],
  'auth/jwks-relay.native.test.ts': ['kubectl'],
  'auth/passwords.native.test.ts': ['htpasswd'],
  'data/backup-restore.native.test.ts': ['mariadb'],
  'data/mysql-accounts.native.test.ts': ['mariadb'],
  'data/scripts.native.test.ts': ['busybox', 'kubectl'],
  'data/seaweedfs.native.test.ts': ['seaweedfs', 's3-client'],
  'data/secrets-run.native.test.ts': ['htpasswd'],
  'gateway/certificate.native.test.ts': ['openssl'],
  'gateway/istio-release.native.test.ts': ['istioctl', 'go'],
  'gateway/proxy-config.native.test.ts': ['go'],
  'notebooks/landing-page.native.test.ts': ['nginx', 'chromium'],
  'notebooks/vendored.native.test.ts': ['go'],
  'pipelines/api-guard.native.test.ts': ['nginx', 'python3'],
  'pipelines/artifact-users.native.test.ts': ['seaweedfs', 's3-client'],
  'pipelines/metadata-server.native.test.ts': ['mariadb', 'ml-metadata'],
  'pipelines/sdk.native.test.ts': ['python3'],
  'pipelines/vendored.native.test.ts': ['go'],
  'platform/reachability.native.test.ts': ['cyclonus'],
};

/** The native test files on disk, relative to test/ (test/cluster is its own suite). */
function nativeFiles(dir = path.join(ROOT, 'test'), rel = '') {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) return r === 'cluster' || e.name === 'node_modules' ? [] : nativeFiles(path.join(dir, e.name), r);
    return e.name.endsWith('.native.test.ts') ? [r] : [];
  });
}

/**
 * The files to skip, and per missing tool the files that need it. Throws when FILES and the disk
 * disagree (a native file nobody declared tools for, or a declared file that is gone).
 */
function plan() {
  const onDisk = nativeFiles().sort();
  const declared = Object.keys(FILES).sort();
  const undeclared = onDisk.filter((f) => !declared.includes(f));
  const gone = declared.filter((f) => !onDisk.includes(f));
  if (undeclared.length || gone.length) {
    throw new Error(`test/native/tier.js FILES is out of date: ${[...undeclared.map((f) => `test/${f} has no entry`), ...gone.map((f) => `test/${f} does not exist`)].join('; ')}`);
  }
  const needed = [...new Set(Object.values(FILES).flat())];
  const unknown = needed.filter((t) => !TOOLS[t]);
  if (unknown.length) throw new Error(`test/native/tier.js: unknown tools ${unknown.join(', ')}`);
  const missing = needed.filter((t) => !TOOLS[t].here());
  const skipped = declared.filter((f) => FILES[f].some((t) => missing.includes(t)));
  return { skipped, missing: missing.map((tool) => ({ tool, get: TOOLS[tool].get, files: declared.filter((f) => FILES[f].includes(tool)) })) };
}

module.exports = { TOOLS, FILES, plan };
