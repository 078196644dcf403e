/**
 * The shell scripts the data layer renders, run for real under /bin/sh (POSIX, like busybox and the
 * images' shells) against test doubles of kubectl and mc: generation without rotation, bucket
 * creation, and backup pruning are behaviours, not strings.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { resolveConfig } from '../../lib/config';
import { find, podSpecOf, renderStack, type K8sObject } from '../support/stack';

const FAKES = path.join(__dirname, 'fakes');
let work: string;
beforeEach(() => { work = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-scripts-')); });
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

/** Runs a container's `sh -c` script with its literal env, the fakes first on PATH and /tmp redirected. */
function runScript(container: any, extraEnv: Record<string, string>) {
  const script: string = container.command[2];
  const env: Record<string, string> = { PATH: `${FAKES}:/usr/bin:/bin`, FAKE_S3: path.join(work, 's3'), FAKE_K8S: path.join(work, 'k8s'), TMPDIR: path.join(work, 'tmp') };
  // Literal values as rendered; values from Secrets or fields get stand-ins, as the kubelet would fill them.
  for (const e of container.env ?? []) env[e.name] = e.value ?? `from-${e.valueFrom.secretKeyRef?.key ?? 'field'}`;
  fs.mkdirSync(env.TMPDIR, { recursive: true });
  // The scripts write under /tmp (the container's scratch volume): point that at the test's folder.
  const patched = script.replace(/\/tmp\//g, `${env.TMPDIR}/`).replace(/\/backup\//g, `${work}/backup/`);
  return spawnSync('/bin/sh', ['-c', patched], { env: { ...env, ...extraEnv }, encoding: 'utf8' });
}

const objects: K8sObject[] = renderStack(resolveConfig({ backup: { keep: 3 } })).objects;
const readSecret = (name: string) => {
  const dir = path.join(work, 'k8s', 'kubeflow', name);
  return Object.fromEntries(fs.readdirSync(dir).map((k) => [k, fs.readFileSync(path.join(dir, k), 'utf8')]));
};

describe('secret generator', () => {
  const container = podSpecOf(find(objects, 'Job', 'microflow-secrets', 'kubeflow')).containers[0];
  const env = { NAMESPACE: 'kubeflow' };

  test('creates every Secret with random values of the right length, and a fixed user name', () => {
    const r = runScript(container, env);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const mysql = readSecret('mysql-secret');
    expect(mysql.username).toBe('microflow');
    expect(mysql.password).toMatch(/^[0-9a-f]{48}$/);
    expect(readSecret('mysql-root-secret').password).toMatch(/^[0-9a-f]{48}$/);
    const s3 = readSecret('mlpipeline-minio-artifact');
    expect(s3.accesskey).toMatch(/^[0-9a-f]{32}$/);
    expect(s3.secretkey).toMatch(/^[0-9a-f]{48}$/);
    expect(readSecret('mysql-root-secret').password).not.toBe(mysql.password);
  });

  test('a second run rotates nothing', () => {
    runScript(container, env);
    const first = [readSecret('mysql-secret'), readSecret('mysql-root-secret'), readSecret('mlpipeline-minio-artifact')];
    const r = runScript(container, env);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('secret/mysql-secret (kubeflow) exists: kept as it is');
    expect([readSecret('mysql-secret'), readSecret('mysql-root-secret'), readSecret('mlpipeline-minio-artifact')]).toEqual(first);
  });

  test('a Secret the user created first wins', () => {
    const dir = path.join(work, 'k8s', 'kubeflow', 'mysql-secret');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'username'), 'me');
    fs.writeFileSync(path.join(dir, 'password'), 'my-own-password');
    expect(runScript(container, env).status).toBe(0);
    expect(readSecret('mysql-secret')).toEqual({ username: 'me', password: 'my-own-password' });
  });

  test('values never appear on a command line', () => {
    runScript(container, env);
    const calls = fs.readFileSync(path.join(work, 'k8s.calls'), 'utf8');
    expect(calls).not.toContain(readSecret('mysql-secret').password);
    expect(calls).toContain('--from-file=password=');
  });
});

