/**
 * The mysql side of backup and restore, run for real under the containers' own shell (bash, as the
 * kubelet starts them) against the doubles of mysqldump, mysql and mc in test/data/fakes, with the real
 * gzip and gunzip: which databases the backup dumps and as whom, that a dump that fails or a dump that is
 * not gzip fails its container (pipefail) instead of uploading or loading nothing, and one dump going
 * from mysqldump through the bucket back into mysql. Upload and pruning: scripts.test.ts; the same
 * scripts against a real server: backup-restore.native.test.ts (not run here when MariaDB is missing).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { resolveConfig } from '../../lib/config';
import { runScript as run } from '../support/run-script';
import { restorePod } from './restore-pod';
import { find, podSpecOf, rendered } from '../support/stack';

let work: string;
beforeEach(() => { work = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-dump-')); });
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));
const runScript = (container: any, extraEnv: Record<string, string> = {}) => run(container, work, extraEnv);

/** The pod's dump emptyDir (mounted at /backup; run-script points /backup/ here): fresh for each pod. */
const freshDumpVolume = () => {
  fs.rmSync(path.join(work, 'backup'), { recursive: true, force: true });
  fs.mkdirSync(path.join(work, 'backup'));
  return path.join(work, 'backup', 'dump.sql.gz');
};
const sqlFed = () => fs.readFileSync(path.join(work, 'sql'), 'utf8');

// Rendered inside each test (not at collection time), so mutation testing sees which test covers what.
const backupPod = () => podSpecOf(find(rendered(resolveConfig({})).objects, 'CronJob', 'mysql-backup', 'kubeflow'));
const APP_USER_ARGS = '--host=mysql.kubeflow.svc.cluster.local --port=3306 --user=from-username';

describe('backup dump', () => {
  test('dumps the three platform databases in one transaction as the application user, and logs the size', () => {
    const file = freshDumpVolume();
    const r = runScript(backupPod().initContainers[0]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const sql = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8');
    expect(sql).toMatch(new RegExp(`^-- args: ${APP_USER_ARGS} --single-transaction .*--databases mlpipeline metadb cachedb\n-- MYSQL_PWD set: yes\n`));
    expect([...sql.matchAll(/^USE `([^`]*)`;$/gm)].map((m) => m[1])).toEqual(['mlpipeline', 'metadb', 'cachedb']);
    expect(r.stdout).toBe(`dumped ${fs.statSync(file).size} bytes\n`);
  });

  test('a dump that fails fails the container with mysqldump\'s message (gzip succeeding does not hide it)', () => {
    freshDumpVolume();
    const r = runScript(backupPod().initContainers[0], { FAKE_MYSQLDUMP_DOWN: '1' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('mysqldump: Got error: 2005: Unknown server host \'mysql.kubeflow.svc.cluster.local\' (-2) when trying to connect\n');
    expect(r.stdout).toBe('');
  });
});

describe('restore', () => {
  test('a backup goes from mysqldump through the bucket into mysql, loaded as the application user', () => {
    const backup = backupPod();
    const dumped = freshDumpVolume();
    expect(runScript(backup.initContainers[0]).status).toBe(0);
    const sql = zlib.gunzipSync(fs.readFileSync(dumped)).toString('utf8');
    fs.mkdirSync(path.join(work, 's3', 'microflow-backups'), { recursive: true });
    expect(runScript(backup.containers[0], { KEEP: '3' }).status).toBe(0);
    const [name] = fs.readdirSync(path.join(work, 's3', 'microflow-backups', 'mysql'));

    const restore = restorePod(name);
    const fetched = freshDumpVolume();
    const fetch = runScript(restore.initContainers[0]);
    expect(fetch.stderr).toBe('');
    expect(fetch.status).toBe(0);
    expect(fs.readFileSync(fetched)).toEqual(fs.readFileSync(path.join(work, 's3', 'microflow-backups', 'mysql', name)));
    const r = runScript(restore.containers[0], { FAKE_SQL: path.join(work, 'sql') });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(sqlFed()).toBe(`-- args: ${APP_USER_ARGS}\n-- MYSQL_PWD set: yes\n${sql}`);
    expect(r.stdout).toBe(`restored ${name}\n`);
  });

  test('a dump that is not gzip fails the restore with gunzip\'s message, and does not claim it restored', () => {
    const file = freshDumpVolume();
    fs.writeFileSync(file, 'CREATE DATABASE half;');
    const r = runScript(restorePod('mysql-20261126T030000Z.sql.gz').containers[0], { FAKE_SQL: path.join(work, 'sql') });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`\ngzip: ${file}: not in gzip format\n`);
    expect(r.stdout).toBe('');
  });
});
