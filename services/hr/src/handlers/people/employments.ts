import { and, eq } from 'drizzle-orm';
import type { InputOf, OutputOf } from '@mso/contracts';
import type { addEmployment, getEmployment, updateEmployment } from '@mso/contracts/hr';
import type { HandlerContext } from '@mso/kit';
import { checkAllocations, checkDates, fteToHundredths } from '../../domain/people.js';
import { notFound } from '../../domain/problems.js';
import { employments } from '../../db/schema.js';
import { employerOf, withCaller } from '../access.js';
import { checkManager, findPerson, insertEmployment, visibleEmployments } from './people.js';
import { employmentView } from './views.js';

export async function addEmploymentHandler(input: InputOf<typeof addEmployment>, ctx: HandlerContext): Promise<OutputOf<typeof addEmployment>> {
  return withCaller(ctx, 'hr.employment-create', async (tx, caller) => {
    // A practice key adds an employment only to a person its practice already employs: a new hire
    // who is on file elsewhere joins through person.create, which matches by SSN.
    if (!(await findPerson(tx.db, caller, input.personId))) throw notFound('person');
    const { personId, ...employment } = input;
    return employmentView(await insertEmployment(ctx, tx.db, caller, personId, employment, ''));
  });
}

export async function getEmploymentHandler(input: InputOf<typeof getEmployment>, ctx: HandlerContext): Promise<OutputOf<typeof getEmployment>> {
  return withCaller(ctx, 'hr.employment-get', async (tx, caller) => {
    const [row] = await tx.db.select().from(employments).where(visibleEmployments(caller, eq(employments.id, input.id))).limit(1);
    if (!row) throw notFound('employment');
    return employmentView(row);
  });
}

export async function updateEmploymentHandler(input: InputOf<typeof updateEmployment>, ctx: HandlerContext): Promise<OutputOf<typeof updateEmployment>> {
  return withCaller(ctx, 'hr.employment-update', async (tx, caller) => {
    const [row] = await tx.db.select().from(employments).where(visibleEmployments(caller, eq(employments.id, input.id))).for('update').limit(1);
    if (!row) throw notFound('employment');
    const allocations = input.allocations === undefined ? row.allocations : checkAllocations(employerOf(row.practiceId), input.allocations);
    const endDate = input.endDate === undefined ? row.endDate : input.endDate;
    checkDates(row.startDate, endDate);
    if (input.managerId !== undefined) await checkManager(tx.db, caller, input.managerId, '/managerId');
    const [updated] = await tx.db
      .update(employments)
      .set({
        ...(input.title !== undefined ? { title: input.title } : {}),
        ...(input.department !== undefined ? { department: input.department } : {}),
        ...(input.fte !== undefined ? { fteHundredths: fteToHundredths(input.fte) } : {}),
        ...(input.pay !== undefined ? { payBasis: input.pay.basis, payCents: input.pay.amountCents } : {}),
        ...(input.managerId !== undefined ? { managerId: input.managerId } : {}),
        allocations,
        endDate,
        updatedAt: ctx.clock.now(),
      })
      .where(and(eq(employments.id, row.id)))
      .returning();
    return employmentView(updated!);
  });
}
