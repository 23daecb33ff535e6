// `hr.staff-member.changed`: the directory entry other services keep (helpdesk and billing
// assignees are person ids). Built here from HR's own `hr.person.changed`, across practices, because
// the change's own transaction may be a practice key's and see only that practice's employments.
import { asc, eq } from 'drizzle-orm';
import { staffMemberChanged, type personChanged } from '@mso/contracts/hr';
import type { EventHandler } from '@mso/kit';
import { displayNameOf } from '../domain/onboarding.js';
import { employments, people } from '../db/schema.js';
import { employerOf } from '../handlers/access.js';

/**
 * Publishes the person's current name and every employment (titles and dates: no personal data, no
 * pay), as a platform event (one sequence for every person, in commit order). The person's row is
 * locked while it is read, so of two copies handling changes of one person, the later reader
 * publishes later: the last event is always the latest state.
 */
export const publishStaffMember: EventHandler<typeof personChanged> = async (event, ctx) => {
  const personId = event.data.personId;
  await ctx.acrossPractices('hr.staff-directory', (all) =>
    all.transaction(async (tx) => {
      const [person] = await tx.db.select().from(people).where(eq(people.id, personId)).for('update').limit(1);
      if (!person) return;
      const list = await tx.db.select().from(employments).where(eq(employments.personId, personId)).orderBy(asc(employments.startDate), asc(employments.id));
      await tx.emit(
        staffMemberChanged,
        {
          personId,
          displayName: displayNameOf(person),
          employments: list.map((e) => ({ employmentId: e.id, employer: employerOf(e.practiceId), title: e.title, department: e.department, startDate: e.startDate, endDate: e.endDate })),
        },
        { subject: personId, practiceId: null },
      );
    }),
  );
};
