import { ProblemError, type InputOf, type OutputOf, type RawBody } from '@mso/contracts';
import type { exportGeneralLedger, exportTrialBalance, getArAging, getBalanceSheet, getGeneralLedger, getProfitAndLoss, getTrialBalance } from '@mso/contracts/finance';
import type { HandlerContext } from '@mso/kit';
import { balanceOnNormalSide, isDate, periodOf } from '../../domain/ledger.js';
import { aging, balanceSheet, csv, decimal, profitAndLoss, runningBalance, trialBalance } from '../../domain/reports.js';
import { accountTotals, closingTotals } from '../../ledger/balances.js';
import { findAccount, generalLedgerLines, openingTotals, receivableItems } from '../../ledger/reports.js';
import { entityOfRequest, notFound, withBooks } from '../books.js';

const consistent = { isolation: 'repeatable read' as const };
const today = (ctx: HandlerContext) => ctx.clock.now().toISOString().slice(0, 10);

/** `period` alone, or `from`/`to` (either may be open); 400 naming the field when they disagree. */
function range(input: { period?: string | undefined; from?: string | undefined; to?: string | undefined }, fallback: string | undefined) {
  if (input.period && (input.from || input.to)) {
    throw new ProblemError('validation-failed', 'give period, or from and to, not both', [{ path: input.from ? '/from' : '/to', message: 'not with period' }]);
  }
  if (input.period) return { from: input.period, to: input.period };
  if (input.from && input.to && input.from > input.to) throw new ProblemError('validation-failed', 'from is after to', [{ path: '/from', message: 'is after to' }]);
  if (!input.from && !input.to) return { from: fallback, to: fallback };
  return { from: input.from, to: input.to };
}

async function trialBalanceOf(ctx: HandlerContext, input: InputOf<typeof getTrialBalance>) {
  const entity = await entityOfRequest(ctx, input.entity);
  const totals = await withBooks(ctx, entity, (tx) => accountTotals(tx.db, entity, { to: input.period }), consistent);
  return { entity, period: input.period ?? null, ...trialBalance(totals) };
}

export async function getTrialBalanceHandler(input: InputOf<typeof getTrialBalance>, ctx: HandlerContext): Promise<OutputOf<typeof getTrialBalance>> {
  return trialBalanceOf(ctx, input);
}

const csvBody = (text: string): RawBody => ({ mediaType: 'text/csv; charset=utf-8', bytes: new TextEncoder().encode(text) });

export async function exportTrialBalanceHandler(input: InputOf<typeof exportTrialBalance>, ctx: HandlerContext): Promise<RawBody> {
  const tb = await trialBalanceOf(ctx, input);
  return csvBody(
    csv(
      ['entity', 'period', 'code', 'key', 'name', 'type', 'debit', 'credit', 'balance'],
      [
        ...tb.accounts.map((a) => [tb.entity, tb.period ?? '', a.code, a.key, a.name, a.type, decimal(a.debitCents), decimal(a.creditCents), decimal(a.balanceCents)]),
        [tb.entity, tb.period ?? '', '', null, 'Total', '', decimal(tb.totalDebitCents), decimal(tb.totalCreditCents), ''],
      ],
    ),
  );
}

export async function getProfitAndLossHandler(input: InputOf<typeof getProfitAndLoss>, ctx: HandlerContext): Promise<OutputOf<typeof getProfitAndLoss>> {
  const entity = await entityOfRequest(ctx, input.entity);
  const r = range(input, periodOf(today(ctx)));
  const { totals, closing } = await withBooks(ctx, entity, async (tx) => ({ totals: await accountTotals(tx.db, entity, r), closing: await closingTotals(tx.db, entity, r) }), consistent);
  return { entity, from: r.from ?? 'beginning', to: r.to ?? periodOf(today(ctx)), ...profitAndLoss(totals, closing) };
}

export async function getBalanceSheetHandler(input: InputOf<typeof getBalanceSheet>, ctx: HandlerContext): Promise<OutputOf<typeof getBalanceSheet>> {
  const entity = await entityOfRequest(ctx, input.entity);
  const totals = await withBooks(ctx, entity, (tx) => accountTotals(tx.db, entity, { to: input.period }), consistent);
  return { entity, period: input.period ?? null, ...balanceSheet(totals) };
}

async function generalLedgerOf(ctx: HandlerContext, input: InputOf<typeof getGeneralLedger>) {
  const entity = await entityOfRequest(ctx, input.entity);
  const r = range(input, undefined);
  return withBooks(
    ctx,
    entity,
    async (tx) => {
      const account = await findAccount(tx.db, entity, input.account);
      if (!account) throw new ProblemError('not-found', 'no such account in this entity', [{ path: '/account', message: 'no such account' }]);
      const side = account.normalSide as 'debit' | 'credit';
      const before = await openingTotals(tx.db, entity, account.id, r.from);
      const opening = balanceOnNormalSide(side, before.debitCents, before.creditCents);
      const run = runningBalance(side, opening, await generalLedgerLines(tx.db, entity, account.id, r));
      return {
        entity,
        account: { id: account.id, key: account.key, code: account.code, name: account.name, normalSide: account.normalSide },
        from: r.from ?? null,
        to: r.to ?? null,
        openingBalanceCents: opening,
        lines: run.lines.map((l) => ({ ...l, source: l.source as 'event' })),
        closingBalanceCents: run.closingBalanceCents,
      };
    },
    consistent,
  );
}

export async function getGeneralLedgerHandler(input: InputOf<typeof getGeneralLedger>, ctx: HandlerContext): Promise<OutputOf<typeof getGeneralLedger>> {
  return generalLedgerOf(ctx, input);
}

export async function exportGeneralLedgerHandler(input: InputOf<typeof exportGeneralLedger>, ctx: HandlerContext): Promise<RawBody> {
  const gl = await generalLedgerOf(ctx, input);
  const head = [gl.entity, gl.account.code, gl.account.key, gl.account.name];
  return csvBody(
    csv(
      ['entity', 'account_code', 'account_key', 'account_name', 'date', 'entry_id', 'memo', 'source', 'ref', 'debit', 'credit', 'balance'],
      [
        [...head, gl.from ? `${gl.from}-01` : '', '', 'Opening balance', '', null, '', '', decimal(gl.openingBalanceCents)],
        ...gl.lines.map((l) => [...head, l.date, l.entryId, l.memo, l.source, l.ref, decimal(l.debitCents), decimal(l.creditCents), decimal(l.balanceCents)]),
      ],
    ),
  );
}

export async function getArAgingHandler(input: InputOf<typeof getArAging>, ctx: HandlerContext): Promise<OutputOf<typeof getArAging>> {
  const entity = await entityOfRequest(ctx, input.entity);
  if (entity === 'mso') throw notFound('receivables of patients or payers in the MSO books');
  const asOf = input.asOf ?? today(ctx);
  if (!isDate(asOf)) throw new ProblemError('validation-failed', 'asOf must be a calendar date', [{ path: '/asOf', message: 'not a date' }]);
  const { insurance, patient } = await withBooks(
    ctx,
    entity,
    async (tx) => ({ insurance: await receivableItems(tx.db, entity, 'insurance-ar', asOf), patient: await receivableItems(tx.db, entity, 'patient-ar', asOf) }),
    consistent,
  );
  const ins = aging(insurance, asOf);
  const pat = aging(patient, asOf);
  return { entity, asOf, insurance: ins, patient: pat, totalCents: ins.totalCents + pat.totalCents };
}
