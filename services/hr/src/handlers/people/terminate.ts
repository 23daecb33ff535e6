import { and, eq, isNull, sql } from 'drizzle-orm';
import { ProblemError, type InputOf, type OutputOf } from '@mso/contracts';
import type { terminateEmployment } from '@mso/contracts/hr';
import type { HandlerContext, TransactionContext } from '@mso/kit';
import { daysBetween } from '../../domain/onboarding.js';
import { checkDates } from '../../domain/people.js';
import { notFound } from '../../domain/problems.js';
import { checklists, checklistTasks, employments, people, terminations } from '../../db/schema.js';
import { withCaller } from '../access.js';
import { employmentEnded } from './lifecycle.js';
import { visibleEmployments } from './people.js';
import { employmentView, type EmploymentRow } from './views.js';

type TerminationRow = typeof terminations.$inferSelect;

export const terminationOf = async (tx: TransactionContext, employmentId: string): Promise<TerminationRow | null> =>
  (await tx.db.select().from(terminations).where(eq(terminations.employmentId, employmentId)).limit(1))[0] ?? null;

const terminationView = (t: TerminationRow) => ({ lastDay: t.lastDay, reason: t.reason as OutputOf<typeof terminateEmployment>['termination']['reason'], note: t.note, recordedAt: t.recordedAt.toISOString() });

/**
 * Ends `row` on `lastDay`: the end date, the termination record, the offboarding checklist and the
 * terminated event, in one transaction. An employment is terminated once (409 after).
 */
export async function endEmployment(
  ctx: HandlerContext,
  tx: TransactionContext,
  row: EmploymentRow,
  end: { lastDay: string; reason: string | null; note: string | null },
  path: string,
): Promise<{ employment: EmploymentRow; termination: TerminationRow; checklistId: string | null }> {
  checkDates(row.startDate, end.lastDay, path);
  if (await terminationOf(tx, row.id)) throw new ProblemError('conflict', 'the employment is terminated already', [{ path, message: 'the employment was terminated before' }]);
  const now = ctx.clock.now();
  const [employment] = await tx.db.update(employments).set({ endDate: end.lastDay, updatedAt: now }).where(eq(employments.id, row.id)).returning();
  const [termination] = await tx.db
    .insert(terminations)
    .values({ employmentId: row.id, practiceId: row.practiceId, lastDay: end.lastDay, reason: end.reason, note: end.note, recordedAt: now, recordedBy: ctx.principal.id })
    .returning();
  const [person] = await tx.db.select().from(people).where(eq(people.id, row.personId)).limit(1);
  const checklistId = await employmentEnded(tx, person!, employment!, end.lastDay);
  return { employment: employment!, termination: termination!, checklistId };
}

/** A corrected last day moves the termination and the open offboarding tasks with it. */
export async function moveLastDay(tx: TransactionContext, termination: TerminationRow, lastDay: string): Promise<void> {
  const shift = daysBetween(termination.lastDay, lastDay);
  if (shift === 0) return;
  await tx.db.update(terminations).set({ lastDay }).where(eq(terminations.employmentId, termination.employmentId));
  const [checklist] = await tx.db
    .update(checklists)
    .set({ anchorDate: lastDay })
    .where(and(eq(checklists.employmentId, termination.employmentId), eq(checklists.kind, 'offboarding')))
    .returning({ id: checklists.id });
  if (checklist) {
    await tx.db
      .update(checklistTasks)
      .set({ dueOn: sql`${checklistTasks.dueOn} + ${shift}::int` })
      .where(and(eq(checklistTasks.checklistId, checklist.id), isNull(checklistTasks.doneAt)));
  }
}

export async function terminateEmploymentHandler(input: InputOf<typeof terminateEmployment>, ctx: HandlerContext): Promise<OutputOf<typeof terminateEmployment>> {
  return withCaller(ctx, 'hr.employment-terminate', async (tx, caller) => {
    const [row] = await tx.db.select().from(employments).where(visibleEmployments(caller, eq(employments.id, input.id))).for('update').limit(1);
    if (!row) throw notFound('employment');
    const ended = await endEmployment(ctx, tx, row, { lastDay: input.lastDay, reason: input.reason, note: input.note ?? null }, '/lastDay');
    return { employment: employmentView(ended.employment), termination: terminationView(ended.termination), offboardingChecklistId: ended.checklistId };
  });
}