describe('bucket job', () => {
  const container = podSpecOf(find(objects, 'Job', 'object-store-buckets', 'kubeflow')).containers[0];
  test('creates both buckets, and a re-run exits 0 keeping them', () => {
    expect(runScript(container, {}).status).toBe(0);
    fs.writeFileSync(path.join(work, 's3', 'mlpipeline', 'artifact'), 'x');
    const again = runScript(container, {});
    expect(again.status).toBe(0);
    expect(fs.readdirSync(path.join(work, 's3')).sort()).toEqual(['microflow-backups', 'mlpipeline']);
    expect(fs.existsSync(path.join(work, 's3', 'mlpipeline', 'artifact'))).toBe(true);
  });
});

describe('backup upload', () => {
  const upload = podSpecOf(find(objects, 'CronJob', 'mysql-backup', 'kubeflow')).containers[0];
  test('uploads the dump under a timestamp and keeps only the newest KEEP (3)', () => {
    const folder = path.join(work, 's3', 'microflow-backups', 'mysql');
    fs.mkdirSync(folder, { recursive: true });
    for (const day of ['20261120', '20261121', '20261122', '20261123']) fs.writeFileSync(path.join(folder, `mysql-${day}T030000Z.sql.gz`), day);
    fs.mkdirSync(path.join(work, 'backup'));
    fs.writeFileSync(path.join(work, 'backup', 'dump.sql.gz'), 'dump');
    const r = runScript(upload, {});
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const kept = fs.readdirSync(folder).sort();
    expect(kept).toHaveLength(3);
    expect(kept.slice(0, 2)).toEqual(['mysql-20261122T030000Z.sql.gz', 'mysql-20261123T030000Z.sql.gz']);
    expect(kept[2]).toMatch(/^mysql-\d{8}T\d{6}Z\.sql\.gz$/);
    expect(fs.readFileSync(path.join(folder, kept[2]), 'utf8')).toBe('dump');
    expect(r.stdout).toContain('pruned mysql-20261120T030000Z.sql.gz');
  });

  test('with fewer dumps than KEEP nothing is pruned', () => {
    fs.mkdirSync(path.join(work, 'backup'));
    fs.writeFileSync(path.join(work, 'backup', 'dump.sql.gz'), 'dump');
    expect(runScript(upload, {}).status).toBe(0);
    expect(fs.readdirSync(path.join(work, 's3', 'microflow-backups', 'mysql'))).toHaveLength(1);
  });
});

describe('MySQL first-start script', () => {
  test('creates the three databases with literal backticks and grants them to the application user', () => {
    const script: string = find(objects, 'ConfigMap', 'mysql-initdb', 'kubeflow').data['10-microflow-databases.sh'];
    const sqlFile = path.join(work, 'sql');
    // The image's entrypoint sources it with MYSQL_USER and MYSQL_ROOT_PASSWORD set.
    const r = spawnSync('/bin/sh', ['-c', script], {
      env: { PATH: `${FAKES}:/usr/bin:/bin`, FAKE_SQL: sqlFile, MYSQL_USER: 'microflow', MYSQL_ROOT_PASSWORD: 'root-pw' }, encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    const sql = fs.readFileSync(sqlFile, 'utf8');
    expect(sql).toContain('-- args: --protocol=socket --user=root');
    expect(sql).toContain('-- MYSQL_PWD set: yes');
    for (const db of ['mlpipeline', 'metadb', 'cachedb']) {
      expect(sql).toContain(`CREATE DATABASE IF NOT EXISTS \`${db}\`;`);
      expect(sql).toContain(`GRANT ALL PRIVILEGES ON \`${db}\`.* TO 'microflow'@'%';`);
    }
  });
});

describe('SeaweedFS identities', () => {
  test('writes valid S3 identity JSON from the credentials, readable by its owner only', () => {
    const sw = renderStack(resolveConfig({ objectStore: 'seaweedfs' })).objects;
    const init = podSpecOf(find(sw, 'StatefulSet', 'seaweedfs', 'kubeflow')).initContainers[0];
    const dir = path.join(work, 'etc');
    fs.mkdirSync(dir);
    const script = (init.command[2] as string).replace('/etc/seaweedfs/', `${dir}/`);
    const r = spawnSync('/bin/sh', ['-c', script], { env: { PATH: '/usr/bin:/bin', S3_ACCESS_KEY: 'ak', S3_SECRET_KEY: 'sk' }, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const file = path.join(dir, 's3.json');
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).identities[0].credentials).toEqual([{ accessKey: 'ak', secretKey: 'sk' }]);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });
});
