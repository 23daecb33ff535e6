import { and, asc, eq, inArray, isNotNull, isNull, type SQL } from 'drizzle-orm';
import { ProblemError, type InputOf, type OutputOf } from '@mso/contracts';
import type { Checklist, ChecklistKind, completeChecklistTask, getChecklist, listChecklists, startChecklist as startChecklistOp } from '@mso/contracts/hr';
import { keysetPage, localDate, paginate, type Db, type HandlerContext, type TransactionContext } from '@mso/kit';
import { displayNameOf, isOverdue, planTasks, progressOf } from '../../domain/onboarding.js';
import { notFound } from '../../domain/problems.js';
import { checklists, checklistTasks, checklistTemplates, employments, people, terminations } from '../../db/schema.js';
import { DEFAULT_TIME_ZONE } from '../../jobs/credential-expiry.js';
import { checkEmployer, checkEmployerFirst, employerOf, practiceOfEmployer, withCaller, type Caller } from '../access.js';
import type { EmploymentRow } from '../people/views.js';

type ChecklistRow = typeof checklists.$inferSelect;
type TaskRow = typeof checklistTasks.$inferSelect;

const sameEmployer = (column: typeof checklists.practiceId | typeof checklistTemplates.practiceId, practiceId: string | null) =>
  practiceId === null ? isNull(column) : eq(column, practiceId);

/**
 * Starts the employment's `kind` checklist from its employer's template, due dates counted from
 * `anchorDate`; none without a template. One per employment and kind: a second start is a no-op.
 */
export async function startChecklist(tx: TransactionContext, e: EmploymentRow, kind: ChecklistKind, anchorDate: string, now: Date): Promise<string | null> {
  const [template] = await tx.db
    .select()
    .from(checklistTemplates)
    .where(and(sameEmployer(checklistTemplates.practiceId, e.practiceId), eq(checklistTemplates.kind, kind)))
    .limit(1);
  if (!template) return null;
  const [row] = await tx.db
    .insert(checklists)
    .values({ id: crypto.randomUUID(), practiceId: e.practiceId, kind, employmentId: e.id, personId: e.personId, templateId: template.id, anchorDate, createdAt: now })
    .onConflictDoNothing()
    .returning({ id: checklists.id });
  if (!row) return null;
  const planned = planTasks(template.tasks, anchorDate);
  await tx.db.insert(checklistTasks).values(planned.map((t) => ({ id: crypto.randomUUID(), practiceId: e.practiceId, checklistId: row.id, ...t })));
  return row.id;
}

/** The employer's local date (the practice's zone; New York for the MSO and agreements without one). */
async function todayFor(ctx: HandlerContext, practiceId: string | null, cache: Map<string | null, string>): Promise<string> {
  let today = cache.get(practiceId);
  if (today === undefined) {
    const zone = practiceId ? ((await ctx.agreements.get(practiceId))?.timeZone ?? DEFAULT_TIME_ZONE) : DEFAULT_TIME_ZONE;
    today = localDate(ctx.clock.now(), zone);
    cache.set(practiceId, today);
  }
  return today;
}

const visible = (caller: Caller, ...conditions: (SQL | undefined)[]) => and(caller.practiceId ? eq(checklists.practiceId, caller.practiceId) : undefined, ...conditions)!;

async function viewsOf(ctx: HandlerContext, db: Db, rows: ChecklistRow[]) {
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const tasks = await db.select().from(checklistTasks).where(inArray(checklistTasks.checklistId, ids)).orderBy(asc(checklistTasks.checklistId), asc(checklistTasks.position));
  const who = await db
    .select({ employmentId: employments.id, title: employments.title, firstName: people.firstName, lastName: people.lastName })
    .from(employments)
    .innerJoin(people, eq(people.id, employments.personId))
    .where(inArray(employments.id, rows.map((r) => r.employmentId)));
  const days = new Map<string | null, string>();
  const out: Checklist[] = [];
  for (const r of rows) {
    const today = await todayFor(ctx, r.practiceId, days);
    const own = tasks.filter((t) => t.checklistId === r.id);
    const person = who.find((w) => w.employmentId === r.employmentId)!;
    out.push({
      id: r.id,
      kind: r.kind as ChecklistKind,
      employmentId: r.employmentId,
      personId: r.personId,
      employer: employerOf(r.practiceId),
      displayName: displayNameOf(person),
      title: person.title,
      anchorDate: r.anchorDate,
      status: r.completedAt ? 'complete' : 'open',
      progress: progressOf(own, today),
      tasks: own.map((t: TaskRow) => ({
        id: t.id,
        title: t.title,
        ownerRole: t.ownerRole as Checklist['tasks'][number]['ownerRole'],
        dueOn: t.dueOn,
        overdue: isOverdue(t, today),
        doneAt: t.doneAt?.toISOString() ?? null,
        doneBy: t.doneBy,
      })),
      createdAt: r.createdAt.toISOString(),
      completedAt: r.completedAt?.toISOString() ?? null,
    });
  }
  return out;
}

