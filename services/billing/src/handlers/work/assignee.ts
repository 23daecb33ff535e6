import type { listWorkStaff } from '@mso/contracts/billing';
import { localDate, type Handler, type StaffDirectory } from '@mso/kit';

/**
 * The columns an update's `assignee` sets: a person of HR's staff directory employed at the MSO or
 * at the practice on `today` (else 422 naming `assignee`), or null to unassign; omitted: no change.
 * Any assignment clears a free-text assignee from before assignees were people.
 */
export async function assigneeChange(staff: StaffDirectory, assignee: string | null | undefined, practiceId: string, today: string): Promise<{ assigneeId?: string | null; assigneeLabel?: null }> {
  if (assignee === undefined) return {};
  if (assignee === null) return { assigneeId: null, assigneeLabel: null };
  const person = await staff.requireAssignable(assignee, practiceId, today);
  return { assigneeId: person.personId, assigneeLabel: null };
}

/** The people the practice's work items can be assigned to today. */
export const listWorkStaffHandler: Handler<typeof listWorkStaff> = async (_input, ctx) => {
  const asOf = localDate(ctx.clock.now(), (await ctx.agreement).timeZone);
  const members = await ctx.staff.assignable(ctx.practiceId, asOf);
  return {
    asOf,
    items: members.map((m) => ({
      personId: m.personId,
      displayName: m.displayName,
      employments: m.employments.map((e) => ({ employer: e.employer, title: e.title, department: e.department, startDate: e.startDate, endDate: e.endDate })),
    })),
  };
};
