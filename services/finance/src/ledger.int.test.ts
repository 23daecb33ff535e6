import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { ALL_PRACTICES, applyTenant, tablesMissingTenantWall, type TenantScope } from '@mso/db';
import { createTestDatabase, type TestDatabase } from '@mso/db/testing';
import { KIT_TABLES_OUTSIDE_WALL, kitMigrations, type Db } from '@mso/kit';
import { journalEntries, journalLines, periods } from './db/schema.js';
import { accountIdOf, ensureEntity } from './ledger/entities.js';
import { postEntry } from './ledger/post.js';
import { finance } from './service.js';

// The ledger's rules held by PostgreSQL itself, for the service's role (mso_service), not only by the code.

const practiceA = '00000000-0000-4000-8000-0000000000a1';
const practiceB = '00000000-0000-4000-8000-0000000000b2';
let test: TestDatabase;
let db: Db;

beforeAll(async () => {
  test = await createTestDatabase({ migrations: [kitMigrations('finance'), { schema: 'finance', migrationsFolder: finance.db!.migrationsFolder }] });
  db = test.database.db as unknown as Db;
  await ensureEntity(db, practiceA, new Date());
  await ensureEntity(db, practiceB, new Date());
  await ensureEntity(db, 'mso', new Date());
});
afterAll(() => test?.drop());

/** A transaction as the service runs it: role mso_service, scoped by the tenant wall. */
const asService = <T>(scope: TenantScope, fn: (tx: Db) => Promise<T>) =>
  db.transaction(async (tx) => {
    await applyTenant(tx, scope);
    return fn(tx as unknown as Db);
  });

const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    const err = e as { code?: string; message: string; cause?: { code?: string; message: string } };
    return { code: err.cause?.code ?? err.code, message: err.cause?.message ?? err.message };
  }
  throw new Error('expected the database to refuse');
};

const entry = (id: string, practiceId: string, date = '2026-02-10') => ({
  id,
  practiceId,
  date,
  period: date.slice(0, 7),
  sourceDate: date,
  memo: 'raw',
  sourceKind: 'user',
  sourceId: id,
  idempotencyKey: id,
  postedAt: new Date(),
});
const line = (entryId: string, practiceId: string, code: string, debitCents: number, creditCents: number, lineNo: number, date = '2026-02-10') => ({
  id: crypto.randomUUID(),
  entryId,
  practiceId,
  lineNo,
  accountId: accountIdOf(practiceId, code),
  date,
  period: date.slice(0, 7),
  debitCents,
  creditCents,
});

