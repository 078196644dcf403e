/**
 * ML Metadata's store server: its connection comes from a configuration file an init container writes
 * from the metadata account's Secret, never from flags (argv is readable in the pod and shows in `ps`).
 * The script runs here under /bin/sh with hostile values; metadata-server.native.test.ts parses its
 * output with ML Metadata's own protos and connects to a real server with it.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { resolveConfig } from '../../lib/config';
import { find, podSpecOf, rendered } from '../support/stack';

let work: string;
beforeEach(() => { work = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-mlmd-')); });
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

const pod = () => podSpecOf(find(rendered(resolveConfig({})).objects, 'Deployment', 'metadata-grpc-deployment', 'kubeflow'));
const VALUES = { DBCONFIG_USER: 'mlmd', DBCONFIG_PASSWORD: 'pw', MYSQL_HOST: 'mysql.kubeflow.svc.cluster.local', MYSQL_PORT: '3306', MYSQL_DATABASE: 'metadb' };
/** Runs the rendered init container's script with the values the kubelet would give it. */
const writeConfig = (values: Record<string, string>) => {
  const c = pod().initContainers.find((i: any) => i.name === 'server-config');
  const file = path.join(work, 'server-config.pbtxt');
  const r = spawnSync(c.command[0], c.command.slice(1), { cwd: work, env: { PATH: '/usr/bin:/bin', CONFIG_FILE: file, ...values }, encoding: 'utf8' });
  return { ...r, file, text: fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined };
};
/** `key: "string"` fields of a text-format message, unescaped as protobuf reads them. */
const strings = (text: string) => Object.fromEntries([...text.matchAll(/^\s*(\w+): "((?:[^"\\]|\\.)*)"$/gm)].map((m) => [m[1], m[2].replace(/\\(.)/g, '$1')]));

test('the server reads its connection from the file, and no flag carries a credential', () => {
  const c = pod().containers[0];
  expect(c.command).toEqual(['/bin/metadata_store_server']);
  expect(c.args).toEqual(['--grpc_port=8080', '--metadata_source_config_type=config_file', '--metadata_store_server_config_file=/run/mlmd/server-config.pbtxt']);
  expect((c.env ?? []).filter((e: any) => e.valueFrom?.secretKeyRef)).toEqual([]);
  expect(c.volumeMounts).toEqual([{ name: 'server-config', mountPath: '/run/mlmd', readOnly: true }]);
  expect(pod().volumes).toEqual([{ name: 'server-config', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }]);
});

test('the init container reads the metadata account\'s Secret (never KFP\'s or the maintenance one) and the install config', () => {
  const env = Object.fromEntries(pod().initContainers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
  expect(env).toEqual({
    CONFIG_FILE: '/run/mlmd/server-config.pbtxt',
    DBCONFIG_USER: { secretKeyRef: { name: 'mysql-metadata-secret', key: 'username' } },
    DBCONFIG_PASSWORD: { secretKeyRef: { name: 'mysql-metadata-secret', key: 'password' } },
    MYSQL_DATABASE: { configMapKeyRef: { name: 'pipeline-install-config', key: 'mlmdDb' } },
    MYSQL_HOST: { configMapKeyRef: { name: 'pipeline-install-config', key: 'mysqlHost' } },
    MYSQL_PORT: { configMapKeyRef: { name: 'pipeline-install-config', key: 'mysqlPort' } },
  });
});

test.each([
  ['plain', 'pw'],
  ['quotes and backslashes', 'p"w\\" \\\\n\'x'],
  ['shell', '$(touch pwned) `touch pwned2` %s'],
  ['trailing backslash', 'pw\\'],
])('%s: the file holds exactly the values, schema upgrades on, readable by its owner only', (_what, password) => {
  const r = writeConfig({ ...VALUES, DBCONFIG_PASSWORD: password, DBCONFIG_USER: `u"${password}` });
  expect({ stderr: r.stderr, status: r.status }).toEqual({ stderr: '', status: 0 });
  expect(strings(r.text!)).toEqual({ host: VALUES.MYSQL_HOST, database: 'metadb', user: `u"${password}`, password });
  expect(r.text).toMatch(/^\s*port: 3306$/m);
  expect(r.text).toMatch(/migration_options \{\n\s*enable_upgrade_migration: true\n\}/);
  expect(fs.statSync(r.file).mode & 0o777).toBe(0o600);
  expect(fs.readdirSync(work)).toEqual(['server-config.pbtxt']);
});

test.each([
  ['a line break in the password', { DBCONFIG_PASSWORD: 'a\nb' }, 'metadata server config: a value with a line break (mysql-metadata-secret or pipeline-install-config)'],
  ['a port that is not a number', { MYSQL_PORT: '3306 }' }, 'metadata server config: mysqlPort must be a number, got 3306 }'],
  ['an empty port', { MYSQL_PORT: '' }, 'metadata server config: mysqlPort must be a number, got '],
])('%s: the container fails with a message and writes no file (the server does not start)', (_what, bad, message) => {
  const r = writeConfig({ ...VALUES, ...bad });
  expect(r.status).not.toBe(0);
  expect(r.stderr).toBe(`${message}\n`);
  expect(r.text).toBeUndefined();
});
