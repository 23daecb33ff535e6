import { and, eq } from 'drizzle-orm';
import { ProblemError, type InputOf, type OutputOf } from '@mso/contracts';
import type { addEmployment, getEmployment, updateEmployment } from '@mso/contracts/hr';
import type { HandlerContext } from '@mso/kit';
import { endDateChange } from '../../domain/onboarding.js';
import { checkAllocations, checkDates, fteToHundredths } from '../../domain/people.js';
import { notFound } from '../../domain/problems.js';
import { employments } from '../../db/schema.js';
import { employerOf, withCaller } from '../access.js';
import { announcePersonChanged } from './lifecycle.js';
import { checkManager, findPerson, insertEmployment, visibleEmployments } from './people.js';
import { endEmployment, moveLastDay, terminationOf } from './terminate.js';
import { employmentView } from './views.js';

export async function addEmploymentHandler(input: InputOf<typeof addEmployment>, ctx: HandlerContext): Promise<OutputOf<typeof addEmployment>> {
  return withCaller(ctx, 'hr.employment-create', async (tx, caller) => {
    // A practice key adds an employment only to a person its practice already employs: a new hire
    // who is on file elsewhere joins through person.create, which matches by SSN.
    const person = await findPerson(tx.db, caller, input.personId);
    if (!person) throw notFound('person');
    const { personId: _personId, ...employment } = input;
    return employmentView(await insertEmployment(ctx, tx, caller, person, employment, ''));
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
    // Setting the end date of an open employment terminates it (without a reason); a terminated
    // employment's last day may be corrected, not removed (a return is a new employment).
    const termination = await terminationOf(tx, row.id);
    const change = endDateChange({ endDate: row.endDate, terminated: termination !== null }, endDate);
    if (change === 'refuse') throw new ProblemError('conflict', 'a terminated employment is not reopened: add a new employment', [{ path: '/endDate', message: 'the employment was terminated' }]);
    if (change === 'move') await moveLastDay(tx, termination!, endDate!);
    const terminates = change === 'terminate';
    if (input.managerId !== undefined) await checkManager(tx.db, caller, input.managerId, '/managerId');
    const [updated] = await tx.db
      .update(employments)
      .set({
        ...(input.title !== undefined ? { title: input.title } : {}),
        ...(input.department !== undefined ? { department: input.department } : {}),
        ...(input.fte !== undefined ? { fteHundredths: fteToHundredths(input.fte) } : {}),
        ...(input.pay !== undefined ? { payBasis: input.pay.basis, payCents: input.pay.amountCents } : {}),
        ...(input.managerId !== undefined ? { managerId: input.managerId } : {}),
        ...(input.systems !== undefined ? { systems: input.systems } : {}),
        allocations,
        ...(terminates ? {} : { endDate }),
        updatedAt: ctx.clock.now(),
      })
      .where(and(eq(employments.id, row.id)))
      .returning();
    if (terminates) return employmentView((await endEmployment(ctx, tx, updated!, { lastDay: endDate!, reason: null, note: null }, '/endDate')).employment);
    await announcePersonChanged(tx, row.personId);
    return employmentView(updated!);
  });
}
