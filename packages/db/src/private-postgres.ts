// A PostgreSQL cluster of a test's own, made by initdb in a folder of the caller's, on a free loopback
// port: for tests that stop, crash and restart the database (readiness, fault runs) while the shared
// server keeps serving everyone else.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** PostgreSQL's server binaries: TEST_PG_BIN, else Debian's newest `/usr/lib/postgresql/<version>/bin`. */
function pgBin(): string {
  if (process.env.TEST_PG_BIN) return process.env.TEST_PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error(`no PostgreSQL server binaries in ${root}: set TEST_PG_BIN`);
  return join(root, newest, 'bin');
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function userIds(name: string): { uid: number; gid: number } {
  const id = (flag: string) => Number(spawnSync('id', [flag, name], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ms: number, ready: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > end) throw new Error(`${what} not ready within ${ms} ms`);
    await sleep(100);
  }
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

export interface PrivatePostgres {
  /** The `postgres` database as the `postgres` user (trust authentication). */
  readonly url: string;
  readonly pid: number | undefined;
  /** Starts the server again (after `stop`) on the same port and data. */
  start(): Promise<void>;
  /** An immediate shutdown (SIGQUIT: no checkpoint, crash recovery at the next start), as a crash leaves it. */
  stop(): Promise<void>;
  /** `stop`, `downMs` down, then `start`. */
  restart(downMs?: number): Promise<void>;
}

/** Makes a cluster in `dir/pg` and starts it; its log goes to `dir/postgres.log`. The caller removes `dir`. */
export async function startPrivatePostgres(dir: string): Promise<PrivatePostgres> {
  const bin = pgBin();
  const port = await freePort();
  const base = join(dir, 'pg');
  const data = join(base, 'data');
  mkdirSync(base, { recursive: true });
  // PostgreSQL refuses to run as root: then the cluster belongs to the `postgres` user and runs as it.
  const owner = process.getuid?.() === 0 ? userIds('postgres') : undefined;
  if (owner) {
    chownSync(base, owner.uid, owner.gid);
    chmodSync(dir, 0o755);
  }
  const as = owner ? { uid: owner.uid, gid: owner.gid } : {};
  const init = spawnSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync'], { encoding: 'utf8', cwd: base, ...as });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.stdout}`);
  const log = openSync(join(dir, 'postgres.log'), 'a');
  let child: ChildProcess | undefined;
  // fsync off: an immediate shutdown still keeps every committed transaction (its WAL was written at
  // commit and the operating system keeps it); only a power cut would not, and the tests are faster.
  const args = ['-D', data, '-p', String(port), '-k', base, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=300'];
  const start = async () => {
    if (child) return;
    child = spawn(join(bin, 'postgres'), args, { stdio: ['ignore', log, log], cwd: base, ...as });
    await until('postgres', 30_000, () => spawnSync(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres']).status === 0);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running) return;
    running.kill('SIGQUIT');
    await exited(running);
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    get pid() {
      return child?.pid;
    },
    start,
    stop,
    async restart(downMs = 300) {
      await stop();
      await sleep(downMs);
      await start();
    },
  };
}
