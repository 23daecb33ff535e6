import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_PRACTICES, ENSURE_SERVICE_ROLE_SQL, SERVICE_ROLE } from './tenant-wall.js';
import { openDatabase, type Database } from './database.js';
import { createTestDatabase, startPostgresProxy, type PostgresProxy, type TestDatabase } from './testing.js';

// Database.writeBatch: writes built synchronously, sent with the tenant scope as one chain (one
// implicit transaction; the first time on a connection, BEGIN … COMMIT) on a connection it does not
// hold. All of it commits, or none.

let test: TestDatabase;
let proxy: PostgresProxy;
let database: Database;
beforeAll(async () => {
  test = await createTestDatabase();
  proxy = await startPostgresProxy(test.url);
  database = await openDatabase({ url: proxy.url, maxConnections: 1 });
  await database.db.execute(sql`create table parents (id int primary key)`);
  await database.db.execute(sql`create table children (id int primary key, parent int not null references parents (id))`);
  await database.db.execute(sql`insert into parents values (1)`);
  // A batch runs as the service role, behind the tenant wall, as service code does.
  await database.db.execute(sql.raw(ENSURE_SERVICE_ROLE_SQL));
  await database.db.execute(sql.raw(`grant select, insert on parents, children to ${SERVICE_ROLE}`));
});
afterAll(async () => {
  await database?.close();
  await proxy?.close();
  await test?.drop();
});

const ids = async (table: string) => ((await test.database.db.execute(sql.raw(`select id from ${table} order by id`))) as unknown as { id: number }[]).map((r) => r.id);

describe('a write batch', () => {
  it('commits its writes together', async () => {
    await database.writeBatch!(ALL_PRACTICES, (db) => {
      void db.execute(sql`insert into children values (10, 1)`).execute();
      void db.execute(sql`insert into children values (11, 1)`).execute();
    });
    expect(await ids('children')).toEqual([10, 11]);
  });

  it('keeps nothing and fails with the first failing write, also when its statements are new to the connection', async () => {
    // A statement the connection has not seen is described first (a round trip of its own): the
    // writes behind it still wait for it on the same connection, inside the same transaction.
    const failing = database.writeBatch!(ALL_PRACTICES, (db) => {
      void db.execute(sql`insert into children values (${20}, ${1})`).execute().catch(() => undefined);
      void db.execute(sql`insert into children (id, parent) values (${21}, ${999})`).execute().catch(() => undefined);
      void db.execute(sql`insert into parents (id) values (${22})`).execute().catch(() => undefined);
    });
    await expect(failing).rejects.toMatchObject({ code: '23503' });
    expect(await ids('children')).toEqual([10, 11]);
    expect(await ids('parents')).toEqual([1]);
    // The connection is usable and outside any transaction afterwards.
    expect(await database.db.execute(sql`select pg_current_xact_id_if_assigned() is null as idle`)).toEqual([{ idle: true }]);
  });

  it('keeps nothing as a chain either, once its statements are prepared on the connection', async () => {
    const child = (id: number, parent: number) => sql`insert into children (id, parent) values (${id}, ${parent})`;
    const parent = (id: number) => sql`insert into parents (id) values (${id})`;
    await database.writeBatch!(ALL_PRACTICES, (db) => {
      void db.execute(child(30, 1)).execute();
      void db.execute(parent(31)).execute();
    });
    proxy.mark();
    const failing = database.writeBatch!(ALL_PRACTICES, (db) => {
      void db.execute(child(20, 1)).execute().catch(() => undefined);
      void db.execute(child(21, 999)).execute().catch(() => undefined);
      void db.execute(parent(22)).execute().catch(() => undefined);
    });
    await expect(failing).rejects.toMatchObject({ code: '23503' });
    // It went out as a chain: the scope and three inserts, one Sync.
    expect([proxy.executesSent(), proxy.statementsSent()]).toEqual([4, 1]);
    expect(await ids('children')).toEqual([10, 11, 30]);
    expect(await ids('parents')).toEqual([1, 31]);
    expect(await database.db.execute(sql`select pg_current_xact_id_if_assigned() is null as idle`)).toEqual([{ idle: true }]);
  });

  it('sends the scope and its writes as one chain before any reply is back: no BEGIN, no COMMIT, one Sync', async () => {
    const insert = (id: number) => (db: Parameters<Parameters<NonNullable<Database['writeBatch']>>[1]>[0]) => void db.execute(sql`insert into parents (id) values (${id})`).execute();
    await database.writeBatch!(ALL_PRACTICES, insert(2)); // prepares the insert on the connection
    proxy.mark();
    proxy.hold();
    const batch = database.writeBatch!(ALL_PRACTICES, (db) => {
      insert(3)(db);
      insert(4)(db);
    });
    batch.catch(() => undefined);
    try {
      await proxy.untilStatementsSent(1);
      // The scope and both inserts (prepared statements, sent by name), then the one Sync.
      expect(proxy.executesSent()).toBe(3);
      expect(proxy.sent()).not.toMatch(/begin|commit/i);
      expect(proxy.sent().endsWith('S\u0000\u0000\u0000\u0004')).toBe(true);
    } finally {
      proxy.release();
    }
    await batch;
    expect(await ids('parents')).toEqual([1, 2, 3, 4, 31]);
  });

  it('refuses a statement on its handle outside the batch, and batches inside batches', async () => {
    let handle: Parameters<Parameters<NonNullable<Database['writeBatch']>>[1]>[0] | undefined;
    await database.writeBatch!(null, (db) => void (handle = db));
    const outside = await handle!.execute(sql`select 1`).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(String((outside as Error & { cause?: unknown })?.cause)).toMatch(/outside a write batch/);
    let inner: Promise<void> | undefined;
    await database.writeBatch!(null, () => void (inner = database.writeBatch!(null, () => undefined)));
    await expect(inner).rejects.toThrow(/do not nest/);
  });
});
