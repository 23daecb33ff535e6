// The fault run's own NATS server and PostgreSQL cluster, on free loopback ports in a temporary
// folder, so that the run can kill and restart them without touching the servers other work uses.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const NATS_SERVER = process.env.FAULTS_NATS_SERVER ?? '/usr/sbin/nats-server';
/** PostgreSQL's server binaries: FAULTS_PG_BIN, else Debian's newest `/usr/lib/postgresql/<version>/bin`. */
function pgBin(): string {
  if (process.env.FAULTS_PG_BIN) return process.env.FAULTS_PG_BIN;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error(`no PostgreSQL server binaries in ${root}: set FAULTS_PG_BIN`);
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

async function until(what: string, ms: number, ready: () => Promise<boolean>): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ready().catch(() => false))) {
    if (Date.now() > end) throw new Error(`${what} not ready within ${ms} ms`);
    await sleep(100);
  }
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

/** A server process the run owns: started, killed and restarted on the same port and data. */
export interface OwnedServer {
  readonly url: string;
  readonly pid: number | undefined;
  /** SIGKILL (NATS) or an immediate shutdown, the crash PostgreSQL recovers from (PostgreSQL); then start again. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** nats-server with JetStream on file storage, and its monitoring endpoint for consumer counts. */
export async function startNats(dir: string): Promise<OwnedServer & { monitorUrl: string }> {
  const port = await freePort();
  const monitor = await freePort();
  const store = join(dir, 'nats');
  mkdirSync(store, { recursive: true });
  const log = openSync(join(dir, 'nats.log'), 'a');
  let child: ChildProcess | undefined;
  const monitorUrl = `http://127.0.0.1:${monitor}`;
  const start = async () => {
    child = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitor), '-js', '-sd', store], { stdio: ['ignore', log, log] });
    await until('nats-server', 15_000, async () => (await fetch(`${monitorUrl}/healthz?js-enabled-only=true`)).ok);
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    monitorUrl,
    get pid() {
      return child?.pid;
    },
    async restart(downMs = 300) {
      const c = child!;
      c.kill('SIGKILL');
      await exited(c);
      await sleep(downMs);
      await start();
    },
    async stop() {
      if (!child) return;
      child.kill('SIGKILL');
      await exited(child);
      child = undefined;
    },
  };
}

/**
 * A PostgreSQL cluster made by initdb in `dir`, trust authentication for `postgres` on loopback.
 */
export async function startPostgres(dir: string): Promise<OwnedServer> {
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
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  // fsync off: an immediate shutdown still keeps every committed transaction (its WAL was written at
  // commit and the operating system keeps it); only a power cut would not, and the run is faster.
  const args = ['-D', data, '-p', String(port), '-k', base, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=300'];
  const start = async () => {
    child = spawn(join(bin, 'postgres'), args, { stdio: ['ignore', log, log], cwd: base, ...as });
    await until('postgres', 30_000, async () => spawnSync(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres']).status === 0);
  };
  await start();
  // SIGQUIT is PostgreSQL's immediate shutdown: no checkpoint, crash recovery at the next start.
  const crash = async (signal: NodeJS.Signals) => {
    const c = child!;
    c.kill(signal);
    await exited(c);
  };
  return {
    url,
    get pid() {
      return child?.pid;
    },
    async restart(downMs = 300) {
      await crash('SIGQUIT');
      await sleep(downMs);
      await start();
    },
    async stop() {
      if (!child) return;
      await crash('SIGQUIT');
      child = undefined;
    },
  };
}
