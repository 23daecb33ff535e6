import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A nats-server (with JetStream) of a test's own, on a free port, for tests that stop and start the
 * broker: the shared one keeps serving everyone else. `kill()` ends it at once (SIGKILL, as a crash
 * would); `start()` brings it back on the same port and store, so clients reconnect by themselves.
 */
export interface PrivateNats {
  readonly url: string;
  readonly port: number;
  /** The monitoring endpoint (`/jsz`, `/healthz`), when asked for. */
  readonly monitorUrl: string | undefined;
  readonly pid: number | undefined;
  start(): Promise<void>;
  kill(): Promise<void>;
  /** `kill`, `downMs` down, then `start`. */
  restart(downMs?: number): Promise<void>;
  /** Kills the server and deletes its store. */
  close(): Promise<void>;
}

export interface PrivateNatsOptions {
  /** Where the store and the server's log go (default: a new temporary folder, store only). */
  dir?: string;
  /** Also serve the monitoring endpoint, on a free port of its own. */
  monitor?: boolean;
}

const NATS_SERVER = process.env.TEST_NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

export async function startPrivateNats(options: PrivateNatsOptions = {}): Promise<PrivateNats> {
  const port = await freePort();
  const monitorPort = options.monitor ? await freePort() : undefined;
  const store = options.dir ? join(options.dir, 'nats') : mkdtempSync(join(tmpdir(), 'mso-nats-'));
  mkdirSync(store, { recursive: true });
  const log = options.dir ? openSync(join(options.dir, 'nats.log'), 'a') : 'ignore';
  const args = ['-a', '127.0.0.1', '-p', String(port), ...(monitorPort ? ['-m', String(monitorPort)] : []), '-js', '-sd', store];
  let child: ChildProcess | undefined;

  const kill = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  const start = async (): Promise<void> => {
    if (child) return;
    child = spawn(NATS_SERVER, args, { stdio: ['ignore', log, log] });
    const deadline = Date.now() + (monitorPort ? 15_000 : 10_000);
    // With monitoring, ready means JetStream is up too (after a restart it recovers its streams first).
    const ready = async () => (await accepts(port)) && (!monitorPort || (await fetch(`http://127.0.0.1:${monitorPort}/healthz?js-enabled-only=true`).then((r) => r.ok, () => false)));
    while (!(await ready())) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`nats-server did not start on port ${port}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    monitorUrl: monitorPort ? `http://127.0.0.1:${monitorPort}` : undefined,
    get pid() {
      return child?.pid;
    },
    start,
    kill,
    async restart(downMs = 300) {
      await kill();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await start();
    },
    async close() {
      await kill();
      rmSync(store, { recursive: true, force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
