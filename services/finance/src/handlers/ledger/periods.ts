import type { InputOf, OutputOf } from '@mso/contracts';
import type { closeFiscalYear, closePeriod, listPeriods, getBalanceCheck } from '@mso/contracts/finance';
import type { HandlerContext } from '@mso/kit';
import { desc } from 'drizzle-orm';
import { nextPeriod, periodOf } from '../../domain/ledger.js';
import { balanceChecks } from '../../db/schema.js';
import { periodActivity } from '../../ledger/balances.js';
import { closedPeriods, closeFiscalYear as closeYear, closePeriod as close } from '../../ledger/periods.js';
import { entityOfRequest, withBooks } from '../books.js';

type PeriodOut = OutputOf<typeof closePeriod>;

/** Every month from the first one with postings (or closed) to this month, oldest first. */
export async function listPeriodsHandler(input: InputOf<typeof listPeriods>, ctx: HandlerContext): Promise<OutputOf<typeof listPeriods>> {
  const entity = await entityOfRequest(ctx, input.entity);
  const { activity, closed } = await withBooks(ctx, entity, async (tx) => ({ activity: await periodActivity(tx.db, entity), closed: await closedPeriods(tx.db, entity) }));
  const known = [...activity.keys(), ...closed.map((c) => c.period)].sort();
  const current = periodOf(ctx.clock.now().toISOString().slice(0, 10));
  const out: PeriodOut[] = [];
  const last = known.length && known[known.length - 1]! > current ? known[known.length - 1]! : current;
  for (let p = known[0] ?? current; p <= last; p = nextPeriod(p)) {
    const c = closed.find((x) => x.period === p);
    const a = activity.get(p);
    out.push({ period: p, status: c ? 'closed' : 'open', closedAt: c?.closedAt.toISOString() ?? null, closedBy: c?.closedBy ?? null, entries: a?.entries ?? 0, debitCents: a?.debitCents ?? 0, creditCents: a?.creditCents ?? 0 });
  }
  return { entity, periods: out };
}

export async function closePeriodHandler(input: InputOf<typeof closePeriod>, ctx: HandlerContext): Promise<OutputOf<typeof closePeriod>> {
  const entity = await entityOfRequest(ctx, input.entity);
  return withBooks(ctx, entity, async (tx) => {
    const row = await close(tx, entity, input.period, ctx.principal.id, ctx.clock.now());
    const a = (await periodActivity(tx.db, entity)).get(input.period);
    return { period: row.period, status: 'closed' as const, closedAt: row.closedAt.toISOString(), closedBy: row.closedBy, entries: a?.entries ?? 0, debitCents: a?.debitCents ?? 0, creditCents: a?.creditCents ?? 0 };
  });
}

export async function closeFiscalYearHandler(input: InputOf<typeof closeFiscalYear>, ctx: HandlerContext): Promise<OutputOf<typeof closeFiscalYear>> {
  const entity = await entityOfRequest(ctx, input.entity);
  return withBooks(ctx, entity, (tx) => closeYear(tx, entity, input.year, ctx.principal.id, ctx.clock.now()));
}

export async function getBalanceCheckHandler(_input: InputOf<typeof getBalanceCheck>, ctx: HandlerContext): Promise<OutputOf<typeof getBalanceCheck>> {
  const [last] = await ctx.acrossPractices('finance.balance-check-status', (all) => all.db.select().from(balanceChecks).orderBy(desc(balanceChecks.checkedAt)).limit(1));
  if (!last) return { checkedAt: null, entities: 0, accounts: 0, mismatches: 0, detail: [] };
  const detail = JSON.parse(last.detail) as { entities: number; lines: string[] };
  return { checkedAt: last.checkedAt.toISOString(), entities: detail.entities, accounts: last.accounts, mismatches: last.mismatches, detail: detail.lines };
}