describe('ledger rules in PostgreSQL', () => {
  it('has the tenant wall on every finance table with a practice_id', async () => {
    expect(await tablesMissingTenantWall(test.database.db, ['finance'], KIT_TABLES_OUTSIDE_WALL)).toEqual([]);
  });

  it('refuses an entry whose debits and credits differ, an entry without lines (at commit), and a line added to a posted entry', async () => {
    const id = crypto.randomUUID();
    const refused = await failure(
      asService(practiceA, async (tx) => {
        await tx.insert(journalEntries).values(entry(id, practiceA));
        await tx.insert(journalLines).values([line(id, practiceA, '1000', 1_000, 0, 1), line(id, practiceA, '4000', 0, 999, 2)]);
      }),
    );
    expect(refused).toMatchObject({ code: '23514', message: expect.stringContaining('unbalanced') });
    // Many entries' lines in one statement (as a batch posts them): the one that does not balance is named.
    const [fine, off] = [crypto.randomUUID(), crypto.randomUUID()];
    const amongMany = await failure(
      asService(practiceA, async (tx) => {
        await tx.insert(journalEntries).values([entry(fine, practiceA), entry(off, practiceA)]);
        await tx.insert(journalLines).values([line(fine, practiceA, '1000', 500, 0, 1), line(fine, practiceA, '4000', 0, 500, 2), line(off, practiceA, '1000', 500, 0, 1), line(off, practiceA, '4000', 0, 499, 2)]);
      }),
    );
    expect(amongMany).toMatchObject({ code: '23514', message: `journal entry ${off} is unbalanced: debits 500 <> credits 499` });
    const empty = crypto.randomUUID();
    expect(await failure(asService(practiceA, (tx) => tx.insert(journalEntries).values(entry(empty, practiceA))))).toMatchObject({ code: '23514', message: expect.stringContaining('no lines') });
    const [left] = await db.select({ n: sql<string>`count(*)` }).from(journalEntries).where(sql`${journalEntries.id} in (${id}, ${empty})`);
    expect(Number(left!.n)).toBe(0);

    // A line slipped into an entry posted before unbalances it: refused.
    const posted = await asService(practiceA, (tx) =>
      postEntry({ db: tx }, { entity: practiceA, date: '2026-02-10', memo: 'charge', source: { kind: 'user', id: 'y' }, idempotencyKey: 'later-line', lines: [{ account: 'insurance-ar', debitCents: 800 }, { account: 'gross-charges', creditCents: 800 }] }),
    );
    const added = await failure(asService(practiceA, (tx) => tx.insert(journalLines).values([line(posted.entryId, practiceA, '1000', 50, 0, 3)])));
    expect(added).toMatchObject({ code: '23514', message: expect.stringContaining('unbalanced') });
  });

  it('refuses the service an UPDATE or DELETE of a posted line or entry', async () => {
    const posted = await asService(practiceA, (tx) =>
      postEntry({ db: tx }, { entity: practiceA, date: '2026-02-11', memo: 'charge', source: { kind: 'user', id: 'x' }, idempotencyKey: 'immutable-1', lines: [{ account: 'insurance-ar', debitCents: 500 }, { account: 'gross-charges', creditCents: 500 }] }),
    );
    expect(posted.posted).toBe(true);
    const update = await failure(asService(practiceA, (tx) => tx.update(journalLines).set({ debitCents: 1 }).where(sql`${journalLines.entryId} = ${posted.entryId}`)));
    expect(update).toMatchObject({ code: '42501', message: expect.stringContaining('permission denied') });
    expect(await failure(asService(practiceA, (tx) => tx.delete(journalLines).where(sql`${journalLines.entryId} = ${posted.entryId}`)))).toMatchObject({ code: '42501' });
    expect(await failure(asService(practiceA, (tx) => tx.update(journalEntries).set({ memo: 'changed' }).where(sql`${journalEntries.id} = ${posted.entryId}`)))).toMatchObject({ code: '42501' });
    expect(await failure(asService(practiceA, (tx) => tx.delete(journalEntries).where(sql`${journalEntries.id} = ${posted.entryId}`)))).toMatchObject({ code: '42501' });
  });

  it("refuses a line on another entity's account or off its entry's date, and an entry into a closed period", async () => {
    const id = crypto.randomUUID();
    const cross = await failure(
      asService(ALL_PRACTICES, async (tx) => {
        await tx.insert(journalEntries).values(entry(id, practiceA));
        await tx.insert(journalLines).values([line(id, practiceA, '1000', 100, 0, 1), { ...line(id, practiceA, '4000', 0, 100, 2), accountId: accountIdOf(practiceB, '4000') }]);
      }),
    );
    expect(cross).toMatchObject({ code: '23514', message: expect.stringContaining('another entity') });
    const otherDay = crypto.randomUUID();
    const moved = await failure(
      asService(practiceA, async (tx) => {
        await tx.insert(journalEntries).values(entry(otherDay, practiceA));
        await tx.insert(journalLines).values([line(otherDay, practiceA, '1000', 100, 0, 1), line(otherDay, practiceA, '4000', 0, 100, 2, '2026-02-11')]);
      }),
    );
    expect(moved).toMatchObject({ code: '23514', message: expect.stringContaining('differs from its entry') });

    await db.insert(periods).values({ id: crypto.randomUUID(), practiceId: practiceB, period: '2026-01', closedAt: new Date(), closedBy: 'test' });
    const closed = await failure(asService(practiceB, (tx) => tx.insert(journalEntries).values(entry(crypto.randomUUID(), practiceB, '2026-01-15'))));
    expect(closed).toMatchObject({ code: '23514', message: 'period 2026-01 is closed' });
    expect(await failure(asService(practiceB, (tx) => tx.delete(periods)))).toMatchObject({ code: '42501' });
  });

  it('checks balance at commit even after MSO-wide work narrowed the scope back', async () => {
    const r = await asService(ALL_PRACTICES, async (tx) => {
      const out = await postEntry({ db: tx }, { entity: practiceA, date: '2026-02-12', memo: 'fee', source: { kind: 'fee-run', id: 'run' }, idempotencyKey: 'narrowed', lines: [{ account: 'management-fee-expense', debitCents: 700 }, { account: 'due-to-mso', creditCents: 700 }] });
      await applyTenant(tx, null);
      return out;
    });
    expect(r.posted).toBe(true);
  });

  it('posts one entry when the same key arrives twice at once', async () => {
    const post = () =>
      asService(practiceA, (tx) => postEntry({ db: tx }, { entity: practiceA, date: '2026-02-13', memo: 'twice', source: { kind: 'event', id: 'e' }, idempotencyKey: 'race-1', lines: [{ account: 'cash', debitCents: 42 }, { account: 'interest-income', creditCents: 42 }] }));
    const results = await Promise.all([post(), post(), post()]);
    expect(results.filter((r) => r.posted)).toHaveLength(1);
    expect(new Set(results.map((r) => r.entryId)).size).toBe(1);
  });
});
