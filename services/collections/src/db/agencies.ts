import { and, eq, inArray, sql } from 'drizzle-orm';
import { index, integer, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { Db } from '@mso/kit';
import { cents, collections, day, ts } from './pg.js';

export const agencies = collections.table(
  'agencies',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    name: text('name').notNull(),
    feeBasisPoints: integer('fee_basis_points'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('agencies_practice').on(t.practiceId)],
);

/** An account placed with an agency; at most one `placed` per guarantor. */
export const placements = collections.table(
  'placements',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    agencyId: uuid('agency_id').notNull(),
    guarantorId: uuid('guarantor_id').notNull(),
    status: text('status').$type<'placed' | 'recalled'>().notNull(),
    source: text('source').$type<'dunning' | 'manual'>().notNull(),
    placedOn: day('placed_on').notNull(),
    placedCents: cents('placed_cents').notNull(),
    recoveredCents: cents('recovered_cents').notNull().default(0),
    writeOffId: uuid('write_off_id'),
    recalledOn: day('recalled_on'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('placements_one_open').on(t.practiceId, t.guarantorId).where(sql`status = 'placed'`),
    index('placements_agency').on(t.practiceId, t.agencyId, t.placedOn),
  ],
);

export type AgencyRow = typeof agencies.$inferSelect;
export type PlacementRow = typeof placements.$inferSelect;

/** Of `guarantorIds`, those placed with an agency now. */
export async function placedGuarantors(db: Db, practiceId: string, guarantorIds: string[]): Promise<Set<string>> {
  if (guarantorIds.length === 0) return new Set();
  const rows = await db
    .select({ guarantorId: placements.guarantorId })
    .from(placements)
    .where(and(eq(placements.practiceId, practiceId), eq(placements.status, 'placed'), inArray(placements.guarantorId, guarantorIds)));
  return new Set(rows.map((r) => r.guarantorId));
}

export async function getAgency(db: Db, practiceId: string, id: string): Promise<AgencyRow | undefined> {
  const [row] = await db
    .select()
    .from(agencies)
    .where(and(eq(agencies.practiceId, practiceId), eq(agencies.id, id)));
  return row;
}
