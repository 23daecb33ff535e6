import { fileURLToPath } from 'node:url';
import { sql as raw } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './database.js';
import { ensureSchema, migrateService } from './migrate.js';
import { createTestDatabase, type TestDatabase } from './testing.js';

const migrationsFolder = fileURLToPath(new URL('../test/fixtures/migrations', import.meta.url));
const schema = 'dbfixture';

const created: TestDatabase[] = [];
async function freshDatabase(): Promise<TestDatabase> {
  const test = await createTestDatabase();
  created.push(test);
  return test;
}

afterAll(async () => {
  await Promise.all(created.map((t) => t.drop()));
});

/** Runs SQL text (no parameters) and returns the rows (postgres.js returns an array). */
async function rows<Row = Record<string, unknown>>(database: Database, text: string): Promise<Row[]> {
  return [...((await database.db.execute(raw.raw(text))) as unknown as Row[])];
}

async function columns(test: TestDatabase): Promise<string[]> {
  const found = await rows<{ column_name: string }>(
    test.database,
    `select column_name from information_schema.columns where table_schema = '${schema}' and table_name = 'notes' order by ordinal_position`,
  );
  return found.map((r) => r.column_name);
}

describe('migrateService (PostgreSQL)', () => {
  it('creates the schema, its tables and its own migrations table, then has nothing left to do', async () => {
    const test = await freshDatabase();
    expect(await migrateService(test.database, { schema, migrationsFolder })).toEqual({ applied: 2 });
    expect(await columns(test)).toEqual(['id', 'practice_id', 'body', 'amount_cents', 'created_at', 'status']);
    const applied = await rows(test.database, `select hash, created_at from "dbfixture"."__migrations" order by id`);
    expect(applied).toHaveLength(2);
    const drizzleDefault = await rows(test.database, `select count(*)::int as n from pg_namespace where nspname = 'drizzle'`);
    expect(drizzleDefault).toEqual([{ n: 0 }]);

    expect(await migrateService(test.database, { schema, migrationsFolder })).toEqual({ applied: 0 });
    expect(await rows(test.database, `select id from "dbfixture"."__migrations"`)).toHaveLength(2);
  });

  it('works when the schema already exists (ensureSchema first)', async () => {
    const test = await freshDatabase();
    await ensureSchema(test.database, schema);
    await ensureSchema(test.database, schema);
    expect(await migrateService(test.database, { schema, migrationsFolder })).toEqual({ applied: 2 });
  });

  it('rejects schema names that would need quoting', async () => {
    const test = await freshDatabase();
    await expect(migrateService(test.database, { schema: 'Bad"name', migrationsFolder })).rejects.toThrow(
      /invalid schema name/,
    );
  });

  it('rolls back a failing migration and leaves no bookkeeping row', async () => {
    const test = await freshDatabase();
    const broken = fileURLToPath(new URL('../test/fixtures/broken-migrations', import.meta.url));
    await expect(migrateService(test.database, { schema: 'broken', migrationsFolder: broken })).rejects.toThrow();
    expect(await rows(test.database, `select id from "broken"."__migrations"`)).toHaveLength(0);
    const tables = await rows(test.database, `select table_name from information_schema.tables where table_schema = 'broken'`);
    expect(tables).toEqual([{ table_name: '__migrations' }]);
  });

  it('two processes migrating the same schema at once both succeed and apply it once (repeated)', async () => {
    for (let round = 0; round < 10; round++) {
      const test = await freshDatabase();
      // Two independent handles stand for two processes starting at the same moment.
      const [a, b] = await Promise.all([
        openDatabase({ url: test.url, maxConnections: 2 }),
        openDatabase({ url: test.url, maxConnections: 2 }),
      ]);
      try {
        const results = await Promise.all([
          migrateService(a, { schema, migrationsFolder }),
          migrateService(b, { schema, migrationsFolder }),
        ]);
        expect(results.map((r) => r.applied).sort()).toEqual([0, 2]);
        expect(await rows(a, `select hash from "dbfixture"."__migrations"`)).toHaveLength(2);
        expect(await columns(test)).toContain('status');
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    }
  });

  it('migrates with a single connection (the lock and the migration share it)', async () => {
    const test = await freshDatabase();
    const single = await openDatabase({ url: test.url, maxConnections: 1 });
    try {
      const [result] = await Promise.all([
        migrateService(single, { schema, migrationsFolder }),
        single.db.execute(raw`select 1`),
      ]);
      expect(result).toEqual({ applied: 2 });
      expect(await columns(test)).toContain('status');
    } finally {
      await single.close();
    }
  });

  it('does not leave the advisory lock held on a pooled connection', async () => {
    const test = await freshDatabase();
    await migrateService(test.database, { schema, migrationsFolder });
    const locks = await rows(
      test.database,
      `select count(*)::int as n from pg_locks where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`,
    );
    expect(locks).toEqual([{ n: 0 }]);
  });
});
