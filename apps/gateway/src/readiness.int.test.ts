import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryBus } from '@mso/bus';
import { openDatabase, type Database } from '@mso/db';
import { createLogger } from '@mso/telemetry';
import { startPlatform, type Platform } from './platform.js';

// /readyz of a process that hosts services, on a PostgreSQL server of this file's own (it is stopped
// here; the shared one is not). Stopped with `-m immediate`, as a crash would leave it.
const bin = '/usr/lib/postgresql/15/bin';
let dir: string;
let port: number;
let database: Database;
let platform: Platform;

/** PostgreSQL refuses to run as root: run its tools as the postgres user when we are root. */
function pg(tool: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0;
  execFileSync(asRoot ? 'runuser' : `${bin}/${tool}`, asRoot ? ['-u', 'postgres', '--', `${bin}/${tool}`, ...args] : args, { stdio: 'ignore' });
}

const start = () => pg('pg_ctl', ['-D', `${dir}/data`, '-l', `${dir}/log`, '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`, 'start']);
const stop = () => pg('pg_ctl', ['-D', `${dir}/data`, '-m', 'immediate', '-w', 'stop']);

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

const ready = async () => {
  const res = await platform.app.inject({ method: 'GET', url: '/readyz' });
  return { status: res.statusCode, body: res.json() as { checks: Record<string, string> } };
};

async function until(predicate: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mso-pg-'));
  chmodSync(dir, 0o777);
  port = await freePort();
  pg('initdb', ['-D', `${dir}/data`, '-U', 'postgres', '--auth=trust', '--no-sync']);
  start();
  database = await openDatabase({ url: `postgres://postgres@127.0.0.1:${port}/postgres`, applicationName: 'mso-readiness-test' });
  const bus = createMemoryBus();
  // Tenancy answers on the bus (readiness needs the control plane); no service needs tables here.
  await bus.serve({ service: 'tenancy', version: '1.0.0', subjects: ['tenancy.v1.ready.probe'], handler: async () => ({ data: new Uint8Array() }) });
  platform = await startPlatform({ services: [], bus, database, env: {}, logger: createLogger({ name: 'test', level: 'fatal' }) });
}, 60_000);

afterAll(async () => {
  await platform?.close();
  await database?.close();
  try {
    stop();
  } catch {
    // already stopped
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('/readyz and PostgreSQL', () => {
  it('turns not-ready naming the database while PostgreSQL is down, and ready again once it is back', async () => {
    expect((await ready()).status).toBe(200);
    stop();
    const down = await ready();
    expect(down.status).toBe(503);
    expect(down.body.checks.database).not.toBe('ok');
    expect(down.body.checks.bus).toBe('ok');
    start();
    // The same Database reconnects by itself: no restart of the process.
    await until(async () => (await ready()).status === 200, 15_000);
  }, 30_000);
});
