import { index, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { cents, collections, day, ts } from './pg.js';

export type PaymentMethod = 'card' | 'cash' | 'check' | 'online';

/** A patient payment; what it paid is in `paymentApplications`, the rest went to the guarantor's credit. */
export const payments = collections.table(
  'payments',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    guarantorId: uuid('guarantor_id').notNull(),
    amountCents: cents('amount_cents').notNull(),
    method: text('method').$type<PaymentMethod>().notNull(),
    reference: text('reference'),
    /** The claim the payer named, if any. */
    claimId: uuid('claim_id'),
    /** Cents that went to the guarantor's credit. */
    creditCents: cents('credit_cents').notNull(),
    /** The active plan whose installments it paid towards. */
    planId: uuid('plan_id'),
    receivedOn: day('received_on').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('payments_guarantor').on(t.practiceId, t.guarantorId, t.createdAt), index('payments_received').on(t.practiceId, t.receivedOn)],
);

/** How a payment (or a credit) paid claims' patient balances and plan installments. */
export const paymentApplications = collections.table(
  'payment_applications',
  {
    practiceId: uuid('practice_id').notNull(),
    paymentId: uuid('payment_id').notNull(),
    claimId: uuid('claim_id').notNull(),
    amountCents: cents('amount_cents').notNull(),
  },
  (t) => [primaryKey({ columns: [t.practiceId, t.paymentId, t.claimId] })],
);

/** Money given back from a guarantor's credit. */
export const refunds = collections.table(
  'refunds',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    guarantorId: uuid('guarantor_id').notNull(),
    paymentId: uuid('payment_id'),
    amountCents: cents('amount_cents').notNull(),
    refundedOn: day('refunded_on').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('refunds_guarantor').on(t.practiceId, t.guarantorId)],
);

export type Payment = typeof payments.$inferSelect;
export type PaymentApplication = typeof paymentApplications.$inferSelect;
export type Refund = typeof refunds.$inferSelect;
