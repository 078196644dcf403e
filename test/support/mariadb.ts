/**
 * A throwaway MariaDB (Debian's; MySQL 8.4 itself is not packaged there — same client protocol, SQL
 * for accounts and grants, and dump format for what the tests use) for the native tier: its own data
 * dir and socket under a temporary folder, TCP on a free loopback port, root over the socket with no
 * password. `initFile` is passed as mysqld's `--init-file`, as the rendered StatefulSet does, and is
 * read again on every restart.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import type { K8sObject } from './stack';

const SERVER = ['/usr/sbin/mariadbd', '/usr/sbin/mysqld'].find((p) => fs.existsSync(p)) ?? 'mariadbd';

/** Who a query runs as: root over the socket, or an account over TCP. */
export type SqlLogin = 'root' | { readonly user: string; readonly password: string };

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export class MariaDb {
  /** Initialises a data dir and starts the server; `initFile` as mysqld's --init-file. */
  static async start(opts: { initFile?: string } = {}): Promise<MariaDb> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'microflow-mariadb-'));
    const init = spawnSync('mariadb-install-db', ['--no-defaults', `--datadir=${dir}/data`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db'], { encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`mariadb-install-db failed: ${init.stderr}`);
    const db = new MariaDb(dir, await freePort(), opts.initFile);
    await db.run();
    return db;
  }

  private server?: ChildProcess;
  readonly socket: string;

  private constructor(readonly dir: string, readonly port: number, private readonly initFile?: string) {
    this.socket = path.join(dir, 'mysqld.sock');
  }

  /** Runs SQL; throws with the client's message when it fails. */
  sql(query: string, as: SqlLogin = 'root'): string {
    const r = this.trySql(query, as);
    if (r.status !== 0) throw new Error(`mysql failed (${typeof as === 'string' ? as : as.user}): ${r.stderr}`);
    return r.stdout.trim();
  }

  /** Runs SQL and returns the client's result, failed or not. */
  trySql(query: string, as: SqlLogin = 'root'): SpawnSyncReturns<string> {
    const args = as === 'root'
      ? ['--protocol=socket', `--socket=${this.socket}`, '--user=root']
      : ['--protocol=tcp', '--host=127.0.0.1', `--port=${this.port}`, `--user=${as.user}`];
    return spawnSync('mysql', ['--no-defaults', ...args, '--batch', '--skip-column-names', '-e', query], {
      encoding: 'utf8',
      env: { ...process.env, MYSQL_PWD: as === 'root' ? '' : as.password },
    });
  }

  /** Stops the server cleanly and starts it again on the same data (so --init-file runs again). */
  async restart(): Promise<void> {
    await this.halt();
    await this.run();
  }

  async stop(): Promise<void> {
    await this.halt();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private async run(): Promise<void> {
    const log = fs.openSync(path.join(this.dir, 'server.log'), 'a');
    this.server = spawn(SERVER, [
      '--no-defaults', `--datadir=${this.dir}/data`, `--socket=${this.socket}`, `--port=${this.port}`, '--bind-address=127.0.0.1',
      '--user=root', '--skip-log-bin', `--pid-file=${this.dir}/pid`, ...(this.initFile ? [`--init-file=${this.initFile}`] : []),
    ], { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    const exited = new Promise<number | null>((resolve) => this.server!.once('exit', resolve));
    for (let i = 0; i < 300; i++) {
      if (fs.existsSync(this.socket) && this.trySql('SELECT 1').status === 0) return;
      const code = await Promise.race([exited, new Promise((r) => setTimeout(r, 100, 'running'))]);
      if (code !== 'running') throw new Error(`mariadbd exited (${code}):\n${this.log()}`);
    }
    throw new Error(`mariadbd did not answer in 30 s:\n${this.log()}`);
  }

  /** The server's log so far (errors of an --init-file are reported there). */
  log(): string {
    return fs.readFileSync(path.join(this.dir, 'server.log'), 'utf8');
  }

  private async halt(): Promise<void> {
    const s = this.server;
    if (!s || s.exitCode !== null) return;
    const exited = new Promise((r) => s.once('exit', r));
    s.kill('SIGTERM');
    await exited;
  }
}

/** An account's values as its Secret holds them. */
export interface AccountValues { readonly user: string; readonly password: string }

/**
 * Writes mysqld's init file the way the rendered StatefulSet's `accounts` init container does: its
 * script, run under /bin/sh with each account's Secret values in the environment.
 */
export function writeInitFile(mysql: K8sObject, file: string, accounts: readonly AccountValues[]): void {
  const c = mysql.spec.template.spec.initContainers.find((i: any) => i.name === 'accounts');
  const env: Record<string, string> = { PATH: '/usr/bin:/bin', ACCOUNTS_FILE: file };
  accounts.forEach((a, i) => Object.assign(env, { [`ACCOUNT_${i}_USER`]: a.user, [`ACCOUNT_${i}_PASSWORD`]: a.password }));
  const r = spawnSync(c.command[0], c.command.slice(1), { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the accounts script failed (${r.status}): ${r.stderr}`);
}
