/**
 * The shell scripts the data layer renders, run for real under /bin/sh (POSIX, like busybox and the
 * images' shells) against test doubles of kubectl and mc that fail the way the real tools do:
 * generation without rotation, refusing incomplete user Secrets, API errors, bucket creation, an
 * unreachable store, a missing bucket, backup pruning and its failures, the MySQL accounts' SQL and
 * the SeaweedFS identity file with hostile values. Behaviours, not strings. The parts that need
 * busybox or a real kubectl are in scripts.native.test.ts.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { resolveConfig } from '../../lib/config';
import { FAKES, fakeState, readFakeSecret, runScript as run, writeFakeSecret } from '../support/run-script';
import { restorePod } from './restore-pod';
import { checkIdentityFile, IDENTITY_CASES } from './seaweedfs-identity';
import { find, podSpecOf, rendered, type K8sObject } from '../support/stack';

let work: string;
beforeEach(() => { work = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-scripts-')); });
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));
const runScript = (container: any, extraEnv: Record<string, string> = {}) => run(container, work, extraEnv);

// Rendered inside each test (not at collection time), so mutation testing sees which test covers what.
const objects = (): K8sObject[] => rendered(resolveConfig({ backup: { keep: 3 } })).objects;
const readSecret = (name: string) => readFakeSecret(fakeState(work).k8s, 'kubeflow', name);
const writeSecret = (name: string, data: Record<string, string>) => writeFakeSecret(fakeState(work).k8s, 'kubeflow', name, data);
const secretsInCluster = () => (fs.existsSync(path.join(work, 'k8s', 'kubeflow')) ? fs.readdirSync(path.join(work, 'k8s', 'kubeflow')).sort() : []);

describe('secret generator', () => {
  const container = () => podSpecOf(find(objects(), 'Job', 'microflow-secrets', 'kubeflow')).containers[0];
  const env = { NAMESPACE: 'kubeflow' };

  test('creates every Secret with random values of the right length, and a fixed user name', () => {
    const r = runScript(container(), env);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const mysql = readSecret('mysql-secret');
    expect(mysql.username).toBe('microflow');
    expect(mysql.password).toMatch(/^[0-9a-f]{48}$/);
    // One account per program, each its own password.
    expect(readSecret('mysql-metadata-secret')).toEqual({ username: 'mlmd', password: expect.stringMatching(/^[0-9a-f]{48}$/) });
    expect(readSecret('mysql-maintenance-secret')).toEqual({ username: 'microflow-maintenance', password: expect.stringMatching(/^[0-9a-f]{48}$/) });
    expect(new Set(['mysql-secret', 'mysql-metadata-secret', 'mysql-maintenance-secret', 'mysql-root-secret'].map((n) => readSecret(n).password)).size).toBe(4);
    expect(readSecret('mysql-root-secret').password).toMatch(/^[0-9a-f]{48}$/);
    const s3 = readSecret('mlpipeline-minio-artifact');
    expect(s3.accesskey).toMatch(/^[0-9a-f]{32}$/);
    expect(s3.secretkey).toMatch(/^[0-9a-f]{48}$/);
    expect(readSecret('mysql-root-secret').password).not.toBe(mysql.password);
  });

  test('a second run rotates nothing', () => {
    runScript(container(), env);
    const first = [readSecret('mysql-secret'), readSecret('mysql-root-secret'), readSecret('mlpipeline-minio-artifact')];
    const r = runScript(container(), env);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('secret/mysql-secret (kubeflow) exists: kept as it is');
    expect([readSecret('mysql-secret'), readSecret('mysql-root-secret'), readSecret('mlpipeline-minio-artifact')]).toEqual(first);
  });

  test('a complete Secret the user created first wins', () => {
    writeSecret('mysql-secret', { username: 'me', password: 'my-own-password' });
    expect(runScript(container(), env).status).toBe(0);
    expect(readSecret('mysql-secret')).toEqual({ username: 'me', password: 'my-own-password' });
  });

  test.each([
    ['lacks a key', { password: 'my-own-password' }, 'username'],
    ['has an empty value', { username: '', password: 'my-own-password' }, 'username'],
    ['lacks both keys', { other: 'x' }, 'username password'],
  ])('a user-made Secret that %s fails the Job naming the Secret and the key, and is left as it was', (_what, data, missing) => {
    writeSecret('mysql-secret', data);
    const r = runScript(container(), env);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`secret/mysql-secret (kubeflow) exists but has no value for: ${missing}.`);
    expect(r.stderr).toContain('kubectl -n kubeflow edit secret mysql-secret');
    expect(readSecret('mysql-secret')).toEqual(data);
  });

  test('an unreachable API server fails the Job with kubectl\'s message and creates nothing', () => {
    const r = runScript(container(), { ...env, FAKE_KUBECTL_FAIL: 'get secret' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('cannot read secret/mysql-root-secret (kubeflow):');
    expect(r.stderr).toContain('was refused');
    expect(secretsInCluster()).toEqual([]);
  });

  test('an API error other than AlreadyExists on create fails the Job with the server\'s message', () => {
    const forbidden = 'Error from server (Forbidden): secrets is forbidden: User "system:serviceaccount:kubeflow:microflow-secrets" cannot create resource "secrets"';
    const r = runScript(container(), { ...env, FAKE_KUBECTL_FAIL: 'create secret generic mysql-secret', FAKE_KUBECTL_ERROR: forbidden });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`cannot create secret/mysql-secret (kubeflow):\n${forbidden}`);
    expect(secretsInCluster()).toEqual(['mysql-root-secret']);
  });

  test('AlreadyExists on create (another run was faster) keeps that Secret and goes on', () => {
    const r = runScript(container(), {
      ...env, FAKE_KUBECTL_FAIL: 'create secret generic mysql-secret', FAKE_KUBECTL_ERROR: 'Error from server (AlreadyExists): secrets "mysql-secret" already exists',
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('secret/mysql-secret (kubeflow) was created meanwhile: kept as it is');
    expect(secretsInCluster()).toEqual(['mlpipeline-minio-artifact', 'mysql-maintenance-secret', 'mysql-metadata-secret', 'mysql-root-secret']);
  });

  test('values never appear on a command line', () => {
    runScript(container(), env);
    const calls = fs.readFileSync(path.join(work, 'k8s.calls'), 'utf8');
    expect(calls).not.toContain(readSecret('mysql-secret').password);
    expect(calls).toContain('--from-file=password=');
  });
});

describe('bucket job', () => {
  const container = () => podSpecOf(find(objects(), 'Job', 'object-store-buckets', 'kubeflow')).containers[0];
  test('creates both buckets and says so, and a re-run exits 0 keeping them', () => {
    const first = runScript(container());
    expect(first.status).toBe(0);
    expect(first.stdout).toBe('buckets ready: mlpipeline, microflow-backups\n');
    fs.writeFileSync(path.join(work, 's3', 'mlpipeline', 'artifact'), 'x');
    const again = runScript(container());
    expect(again.status).toBe(0);
    expect(fs.readdirSync(path.join(work, 's3')).sort()).toEqual(['microflow-backups', 'mlpipeline']);
    expect(fs.existsSync(path.join(work, 's3', 'mlpipeline', 'artifact'))).toBe(true);
  });

  test('an unreachable store: retries for 5 minutes (60 tries, 5 s apart), then fails with a message', () => {
    const r = runScript(container(), { FAKE_S3_DOWN: '1' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('object store http://minio-service.kubeflow.svc.cluster.local:9000 did not answer in 5 minutes');
    expect(fs.readFileSync(path.join(work, 'sleep.calls'), 'utf8').trim().split('\n')).toEqual(Array(59).fill('sleep 5'));
    expect(fs.readdirSync(path.join(work, 's3'))).toEqual([]);
  });
});

describe('backup upload', () => {
  const upload = () => podSpecOf(find(objects(), 'CronJob', 'mysql-backup', 'kubeflow')).containers[0];
  const folder = () => path.join(work, 's3', 'microflow-backups', 'mysql');
  const dumps = (...days: string[]) => days.map((d) => `mysql-${d}T030000Z.sql.gz`);
  const prepare = (existing: string[]) => {
    fs.mkdirSync(folder(), { recursive: true });
    for (const f of existing) {
      if (f.endsWith('/')) fs.mkdirSync(path.join(folder(), f), { recursive: true });
      else fs.writeFileSync(path.join(folder(), f), f);
    }
    fs.mkdirSync(path.join(work, 'backup'));
    fs.writeFileSync(path.join(work, 'backup', 'dump.sql.gz'), 'dump');
  };
  const newDump = () => fs.readdirSync(folder()).filter((f) => fs.readFileSync(path.join(folder(), f), 'utf8') === 'dump');

  test('uploads the dump under a timestamp and keeps only the newest KEEP (3)', () => {
    prepare(dumps('20261120', '20261121', '20261122', '20261123'));
    const r = runScript(upload());
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const kept = fs.readdirSync(folder()).sort();
    expect(kept.slice(0, 2)).toEqual(dumps('20261122', '20261123'));
    expect(kept).toHaveLength(3);
    expect(newDump()).toEqual([kept[2]]);
    expect(kept[2]).toMatch(/^mysql-\d{8}T\d{6}Z\.sql\.gz$/);
    expect(r.stdout).toContain('pruned mysql-20261120T030000Z.sql.gz\npruned mysql-20261121T030000Z.sql.gz');
    // The log names the upload and ends with the dumps kept, which README tells users to read before a restore.
    expect(r.stdout).toContain(`uploaded ${kept[2]}\n`);
    const [, listing] = r.stdout.split('backups kept in store/microflow-backups/mysql/:\n');
    expect(listing.trim().split('\n').map((line) => line.split(' ').pop())).toEqual(kept);
  });

  test('objects that are not dumps are neither counted nor deleted', () => {
    const others = ['README', 'mysql-manual.sql.gz', 'mysql-20261119T030000Z.sql.gz.part', 'archive/', 'xmysql-20261101T030000Z.sql.gz'];
    prepare([...others, ...dumps('20261121', '20261122', '20261123')]);
    const r = runScript(upload());
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const left = fs.readdirSync(folder()).sort();
    expect(left).toEqual(expect.arrayContaining([...others.map((o) => o.replace(/\/$/, '')), ...dumps('20261122', '20261123')]));
    expect(left).toHaveLength(others.length + 3);
    expect(r.stdout.match(/^pruned .*/gm)).toEqual(['pruned mysql-20261121T030000Z.sql.gz']);
  });

  test('a delete that fails fails the Job with a message; the new dump stays uploaded', () => {
    prepare(dumps('20261120', '20261121', '20261122', '20261123'));
    const r = runScript(upload(), { FAKE_MC_FAIL_RM: '20261120' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Failed to remove `store/microflow-backups/mysql/mysql-20261120T030000Z.sql.gz`. Access Denied.');
    expect(r.stderr).toMatch(/backup mysql-\d{8}T\d{6}Z\.sql\.gz uploaded, but deleting old dumps failed: mysql-20261120T030000Z\.sql\.gz/);
    expect(r.stdout).toContain('pruned mysql-20261121T030000Z.sql.gz');
    expect(newDump()).toHaveLength(1);
  });

  test('a missing bucket fails the upload with mc\'s message (mc never creates one)', () => {
    fs.mkdirSync(path.join(work, 'backup'));
    fs.writeFileSync(path.join(work, 'backup', 'dump.sql.gz'), 'dump');
    const r = runScript(upload());
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Bucket `microflow-backups` does not exist.');
    expect(fs.readdirSync(path.join(work, 's3'))).toEqual([]);
  });

  test('with fewer dumps than KEEP nothing is pruned', () => {
    prepare(dumps('20261123'));
    const r = runScript(upload());
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain('pruned');
    expect(fs.readdirSync(folder())).toHaveLength(2);
  });
});

