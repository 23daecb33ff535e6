import { asc, eq, or, sql } from 'drizzle-orm';
import { jsonb, text, uuid } from 'drizzle-orm/pg-core';
import { ProblemError } from '@mso/contracts';
import type { Db } from '@mso/kit';
import { assigneeRefusal, employmentsServing, type StaffEmployment, type StaffMember } from '../domain/work/staff.js';
import { billing, ts } from './pg.js';

/**
 * HR's staff directory, kept from `hr.staff-member.changed` (the latest event per person wins): who
 * work items can be assigned to. One row per person across the MSO and every practice, so it has no
 * `practice_id` and is outside the tenant wall; it holds names, titles and employment dates only, and
 * reads take the employments of the MSO and of the request's practice. HR owns the data.
 */
export const staffMembers = billing.table('staff_members', {
  personId: uuid('person_id').primaryKey(),
  displayName: text('display_name').notNull(),
  employments: jsonb('employments').$type<StaffEmployment[]>().notNull(),
  /** The event's time: a redelivered older event does not overwrite a newer one. */
  changedAt: ts('changed_at').notNull(),
  updatedAt: ts('updated_at').notNull(),
});

/**
 * The person, when they may be assigned the practice's work items on `date` (the practice's today);
 * otherwise 422 naming `assignee`.
 */
export async function requireAssignee(db: Db, personId: string, practiceId: string, date: string): Promise<StaffMember> {
  const [row] = await db.select().from(staffMembers).where(eq(staffMembers.personId, personId.toLowerCase()));
  const member = row ? { personId: row.personId, displayName: row.displayName, employments: row.employments } : undefined;
  const refusal = assigneeRefusal(member, practiceId, date);
  if (refusal) throw new ProblemError('unprocessable', `the assignee cannot work this practice's items: ${refusal}`, [{ path: '/assignee', message: refusal }]);
  return member!;
}

/** People with an employment at the MSO or at the practice active on `date`, by name, with those employments only. */
export async function staffServing(db: Db, practiceId: string, date: string): Promise<StaffMember[]> {
  const rows = await db
    .select()
    .from(staffMembers)
    .where(or(sql`${staffMembers.employments} @> ${JSON.stringify([{ employer: 'mso' }])}::jsonb`, sql`${staffMembers.employments} @> ${JSON.stringify([{ employer: practiceId.toLowerCase() }])}::jsonb`))
    .orderBy(asc(staffMembers.displayName), asc(staffMembers.personId));
  return rows
    .map((row) => ({ personId: row.personId, displayName: row.displayName, employments: row.employments }))
    .map((m) => ({ ...m, employments: employmentsServing(m, practiceId, date) }))
    .filter((m) => m.employments.length > 0);
}
