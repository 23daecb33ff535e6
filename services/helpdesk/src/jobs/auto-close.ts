import { and, asc, eq, lte } from 'drizzle-orm';
import type { AcrossPractices, JobContext } from '@mso/kit';
import { tickets } from '../db/schema.js';
import { recordHistory } from '../db/tickets.js';

/** Resolved tickets nobody reopened close after this many days (as GLPI and Zammad do). */
export const AUTO_CLOSE_DAYS = 7;
const DAY = 86_400_000;
const BATCH = 200;
const SYSTEM = { id: 'system:auto-close', role: 'system' };

export function autoCloseResolved(ctx: JobContext): Promise<void> {
  return ctx.acrossPractices('auto-close: resolved tickets of every practice', (all) => closeInAllPractices(ctx, all));
}

async function closeInAllPractices(ctx: JobContext, all: AcrossPractices): Promise<void> {
  const now = ctx.clock.now();
  const before = new Date(now.getTime() - AUTO_CLOSE_DAYS * DAY);
  for (let batch = 0; batch < 100; batch++) {
    const claimed = await all.transaction(async (tx) => {
      const rows = await tx.db
        .select({ id: tickets.id, practiceId: tickets.practiceId })
        .from(tickets)
        .where(and(eq(tickets.status, 'resolved'), lte(tickets.resMetAt, before)))
        .orderBy(asc(tickets.resMetAt))
        .limit(BATCH)
        .for('update', { skipLocked: true });
      for (const row of rows) {
        await tx.db
          .update(tickets)
          .set({ status: 'closed', closedAt: now, updatedAt: now })
          .where(and(eq(tickets.practiceId, row.practiceId), eq(tickets.id, row.id)));
        await recordHistory(tx.db, row, now, SYSTEM, 'status-changed', { status: ['resolved', 'closed'], reason: `resolved ${AUTO_CLOSE_DAYS} days ago and not reopened` });
      }
      return rows.length;
    });
    if (claimed < BATCH) return;
  }
}
