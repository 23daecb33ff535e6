import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createTestDatabase, type TestDatabase } from '@mso/db/testing';
import { createLogger } from '@mso/telemetry';
import { startRuntime } from './runtime.js';
import { defineService } from './service.js';

// The process's PostgreSQL connections come from the environment (MSO_DB_CONNECTIONS), on the running server.
const service = defineService({
  id: 'finance',
  version: '1.0.0',
  description: 'runtime test',
  db: { schema: 'outbox_test', migrationsFolder: fileURLToPath(new URL('../test/outbox-migrations', import.meta.url)) },
  operations: [],
  handlers: [],
});
const logger = createLogger({ name: 'runtime-test', level: 'silent' });
let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(() => test?.drop());

/** Runs 30 slow statements at once and counts the process's connections to the database. */
async function connectionsUnderLoad(env: Record<string, string>): Promise<number> {
  const runtime = await startRuntime({ services: [service], env: { DATABASE_URL: test.url, ...env }, logger });
  try {
    const db = runtime.database!.db;
    await Promise.all(Array.from({ length: 30 }, () => db.execute(sql`select pg_sleep(0.05)`)));
    const [row] = (await db.execute(sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = 'mso'`)) as unknown as { n: number }[];
    return row!.n;
  } finally {
    await runtime.close();
  }
}

describe('database connections', () => {
  it('opens as many as MSO_DB_CONNECTIONS says, four without it', async () => {
    expect(await connectionsUnderLoad({ MSO_DB_CONNECTIONS: '2' })).toBe(2);
    expect(await connectionsUnderLoad({ MSO_DB_CONNECTIONS: '6' })).toBe(6);
    expect(await connectionsUnderLoad({})).toBe(4);
  });

  it('refuses to start with a value that is not a positive whole number, naming the variable', async () => {
    await expect(startRuntime({ services: [service], env: { DATABASE_URL: test.url, MSO_DB_CONNECTIONS: 'many' }, logger })).rejects.toThrow(/MSO_DB_CONNECTIONS must be a positive whole number of connections/);
  });
});
