// Account balances as kept with the postings (account_balances), per account over a range of periods.
import { asc, eq, gte, lte, sql, type SQL } from 'drizzle-orm';
import type { Db } from '@mso/kit';
import type { AccountType, Side } from '../domain/ledger.js';
import { accountBalances, accounts, journalEntries, journalLines } from '../db/schema.js';
import { entityWhere, type Entity } from './entities.js';

export interface AccountTotal {
  id: string;
  key: string | null;
  code: string;
  name: string;
  type: AccountType;
  normalSide: Side;
  system: boolean;
  debitCents: number;
  creditCents: number;
}

export interface PeriodRange {
  /** First period included; undefined: from the beginning. */
  from?: string | undefined;
  /** Last period included; undefined: to date. */
  to?: string | undefined;
}

const inRange = (column: typeof accountBalances.period, range: PeriodRange): SQL[] =>
  [range.from ? gte(column, range.from) : undefined, range.to ? lte(column, range.to) : undefined].filter((c): c is SQL => c !== undefined);

/** Every account of the entity's chart with its debits and credits over the range (code order). */
export async function accountTotals(db: Db, entity: Entity, range: PeriodRange = {}): Promise<AccountTotal[]> {
  const chart = await db.select().from(accounts).where(entityWhere(accounts.practiceId, entity)).orderBy(asc(accounts.code));
  const sums = await db
    .select({
      accountId: accountBalances.accountId,
      debit: sql<string>`sum(${accountBalances.debitCents})`,
      credit: sql<string>`sum(${accountBalances.creditCents})`,
    })
    .from(accountBalances)
    .where(entityWhere(accountBalances.practiceId, entity, ...inRange(accountBalances.period, range)))
    .groupBy(accountBalances.accountId);
  const byAccount = new Map(sums.map((s) => [s.accountId, s]));
  return chart.map((a) => ({
    id: a.id,
    key: a.key,
    code: a.code,
    name: a.name,
    type: a.type as AccountType,
    normalSide: a.normalSide as Side,
    system: a.system,
    debitCents: Number(byAccount.get(a.id)?.debit ?? 0),
    creditCents: Number(byAccount.get(a.id)?.credit ?? 0),
  }));
}

/** Debits and credits of year-end closing entries per account over the range (the P&L leaves them out). */
export async function closingTotals(db: Db, entity: Entity, range: PeriodRange): Promise<Map<string, { debitCents: number; creditCents: number }>> {
  const rows = await db
    .select({ accountId: journalLines.accountId, debit: sql<string>`sum(${journalLines.debitCents})`, credit: sql<string>`sum(${journalLines.creditCents})` })
    .from(journalLines)
    .innerJoin(journalEntries, eq(journalEntries.id, journalLines.entryId))
    .where(entityWhere(journalLines.practiceId, entity, eq(journalEntries.sourceKind, 'year-end'), ...inRange(journalLines.period as never, range)))
    .groupBy(journalLines.accountId);
  return new Map(rows.map((r) => [r.accountId, { debitCents: Number(r.debit), creditCents: Number(r.credit) }]));
}

/** Per period of the entity: entries, Σ debits and Σ credits of their lines. */
export async function periodActivity(db: Db, entity: Entity) {
  const rows = await db
    .select({
      period: journalLines.period,
      entries: sql<string>`count(distinct ${journalLines.entryId})`,
      debit: sql<string>`sum(${journalLines.debitCents})`,
      credit: sql<string>`sum(${journalLines.creditCents})`,
    })
    .from(journalLines)
    .where(entityWhere(journalLines.practiceId, entity))
    .groupBy(journalLines.period);
  return new Map(rows.map((r) => [r.period, { entries: Number(r.entries), debitCents: Number(r.debit), creditCents: Number(r.credit) }]));
}

/** Kept balances against the lines for one entity (optionally one period): the mismatches. */
export async function balanceMismatches(db: Db, entity: Entity | null, period?: string) {
  const scope = entity === null ? sql`true` : entity === 'mso' ? sql`b.practice_id is null` : sql`b.practice_id = ${entity}`;
  const lineScope = entity === null ? sql`true` : entity === 'mso' ? sql`l.practice_id is null` : sql`l.practice_id = ${entity}`;
  const periodB = period ? sql`and b.period = ${period}` : sql``;
  const periodL = period ? sql`and l.period = ${period}` : sql``;
  interface Row { practice_id: string | null; account_id: string; period: string; kept_debit: string; kept_credit: string; line_debit: string; line_credit: string }
  const rows = rowsOf<Row>(
    await db.execute(sql`
    with kept as (select b.practice_id, b.account_id, b.period, b.debit_cents, b.credit_cents from "finance"."account_balances" b where ${scope} ${periodB}),
         lines as (select l.practice_id, l.account_id, l.period, sum(l.debit_cents) as debit_cents, sum(l.credit_cents) as credit_cents
                     from "finance"."journal_lines" l where ${lineScope} ${periodL} group by l.practice_id, l.account_id, l.period)
    select coalesce(k.practice_id, x.practice_id) as practice_id, coalesce(k.account_id, x.account_id) as account_id, coalesce(k.period, x.period) as period,
           coalesce(k.debit_cents, 0) as kept_debit, coalesce(k.credit_cents, 0) as kept_credit,
           coalesce(x.debit_cents, 0) as line_debit, coalesce(x.credit_cents, 0) as line_credit
      from kept k full outer join lines x on k.account_id = x.account_id and k.period = x.period
     where coalesce(k.debit_cents, 0) <> coalesce(x.debit_cents, 0) or coalesce(k.credit_cents, 0) <> coalesce(x.credit_cents, 0)`),
  );
  return rows.map((r) => ({
    practiceId: r.practice_id,
    accountId: r.account_id,
    period: r.period,
    kept: { debitCents: Number(r.kept_debit), creditCents: Number(r.kept_credit) },
    lines: { debitCents: Number(r.line_debit), creditCents: Number(r.line_credit) },
  }));
}

/** The rows of `db.execute` on either driver (postgres.js answers an array, PGlite `{ rows }`). */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}


