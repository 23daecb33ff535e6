import { and, asc, eq, inArray } from 'drizzle-orm';
import { index, integer, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import type { Db } from '@mso/kit';
import { cents, collections, day, ts } from './pg.js';

export type PlanStatus = 'active' | 'completed' | 'defaulted' | 'cancelled';

/**
 * A payment plan: the guarantor pays `totalCents` in `installmentCount` monthly installments from
 * `firstDueOn`. Payments apply to its installments in due order. Defaulted when an installment is still
 * unpaid `graceDays` after its due date; dunning then resumes.
 */
export const paymentPlans = collections.table(
  'payment_plans',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    guarantorId: uuid('guarantor_id').notNull(),
    totalCents: cents('total_cents').notNull(),
    installmentCount: integer('installment_count').notNull(),
    minInstallmentCents: cents('min_installment_cents').notNull(),
    firstDueOn: day('first_due_on').notNull(),
    graceDays: integer('grace_days').notNull(),
    status: text('status').$type<PlanStatus>().notNull(),
    paidCents: cents('paid_cents').notNull().default(0),
    defaultedOn: day('defaulted_on'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [index('payment_plans_guarantor').on(t.practiceId, t.guarantorId, t.status)],
);

export const planInstallments = collections.table(
  'plan_installments',
  {
    practiceId: uuid('practice_id').notNull(),
    planId: uuid('plan_id').notNull(),
    /** 1-based. */
    number: integer('number').notNull(),
    dueOn: day('due_on').notNull(),
    amountCents: cents('amount_cents').notNull(),
    paidCents: cents('paid_cents').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.practiceId, t.planId, t.number] })],
);

export type PaymentPlan = typeof paymentPlans.$inferSelect;
export type PlanInstallment = typeof planInstallments.$inferSelect;

export async function getPlan(db: Db, practiceId: string, planId: string): Promise<PaymentPlan | undefined> {
  const [row] = await db
    .select()
    .from(paymentPlans)
    .where(and(eq(paymentPlans.practiceId, practiceId), eq(paymentPlans.id, planId)));
  return row;
}

export async function listInstallments(db: Db, practiceId: string, planId: string): Promise<PlanInstallment[]> {
  return db
    .select()
    .from(planInstallments)
    .where(and(eq(planInstallments.practiceId, practiceId), eq(planInstallments.planId, planId)))
    .orderBy(asc(planInstallments.number));
}

/** The guarantor's active plan (at most one), if any. */
export async function activePlan(db: Db, practiceId: string, guarantorId: string): Promise<PaymentPlan | undefined> {
  const [row] = await db
    .select()
    .from(paymentPlans)
    .where(and(eq(paymentPlans.practiceId, practiceId), eq(paymentPlans.guarantorId, guarantorId), eq(paymentPlans.status, 'active')));
  return row;
}

/**
 * Whether the guarantor is in a payment plan that is current (active and not defaulted): a statement
 * run and dunning skip such accounts. A plan with a missed installment still inside its grace period is
 * current; the default job ends that.
 */
export async function isPlanCurrent(db: Db, practiceId: string, guarantorId: string): Promise<boolean> {
  return (await activePlan(db, practiceId, guarantorId)) !== undefined;
}

/** Of `guarantorIds`, those in a current plan (for a whole statement run at once). */
export async function guarantorsWithCurrentPlan(db: Db, practiceId: string, guarantorIds: string[]): Promise<Set<string>> {
  if (guarantorIds.length === 0) return new Set();
  const rows = await db
    .select({ guarantorId: paymentPlans.guarantorId })
    .from(paymentPlans)
    .where(and(eq(paymentPlans.practiceId, practiceId), eq(paymentPlans.status, 'active'), inArray(paymentPlans.guarantorId, guarantorIds)));
  return new Set(rows.map((r) => r.guarantorId));
}
