import { it, expect } from 'vitest';
import { sql } from 'drizzle-orm';
import { createTestDatabase } from '@mso/db/testing';

it('read after write', async () => {
  const { database, drop } = await createTestDatabase();
  const db = database.db;
  await db.execute(sql`create table t (id int primary key)`);
  let miss = 0;
  for (let i = 0; i < 300; i++) {
    await database.transaction(async (tx) => {
      await tx.execute(sql`insert into t values (${i})`);
    });
    const r = await db.execute(sql`select id from t where id = ${i}`);
    if ((r as unknown as unknown[]).length === 0) miss++;
  }
  await drop();
  expect(miss).toBe(0);
});
