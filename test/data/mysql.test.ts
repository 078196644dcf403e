import { MySql } from '../../lib/data';
import type { Config } from '../../lib/config';
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
      credentials: { name: 'mysql-secret', keys: { username: 'username', password: 'password' } },
      databases: { pipeline: 'mlpipeline', metadata: 'metadb', cache: 'cachedb' },
    });
  });

  test('headless Service mysql on 3306, named so Istio does not sniff it', () => {
    const svc = find(objs, 'Service', 'mysql', 'kubeflow');
    expect(svc.spec.clusterIP).toBe('None');
    expect(svc.spec.ports).toEqual([{ name: 'tcp-mysql', port: 3306, targetPort: 'mysql', appProtocol: 'tcp' }]);
    expect(sts.spec.serviceName).toBe('mysql');
  });

  test('root and application credentials come from separate generated Secrets', () => {
    expect(env.MYSQL_ROOT_PASSWORD.valueFrom.secretKeyRef).toEqual({ name: 'mysql-root-secret', key: 'password' });
    expect(env.MYSQL_USER.valueFrom.secretKeyRef).toEqual({ name: 'mysql-secret', key: 'username' });
    expect(env.MYSQL_PASSWORD.valueFrom.secretKeyRef).toEqual({ name: 'mysql-secret', key: 'password' });
    expect(env.MYSQL_DATABASE.value).toBe('mlpipeline');
  });

  test('settings KFP needs are deliberate: native password, no binary log', () => {
    expect(c.args).toEqual(expect.arrayContaining(['--mysql-native-password=ON', '--authentication-policy=mysql_native_password', '--disable-log-bin']));
  });

  // The script itself runs in test/data/scripts.test.ts and against a real server in backup-restore.sql.test.ts.
  test('the first-start script is mounted where the image\'s entrypoint runs it', () => {
    expect(Object.keys(find(objs, 'ConfigMap', 'mysql-initdb', 'kubeflow').data)).toEqual(['10-microflow-databases.sh']);
    expect(c.volumeMounts).toContainEqual({ name: 'initdb', mountPath: '/docker-entrypoint-initdb.d', readOnly: true });
    expect(pod.volumes).toContainEqual({ name: 'initdb', configMap: { name: 'mysql-initdb' } });
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
});
