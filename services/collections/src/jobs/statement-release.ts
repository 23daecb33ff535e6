// Every 15 minutes: e-mail and SMS statements held for quiet hours whose window has opened are recorded
// as sent (the hand-off to the messaging provider happens outside this service).
import { and, eq, lte } from 'drizzle-orm';
import type { JobContext } from '@mso/kit';
import { statements } from '../db/statements.js';

export async function releaseQueuedStatements(ctx: JobContext): Promise<void> {
  const practiceId = ctx.tenant;
  if (!practiceId) return;
  const now = ctx.clock.now();
  await ctx.transaction(async (tx) => {
    await tx.db
      .update(statements)
      .set({ delivery: 'sent', sentAt: now })
      .where(and(eq(statements.practiceId, practiceId), eq(statements.delivery, 'queued'), lte(statements.queuedUntil, now)));
  });
}
