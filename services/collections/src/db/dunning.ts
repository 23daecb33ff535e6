import { and, asc, eq, sql } from 'drizzle-orm';
import { jsonb, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import type { DunningStep } from '@mso/contracts/collections';
import type { Db } from '@mso/kit';
import type { PolicyFields } from '../domain/dunning.js';
import { payments } from './payments.js';
import { collections, day, ts } from './pg.js';

/** A dunning policy set in collections (it takes precedence over the agreement's terms). */
export const dunningPolicies = collections.table('dunning_policies', {
  practiceId: uuid('practice_id').primaryKey(),
  policy: jsonb('policy').$type<PolicyFields>().notNull(),
  updatedAt: ts('updated_at').notNull(),
});

/** Where each account stands in the dunning sequence (from its first statement until paid or placed). */
export const dunningPositions = collections.table(
  'dunning_positions',
  {
    practiceId: uuid('practice_id').notNull(),
    guarantorId: uuid('guarantor_id').notNull(),
    step: text('step').$type<DunningStep>().notNull(),
    stepOn: day('step_on').notNull(),
    nextStepOn: day('next_step_on'),
    pausedUntil: day('paused_until'),
    paymentSeenOn: day('payment_seen_on'),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.practiceId, t.guarantorId] })],
);

export type DunningPositionRow = typeof dunningPositions.$inferSelect;

export async function getPolicyRow(db: Db, practiceId: string): Promise<PolicyFields | null> {
  const [row] = await db.select().from(dunningPolicies).where(eq(dunningPolicies.practiceId, practiceId));
  return row?.policy ?? null;
}

export async function getPosition(db: Db, practiceId: string, guarantorId: string): Promise<DunningPositionRow | undefined> {
  const [row] = await db
    .select()
    .from(dunningPositions)
    .where(and(eq(dunningPositions.practiceId, practiceId), eq(dunningPositions.guarantorId, guarantorId)));
  return row;
}

/** The date of the guarantor's latest payment, if any (a payment pauses or resets the sequence). */
export async function lastPaymentOn(db: Db, practiceId: string, guarantorId: string): Promise<string | null> {
  const [row] = await db
    .select({ last: sql<string | null>`max(${payments.receivedOn})::text` })
    .from(payments)
    .where(and(eq(payments.practiceId, practiceId), eq(payments.guarantorId, guarantorId)));
  return row?.last ?? null;
}

export async function listPositions(db: Db, practiceId: string): Promise<DunningPositionRow[]> {
  return db.select().from(dunningPositions).where(eq(dunningPositions.practiceId, practiceId)).orderBy(asc(dunningPositions.guarantorId));
}
