// Intercompany balances and the consolidated view of every entity, as at the end of a month (or to date).
import { and, eq, inArray, isNotNull, isNull, lte, sql } from 'drizzle-orm';
import type { getConsolidated, getIntercompany } from '@mso/contracts/finance';
import type { Db, Handler } from '@mso/kit';
import { consolidate, intercompanyRows, type EntityBalance, type MsoSideByPractice } from '../../domain/fees/consolidation.js';
import { accountBalances, accounts, entities, journalLines } from '../../db/schema.js';

type Pair = 'due-from-practice' | 'management-fee-income';

/** Every entity's account balances through `period` (inclusive; null: to date), one row per account. */
async function balances(db: Db, period: string | null): Promise<EntityBalance[]> {
  const rows = await db
    .select({
      practiceId: accounts.practiceId,
      key: accounts.key,
      code: accounts.code,
      name: accounts.name,
      type: accounts.type,
      normalSide: accounts.normalSide,
      debitCents: sql<string>`sum(${accountBalances.debitCents})`,
      creditCents: sql<string>`sum(${accountBalances.creditCents})`,
    })
    .from(accountBalances)
    .innerJoin(accounts, eq(accounts.id, accountBalances.accountId))
    .where(period ? lte(accountBalances.period, period) : undefined)
    .groupBy(accounts.practiceId, accounts.key, accounts.code, accounts.name, accounts.type, accounts.normalSide);
  return rows.map((r) => ({ ...r, normalSide: r.normalSide as 'debit' | 'credit', debitCents: Number(r.debitCents), creditCents: Number(r.creditCents) }));
}

/** The MSO's lines on its intercompany accounts, per practice they are about (the lines' `ref`). */
async function msoSide(db: Db, period: string | null): Promise<MsoSideByPractice> {
  const keys: Pair[] = ['due-from-practice', 'management-fee-income'];
  const rows = await db
    .select({ key: accounts.key, practiceId: journalLines.ref, debit: sql<string>`sum(${journalLines.debitCents})`, credit: sql<string>`sum(${journalLines.creditCents})` })
    .from(journalLines)
    .innerJoin(accounts, eq(accounts.id, journalLines.accountId))
    .where(and(isNull(journalLines.practiceId), isNull(accounts.practiceId), inArray(accounts.key, keys), isNotNull(journalLines.ref), period ? lte(journalLines.period, period) : undefined))
    .groupBy(accounts.key, journalLines.ref);
  const out: MsoSideByPractice = new Map();
  for (const r of rows) {
    const entry = out.get(r.practiceId!) ?? { dueFromPracticeCents: 0, feeIncomeCents: 0 };
    if (r.key === 'due-from-practice') entry.dueFromPracticeCents += Number(r.debit) - Number(r.credit);
    else entry.feeIncomeCents += Number(r.credit) - Number(r.debit);
    out.set(r.practiceId!, entry);
  }
  return out;
}

async function practiceIds(db: Db): Promise<string[]> {
  const rows = await db.select({ practiceId: entities.practiceId }).from(entities).where(isNotNull(entities.practiceId));
  return rows.map((r) => r.practiceId!);
}

export const getIntercompanyHandler: Handler<typeof getIntercompany> = async (input, ctx) =>
  ctx.acrossPractices('finance.intercompany', async (all) => intercompanyRows(await practiceIds(all.db), await balances(all.db, input.period ?? null), await msoSide(all.db, input.period ?? null)));

export const getConsolidatedHandler: Handler<typeof getConsolidated> = async (input, ctx) =>
  ctx.acrossPractices('finance.consolidated', async (all) => {
    const period = input.period ?? null;
    const [ids, rows, mso] = [await practiceIds(all.db), await balances(all.db, period), await msoSide(all.db, period)];
    const [mso_] = await all.db.select({ n: sql<number>`count(*)::int` }).from(entities).where(isNull(entities.practiceId));
    return { period, entities: ids.length + (mso_?.n ?? 0), ...consolidate(rows, mso) };
  });
