/**
 * SeaweedFS' pod as the programs read it, on a whole stack with non-default storage: the
 * `s3-identities` init container run exactly as rendered (its command array, its env names bound to
 * the Secret's keys) writes the identity file that `weed`'s -s3.config names, on a memory volume both
 * containers mount (weed's mount read-only); `weed server`'s flags (roles on loopback, S3 on the
 * container port, data on the configured claim, the IAM settings); probes; the governing Service.
 * (The same pod runs natively against weed in seaweedfs.native.test.ts; this one needs no binaries.)
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { resolveConfig } from '../../lib/config';
import { OBJECT_STORE } from '../../lib/data';
import { goFlags, volumeAt } from '../support/pod-volumes';
import { find, rendered, type K8sObject } from '../support/stack';

let work: string, objs: K8sObject[], sts: K8sObject, init: any, weed: any;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-seaweedfs-pod-'));
  objs = rendered(resolveConfig({ objectStore: 'seaweedfs', storageClass: 'fast-nvme', storage: { objectStore: '44Gi' } })).objects;
  sts = find(objs, 'StatefulSet', 'seaweedfs', 'kubeflow');
  init = sts.spec.template.spec.initContainers.find((c: any) => c.name === 's3-identities');
  weed = sts.spec.template.spec.containers.find((c: any) => c.name === 'seaweedfs');
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

const configFile = () => goFlags(weed.args).flags['s3.config'] as string;
const MEMORY_VOLUME = { name: 'config', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } };

describe('the S3 identity file', () => {
  test('weed reads it from a read-only mount of a memory volume', () => {
    expect(configFile()).toBe('/etc/seaweedfs/s3.json');
    const at = volumeAt(sts, weed, configFile());
    expect(at).toEqual({ mount: { name: 'config', mountPath: '/etc/seaweedfs', readOnly: true }, source: MEMORY_VOLUME });
  });

  test('the init container, run as rendered with the Secret\'s values, writes it where weed reads it', () => {
    const weedAt = volumeAt(sts, weed, configFile())!;
    // The init container's own mount of the same volume: the file's path inside it.
    const initMount = init.volumeMounts.find((m: any) => m.name === weedAt.mount.name);
    expect(initMount).toEqual({ name: 'config', mountPath: '/etc/seaweedfs' });
    const inVolume = path.posix.relative(weedAt.mount.mountPath, configFile());
    // The kubelet fills each env var from its secretKeyRef; here the Secret holds awkward values.
    const secret: Record<string, string> = { [OBJECT_STORE.secret.keys.accesskey]: 'AK"\\1', [OBJECT_STORE.secret.keys.secretkey]: 'sk $(x) `y`\n' };
    const env: Record<string, string> = {};
    for (const e of init.env) {
      expect(e.valueFrom.secretKeyRef.name).toBe(OBJECT_STORE.secret.name);
      env[e.name] = secret[e.valueFrom.secretKeyRef.key];
    }
    const dir = path.join(work, 'volume');
    fs.mkdirSync(dir);
    const command: string[] = init.command.map((a: string) => a.split(`${initMount.mountPath}/`).join(`${dir}/`));
    const r = spawnSync(command[0], command.slice(1), { cwd: work, env: { PATH: '/usr/bin:/bin', ...env }, encoding: 'utf8' });
    expect({ error: r.error?.message, stderr: r.stderr, status: r.status }).toEqual({ error: undefined, stderr: '', status: 0 });
    const identities = JSON.parse(fs.readFileSync(path.join(dir, inVolume), 'utf8')).identities;
    expect(identities).toEqual([{
      name: 'microflow', credentials: [{ accessKey: 'AK"\\1', secretKey: 'sk $(x) `y`\n' }], actions: ['Admin', 'Read', 'List', 'Tagging', 'Write'],
    }]);
  });
});

describe('weed server', () => {
  test('runs the weed binary\'s `server` command: every role in one process, S3 on', () => {
    expect(weed.command).toEqual(['weed']);
    const { positional, flags } = goFlags(weed.args);
    expect(positional).toEqual(['server']);
    expect(flags.s3).toBe(true);
  });

  test('the flags it is given, each with its value', () => {
    expect(goFlags(weed.args).flags).toEqual({
      'dir': '/data',
      // Master, volume and filer find each other on loopback; listeners bind every interface.
      'ip': '127.0.0.1',
      'ip.bind': '0.0.0.0',
      'master.volumePreallocate': 'false',
      'master.volumeSizeLimitMB': '1024',
      'master.telemetry': 'false',
      's3': true,
      's3.port': '8333',
      's3.config': '/etc/seaweedfs/s3.json',
      // The root identity may add identities through the IAM API; users may not make their own keys.
      's3.iam.readOnly': 'false',
      's3.iam.selfServiceRequiresGrant': 'true',
    });
  });

  test('S3 listens on the container port the Services target; data lands on the configured claim', () => {
    const { flags } = goFlags(weed.args);
    expect(weed.ports).toEqual([{ name: 's3', containerPort: Number(flags['s3.port']), protocol: 'TCP' }]);
    const data = volumeAt(sts, weed, flags.dir as string);
    expect(data?.mount).toEqual({ name: 'data', mountPath: '/data' });
    expect(data?.source.claim.spec).toMatchObject({ storageClassName: 'fast-nvme', resources: { requests: { storage: '44Gi' } } });
  });

  test('mounts: data claim, identity volume (read-only), a size-limited emptyDir at /tmp', () => {
    expect(weed.volumeMounts).toEqual([
      { name: 'data', mountPath: '/data' },
      { name: 'config', mountPath: '/etc/seaweedfs', readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
    ]);
    expect(sts.spec.template.spec.volumes).toEqual([MEMORY_VOLUME, { name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }]);
    expect(weed.securityContext.readOnlyRootFilesystem).toBe(true);
  });

  test('probes on /status: startup allows 5 minutes (60 × 5 s), liveness a minute', () => {
    const status = { httpGet: { path: '/status', port: 's3' }, timeoutSeconds: 5 };
    expect(weed.startupProbe).toEqual({ ...status, periodSeconds: 5, failureThreshold: 60 });
    expect(weed.livenessProbe).toEqual({ ...status, periodSeconds: 15, failureThreshold: 4 });
    expect(weed.readinessProbe).toEqual({ ...status, periodSeconds: 10, failureThreshold: 3 });
  });

  test('the StatefulSet\'s Service seaweedfs is headless, its port named for Istio as HTTP', () => {
    expect(sts.spec.serviceName).toBe('seaweedfs');
    const svc = find(objs, 'Service', 'seaweedfs', 'kubeflow');
    expect(svc.spec.clusterIP).toBe('None');
    expect(svc.spec.ports).toEqual([{ name: 'http-s3', port: 8333, targetPort: 's3' }]);
  });
});
