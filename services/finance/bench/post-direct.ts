import { sql } from 'drizzle-orm';
import { createTestDatabase } from '@mso/db/testing';
import { applyTenant } from '@mso/db';
import { kitMigrations, type Db } from '@mso/kit';
import { ensureEntity } from '../src/ledger/entities.js';
import { postEntry } from '../src/ledger/post.js';
import { finance } from '../src/service.js';

const test = await createTestDatabase({ migrations: [kitMigrations('finance'), { schema: 'finance', migrationsFolder: finance.db!.migrationsFolder }] });
const db = test.database.db as unknown as Db;
const practice = crypto.randomUUID();
await ensureEntity(db, practice, new Date());
const n = 300;

let inside = 0;
const t0 = performance.now();
for (let i = 0; i < n; i++) {
  await db.transaction(async (tx) => {
    await applyTenant(tx, practice);
    if (process.env.ASYNC_COMMIT) await tx.execute(sql`set local synchronous_commit = off`);
    const a = performance.now();
    await postEntry({ db: tx as unknown as Db }, { entity: practice, date: '2026-02-02', memo: 'm', source: { kind: 'event', id: `${i}` }, idempotencyKey: `k${i}`, lines: [{ account: 'insurance-ar', debitCents: 100, ref: `c${i}` }, { account: 'gross-charges', creditCents: 100, ref: `c${i}` }] });
    inside += performance.now() - a;
  });
}
console.log('postEntry per second', Math.round((n / (performance.now() - t0)) * 1000), 'ms inside postEntry each', (inside / n).toFixed(2));
await test.drop();
