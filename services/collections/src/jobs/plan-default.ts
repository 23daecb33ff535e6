// Every morning in each practice's zone: a plan with an installment still unpaid past the practice's
// grace period defaults; the account's history says so and dunning resumes (the plan is no longer current).
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { localDate, type JobContext, type TransactionContext } from '@mso/kit';
import { missedInstallment } from '../domain/plans.js';
import { appendHistory, listOpenItems } from '../db/accounts.js';
import { listInstallments, paymentPlans } from '../db/plans.js';

/** Defaults the practice's plans that missed an installment past their grace as of `on`; returns their ids. */
export async function defaultMissedPlans(tx: TransactionContext, practiceId: string, on: string, now: Date): Promise<string[]> {
  const active = await tx.db
    .select()
    .from(paymentPlans)
    .where(and(eq(paymentPlans.practiceId, practiceId), eq(paymentPlans.status, 'active')))
    .for('update');
  const defaulted: string[] = [];
  for (const plan of active) {
    const missed = missedInstallment(await listInstallments(tx.db, practiceId, plan.id), on, plan.graceDays);
    if (!missed) continue;
    // Nothing left owed (written off, or a reversal took it away): the plan is over, not defaulted.
    if ((await listOpenItems(tx.db, practiceId, plan.guarantorId)).length === 0) {
      await tx.db.update(paymentPlans).set({ status: 'completed', updatedAt: now }).where(eq(paymentPlans.id, plan.id));
      await appendHistory(tx.db, { id: randomUUID(), practiceId, guarantorId: plan.guarantorId, kind: 'plan-completed', on, refId: plan.id, detail: { nothingOwed: true }, createdAt: now });
      continue;
    }
    await tx.db.update(paymentPlans).set({ status: 'defaulted', defaultedOn: on, updatedAt: now }).where(eq(paymentPlans.id, plan.id));
    await appendHistory(tx.db, {
      id: randomUUID(),
      practiceId,
      guarantorId: plan.guarantorId,
      kind: 'plan-defaulted',
      on,
      refId: plan.id,
      detail: { installment: missed.number, dueOn: missed.dueOn, unpaidCents: missed.amountCents - missed.paidCents, graceDays: plan.graceDays },
      createdAt: now,
    });
    defaulted.push(plan.id);
  }
  return defaulted;
}

export async function defaultPlansJob(ctx: JobContext): Promise<void> {
  const practiceId = ctx.tenant;
  if (!practiceId) return;
  const agreement = await ctx.agreements.get(practiceId);
  const on = localDate(ctx.tick, agreement?.timeZone ?? 'UTC');
  const defaulted = await ctx.transaction((tx) => defaultMissedPlans(tx, practiceId, on, ctx.clock.now()));
  if (defaulted.length) ctx.log.info({ event: 'collections.plans-defaulted', practiceId, count: defaulted.length }, 'payment plans defaulted');
}