export async function listChecklistsHandler(input: InputOf<typeof listChecklists>, ctx: HandlerContext): Promise<OutputOf<typeof listChecklists>> {
  await checkEmployerFirst(ctx, input.employer);
  return withCaller(ctx, 'hr.checklist-list', async (tx, caller) => {
    if (input.employer !== undefined) await checkEmployer(ctx, caller, input.employer);
    const page = keysetPage({ createdAt: checklists.createdAt, id: checklists.id }, input, 'desc');
    const rows = await tx.db
      .select()
      .from(checklists)
      .where(
        visible(
          caller,
          page.where,
          input.employer !== undefined ? sameEmployer(checklists.practiceId, practiceOfEmployer(input.employer)) : undefined,
          input.kind ? eq(checklists.kind, input.kind) : undefined,
          input.status === 'open' ? isNull(checklists.completedAt) : input.status === 'complete' ? isNotNull(checklists.completedAt) : undefined,
          input.employmentId ? eq(checklists.employmentId, input.employmentId) : undefined,
        ),
      )
      .orderBy(...page.orderBy)
      .limit(page.fetch);
    const views = await viewsOf(ctx, tx.db, rows.slice(0, page.limit));
    return paginate(rows, page.limit, (r) => {
      const { tasks: _tasks, createdAt: _created, completedAt: _completed, ...summary } = views.find((v) => v.id === r.id)!;
      return summary;
    });
  });
}

export async function getChecklistHandler(input: InputOf<typeof getChecklist>, ctx: HandlerContext): Promise<OutputOf<typeof getChecklist>> {
  return withCaller(ctx, 'hr.checklist-get', async (tx, caller) => {
    const [row] = await tx.db.select().from(checklists).where(visible(caller, eq(checklists.id, input.id))).limit(1);
    if (!row) throw notFound('checklist');
    return (await viewsOf(ctx, tx.db, [row]))[0]!;
  });
}

export async function startChecklistHandler(input: InputOf<typeof startChecklistOp>, ctx: HandlerContext): Promise<OutputOf<typeof startChecklistOp>> {
  return withCaller(ctx, 'hr.checklist-start', async (tx, caller) => {
    const [e] = await tx.db
      .select()
      .from(employments)
      .where(and(eq(employments.id, input.employmentId), caller.practiceId ? eq(employments.practiceId, caller.practiceId) : undefined))
      .for('update')
      .limit(1);
    if (!e) throw new ProblemError('not-found', 'no such employment', [{ path: '/employmentId', message: 'is not an employment you may see' }]);
    const [ended] = await tx.db.select({ lastDay: terminations.lastDay }).from(terminations).where(eq(terminations.employmentId, e.id)).limit(1);
    const anchor = input.kind === 'onboarding' ? e.startDate : (ended?.lastDay ?? e.endDate);
    if (!anchor) throw new ProblemError('conflict', 'the employment has no last day: terminate it first', [{ path: '/kind', message: 'offboarding needs a last day' }]);
    const [existing] = await tx.db.select({ id: checklists.id }).from(checklists).where(and(eq(checklists.employmentId, e.id), eq(checklists.kind, input.kind))).limit(1);
    if (existing) throw new ProblemError('conflict', `the employment has an ${input.kind} checklist`, [{ path: '/kind', message: 'started before' }]);
    const id = await startChecklist(tx, e, input.kind, anchor, ctx.clock.now());
    if (!id) throw new ProblemError('conflict', `the employer has no ${input.kind} template`, [{ path: '/kind', message: 'no template for this employer' }]);
    const [row] = await tx.db.select().from(checklists).where(eq(checklists.id, id)).limit(1);
    return (await viewsOf(ctx, tx.db, [row!]))[0]!;
  });
}

export async function completeChecklistTaskHandler(input: InputOf<typeof completeChecklistTask>, ctx: HandlerContext): Promise<OutputOf<typeof completeChecklistTask>> {
  return withCaller(ctx, 'hr.checklist-task-complete', async (tx, caller) => {
    const [row] = await tx.db.select().from(checklists).where(visible(caller, eq(checklists.id, input.id))).for('update').limit(1);
    if (!row) throw notFound('checklist');
    const [task] = await tx.db.select().from(checklistTasks).where(and(eq(checklistTasks.id, input.taskId), eq(checklistTasks.checklistId, row.id))).limit(1);
    if (!task) throw notFound('task');
    let current = row;
    if (!task.doneAt) {
      const now = ctx.clock.now();
      await tx.db.update(checklistTasks).set({ doneAt: now, doneBy: ctx.principal.id }).where(eq(checklistTasks.id, task.id));
      const [open] = await tx.db.select({ id: checklistTasks.id }).from(checklistTasks).where(and(eq(checklistTasks.checklistId, row.id), isNull(checklistTasks.doneAt))).limit(1);
      if (!open) current = (await tx.db.update(checklists).set({ completedAt: now }).where(eq(checklists.id, row.id)).returning())[0]!;
    }
    return (await viewsOf(ctx, tx.db, [current]))[0]!;
  });
}
