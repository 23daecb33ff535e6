import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryBus } from '@mso/bus';
import { openDatabase, type Database } from '@mso/db';
import { startPrivatePostgres, type PrivatePostgres } from '@mso/db/testing';
import { createLogger } from '@mso/telemetry';
import { startPlatform, type Platform } from './platform.js';

// /readyz of a process that hosts services, on a PostgreSQL server of this file's own (it is stopped
// here; the shared one is not). Stopped by an immediate shutdown, as a crash would leave it.
let dir: string;
let pg: PrivatePostgres;
let database: Database;
let platform: Platform;

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
  pg = await startPrivatePostgres(dir);
  database = await openDatabase({ url: pg.url, applicationName: 'mso-readiness-test' });
  const bus = createMemoryBus();
  // Tenancy answers on the bus (readiness needs the control plane); no service needs tables here.
  await bus.serve({ service: 'tenancy', version: '1.0.0', subjects: ['tenancy.v1.ready.probe'], handler: async () => ({ data: new Uint8Array() }) });
  platform = await startPlatform({ services: [], bus, database, env: {}, logger: createLogger({ name: 'test', level: 'fatal' }) });
}, 60_000);

afterAll(async () => {
  await platform?.close();
  await database?.close();
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('/readyz and PostgreSQL', () => {
  it('turns not-ready naming the database while PostgreSQL is down, and ready again once it is back', async () => {
    expect((await ready()).status).toBe(200);
    await pg.stop();
    const down = await ready();
    expect(down.status).toBe(503);
    expect(down.body.checks.database).not.toBe('ok');
    expect(down.body.checks.bus).toBe('ok');
    await pg.start();
    // The same Database reconnects by itself: no restart of the process.
    await until(async () => (await ready()).status === 200, 15_000);
  }, 30_000);
});
