import { fileURLToPath } from 'node:url';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notes } from '../test/fixtures/schema.js';
import { openDatabase } from './database.js';
import { createTestDatabase, dropStaleTestDatabases, type TestDatabase } from './testing.js';

const migrationsFolder = fileURLToPath(new URL('../test/fixtures/migrations', import.meta.url));
const practiceId = '00000000-0000-4000-8000-000000000001';

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase({ migrations: [{ schema: 'dbfixture', migrationsFolder }] });
});
afterAll(async () => {
  await test?.drop();
});

describe('openDatabase (PostgreSQL)', () => {
  it('opens postgres.js when given a URL and answers ping', async () => {
    expect(test.database.kind).toBe('postgres');
    await expect(test.database.ping()).resolves.toBeUndefined();
  });

  it('reads and writes through drizzle with the service schema types', async () => {
    const [row] = await test.database.db
      .insert(notes)
      .values({ practiceId, body: 'hello', amountCents: 12_345 })
      .returning();
    expect(row).toMatchObject({ practiceId, body: 'hello', amountCents: 12_345, status: 'open' });
    const found = await test.database.db.select().from(notes).where(eq(notes.id, row!.id));
    expect(found).toHaveLength(1);
    expect(found[0]!.createdAt).toBeInstanceOf(Date);
  });

  it('commits a transaction when the callback resolves', async () => {
    const id = await test.database.transaction(async (tx) => {
      const [row] = await tx.insert(notes).values({ practiceId, body: 'committed' }).returning({ id: notes.id });
      return row!.id;
    });
    expect(await test.database.db.select().from(notes).where(eq(notes.id, id))).toHaveLength(1);
  });

  it('rolls a transaction back when the callback throws', async () => {
    let insertedId: string | undefined;
    await expect(
      test.database.transaction(async (tx) => {
        const [row] = await tx.insert(notes).values({ practiceId, body: 'rolled back' }).returning({ id: notes.id });
        insertedId = row!.id;
        const inside = await tx.select().from(notes).where(eq(notes.id, insertedId));
        expect(inside).toHaveLength(1);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(insertedId).toBeDefined();
    expect(await test.database.db.select().from(notes).where(eq(notes.id, insertedId!))).toHaveLength(0);
  });

  it('rolls back only the nested transaction (savepoint) that throws', async () => {
    const bodies = await test.database.transaction(async (tx) => {
      await tx.insert(notes).values({ practiceId, body: 'outer-kept' });
      await tx
        .transaction(async (inner) => {
          await inner.insert(notes).values({ practiceId, body: 'inner-dropped' });
          throw new Error('inner');
        })
        .catch(() => undefined);
      const rows = await tx.select({ body: notes.body }).from(notes).where(sql`${notes.body} like '%-kept' or ${notes.body} like '%-dropped'`);
      return rows.map((r) => r.body);
    });
    expect(bodies).toEqual(['outer-kept']);
  });

  it('spreads statements over its connections, all decoding types alike', async () => {
    const rows = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        test.database.db.execute(sql`select ${i}::int as i, pg_backend_pid() as pid, '2024-01-02'::date as d, pg_sleep(0.02)::text`),
      ),
    );
    const flat = rows.flatMap((r) => [...(r as Iterable<{ i: number; pid: number; d: unknown }>)]);
    expect(flat.map((r) => r.i)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    // drizzle makes postgres.js hand dates over as text; every connection must do the same.
    expect(new Set(flat.map((r) => r.d))).toEqual(new Set(['2024-01-02']));
    expect(new Set(flat.map((r) => r.pid)).size).toBe(4);
  });

  it('sends a few statements of one turn over one connection (their messages leave in one socket write)', async () => {
    const rows = await Promise.all(Array.from({ length: 3 }, () => test.database.db.execute(sql`select pg_backend_pid() as pid`)));
    const pids = rows.flatMap((r) => [...(r as Iterable<{ pid: number }>)].map((row) => row.pid));
    expect(new Set(pids).size).toBe(1);
  });

  it('keeps serving other statements while a transaction holds a connection', async () => {
    const other = await openDatabase({ url: test.url, maxConnections: 2 });
    try {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let inTransaction!: () => void;
      const started = new Promise<void>((resolve) => (inTransaction = resolve));
      const transaction = other.transaction(async (tx) => {
        await tx.execute(sql`select 1`);
        inTransaction();
        await held;
      });
      await started;
      const outside = await Promise.all(Array.from({ length: 5 }, () => other.db.execute(sql`select 1 as one`)));
      expect(outside).toHaveLength(5);
      release();
      await transaction;
    } finally {
      await other.close();
    }
  });

  it('ping rejects once closed, and close is idempotent', async () => {
    const other = await openDatabase({ url: test.url, maxConnections: 1 });
    await other.ping();
    await other.close();
    await other.close();
    await expect(other.ping()).rejects.toThrow();
  });

  it('rejects an invalid maxConnections', async () => {
    await expect(openDatabase({ url: test.url, maxConnections: 0 })).rejects.toThrow(RangeError);
  });
});

describe('createTestDatabase', () => {
  it('gives each caller its own database and drops it', async () => {
    const a = await createTestDatabase();
    const b = await createTestDatabase();
    try {
      expect(a.url).not.toBe(b.url);
      await a.database.db.execute(sql`create table only_in_a (id int)`);
      const inB = await b.database.db.execute(sql`select count(*)::int as n from information_schema.tables where table_name = 'only_in_a'`);
      expect([...(inB as Iterable<unknown>)]).toEqual([{ n: 0 }]);
    } finally {
      await Promise.all([a.drop(), b.drop()]);
    }
    await a.drop();
    const name = new URL(a.url).pathname.slice(1);
    const left = await test.database.db.execute(sql`select count(*)::int as n from pg_database where datname = ${name}`);
    expect([...(left as Iterable<unknown>)]).toEqual([{ n: 0 }]);
  });

  it('drops stale test databases but not recent ones', async () => {
    const recent = await createTestDatabase();
    const recentName = new URL(recent.url).pathname.slice(1);
    await recent.database.close();
    // A database named as if created two hours ago by a killed run.
    const staleName = `mso_test_${(Date.now() - 2 * 60 * 60 * 1000).toString(36)}_1_deadbeef`;
    await test.database.db.execute(sql.raw(`create database "${staleName}"`));
    try {
      const dropped = await dropStaleTestDatabases();
      expect(dropped).toContain(staleName);
      expect(dropped).not.toContain(recentName);
      const left = await test.database.db.execute(sql`select datname from pg_database where datname in (${staleName}, ${recentName})`);
      expect([...(left as Iterable<unknown>)]).toEqual([{ datname: recentName }]);
    } finally {
      await recent.drop();
      await test.database.db.execute(sql.raw(`drop database if exists "${staleName}"`));
    }
  });
});
