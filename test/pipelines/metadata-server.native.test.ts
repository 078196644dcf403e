/**
 * ML Metadata's connection, end to end: the configuration file the rendered `server-config` container
 * writes is parsed with ML Metadata's own protos (MetadataStoreServerConfig, text format: an unknown
 * field or a bad escape fails), and ML Metadata's store — the C++ MySQL backend the server runs — opens
 * it against MariaDB whose accounts are the rendered ones: as the metadata account it creates its
 * schema and records lineage in `metadb`, and the same account is refused KFP's database.
 * Native tier: needs MariaDB and the ml-metadata venv (test/native/tier.js).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { resolveConfig } from '../../lib/config';
import { MariaDb, writeInitFile } from '../support/mariadb';
import { programPath } from '../support/programs';
import { find, podSpecOf, rendered } from '../support/stack';

/** Parses the file with MLMD's protos, opens the store from it, records lineage; or opens it on another database. */
const CLIENT = `
import json, sys
from google.protobuf import text_format
from ml_metadata.metadata_store import metadata_store
from ml_metadata.proto import metadata_store_pb2 as pb
config = text_format.Parse(open(sys.argv[1]).read(), pb.MetadataStoreServerConfig())
connection = config.connection_config
if len(sys.argv) > 2:
    connection.mysql.database = sys.argv[2]
store = metadata_store.MetadataStore(connection, enable_upgrade_migration=config.migration_options.enable_upgrade_migration)
model = store.put_artifact_type(pb.ArtifactType(name="system.Model"))
[artifact] = store.put_artifacts([pb.Artifact(type_id=model, uri="s3://mlpipeline/v2/artifacts/run/model")])
print(json.dumps({"user": connection.mysql.user, "uris": [a.uri for a in store.get_artifacts_by_id([artifact])]}))
`;
const ACCOUNTS = [
  { user: 'microflow', password: 'kfp-pw' },
  { user: 'mlmd', password: 'm"l\\md\'pw $(touch pwned)' },
  { user: 'microflow-maintenance', password: 'maint-pw' },
];

let dir: string;
let db: MariaDb;
const objects = () => rendered(resolveConfig({})).objects;
const python = () => programPath('ml-metadata')!;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-mlmd-'));
  writeInitFile(find(objects(), 'StatefulSet', 'mysql', 'kubeflow'), path.join(dir, 'accounts.sql'), ACCOUNTS);
  db = await MariaDb.start({ initFile: path.join(dir, 'accounts.sql') });
  // The rendered init container, with the metadata account's Secret and this server's address.
  const c = podSpecOf(find(objects(), 'Deployment', 'metadata-grpc-deployment', 'kubeflow')).initContainers.find((i: any) => i.name === 'server-config');
  const r = spawnSync(c.command[0], c.command.slice(1), {
    cwd: dir,
    env: { PATH: '/usr/bin:/bin', CONFIG_FILE: path.join(dir, 'server-config.pbtxt'), DBCONFIG_USER: ACCOUNTS[1].user, DBCONFIG_PASSWORD: ACCOUNTS[1].password, MYSQL_HOST: '127.0.0.1', MYSQL_PORT: String(db.port), MYSQL_DATABASE: 'metadb' },
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`server-config failed: ${r.stderr}`);
}, 120_000);

afterAll(async () => {
  await db?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const client = (...args: string[]) => spawnSync(python(), ['-c', CLIENT, path.join(dir, 'server-config.pbtxt'), ...args], { encoding: 'utf8', timeout: 60_000 });

test('ML Metadata parses the file and, as the metadata account, creates its schema and records lineage in metadb', () => {
  const r = client();
  expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, stderr: '' });
  expect(JSON.parse(r.stdout)).toEqual({ user: 'mlmd', uris: ['s3://mlpipeline/v2/artifacts/run/model'] });
  expect(db.sql('SHOW TABLES FROM metadb').split('\n')).toEqual(expect.arrayContaining(['Artifact', 'MLMDEnv', 'Type']));
  expect(fs.readdirSync(dir).filter((f) => f.startsWith('pwned'))).toEqual([]);
});

test('the same account is refused KFP\'s database', () => {
  const r = client('mlpipeline');
  expect(r.status).not.toBe(0);
  expect(r.stderr).toMatch(/Access denied for user 'mlmd'@'[^']*' to database 'mlpipeline'/);
  expect(db.sql('SHOW TABLES FROM mlpipeline')).toBe('');
});
