import { and, between, eq, inArray, sql } from 'drizzle-orm';
import * as contract from '@mso/contracts/collections';
import { paymentMethods } from '@mso/contracts/collections';
import { handle, type Handler } from '@mso/kit';
import { addAging, age, emptyAging } from '../../domain/aging.js';
import { unprocessable } from '../../domain/problems.js';
import { accountHistory, balanceItems, insuranceClaims, isPending, openBalance, openCents } from '../../db/accounts.js';
import { payments, refunds } from '../../db/payments.js';
import { writeOffs } from '../../db/write-offs.js';
import { whenOf } from '../common.js';

const sum = <T>(rows: { v: T }[]) => Number(rows[0]?.v ?? 0);

function checkPeriod(input: { from: string; to: string }): void {
  if (input.to < input.from) throw unprocessable([{ path: '/to', message: 'is before from' }]);
}

const agingHandler: Handler<typeof contract.agingReport> = async (_input, ctx) => {
  const { on } = await whenOf(ctx);
  return ctx.transaction(async (tx) => {
    const items = (await tx.db.select().from(balanceItems).where(eq(balanceItems.practiceId, ctx.practiceId)).orderBy(balanceItems.guarantorId)).filter((i) => openCents(i) > 0);
    const byGuarantor = new Map<string, typeof items>();
    for (const i of items) {
      const own = byGuarantor.get(i.guarantorId);
      if (own) own.push(i);
      else byGuarantor.set(i.guarantorId, [i]);
    }
    const total = emptyAging();
    const accounts = [...byGuarantor].map(([guarantorId, own]) => {
      const aging = age(own.map((i) => ({ openCents: openCents(i), firstStatementOn: i.firstStatementOn, adjudicatedOn: i.adjudicatedOn })), on);
      addAging(total, aging);
      return { guarantorId, balanceCents: openBalance(own), aging };
    });
    const pending = await tx.db
      .select({ v: sql<string | null>`sum(${insuranceClaims.chargeCents})` })
      .from(insuranceClaims)
      .where(and(eq(insuranceClaims.practiceId, ctx.practiceId), isPending));
    return {
      asOf: on,
      totalCents: accounts.reduce((s, a) => s + a.balanceCents, 0),
      aging: total,
      insurancePendingCents: sum(pending),
      agedFromAdjudicationCents: openBalance(items.filter((i) => i.firstStatementOn === null)),
      accounts,
    };
  });
};

const collectionRateHandler: Handler<typeof contract.collectionRateReport> = async (input, ctx) => {
  checkPeriod(input);
  return ctx.transaction(async (tx) => {
    const responsibility = await tx.db
      .select({ v: sql<string | null>`sum(${accountHistory.amountCents})` })
      .from(accountHistory)
      .where(and(eq(accountHistory.practiceId, ctx.practiceId), inArray(accountHistory.kind, ['responsibility', 'reversal']), between(accountHistory.on, input.from, input.to)));
    const collected = await tx.db
      .select({ v: sql<string | null>`sum(${payments.amountCents})` })
      .from(payments)
      .where(and(eq(payments.practiceId, ctx.practiceId), between(payments.receivedOn, input.from, input.to)));
    const refunded = await tx.db
      .select({ v: sql<string | null>`sum(${refunds.amountCents})` })
      .from(refunds)
      .where(and(eq(refunds.practiceId, ctx.practiceId), between(refunds.refundedOn, input.from, input.to)));
    const writtenOff = await tx.db
      .select({ v: sql<string | null>`sum(${writeOffs.amountCents})` })
      .from(writeOffs)
      .where(and(eq(writeOffs.practiceId, ctx.practiceId), eq(writeOffs.status, 'posted'), between(writeOffs.on, input.from, input.to)));
    const r = sum(responsibility);
    const net = sum(collected) - sum(refunded);
    return {
      from: input.from,
      to: input.to,
      responsibilityCents: r,
      collectedCents: net,
      refundedCents: sum(refunded),
      writtenOffCents: sum(writtenOff),
      rateBasisPoints: r > 0 ? Math.round((net * 10_000) / r) : null,
    };
  });
};

const paymentsByChannelHandler: Handler<typeof contract.paymentsByChannelReport> = async (input, ctx) => {
  checkPeriod(input);
  const rows = await ctx.db
    .select({ method: payments.method, count: sql<number>`count(*)::int`, cents: sql<string>`sum(${payments.amountCents})` })
    .from(payments)
    .where(and(eq(payments.practiceId, ctx.practiceId), between(payments.receivedOn, input.from, input.to)))
    .groupBy(payments.method);
  const channels = paymentMethods.map((method) => {
    const row = rows.find((r) => r.method === method);
    return { method, count: row?.count ?? 0, amountCents: Number(row?.cents ?? 0) };
  });
  return { from: input.from, to: input.to, totalCents: channels.reduce((s, c) => s + c.amountCents, 0), channels };
};

export const reportHandlers = [
  handle(contract.agingReport, agingHandler),
  handle(contract.collectionRateReport, collectionRateHandler),
  handle(contract.paymentsByChannelReport, paymentsByChannelHandler),
];
