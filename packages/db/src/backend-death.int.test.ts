import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './testing.js';

// A PostgreSQL restart ends every session: a transaction in flight must fail as a rejected promise,
// not take the process down. postgres.js 3.4.9 wrote its own ROLLBACK to the closed socket from a
// timer (an uncaught TypeError that killed every service process with an open transaction when the
// fault run restarted PostgreSQL), and its next session inherited the dead one's error and query
// (the first statement failed with the old error, later ones waited forever). patches/postgres@3.4.9.patch
// drops a write whose socket is gone and clears the session's state when it closes.

let test: TestDatabase;
let admin: postgres.Sql;
beforeAll(async () => {
  test = await createTestDatabase();
  admin = postgres(test.url, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await admin?.end();
  await test?.drop();
});

describe('a session ended by the server mid-transaction', () => {
  it('rejects the transaction, and the process and the database handle go on', async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      let pid: number | undefined;
      const transaction = test.database.transaction(async (tx) => {
        const rows = (await tx.execute(sql`select pg_backend_pid() as pid`)) as unknown as { pid: number }[];
        pid = rows[0]!.pid;
        await tx.execute(sql`select pg_sleep(5)`);
      });
      transaction.catch(() => {});
      while (pid === undefined) await new Promise((r) => setTimeout(r, 20));
      await admin`select pg_terminate_backend(${pid})`;
      await expect(transaction).rejects.toThrow();
      // The ROLLBACK the driver sends after the failed statement runs from a timer: give it its turn.
      await new Promise((r) => setTimeout(r, 200));
      expect(uncaught).toEqual([]);
      // The next statements run on a new session: neither failed with the dead session's error nor
      // left waiting (the driver kept that session's error and query, patched too).
      for (let i = 0; i < 3; i++) await expect(test.database.db.execute(sql`select 1 as one`)).resolves.toEqual([{ one: 1 }]);
      await expect(test.database.ping()).resolves.toBeUndefined();
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
