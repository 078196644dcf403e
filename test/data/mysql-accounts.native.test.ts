/**
 * MySQL's accounts against a real server: the init file the rendered `accounts` container writes is
 * given to MariaDB as `--init-file`, as the StatefulSet gives it to mysqld, on a fresh data dir and
 * then on one an older microflow left (one account holding every database). Each program's account
 * logs in with its Secret's password and reaches its own databases only; a changed password and a
 * narrowed grant take effect at the next start; hostile names stay names.
 * Native tier: needs MariaDB's server and clients (test/native/tier.js).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { resolveConfig } from '../../lib/config';
import { MariaDb, writeInitFile, type AccountValues } from '../support/mariadb';
import { find, rendered } from '../support/stack';

const mysqlSet = () => find(rendered(resolveConfig({})).objects, 'StatefulSet', 'mysql', 'kubeflow');
// At most 32 characters, MySQL's limit (the script refuses longer names).
const HOSTILE = "o'b\\'; DROP DATABASE mlpipeline#";
let accounts: { pipelines: AccountValues; metadata: AccountValues; maintenance: AccountValues };
let db: MariaDb;
let initFile: string;
const values = () => [accounts.pipelines, accounts.metadata, accounts.maintenance];
/** The databases an account sees, as the account. */
const databases = (a: AccountValues) => db.sql('SHOW DATABASES', a).split('\n').filter((d) => d !== 'information_schema').sort();
const denied = (query: string, a: AccountValues) => {
  const r = db.trySql(query, a);
  return r.status !== 0 && /denied/i.test(r.stderr);
};

beforeAll(async () => {
  accounts = {
    pipelines: { user: 'microflow', password: 'kfp-pw' },
    metadata: { user: 'mlmd', password: "ml'md\\pw %s" },
    maintenance: { user: 'microflow-maintenance', password: 'maint-pw' },
  };
  // The file is written before mysqld starts, as the init container runs before the server's container.
  initFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-accounts-')), 'accounts.sql');
  writeInitFile(mysqlSet(), initFile, values());
  db = await MariaDb.start({ initFile });
}, 120_000);

afterAll(async () => {
  await db?.stop();
  if (initFile) fs.rmSync(path.dirname(initFile), { recursive: true, force: true });
});

test('on a fresh data dir, each account logs in with its password and sees only its databases', () => {
  expect(databases(accounts.pipelines)).toEqual(['mlpipeline']);
  expect(databases(accounts.metadata)).toEqual(['metadb']);
  expect(databases(accounts.maintenance)).toEqual(['cachedb', 'metadb', 'mlpipeline']);
  expect(db.trySql('SELECT 1', { ...accounts.metadata, password: 'wrong' }).status).not.toBe(0);
});

test('KFP\'s account writes its own database but not ML Metadata\'s, and cannot make accounts', () => {
  db.sql('CREATE TABLE mlpipeline.runs (id INT PRIMARY KEY)', accounts.pipelines);
  expect(denied('CREATE TABLE metadb.Artifact (id INT PRIMARY KEY)', accounts.pipelines)).toBe(true);
  expect(denied("CREATE USER 'x'@'%' IDENTIFIED BY 'x'", accounts.pipelines)).toBe(true);
  expect(denied('SELECT User FROM mysql.user', accounts.pipelines)).toBe(true);
  expect(denied('SELECT id FROM mlpipeline.runs', accounts.metadata)).toBe(true);
});

test('the maintenance account reads and writes every database (dump and restore), and nothing of MySQL\'s own', () => {
  db.sql('CREATE TABLE metadb.Artifact (id INT PRIMARY KEY)', accounts.metadata);
  db.sql('INSERT INTO metadb.Artifact VALUES (1); INSERT INTO mlpipeline.runs VALUES (2); CREATE TABLE cachedb.c (id INT)', accounts.maintenance);
  expect(db.sql('SELECT id FROM metadb.Artifact', accounts.maintenance)).toBe('1');
  expect(denied('SELECT User FROM mysql.user', accounts.maintenance)).toBe(true);
});

test('an older layout converges at the next start: the extra grants are gone, a changed password applies, data stays', async () => {
  // What microflow used to make: one application user holding all three databases.
  db.sql("GRANT ALL PRIVILEGES ON `metadb`.* TO 'microflow'@'%'; GRANT ALL PRIVILEGES ON `cachedb`.* TO 'microflow'@'%'");
  expect(databases(accounts.pipelines)).toEqual(['cachedb', 'metadb', 'mlpipeline']);
  const old = accounts.metadata;
  accounts.metadata = { user: 'mlmd', password: 'rotated-by-the-admin' };
  writeInitFile(mysqlSet(), initFile, values());
  await db.restart();
  expect(databases(accounts.pipelines)).toEqual(['mlpipeline']);
  expect(db.trySql('SELECT 1', old).status).not.toBe(0);
  expect(databases(accounts.metadata)).toEqual(['metadb']);
  expect(db.sql('SELECT id FROM mlpipeline.runs', accounts.pipelines)).toBe('2');
}, 60_000);

test('a hostile user name from a hand-made Secret is a name: it logs in, and no statement of its own ran', async () => {
  accounts.maintenance = { user: HOSTILE, password: 'pw' };
  writeInitFile(mysqlSet(), initFile, values());
  await db.restart();
  expect(databases(accounts.maintenance)).toEqual(['cachedb', 'metadb', 'mlpipeline']);
  expect(db.sql('SELECT id FROM mlpipeline.runs', accounts.pipelines)).toBe('2');
}, 60_000);
