/**
 * Backup and restore, end to end against a real SQL server: the rendered dump, upload, fetch and
 * restore scripts run under bash/sh with the real mysql client and mysqldump against a throwaway
 * MariaDB (Debian's; MySQL 8.4 itself is not packaged there — same client protocol and dump format
 * for these tables), with the object store played by the mc test double.
 * Native tier: needs MariaDB's server and clients (test/native/tier.js).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { resolveConfig } from '../../lib/config';
import { MySqlRestore } from '../../lib/data';
import { buildStack } from '../../lib/stack';
import { MariaDb, writeInitFile, type SqlLogin } from '../support/mariadb';
import { constructHarness, find, podSpecOf, rendered } from '../support/stack';

const FAKES = path.join(__dirname, 'fakes');
const KFP = { user: 'microflow', password: 'kfp-password-for-test' };
const MLMD = { user: 'mlmd', password: 'mlmd-password-for-test' };
const MAINTENANCE = { user: 'microflow-maintenance', password: 'maintenance-password-for-test' };

describe('MySQL backup and restore scripts against a real server', () => {
  let dir: string;
  let db: MariaDb;
  const sql = (query: string, as: SqlLogin = 'root') => db.sql(query, as);

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-sql-'));
    // The server's accounts are the rendered ones (mysql-accounts.native.test.ts checks them).
    writeInitFile(find(objects(), 'StatefulSet', 'mysql', 'kubeflow'), path.join(dir, 'accounts.sql'), [KFP, MLMD, MAINTENANCE]);
    db = await MariaDb.start({ initFile: path.join(dir, 'accounts.sql') });
    // Only the object store is a double here: mysql and mysqldump are the real clients.
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.symlinkSync(path.join(FAKES, 'mc'), path.join(dir, 'bin', 'mc'));
  }, 60_000);

  afterAll(async () => {
    await db?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const objects = () => rendered(resolveConfig({ backup: { keep: 2 } })).objects;
  /** Runs a rendered container's script with its env filled in for this machine. */
  const runContainer = (c: any) => {
    // What the kubelet would fill in: literal values as rendered, Secret keys from this test's server,
    // and the server's address on this machine instead of the in-cluster Service name.
    const fromSecret: Record<string, string> = { username: MAINTENANCE.user, password: MAINTENANCE.password, accesskey: 'ak', secretkey: 'sk' };
    const env: Record<string, string> = { PATH: `${dir}/bin:/usr/bin:/bin`, FAKE_S3: path.join(dir, 's3'), HOME: dir };
    for (const e of c.env ?? []) env[e.name] = e.value ?? fromSecret[e.valueFrom.secretKeyRef.key];
    if (env.DB_HOST) Object.assign(env, { DB_HOST: '127.0.0.1', DB_PORT: String(db.port) });
    const script = (c.command[2] as string).replace(/\/tmp\//g, `${dir}/tmp/`).replace(/\/backup\//g, `${dir}/backup/`);
    fs.mkdirSync(path.join(dir, 'tmp'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'backup'), { recursive: true });
    const r = spawnSync(c.command[0], [c.command[1], script], { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${c.name} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };

  test('dump, upload, damage, fetch, restore: the data comes back', () => {
    // Each program writes its own database as its own account.
    sql('CREATE TABLE mlpipeline.runs (id INT PRIMARY KEY, name VARCHAR(64)); INSERT INTO mlpipeline.runs VALUES (1, "train"), (2, "eval");', KFP);
    sql('CREATE TABLE metadb.Artifact (id INT PRIMARY KEY, uri TEXT); INSERT INTO metadb.Artifact VALUES (7, "s3://mlpipeline/model");', MLMD);
    sql('CREATE TABLE cachedb.execution_caches (id INT PRIMARY KEY); INSERT INTO cachedb.execution_caches VALUES (3);', MAINTENANCE);
    fs.mkdirSync(path.join(dir, 's3', 'microflow-backups'), { recursive: true });

    const backup = podSpecOf(find(objects(), 'CronJob', 'mysql-backup', 'kubeflow'));
    expect(runContainer(backup.initContainers[0])).toMatch(/dumped \d+ bytes/);
    const uploaded = runContainer(backup.containers[0]);
    const name = /uploaded (mysql-\S+\.sql\.gz)/.exec(uploaded)![1];

    sql('DROP TABLE mlpipeline.runs; DELETE FROM metadb.Artifact; DROP DATABASE cachedb;', 'root');

    const stack = buildStack(resolveConfig({}), path.join(dir, 'unused'));
    const { chart, policy, synth } = constructHarness();
    new MySqlRestore(chart, 'r', { database: stack.data.database, store: stack.data.objectStore, policy, backup: name });
    const restore = podSpecOf(find(synth(), 'Job', 'mysql-restore', 'kubeflow'));
    fs.rmSync(path.join(dir, 'backup'), { recursive: true, force: true });
    runContainer(restore.initContainers[0]);
    expect(runContainer(restore.containers[0])).toContain(`restored ${name}`);

    // Restored as the maintenance account, still each program's to read.
    expect(sql('SELECT name FROM mlpipeline.runs ORDER BY id', KFP)).toBe('train\neval');
    expect(sql('SELECT uri FROM metadb.Artifact', MLMD)).toBe('s3://mlpipeline/model');
    expect(sql('SELECT id FROM cachedb.execution_caches', MAINTENANCE)).toBe('3');
  });
});
