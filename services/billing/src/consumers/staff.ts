import { sql } from 'drizzle-orm';
import type { staffMemberChanged } from '@mso/contracts/hr';
import type { EventHandler } from '@mso/kit';
import { staffMembers } from '../db/schema.js';

/**
 * HR's staff directory (who work items can be assigned to): each event carries a person's whole
 * current set of employments, so it replaces the row. The kit's inbox drops a repeated event id; the
 * time guard keeps a redelivered older event (which can arrive after newer ones) from undoing a newer set.
 */
export const onStaffMemberChanged: EventHandler<typeof staffMemberChanged> = async (event, ctx) => {
  const { personId, displayName } = event.data;
  const employments = event.data.employments.map((e) => ({ employmentId: e.employmentId, employer: e.employer.toLowerCase(), title: e.title, department: e.department, startDate: e.startDate, endDate: e.endDate }));
  const changedAt = new Date(event.time);
  const now = ctx.clock.now();
  await ctx.db
    .insert(staffMembers)
    .values({ personId, displayName, employments, changedAt, updatedAt: now })
    .onConflictDoUpdate({
      target: staffMembers.personId,
      set: { displayName, employments, changedAt, updatedAt: now },
      setWhere: sql`${staffMembers.changedAt} <= excluded.changed_at`,
    });
};
