import { asc } from 'drizzle-orm';
import type { InputOf, OutputOf } from '@mso/contracts';
import { personChanged, type republishStaffDirectory } from '@mso/contracts/hr';
import type { HandlerContext } from '@mso/kit';
import { people } from '../../db/schema.js';
import { withCaller } from '../access.js';

/** Every person's directory entry again: one `hr.person.changed` each, which HR's consumer publishes. */
export async function republishStaffDirectoryHandler(_input: InputOf<typeof republishStaffDirectory>, ctx: HandlerContext): Promise<OutputOf<typeof republishStaffDirectory>> {
  return withCaller(ctx, 'hr.staff-directory-republish', async (tx) => {
    const rows = await tx.db.select({ id: people.id }).from(people).orderBy(asc(people.createdAt), asc(people.id));
    await tx.emitMany(personChanged, rows.map((r) => ({ data: { personId: r.id }, options: { subject: r.id, practiceId: null } })));
    return { people: rows.length };
  });
}
