import { randomUUID } from 'node:crypto';
import type { Static } from 'typebox';
import { ProblemError } from '@mso/contracts';
import * as contract from '@mso/contracts/collections';
import { handle, type Handler } from '@mso/kit';
import { checkPlan, schedule } from '../../domain/plans.js';
import { notFound, unprocessable } from '../../domain/problems.js';
import { appendHistory, listOpenItems, lockGuarantor, openBalance } from '../../db/accounts.js';
import { activePlan, getPlan, listInstallments, paymentPlans, planInstallments, type PaymentPlan, type PlanInstallment } from '../../db/plans.js';
import { getSettings } from '../../db/write-offs.js';
import { iso, whenOf } from '../common.js';

export const toPlan = (p: PaymentPlan, installments: PlanInstallment[]): Static<typeof contract.PaymentPlan> => ({
  id: p.id,
  guarantorId: p.guarantorId,
  totalCents: p.totalCents,
  installmentCount: p.installmentCount,
  minInstallmentCents: p.minInstallmentCents,
  graceDays: p.graceDays,
  status: p.status,
  paidCents: p.paidCents,
  defaultedOn: p.defaultedOn,
  installments: installments.map((i) => ({ number: i.number, dueOn: i.dueOn, amountCents: i.amountCents, paidCents: i.paidCents })),
  createdAt: iso(p.createdAt),
});

const createPlanHandler: Handler<typeof contract.createPlan> = async (input, ctx) => {
  const when = await whenOf(ctx);
  return ctx.transaction(async (tx) => {
    const g = await lockGuarantor(tx.db, ctx.practiceId, input.guarantorId);
    if (!g) throw notFound('guarantor');
    if (await activePlan(tx.db, ctx.practiceId, g.id)) throw new ProblemError('conflict', 'the guarantor is in an active payment plan already');
    const open = openBalance(await listOpenItems(tx.db, ctx.practiceId, g.id));
    const terms = { totalCents: input.totalCents, installmentCount: input.installmentCount, minInstallmentCents: input.minInstallmentCents ?? 1, firstDueOn: input.firstDueOn };
    const problems = checkPlan(terms, open, when.on);
    if (problems.length) throw unprocessable(problems);
    const { planGraceDays } = await getSettings(tx.db, ctx.practiceId);
    const id = randomUUID();
    const [plan] = await tx.db
      .insert(paymentPlans)
      .values({ id, practiceId: ctx.practiceId, guarantorId: g.id, ...terms, graceDays: planGraceDays, status: 'active', createdAt: when.now, updatedAt: when.now })
      .returning();
    const installments = await tx.db
      .insert(planInstallments)
      .values(schedule(terms).map((i) => ({ practiceId: ctx.practiceId, planId: id, ...i })))
      .returning();
    await appendHistory(tx.db, {
      id: randomUUID(),
      practiceId: ctx.practiceId,
      guarantorId: g.id,
      kind: 'plan-created',
      on: when.on,
      refId: id,
      detail: { totalCents: terms.totalCents, installmentCount: terms.installmentCount, firstDueOn: terms.firstDueOn },
      createdAt: when.now,
    });
    return toPlan(plan!, installments.sort((a, b) => a.number - b.number));
  });
};

const getPlanHandler: Handler<typeof contract.getPlan> = async (input, ctx) => {
  const plan = await getPlan(ctx.db, ctx.practiceId, input.id);
  if (!plan) throw notFound('payment plan');
  return toPlan(plan, await listInstallments(ctx.db, ctx.practiceId, plan.id));
};

export const planHandlers = [handle(contract.createPlan, createPlanHandler), handle(contract.getPlan, getPlanHandler)];
