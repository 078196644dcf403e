/**
 * Backup and restore, end to end against a real SQL server: the rendered dump, upload, fetch and
 * restore scripts run under bash/sh with the real mysql client and mysqldump against a throwaway
 * MariaDB (Debian's; MySQL 8.4 itself is not packaged there — same client protocol and dump format
 * for these tables), with the object store played by the mc test double.
 * Native tier: needs MariaDB's server and clients (test/native/tier.js).
 */
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { resolveConfig } from '../../lib/config';
import { MySqlRestore } from '../../lib/data';
import { buildStack } from '../../lib/stack';
import { constructHarness, find, podSpecOf, rendered } from '../support/stack';

const SERVER = ['/usr/sbin/mariadbd', '/usr/sbin/mysqld'].find((p) => fs.existsSync(p));
const FAKES = path.join(__dirname, 'fakes');
const APP = { user: 'microflow', password: 'app-password-for-test' };
const ROOT_PW = 'root-password-for-test';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

describe('MySQL backup and restore scripts against a real server', () => {
  let dir: string;
  let port: number;
  let server: ChildProcess;
  const sock = () => path.join(dir, 'mysqld.sock');

  /** Runs SQL through the real client, as root over the socket or as the app user over TCP. */
  const sql = (query: string, as: 'root' | 'app' = 'root') => {
    const args = as === 'root'
      ? ['--protocol=socket', `--socket=${sock()}`, '--user=root', '--batch', '--skip-column-names', '-e', query]
      : ['--protocol=tcp', '--host=127.0.0.1', `--port=${port}`, `--user=${APP.user}`, '--batch', '--skip-column-names', '-e', query];
    const r = spawnSync('mysql', args, { encoding: 'utf8', env: { ...process.env, MYSQL_PWD: as === 'root' ? ROOT_PW : APP.password } });
    if (r.status !== 0) throw new Error(`mysql failed: ${r.stderr}`);
    return r.stdout.trim();
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-sql-'));
    port = await freePort();
    const init = spawnSync('mariadb-install-db', ['--no-defaults', `--datadir=${dir}/data`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db'], { encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`install-db failed: ${init.stderr}`);
    server = spawn(SERVER ?? 'mariadbd', ['--no-defaults', `--datadir=${dir}/data`, `--socket=${sock()}`, `--port=${port}`, '--bind-address=127.0.0.1', '--user=root', '--skip-log-bin', `--pid-file=${dir}/pid`], { stdio: 'ignore' });
    for (let i = 0; i < 100 && !fs.existsSync(sock()); i++) await new Promise((r) => setTimeout(r, 100));
    // Only the object store is a double here: mysql and mysqldump are the real clients.
    fs.mkdirSync(path.join(dir, 'bin'));
    fs.symlinkSync(path.join(FAKES, 'mc'), path.join(dir, 'bin', 'mc'));
    // The scripts connect to the default socket, as in the image: point the client's default at ours.
    fs.writeFileSync(path.join(dir, '.my.cnf'), `[client]\nsocket=${sock()}\n`);
    // What the MySQL image's entrypoint does on first start: root password, MYSQL_USER, MYSQL_DATABASE.
    spawnSync('mysql', ['--protocol=socket', `--socket=${sock()}`, '--user=root', '-e',
      `ALTER USER 'root'@'localhost' IDENTIFIED BY '${ROOT_PW}'; CREATE USER '${APP.user}'@'%' IDENTIFIED BY '${APP.password}'; CREATE DATABASE mlpipeline; GRANT ALL ON mlpipeline.* TO '${APP.user}'@'%';`]);
  }, 60_000);

  afterAll(async () => {
    if (server) {
      server.kill('SIGTERM');
      await new Promise((r) => server.once('exit', r));
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const objects = () => rendered(resolveConfig({ backup: { keep: 2 } })).objects;
  /** Runs a rendered container's script with its env filled in for this machine. */
  const runContainer = (c: any) => {
    // What the kubelet would fill in: literal values as rendered, Secret keys from this test's server,
    // and the server's address on this machine instead of the in-cluster Service name.
    const fromSecret: Record<string, string> = { username: APP.user, password: APP.password, accesskey: 'ak', secretkey: 'sk' };
    const env: Record<string, string> = { PATH: `${dir}/bin:/usr/bin:/bin`, FAKE_S3: path.join(dir, 's3'), HOME: dir };
    for (const e of c.env ?? []) env[e.name] = e.value ?? fromSecret[e.valueFrom.secretKeyRef.key];
    if (env.DB_HOST) Object.assign(env, { DB_HOST: '127.0.0.1', DB_PORT: String(port) });
    const script = (c.command[2] as string).replace(/\/tmp\//g, `${dir}/tmp/`).replace(/\/backup\//g, `${dir}/backup/`);
    fs.mkdirSync(path.join(dir, 'tmp'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'backup'), { recursive: true });
    const r = spawnSync(c.command[0], [c.command[1], script], { env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${c.name} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };

  test('first-start script creates metadb and cachedb for the application user', () => {
    const initdb: string = find(objects(), 'ConfigMap', 'mysql-initdb', 'kubeflow').data['10-microflow-databases.sh'];
    const r = spawnSync('/bin/sh', ['-c', initdb], { env: { PATH: '/usr/bin:/bin', HOME: dir, MYSQL_USER: APP.user, MYSQL_ROOT_PASSWORD: ROOT_PW }, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(sql('SHOW DATABASES', 'app').split('\n').sort()).toEqual(['cachedb', 'information_schema', 'metadb', 'mlpipeline']);
  });

  test('first-start script: a hostile user name gets the grants, as a name, and runs no SQL of its own', () => {
    const initdb: string = find(objects(), 'ConfigMap', 'mysql-initdb', 'kubeflow').data['10-microflow-databases.sh'];
    const hostile = "o'b\\'; DROP DATABASE mlpipeline; -- ";
    const literal = `'${hostile.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
    sql(`CREATE USER ${literal}@'%' IDENTIFIED BY 'pw'`);
    const r = spawnSync('/bin/sh', ['-c', initdb], { env: { PATH: '/usr/bin:/bin', HOME: dir, MYSQL_USER: hostile, MYSQL_ROOT_PASSWORD: ROOT_PW }, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const grants = sql(`SHOW GRANTS FOR ${literal}@'%'`);
    for (const db of ['mlpipeline', 'metadb', 'cachedb']) expect(grants).toContain(`GRANT ALL PRIVILEGES ON \`${db}\`.*`);
    expect(sql('SHOW DATABASES').split('\n')).toEqual(expect.arrayContaining(['mlpipeline', 'metadb', 'cachedb']));
    sql(`DROP USER ${literal}@'%'`);
  });

  test('dump, upload, damage, fetch, restore: the data comes back', () => {
    sql('CREATE TABLE mlpipeline.runs (id INT PRIMARY KEY, name VARCHAR(64)); INSERT INTO mlpipeline.runs VALUES (1, "train"), (2, "eval");', 'app');
    sql('CREATE TABLE metadb.Artifact (id INT PRIMARY KEY, uri TEXT); INSERT INTO metadb.Artifact VALUES (7, "s3://mlpipeline/model");', 'app');
    sql('CREATE TABLE cachedb.execution_caches (id INT PRIMARY KEY); INSERT INTO cachedb.execution_caches VALUES (3);', 'app');
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

    expect(sql('SELECT name FROM mlpipeline.runs ORDER BY id', 'app')).toBe('train\neval');
    expect(sql('SELECT uri FROM metadb.Artifact', 'app')).toBe('s3://mlpipeline/model');
    expect(sql('SELECT id FROM cachedb.execution_caches', 'app')).toBe('3');
  });
});
