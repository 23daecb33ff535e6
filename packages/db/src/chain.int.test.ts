import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './database.js';
import { createTestDatabase, startPostgresProxy, type PostgresProxy, type TestDatabase } from './testing.js';
import { ENSURE_SERVICE_ROLE_SQL, SERVICE_ROLE } from './tenant-wall.js';

// A chain (patches/postgres@3.4.9.patch): statements prepared on the connection, sent as Bind and
// Execute each with one Sync after the last, so the server runs them as one implicit transaction.
// The tenant-scoped statements and write batches of the platform go out this way.

let test: TestDatabase;
let proxy: PostgresProxy;
let client: postgres.Sql;
beforeAll(async () => {
  test = await createTestDatabase();
  proxy = await startPostgresProxy(test.url);
  client = postgres(proxy.url, { max: 1, onnotice: () => undefined });
  await client.unsafe('create table notes (v text not null)');
  await client.unsafe('create table shapes (a int)');
  await client.unsafe("insert into shapes values (1)");
});
afterAll(async () => {
  await client?.end();
  await proxy?.close();
  await test?.drop();
});

type Link = readonly [string, readonly unknown[], boolean];
const chain = (links: readonly Link[], on: postgres.Sql = client) => {
  const [text, params, asValues] = links.at(-1)!;
  const query = on.unsafe(text, params as never[], { prepare: true, simple: false, chain: links.slice(0, -1) } as never);
  return (asValues ? query.values() : query) as unknown as Promise<postgres.RowList<postgres.Row[]>[]>;
};
const SCOPE = "select set_config('mso.chain_test', $1, true)";
const READ_SCOPE = "select current_setting('mso.chain_test', true) as v";
const INSERT = 'insert into notes (v) values ($1)';
const DIVIDE = 'select 1 / $1::int as q';
const prepare = async (text: string, params: unknown[]) => void (await client.unsafe(text, params as never[], { prepare: true, simple: false } as never));
const notes = async () => ((await test.database.db.execute(sql`select v from notes order by v`)) as unknown as { v: string }[]).map((r) => r.v);

