// The lines reports read beyond the kept balances: one account's general ledger, AR items for aging.
import { and, asc, eq, lt, lte, gte, sql, type SQL } from 'drizzle-orm';
import type { Db } from '@mso/kit';
import type { ArItem, GlLine } from '../domain/reports.js';
import { accountBalances, accounts, journalEntries, journalLines } from '../db/schema.js';
import { entityWhere, type Entity } from './entities.js';
import { isAccountKey } from '../domain/chart.js';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An account of the entity by system key or id; null when it has none such. */
export async function findAccount(db: Db, entity: Entity, ref: string) {
  const by = isAccountKey(ref) ? eq(accounts.key, ref) : uuidPattern.test(ref) ? eq(accounts.id, ref) : undefined;
  if (!by) return null;
  const [row] = await db.select().from(accounts).where(entityWhere(accounts.practiceId, entity, by)).limit(1);
  return row ?? null;
}

/** Σ debits and credits of the account before period `from` (the general ledger's opening). */
export async function openingTotals(db: Db, entity: Entity, accountId: string, from: string | undefined) {
  if (!from) return { debitCents: 0, creditCents: 0 };
  const [row] = await db
    .select({ debit: sql<string | null>`sum(${accountBalances.debitCents})`, credit: sql<string | null>`sum(${accountBalances.creditCents})` })
    .from(accountBalances)
    .where(entityWhere(accountBalances.practiceId, entity, eq(accountBalances.accountId, accountId), lt(accountBalances.period, from)));
  return { debitCents: Number(row?.debit ?? 0), creditCents: Number(row?.credit ?? 0) };
}

export async function generalLedgerLines(db: Db, entity: Entity, accountId: string, range: { from?: string | undefined; to?: string | undefined }): Promise<GlLine[]> {
  const conditions: SQL[] = [eq(journalLines.accountId, accountId)];
  if (range.from) conditions.push(gte(journalLines.period, range.from));
  if (range.to) conditions.push(lte(journalLines.period, range.to));
  const rows = await db
    .select({
      date: journalLines.date,
      entryId: journalLines.entryId,
      memo: journalEntries.memo,
      lineMemo: journalLines.memo,
      source: journalEntries.sourceKind,
      ref: journalLines.ref,
      debitCents: journalLines.debitCents,
      creditCents: journalLines.creditCents,
    })
    .from(journalLines)
    .innerJoin(journalEntries, eq(journalEntries.id, journalLines.entryId))
    .where(entityWhere(journalLines.practiceId, entity, ...conditions))
    .orderBy(asc(journalLines.date), asc(journalEntries.seq), asc(journalLines.lineNo));
  return rows.map((r) => ({ date: r.date, entryId: r.entryId, memo: r.lineMemo ? `${r.memo} - ${r.lineMemo}` : r.memo, source: r.source, ref: r.ref, debitCents: r.debitCents, creditCents: r.creditCents }));
}

/** Open balance per ref (claim) on a receivable account as of a date, with the date it first came on. */
export async function receivableItems(db: Db, entity: Entity, accountKey: 'insurance-ar' | 'patient-ar', asOf: string): Promise<ArItem[]> {
  const rows = await db
    .select({
      ref: sql<string>`coalesce(${journalLines.ref}, '')`,
      since: sql<string>`min(case when ${journalLines.debitCents} > 0 then ${journalLines.date} end)::text`,
      first: sql<string>`min(${journalLines.date})::text`,
      open: sql<string>`sum(${journalLines.debitCents} - ${journalLines.creditCents})`,
    })
    .from(journalLines)
    .innerJoin(accounts, eq(accounts.id, journalLines.accountId))
    .where(and(entityWhere(journalLines.practiceId, entity, eq(accounts.key, accountKey), lte(journalLines.date, asOf))))
    .groupBy(sql`coalesce(${journalLines.ref}, '')`);
  return rows.map((r) => ({ ref: r.ref, since: r.since ?? r.first, openCents: Number(r.open) })).filter((i) => i.openCents !== 0);
}
