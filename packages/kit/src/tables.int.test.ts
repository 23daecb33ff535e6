import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openDatabase, readJournal, type Database } from '@mso/db';
import { createTestDatabase, type TestDatabase } from '@mso/db/testing';
import { connectNatsBus, deleteNatsNamespace } from '@mso/bus';
import { createLogger } from '@mso/telemetry';
import { OutboxRelay } from './outbox.js';
import type { Db } from './service.js';
import { ManualClock } from './clock.js';
import { KIT_MIGRATIONS_FOLDER, kitTables, migrateKitTables } from './tables.js';

// The kit's own tables come from its migrations (packages/kit/migrations), per service schema.
const kitMigrationCount = readJournal(KIT_MIGRATIONS_FOLDER).length;
const created: TestDatabase[] = [];
async function freshDatabase(): Promise<TestDatabase> {
  const test = await createTestDatabase();
  created.push(test);
  return test;
}
afterAll(async () => {
  await Promise.all(created.map((t) => t.drop()));
});

async function rows<Row>(database: Database, query: ReturnType<typeof sql>): Promise<Row[]> {
  return [...((await database.db.execute(query)) as unknown as Row[])];
}
const tablesIn = async (database: Database, schema: string) =>
  (await rows<{ table_name: string }>(database, sql`select table_name from information_schema.tables where table_schema = ${schema} order by table_name`)).map((r) => r.table_name);

// What earlier releases created with hand-written DDL at every start.
const OLD_DDL = (s: string) => [
  `CREATE SCHEMA IF NOT EXISTS ${s}`,
  `CREATE TABLE IF NOT EXISTS ${s}.mso_outbox (seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, id uuid NOT NULL UNIQUE, subject text NOT NULL, envelope jsonb NOT NULL, headers jsonb NOT NULL, created_at timestamptz NOT NULL, published_at timestamptz)`,
  `CREATE INDEX IF NOT EXISTS mso_outbox_unpublished ON ${s}.mso_outbox (seq) WHERE published_at IS NULL`,
  `CREATE TABLE IF NOT EXISTS ${s}.mso_inbox (consumer text NOT NULL, event_id text NOT NULL, handled_at timestamptz NOT NULL, PRIMARY KEY (consumer, event_id))`,
  `CREATE TABLE IF NOT EXISTS ${s}.mso_jobs (name text PRIMARY KEY, last_tick bigint NOT NULL, ran_at timestamptz NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ${s}.mso_idempotency (practice_id text NOT NULL, operation text NOT NULL, key text NOT NULL, status bigint NOT NULL, reply jsonb NOT NULL, created_at timestamptz NOT NULL, PRIMARY KEY (practice_id, operation, key))`,
];

describe('kit migrations (PostgreSQL)', () => {
  it('create the kit tables in the service schema with their own migrations table; a second run is a no-op', async () => {
    const test = await freshDatabase();
    expect(await migrateKitTables(test.database, 'kit_a')).toEqual({ applied: kitMigrationCount });
    const tables = await tablesIn(test.database, 'kit_a');
    expect(tables).toEqual(expect.arrayContaining(['mso_inbox', 'mso_idempotency', 'mso_kit_migrations', 'mso_outbox']));
    expect(tables).not.toContain('mso_outbox_sequence'); // dropped by 0006: the practice's turn is an advisory lock
    expect(tables).not.toContain('__migrations');
    expect(await migrateKitTables(test.database, 'kit_a')).toEqual({ applied: 0 });
    expect(await rows(test.database, sql`select id from kit_a.mso_kit_migrations`)).toHaveLength(kitMigrationCount);
    // Another service's schema gets its own copy.
    expect(await migrateKitTables(test.database, 'kit_b')).toEqual({ applied: kitMigrationCount });
  });

  it('take over a schema made by the old hand-written DDL, and its unpublished events still go out', async () => {
    const test = await freshDatabase();
    for (const statement of OLD_DDL('kit_old')) await test.database.db.execute(sql.raw(statement));
    const id = randomUUID();
    const envelope = { specversion: '1.0', id, source: 'mso/finance', type: 'finance.note.added', time: '2026-03-02T10:00:00.000Z', data: { id } };
    await test.database.db.execute(
      sql`insert into kit_old.mso_outbox (id, subject, envelope, headers, created_at) values (${id}, 'evt.finance.note.added', ${JSON.stringify(envelope)}::jsonb, '{}'::jsonb, now())`,
    );
    expect(await migrateKitTables(test.database, 'kit_old')).toEqual({ applied: kitMigrationCount });

    const servers = process.env.TEST_NATS_URL ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
    const namespace = `m${randomUUID().slice(0, 8)}`;
    const bus = await connectNatsBus({ servers, namespace });
    try {
      const got: string[] = [];
      const reader = await bus.consume({ producer: 'finance', durable: 'old_reader', handler: async (d) => void got.push(d.id) });
      const relay = new OutboxRelay({ db: () => test.database.db as unknown as Db, tables: kitTables('kit_old'), schema: 'kit_old', bus, clock: new ManualClock('2026-03-02T10:00:00Z'), log: createLogger({ name: 't', level: 'silent' }) });
      await relay.relay();
      const end = Date.now() + 5000;
      while (!got.includes(id) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      expect(got).toEqual([id]);
      await reader.stop();
    } finally {
      await bus.close();
      await deleteNatsNamespace({ servers, namespace }).catch(() => {});
    }
  });

  it('are applied once when two processes start on a fresh database at the same moment (repeated)', async () => {
    for (let round = 0; round < 5; round++) {
      const test = await freshDatabase();
      const [a, b] = await Promise.all([openDatabase({ url: test.url, maxConnections: 2 }), openDatabase({ url: test.url, maxConnections: 2 })]);
      try {
        const results = await Promise.all([migrateKitTables(a, 'kit_race'), migrateKitTables(b, 'kit_race')]);
        expect(results.map((r) => r.applied).sort((x, y) => x - y)).toEqual([0, kitMigrationCount]);
        expect(await rows(a, sql`select id from kit_race.mso_kit_migrations`)).toHaveLength(kitMigrationCount);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    }
  });
});
