/**
 * The MySQL construct: its handle, Service and Secrets; the server's flags, mounts and probes as
 * mysqld and the image read them (the readiness probe runs under a shell against the mysql double;
 * the accounts script in scripts.test.ts); the client NetworkPolicy.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MySql } from '../../lib/data';
import type { Config } from '../../lib/config';
import { volumeAt } from '../support/pod-volumes';
import { FAKES } from '../support/run-script';
import { constructHarness, find, type K8sObject } from '../support/stack';

describe('MySql', () => {
  // Built in beforeEach, which runs as part of each test (see test/support/stack.ts).
  let config: Config, mysql: MySql, objs: K8sObject[], sts: any, pod: any, c: any, env: Record<string, any>;
  beforeEach(() => {
    const h = constructHarness();
    config = h.config;
    mysql = new MySql(h.chart, 'db', { namespace: 'kubeflow', policy: h.policy, storageSize: '10Gi', storageClass: 'microk8s-hostpath' });
    objs = h.synth();
    sts = find(objs, 'StatefulSet', 'mysql', 'kubeflow');
    pod = sts.spec.template.spec;
    c = pod.containers[0];
    env = Object.fromEntries(c.env.map((e: any) => [e.name, e]));
  });

  test('handle carries the names KFP expects', () => {
    expect(mysql.database).toMatchObject({
      service: 'mysql', namespace: 'kubeflow', host: 'mysql.kubeflow.svc.cluster.local', port: 3306,
      databases: { pipeline: 'mlpipeline', metadata: 'metadb', cache: 'cachedb' },
    });
    const keys = { username: 'username', password: 'password' };
    expect(mysql.database.accounts).toEqual({
      pipelines: { credentials: { name: 'mysql-secret', keys }, databases: ['mlpipeline'] },
      metadata: { credentials: { name: 'mysql-metadata-secret', keys }, databases: ['metadb'] },
      maintenance: { credentials: { name: 'mysql-maintenance-secret', keys }, databases: ['mlpipeline', 'metadb', 'cachedb'] },
    });
  });

  test('headless Service mysql on 3306, named so Istio does not sniff it', () => {
    const svc = find(objs, 'Service', 'mysql', 'kubeflow');
    expect(svc.spec.clusterIP).toBe('None');
    expect(svc.spec.ports).toEqual([{ name: 'tcp-mysql', port: 3306, targetPort: 'mysql', appProtocol: 'tcp' }]);
    expect(sts.spec.serviceName).toBe('mysql');
  });

  test('root comes from its own Secret; the image makes no user or database (the init file does), the probe logs in as KFP', () => {
    expect(env.MYSQL_ROOT_PASSWORD.valueFrom.secretKeyRef).toEqual({ name: 'mysql-root-secret', key: 'password' });
    // The entrypoint would CREATE USER MYSQL_USER after --init-file made it, and fail the first start.
    expect(Object.keys(env).sort()).toEqual(['MYSQL_ROOT_PASSWORD', 'READY_PASSWORD', 'READY_USER']);
    expect(env.READY_USER.valueFrom.secretKeyRef).toEqual({ name: 'mysql-secret', key: 'username' });
    expect(env.READY_PASSWORD.valueFrom.secretKeyRef).toEqual({ name: 'mysql-secret', key: 'password' });
  });

  test('server flags: native password (KFP\'s clients), no binary log, no performance_schema (memory), utf8mb4, data dir inside the volume', () => {
    expect(c.args).toEqual([
      '--mysql-native-password=ON', '--authentication-policy=mysql_native_password', '--disable-log-bin',
      '--performance-schema=OFF', '--character-set-server=utf8mb4', '--datadir=/var/lib/mysql/data',
      '--init-file=/run/mysql-init/accounts.sql',
    ]);
  });

  // The script runs in test/data/scripts.test.ts, and against a real server in mysql-accounts.native.test.ts.
  test('the accounts init container writes the init file into a memory volume mysqld reads it from, read-only', () => {
    const init = pod.initContainers.map((i: any) => i.name);
    expect(init).toEqual(['accounts']);
    expect(pod.initContainers[0].image).toBe(c.image);
    expect(pod.initContainers[0].volumeMounts).toEqual([{ name: 'accounts', mountPath: '/run/mysql-init' }]);
    expect(volumeAt(sts, c, '/run/mysql-init/accounts.sql')).toMatchObject({ mount: { readOnly: true }, source: { name: 'accounts', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } } });
  });

  test('startup and liveness ping over TCP (the socket-only init server does not answer), giving up before the probe times out', () => {
    const ping = { exec: { command: ['mysqladmin', 'ping', '--host=127.0.0.1', '--connect-timeout=3'] }, timeoutSeconds: 5 };
    expect(c.startupProbe).toEqual({ ...ping, periodSeconds: 10, failureThreshold: 60 });
    expect(c.livenessProbe).toEqual({ ...ping, periodSeconds: 15, failureThreshold: 4 });
  });

  test('mounts: the data claim, size-limited emptyDirs for the socket dir and /tmp, the accounts file read-only', () => {
    expect(c.volumeMounts).toEqual([
      { name: 'data', mountPath: '/var/lib/mysql' },
      { name: 'run', mountPath: '/var/run/mysqld' },
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'accounts', mountPath: '/run/mysql-init', readOnly: true },
    ]);
    expect(pod.volumes).toEqual([
      { name: 'run', emptyDir: { sizeLimit: '16Mi' } },
      { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
      { name: 'accounts', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
    ]);
    // No ConfigMap of first-start scripts any more: the init file does it at every start.
    expect(objs.filter((o) => o.kind === 'ConfigMap')).toEqual([]);
    // Where mysqld writes under a read-only root: its socket, temporary files, the data dir.
    expect(volumeAt(sts, c, '/var/run/mysqld/mysqld.sock')?.source).toEqual({ name: 'run', emptyDir: { sizeLimit: '16Mi' } });
    expect(volumeAt(sts, c, '/tmp/ib123')?.source).toEqual({ name: 'tmp', emptyDir: { sizeLimit: '1Gi' } });
    expect(volumeAt(sts, c, '/var/lib/mysql/data')?.source.claim.spec.resources.requests.storage).toBe('10Gi');
  });

  test('probes talk to the server: startup allows a slow first init, readiness runs a query', () => {
    expect(c.startupProbe.exec.command.slice(0, 2)).toEqual(['mysqladmin', 'ping']);
    expect(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold).toBeGreaterThanOrEqual(300);
    expect(c.livenessProbe.exec.command.slice(0, 2)).toEqual(['mysqladmin', 'ping']);
    expect(c.readinessProbe.exec.command.join(' ')).toContain('SELECT 1');
  });

  test('runs as the image\'s mysql user with a read-only root and writable run and tmp dirs', () => {
    expect(pod.securityContext).toMatchObject({ runAsUser: 999, runAsGroup: 999, fsGroup: 999 });
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(c.volumeMounts.map((m: any) => m.mountPath)).toEqual(expect.arrayContaining(['/var/lib/mysql', '/var/run/mysqld', '/tmp']));
    expect(c.volumeMounts.find((m: any) => m.mountPath === '/var/lib/mysql').subPath).toBeUndefined();
    expect(c.args).toContain('--datadir=/var/lib/mysql/data');
  });

  test('long grace period for a clean InnoDB shutdown; data volume retained on the configured class', () => {
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(60);
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    expect(sts.spec.volumeClaimTemplates[0].spec.storageClassName).toBe('microk8s-hostpath');
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('10Gi');
  });

  test('sized from the configuration', () => {
    expect(c.resources.requests).toEqual(config.resources.mysql!.requests);
  });

  test('only labelled clients reach 3306', () => {
    const np = find(objs, 'NetworkPolicy', 'mysql-clients', 'kubeflow');
    expect(np.spec.podSelector.matchLabels).toEqual(sts.spec.selector.matchLabels);
    expect(np.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { 'microflow.dev/mysql-client': 'true' } } }], ports: [{ protocol: 'TCP', port: 3306 }] }]);
  });

  describe('run under a shell against the mysql double', () => {
    let work: string;
    beforeEach(() => { work = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-mysql-')); });
    afterEach(() => fs.rmSync(work, { recursive: true, force: true }));
    const sqlFile = () => path.join(work, 'sql');
    const env = (more: Record<string, string>) => ({ PATH: `${FAKES}:/usr/bin:/bin`, FAKE_SQL: sqlFile(), ...more });

    test('readiness, run as rendered: a query over TCP as KFP\'s account, the password in the environment only', () => {
      const command: string[] = c.readinessProbe.exec.command;
      const user = 'app user $(touch pwned)';
      const r = spawnSync(command[0], command.slice(1), { cwd: work, env: env({ READY_USER: user, READY_PASSWORD: 'pw' }), input: '', encoding: 'utf8' });
      expect({ error: r.error?.message, stderr: r.stderr, status: r.status }).toEqual({ error: undefined, stderr: '', status: 0 });
      expect(fs.readFileSync(sqlFile(), 'utf8')).toBe(`-- args: --host=127.0.0.1 --user=${user} --execute=SELECT 1\n-- MYSQL_PWD set: yes\n`);
      expect(fs.readdirSync(work)).toEqual(['sql']);
      expect(c.readinessProbe).toMatchObject({ periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 5 });
    });
  });
});
