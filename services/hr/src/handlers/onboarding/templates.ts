import { and, asc, eq, isNull } from 'drizzle-orm';
import { ProblemError, type InputOf, type OutputOf } from '@mso/contracts';
import type { ChecklistTemplate, createChecklistTemplate, listChecklistTemplates, updateChecklistTemplate } from '@mso/contracts/hr';
import type { HandlerContext } from '@mso/kit';
import { notFound } from '../../domain/problems.js';
import { checklistTemplates } from '../../db/schema.js';
import { checkEmployer, checkEmployerFirst, employerOf, practiceOfEmployer, withCaller } from '../access.js';

type TemplateRow = typeof checklistTemplates.$inferSelect;

const templateView = (t: TemplateRow): ChecklistTemplate => ({
  id: t.id,
  employer: employerOf(t.practiceId),
  kind: t.kind as ChecklistTemplate['kind'],
  name: t.name,
  tasks: t.tasks as ChecklistTemplate['tasks'],
  createdAt: t.createdAt.toISOString(),
  updatedAt: t.updatedAt.toISOString(),
});

export async function createChecklistTemplateHandler(input: InputOf<typeof createChecklistTemplate>, ctx: HandlerContext): Promise<OutputOf<typeof createChecklistTemplate>> {
  await checkEmployerFirst(ctx, input.employer);
  return withCaller(ctx, 'hr.checklist-template-create', async (tx, caller) => {
    const practiceId = await checkEmployer(ctx, caller, input.employer);
    const now = ctx.clock.now();
    const [row] = await tx.db
      .insert(checklistTemplates)
      .values({ id: crypto.randomUUID(), practiceId, kind: input.kind, name: input.name, tasks: input.tasks, createdAt: now, updatedAt: now })
      .onConflictDoNothing()
      .returning();
    if (!row) throw new ProblemError('conflict', `the employer has an ${input.kind} template: change it instead`, [{ path: '/kind', message: 'one template per employer and kind' }]);
    return templateView(row);
  });
}

export async function listChecklistTemplatesHandler(input: InputOf<typeof listChecklistTemplates>, ctx: HandlerContext): Promise<OutputOf<typeof listChecklistTemplates>> {
  await checkEmployerFirst(ctx, input.employer);
  return withCaller(ctx, 'hr.checklist-template-list', async (tx, caller) => {
    if (input.employer !== undefined) await checkEmployer(ctx, caller, input.employer);
    const employer = input.employer === undefined ? undefined : practiceOfEmployer(input.employer);
    const rows = await tx.db
      .select()
      .from(checklistTemplates)
      .where(
        and(
          caller.practiceId ? eq(checklistTemplates.practiceId, caller.practiceId) : undefined,
          employer === undefined ? undefined : employer === null ? isNull(checklistTemplates.practiceId) : eq(checklistTemplates.practiceId, employer),
          input.kind ? eq(checklistTemplates.kind, input.kind) : undefined,
        ),
      )
      .orderBy(asc(checklistTemplates.createdAt), asc(checklistTemplates.id));
    return { items: rows.map(templateView) };
  });
}

export async function updateChecklistTemplateHandler(input: InputOf<typeof updateChecklistTemplate>, ctx: HandlerContext): Promise<OutputOf<typeof updateChecklistTemplate>> {
  return withCaller(ctx, 'hr.checklist-template-update', async (tx, caller) => {
    const [row] = await tx.db
      .update(checklistTemplates)
      .set({ ...(input.name !== undefined ? { name: input.name } : {}), ...(input.tasks !== undefined ? { tasks: input.tasks } : {}), updatedAt: ctx.clock.now() })
      .where(and(eq(checklistTemplates.id, input.id), caller.practiceId ? eq(checklistTemplates.practiceId, caller.practiceId) : undefined))
      .returning();
    if (!row) throw notFound('checklist template');
    return templateView(row);
  });
}