describe('a chain of prepared statements', () => {
  beforeAll(async () => {
    await prepare(SCOPE, ['prepare']);
    await prepare(READ_SCOPE, []);
    await prepare(INSERT, ['prepared']);
    await prepare(DIVIDE, [1]);
    await client.unsafe('delete from notes');
  });

  it('goes out as one message sequence with one Sync, and resolves with every statement result in order', async () => {
    proxy.mark();
    const [scope, read] = await chain([
      [SCOPE, ['a'], false],
      [READ_SCOPE, [], false],
    ]);
    expect([proxy.executesSent(), proxy.statementsSent()]).toEqual([2, 1]);
    expect(proxy.sent()).not.toMatch(/begin|commit/i);
    expect(scope).toEqual([{ set_config: 'a' }]);
    expect(read).toEqual([{ v: 'a' }]);
  });

  it('is one transaction: a setting made local by the first statement holds for the next and is gone after the Sync', async () => {
    const [, read] = await chain([
      [SCOPE, ['b'], false],
      [READ_SCOPE, [], false],
    ]);
    expect(read).toEqual([{ v: 'b' }]);
    const after = await client.unsafe(READ_SCOPE, [], { prepare: true, simple: false } as never);
    expect(after[0]?.v ?? '').toBe('');
  });

  it('runs nothing after a statement that fails, keeps nothing before it, and the connection answers the next query rightly', async () => {
    const failing = chain([
      [INSERT, ['before'], false],
      [DIVIDE, [0], false],
      [INSERT, ['after'], false],
    ]);
    await expect(failing).rejects.toMatchObject({ code: '22012' });
    expect(await notes()).toEqual([]);
    expect(await client.unsafe('select 42 as n')).toEqual([{ n: 42 }]);
    await chain([
      [INSERT, ['kept'], false],
      [INSERT, ['kept too'], false],
    ]);
    expect(await notes()).toEqual(['kept', 'kept too']);
  });

  it('keeps each chain of a pipeline to its own setting, many in flight on one connection', async () => {
    const reads = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        chain([
          [SCOPE, [`practice-${i}`], false],
          [READ_SCOPE, [], i % 2 === 0],
        ]).then((results) => results[1]),
      ),
    );
    expect(reads).toEqual(Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? [[`practice-${i}`]] : [{ v: `practice-${i}` }])));
  });

  it('is refused before anything is sent when a statement is not prepared on the connection, and the connection goes on', async () => {
    proxy.mark();
    const refused = chain([
      [SCOPE, ['c'], false],
      ['select $1::text as fresh', ['never prepared'], false],
    ]);
    await expect(refused).rejects.toMatchObject({ code: 'CHAIN_UNPREPARED' });
    expect(proxy.sent()).toBe('');
    expect(await client.unsafe('select 7 as n')).toEqual([{ n: 7 }]);
  });

  it('is refused as the first query of a new connection, and the statements queued behind it still run', async () => {
    const fresh = postgres(proxy.url, { max: 1 });
    try {
      const refused = chain([[SCOPE, ['d'], false], [READ_SCOPE, [], false]], fresh);
      const next = fresh.unsafe('select 8 as n');
      await expect(refused).rejects.toMatchObject({ code: 'CHAIN_UNPREPARED' });
      expect(await next).toEqual([{ n: 8 }]);
    } finally {
      await fresh.end();
    }
  });

  it('is refused with nothing done when a prepared statement went stale, and the statement prepares again', async () => {
    const SHAPES = 'select * from shapes where a > $1';
    await prepare(SHAPES, [0]);
    await client.unsafe('alter table shapes add column b int');
    const stale = chain([
      [INSERT, ['stale'], false],
      [SHAPES, [0], false],
    ]);
    await expect(stale).rejects.toMatchObject({ code: 'CHAIN_UNPREPARED' });
    expect(await notes()).not.toContain('stale');
    // Every statement of the refused chain is forgotten (the error does not say which one went stale).
    await prepare(INSERT, ['prepared again']);
    await prepare(SHAPES, [0]);
    const [, rows] = await chain([
      [INSERT, ['fresh'], false],
      [SHAPES, [0], false],
    ]);
    expect(rows).toEqual([{ a: 1, b: null }]);
  });
});

describe('tenant-scoped statements and write batches as chains', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase({ url: proxy.url, maxConnections: 1 });
    await database.db.execute(sql.raw(ENSURE_SERVICE_ROLE_SQL));
    await database.db.execute(sql.raw(`grant select, insert on notes to ${SERVICE_ROLE}`));
  });
  afterAll(async () => {
    await database?.close();
  });

  it('runs a scoped statement as the service role, first in a transaction of its own, then as a chain', async () => {
    const scoped = database.tenantDb('3f9c1a52-8d4e-4b7a-9c1e-2a5b6d7e8f90');
    const whoAmI = () => scoped.execute(sql`select current_user as role, current_setting('mso.practice_id', true) as practice`);
    proxy.mark();
    expect(await whoAmI()).toEqual([{ role: SERVICE_ROLE, practice: '3f9c1a52-8d4e-4b7a-9c1e-2a5b6d7e8f90' }]);
    expect(proxy.sent()).toMatch(/begin[^]*commit/i); // new to the connection: BEGIN … COMMIT prepares both
    proxy.mark();
    expect(await whoAmI()).toEqual([{ role: SERVICE_ROLE, practice: '3f9c1a52-8d4e-4b7a-9c1e-2a5b6d7e8f90' }]);
    expect([proxy.executesSent(), proxy.statementsSent()]).toEqual([2, 1]);
    expect(proxy.sent()).not.toMatch(/begin|commit/i);
    // The scope ended with the chain: the next plain statement is the connecting role again.
    expect(await database.db.execute(sql`select current_user <> ${SERVICE_ROLE} as unscoped`)).toEqual([{ unscoped: true }]);
  });
});
