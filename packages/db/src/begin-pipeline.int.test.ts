import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, startPostgresProxy, type PostgresProxy, type TestDatabase } from './testing.js';

// patches/postgres@3.4.9.patch starts a transaction's body once its BEGIN is on the connection, not
// once the BEGIN's reply is back: the body's first statements leave with the BEGIN, one round trip
// less while the transaction holds its connection. Checked through a proxy that can hold back the
// server's replies: while it does, the server must already have received the body's statement.

let test: TestDatabase;
let proxy: PostgresProxy;
let sql: postgres.Sql;
beforeAll(async () => {
  test = await createTestDatabase();
  proxy = await startPostgresProxy(test.url);
  sql = postgres(proxy.url, { max: 1, onnotice: () => {} });
  await sql`create table pipelined (id int primary key)`;
});
afterAll(async () => {
  await sql?.end({ timeout: 1 });
  await proxy?.close();
  await test?.drop();
});

describe('a transaction on postgres.js', () => {
  it("sends the body's first statement before the BEGIN's reply is back", async () => {
    proxy.mark();
    proxy.hold();
    const done = sql.begin(async (tx) => {
      await tx`insert into pipelined values (1)`;
      return 'committed';
    });
    try {
      await proxy.untilSent('insert into pipelined');
      expect(proxy.sent()).toMatch(/begin[\s\S]*insert into pipelined/);
      // No reply has come back yet, so nothing after the body's first statement has gone out.
      expect(proxy.sent()).not.toContain('commit');
    } finally {
      proxy.release();
    }
    await expect(done).resolves.toBe('committed');
    expect(await sql`select id from pipelined`).toEqual([{ id: 1 }]);
  });

  it('still rolls back the whole transaction when a statement of the body fails', async () => {
    const failed = sql.begin(async (tx) => {
      await tx`insert into pipelined values (2)`;
      await tx`insert into pipelined values (1)`; // taken by the test above
    });
    await expect(failed).rejects.toMatchObject({ code: '23505' });
    expect(await sql`select id from pipelined order by id`).toEqual([{ id: 1 }]);
    // The connection is back in autocommit, outside any transaction.
    expect(await sql`select pg_current_xact_id_if_assigned() is null as idle`).toEqual([{ idle: true }]);
  });

  it('gives the connection to one transaction at a time: a second waits for the first to end', async () => {
    const order: string[] = [];
    const first = sql.begin(async (tx) => {
      order.push('first body');
      await tx`select pg_sleep(0.05)`;
      order.push('first done');
    });
    const second = sql.begin(async (tx) => {
      order.push('second body');
      await tx`insert into pipelined values (3)`;
    });
    const plain = sql`select 1 as one`.then(() => order.push('statement outside'));
    await Promise.all([first, second, plain]);
    expect(order).toEqual(['first body', 'first done', 'second body', 'statement outside']);
    expect(await sql`select id from pipelined order by id`).toEqual([{ id: 1 }, { id: 3 }]);
  });
});
