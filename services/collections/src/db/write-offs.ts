import { and, eq } from 'drizzle-orm';
import { integer, index, jsonb, text, uuid } from 'drizzle-orm/pg-core';
import type { Db } from '@mso/kit';
import { cents, collections, day, ts } from './pg.js';

export type WriteOffReason = 'small-balance' | 'hardship' | 'bad-debt' | 'agency-recovery';
export type WriteOffStatus = 'requested' | 'posted' | 'rejected';

/**
 * A write-off of a patient balance. Hardship ones are `requested` until a practice admin approves
 * (`posted`) or rejects them; the others post at once. `agency-recovery`: negative, it reverses that
 * much of a bad-debt write-off.
 */
export const writeOffs = collections.table(
  'write_offs',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    guarantorId: uuid('guarantor_id').notNull(),
    /** Null: across the guarantor's open balance, oldest first (see `applications`). */
    claimId: uuid('claim_id'),
    amountCents: cents('amount_cents').notNull(),
    reason: text('reason').$type<WriteOffReason>().notNull(),
    status: text('status').$type<WriteOffStatus>().notNull(),
    applications: jsonb('applications').$type<{ claimId: string; amountCents: number }[]>().notNull().default([]),
    requestedBy: text('requested_by'),
    decidedBy: text('decided_by'),
    on: day('on').notNull(),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [index('write_offs_guarantor').on(t.practiceId, t.guarantorId, t.createdAt)],
);

/** A practice's collections settings (defaults when no row). */
export const practiceSettings = collections.table('practice_settings', {
  practiceId: uuid('practice_id').primaryKey(),
  /** Open balances below this many cents are written off as small balances. 0: never. */
  smallBalanceThresholdCents: cents('small_balance_threshold_cents').notNull().default(0),
  /** Days after an installment's due date before an unpaid installment defaults its plan. */
  planGraceDays: integer('plan_grace_days').notNull().default(15),
  updatedAt: ts('updated_at').notNull(),
});

export type WriteOff = typeof writeOffs.$inferSelect;
export type PracticeSettings = Pick<typeof practiceSettings.$inferSelect, 'smallBalanceThresholdCents' | 'planGraceDays'>;

export const defaultSettings: PracticeSettings = { smallBalanceThresholdCents: 0, planGraceDays: 15 };

export async function getSettings(db: Db, practiceId: string): Promise<PracticeSettings> {
  const [row] = await db.select().from(practiceSettings).where(eq(practiceSettings.practiceId, practiceId));
  return row ? { smallBalanceThresholdCents: row.smallBalanceThresholdCents, planGraceDays: row.planGraceDays } : defaultSettings;
}

export async function getWriteOff(db: Db, practiceId: string, id: string): Promise<WriteOff | undefined> {
  const [row] = await db
    .select()
    .from(writeOffs)
    .where(and(eq(writeOffs.practiceId, practiceId), eq(writeOffs.id, id)));
  return row;
}