describe('restore', () => {
  const good = 'mysql-20261126T030000Z.sql.gz';

  test.each([
    `${good}$(touch pwned)`, `$(touch pwned)${good}`, `mysql-20261126T030000Z$(id).sql.gz`, `${good}\n`, `\n${good}`,
    `x${good}`, `${good}.bak`, `../${good}`, `mysql/${good}`, '',
  ])('refuses the name %j', (name) => {
    expect(() => restorePod(name)).toThrow(/backup must be a dump name/);
  });

  test('the name reaches the scripts as data, never as shell source', () => {
    const spec = restorePod(good);
    fs.mkdirSync(path.join(work, 's3', 'microflow-backups', 'mysql'), { recursive: true });
    // Even if a hostile name got past the check, running the fetch script executes nothing.
    const hostile = 'mysql-x$(touch pwned)`touch pwned2`.sql.gz';
    const r = spawnSync('/bin/sh', ['-c', spec.initContainers[0].command[2].replace(/\/tmp\//g, `${work}/`)], {
      cwd: work, encoding: 'utf8',
      env: { PATH: `${FAKES}:/usr/bin:/bin`, FAKE_S3: path.join(work, 's3'), ...Object.fromEntries(spec.initContainers[0].env.map((e: any) => [e.name, e.value ?? 'x'])), DUMP_NAME: hostile },
    });
    expect(r.status).toBe(1);
    expect(fs.readFileSync(path.join(work, 's3.calls'), 'utf8')).toContain(`mc cp store/microflow-backups/mysql/${hostile} /backup/dump.sql.gz`);
    expect(fs.readdirSync(work).filter((f) => f.startsWith('pwned'))).toEqual([]);
  });

  test('a dump that is not in the bucket fails the fetch with mc\'s message', () => {
    const spec = restorePod(good);
    fs.mkdirSync(path.join(work, 's3', 'microflow-backups'), { recursive: true });
    const r = runScript(spec.initContainers[0]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`Unable to read from \`store/microflow-backups/mysql/${good}\`. Object does not exist`);
  });
});

/** The value of an SQL string literal as MySQL reads it (default sql_mode: backslash escapes on). */
function sqlLiteral(body: string): string {
  return body.replace(/''|\\(.)/g, (m, c) => (m === "''" ? "'" : c));
}

describe('MySQL accounts (mysqld --init-file)', () => {
  const container = () => podSpecOf(find(objects(), 'StatefulSet', 'mysql', 'kubeflow')).initContainers.find((c: any) => c.name === 'accounts');
  const secrets = ['mysql-secret', 'mysql-metadata-secret', 'mysql-maintenance-secret'];
  /** Runs the rendered script with each account's username and password as the kubelet would set them. */
  const write = (values: [string, string][]) => {
    const c = container();
    const file = path.join(work, 'accounts.sql');
    const env: Record<string, string> = { PATH: '/usr/bin:/bin', ACCOUNTS_FILE: file };
    values.forEach(([user, password], i) => Object.assign(env, { [`ACCOUNT_${i}_USER`]: user, [`ACCOUNT_${i}_PASSWORD`]: password }));
    const r = spawnSync(c.command[0], c.command.slice(1), { cwd: work, env, encoding: 'utf8' });
    return { ...r, file, sql: fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined };
  };
  const LIT = "'((?:[^'\\\\]|''|\\\\[\\s\\S])*)'";
  const STATEMENT = new RegExp(`^(?:CREATE DATABASE IF NOT EXISTS \\\`(\\w+)\\\`;|CREATE USER IF NOT EXISTS ${LIT}@'%' IDENTIFIED BY ${LIT};|ALTER USER ${LIT}@'%' IDENTIFIED BY ${LIT};|REVOKE ALL PRIVILEGES, GRANT OPTION FROM ${LIT}@'%';|GRANT ALL PRIVILEGES ON \\\`(\\w+)\\\`\\.\\* TO ${LIT}@'%';)$`);
  /** Each line parsed back into what MySQL would read; a line that is not one of these statements fails. */
  const parse = (sql: string) => sql.split('\n').filter(Boolean).map((line) => {
    const m = STATEMENT.exec(line);
    if (!m) throw new Error(`not one statement of the expected shapes: ${JSON.stringify(line)}`);
    const v = (i: number) => sqlLiteral(m[i]);
    if (m[1]) return `database ${m[1]}`;
    if (m[2] !== undefined) return `create ${v(2)} / ${v(3)}`;
    if (m[4] !== undefined) return `password ${v(4)} / ${v(5)}`;
    if (m[6] !== undefined) return `revoke ${v(6)}`;
    return `grant ${m[7]} to ${v(8)}`;
  });

  test.each([
    ['microflow', 'mlmd', 'microflow-maintenance', '0123abcd'],
    ["o'brien", 'back\\slash', "x\\'; DROP DATABASE mlpipeline;--", "it's $(touch pwned) `touch pwned2` %s %n \\n"],
    ['trailing\\', "'", '\\\\', 'pass\'word\\'],
  ])('each account exactly once: created, its password set, stripped, granted only its databases (users %j, %j, %j; password %j)', (a, b, c, password) => {
    const r = write([[a, `${password}0`], [b, `${password}1`], [c, `${password}2`]]);
    expect({ stderr: r.stderr, status: r.status }).toEqual({ stderr: '', status: 0 });
    const account = (user: string, pw: string, dbs: string[]) => [`create ${user} / ${pw}`, `password ${user} / ${pw}`, `revoke ${user}`, ...dbs.map((d) => `grant ${d} to ${user}`)];
    expect(parse(r.sql!)).toEqual([
      'database mlpipeline', 'database metadb', 'database cachedb',
      ...account(a, `${password}0`, ['mlpipeline']),
      ...account(b, `${password}1`, ['metadb']),
      ...account(c, `${password}2`, ['mlpipeline', 'metadb', 'cachedb']),
    ]);
    // Only its owner (mysqld's uid) reads it, and nothing ran.
    expect(fs.statSync(r.file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(work).sort()).toEqual(['accounts.sql']);
  });

  test.each([
    ['a line break in a password', 1, ['mlmd', 'pass\nword'], 'mysql-metadata-secret: a username or password with a line break'],
    ['a line break in a username', 0, ['micro\nflow', 'pw'], 'mysql-secret: a username or password with a line break'],
    ['an empty password', 2, ['microflow-maintenance', ''], 'mysql-maintenance-secret: username and password must not be empty'],
    ['an empty username', 0, ['', 'pw'], 'mysql-secret: username and password must not be empty'],
    ['root', 2, ['root', 'pw'], "mysql-maintenance-secret: username root is one of MySQL's own accounts"],
    ['mysql.sys', 1, ['mysql.sys', 'pw'], "mysql-metadata-secret: username mysql.sys is one of MySQL's own accounts"],
    ['mariadb.sys', 1, ['mariadb.sys', 'pw'], "mysql-metadata-secret: username mariadb.sys is one of MySQL's own accounts"],
    ['another account\'s username', 2, ['microflow', 'pw'], "mysql-maintenance-secret: username microflow is already another account's"],
    ['a username over 32 characters', 1, ['m'.repeat(33), 'pw'], `mysql-metadata-secret: username ${'m'.repeat(33)} is longer than MySQL's 32 characters`],
  ])('%s: the container fails naming the Secret, and writes no file (mysqld does not start)', (_what, index, value, message) => {
    const values: [string, string][] = [['microflow', 'a'], ['mlmd', 'b'], ['microflow-maintenance', 'c']];
    values[index as number] = value as [string, string];
    const r = write(values);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toBe(`mysql-accounts: ${message}${(message as string).endsWith('line break') ? ' cannot be one line of SQL' : ''}\n`);
    expect(fs.existsSync(r.file)).toBe(false);
  });

  test('the three Secrets, in order, are the accounts the script reads', () => {
    const env = container().env;
    expect(env[0]).toEqual({ name: 'ACCOUNTS_FILE', value: '/run/mysql-init/accounts.sql' });
    expect(env.slice(1).map((e: any) => `${e.name}=${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`)).toEqual(
      secrets.flatMap((s, i) => [`ACCOUNT_${i}_USER=${s}/username`, `ACCOUNT_${i}_PASSWORD=${s}/password`]),
    );
  });
});

describe('SeaweedFS identities', () => {
  // The image is Alpine: busybox sh and awk (scripts.native.test.ts). Here every POSIX awk at hand under /bin/sh.
  const awks = [...new Set(['/usr/bin/gawk', '/usr/bin/mawk', '/usr/bin/awk'].filter((p) => fs.existsSync(p)).map((p) => fs.realpathSync(p)))];
  test('an awk is at hand', () => expect(awks.length).toBeGreaterThan(0));

  test.each(IDENTITY_CASES.flatMap(([ak, sk]) => awks.map((awk) => [awk, ak, sk])))('with %s: valid S3 identity JSON holding exactly %j / %j, readable by its owner only', (awk, accessKey, secretKey) => {
    checkIdentityFile(work, ['/bin/sh'], awk, accessKey, secretKey);
  });
});
