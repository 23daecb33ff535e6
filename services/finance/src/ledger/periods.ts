// Closing months and fiscal years of one entity's books.
import { eq, sql } from 'drizzle-orm';
import { ProblemError } from '@mso/contracts';
import type { Db } from '@mso/kit';
import { closeRefusal, closingLines } from '../domain/periods.js';
import { fiscalYearPeriods, lastDayOf } from '../domain/ledger.js';
import { accounts, journalLines, periods } from '../db/schema.js';
import { accountTotals, balanceMismatches } from './balances.js';
import { entityWhere, findEntity, practiceOf, type Entity } from './entities.js';
import { periodLockKey, postEntry, type PostingTx } from './post.js';

export async function closedPeriods(db: Db, entity: Entity) {
  return db.select().from(periods).where(entityWhere(periods.practiceId, entity));
}

async function eraClearingAt(db: Db, entity: Entity, period: string): Promise<number> {
  const [row] = await db
    .select({ net: sql<string | null>`sum(${journalLines.debitCents} - ${journalLines.creditCents})` })
    .from(journalLines)
    .innerJoin(accounts, eq(accounts.id, journalLines.accountId))
    .where(entityWhere(journalLines.practiceId, entity, eq(accounts.key, 'era-clearing'), sql`${journalLines.period} <= ${period}`));
  return Number(row?.net ?? 0);
}

/** Refuses (409) unless the period may close; holds it against concurrent postings from here to commit. */
async function checkClosable(db: Db, entity: Entity, period: string, today: string) {
  await db.execute(sql`select pg_advisory_xact_lock(${periodLockKey(entity, period)})`);
  const [closed] = await db.select({ id: periods.id }).from(periods).where(entityWhere(periods.practiceId, entity, eq(periods.period, period)));
  const [sums] = await db
    .select({ debit: sql<string | null>`sum(${journalLines.debitCents})`, credit: sql<string | null>`sum(${journalLines.creditCents})` })
    .from(journalLines)
    .where(entityWhere(journalLines.practiceId, entity, eq(journalLines.period, period)));
  const refusal = closeRefusal({
    period,
    today,
    closed: Boolean(closed),
    debitCents: Number(sums?.debit ?? 0),
    creditCents: Number(sums?.credit ?? 0),
    balanceMismatches: (await balanceMismatches(db, entity, period)).length,
    eraClearingCents: await eraClearingAt(db, entity, period),
  });
  if (refusal) throw new ProblemError('conflict', refusal, [{ path: '/period', message: refusal }], { period });
}

export async function closePeriod(tx: PostingTx, entity: Entity, period: string, by: string, now: Date) {
  await checkClosable(tx.db, entity, period, now.toISOString().slice(0, 10));
  const [row] = await tx.db.insert(periods).values({ id: crypto.randomUUID(), practiceId: practiceOf(entity), period, closedAt: now, closedBy: by }).returning();
  return row!;
}

/** Year-end: P&L of the fiscal year ending in `year` into retained earnings, dated its last day; then its open months closed. */
export async function closeFiscalYear(tx: PostingTx, entity: Entity, year: number, by: string, now: Date) {
  const start = (await findEntity(tx.db, entity))?.fiscalYearStartMonth ?? 1;
  const months = fiscalYearPeriods(year, start);
  const from = months[0]!;
  const to = months[months.length - 1]!;
  const today = now.toISOString().slice(0, 10);
  const key = `year-end:${year}`;
  const closed = new Set((await closedPeriods(tx.db, entity)).map((p) => p.period));
  if (closed.has(to)) {
    throw new ProblemError('conflict', `period ${to} is closed: the fiscal year ${year} is closed, or close it before its last month`, [{ path: '/year', message: `period ${to} is closed` }], { period: to });
  }
  if (lastDayOf(to) >= today) throw new ProblemError('conflict', `fiscal year ${year} is not over yet (ends ${lastDayOf(to)})`, [{ path: '/year', message: 'not over yet' }]);
  const { lines, netIncomeCents } = closingLines(await accountTotals(tx.db, entity, { from, to }));
  let entryId: string | null = null;
  if (lines.length > 0) {
    const posted = await postEntry(tx, {
      entity,
      date: lastDayOf(to),
      memo: `Year-end close ${from}..${to}: profit and loss into retained earnings`,
      source: { kind: 'year-end', id: `${year}`, by },
      idempotencyKey: key,
      lines,
      closedPeriod: 'refuse',
      postedAt: now,
    });
    entryId = posted.entryId;
  }
  const periodsClosed: string[] = [];
  for (const p of months) {
    if (closed.has(p)) continue;
    await closePeriod(tx, entity, p, by, now);
    periodsClosed.push(p);
  }
  return { entity, year, from, to, entryId, netIncomeCents, periodsClosed };
}

