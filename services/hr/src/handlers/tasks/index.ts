import { and, eq } from 'drizzle-orm';
import * as contract from '@mso/contracts/hr';
import type { InputOf, OutputOf } from '@mso/contracts';
import { eqIfSet, handle, keysetPage, paginate, type HandlerContext } from '@mso/kit';
import { notFound } from '../../domain/problems.js';
import { tasks } from '../../db/schema.js';
import { checkPracticeBuysHr, withCaller } from '../access.js';
import { ownRows } from '../providers/providers.js';

type TaskRow = typeof tasks.$inferSelect;

const view = (t: TaskRow): OutputOf<typeof contract.completeTask> => ({
  id: t.id,
  practiceId: t.practiceId,
  kind: t.kind as 'credential-expiring',
  team: t.team,
  title: t.title,
  credentialId: t.credentialId,
  providerId: t.providerId,
  dueOn: t.dueOn,
  status: t.status as 'open',
  createdAt: t.createdAt.toISOString(),
  completedAt: t.completedAt?.toISOString() ?? null,
});

async function listTasksHandler(input: InputOf<typeof contract.listTasks>, ctx: HandlerContext): Promise<OutputOf<typeof contract.listTasks>> {
  return withCaller(ctx, 'hr.task-list', async (tx, caller) => {
    if (caller.practiceId && input.practiceId && input.practiceId.toLowerCase() !== caller.practiceId) throw notFound('practice');
    if (!caller.practiceId && input.practiceId) await checkPracticeBuysHr(ctx, input.practiceId.toLowerCase());
    const page = keysetPage({ createdAt: tasks.createdAt, id: tasks.id }, input);
    const rows = await tx.db
      .select()
      .from(tasks)
      .where(ownRows(caller, tasks.practiceId, page.where, eqIfSet(tasks.practiceId, input.practiceId?.toLowerCase()), eqIfSet(tasks.status, input.status)))
      .orderBy(...page.orderBy)
      .limit(page.fetch);
    return paginate(rows, page.limit, view);
  });
}

async function completeTaskHandler(input: InputOf<typeof contract.completeTask>, ctx: HandlerContext): Promise<OutputOf<typeof contract.completeTask>> {
  return withCaller(ctx, 'hr.task-complete', async (tx, caller) => {
    const [row] = await tx.db.select().from(tasks).where(ownRows(caller, tasks.practiceId, eq(tasks.id, input.id))).for('update').limit(1);
    if (!row) throw notFound('task');
    if (row.status === 'done') return view(row);
    const [done] = await tx.db.update(tasks).set({ status: 'done', completedAt: ctx.clock.now() }).where(and(eq(tasks.id, row.id))).returning();
    return view(done!);
  });
}

/** HR tasks. */
export const taskHandlers = [handle(contract.listTasks, listTasksHandler), handle(contract.completeTask, completeTaskHandler)];
