// Daily, in each practice's time zone: on the practice's statement cycle day, the statement run (the
// same run as POST /v1/collections/statement-runs; one per practice and date, so a retry or a second
// copy makes nothing new). A practice with no profile to print gets no run, with a warning.
import { ProblemError } from '@mso/contracts';
import { localDate, type JobContext } from '@mso/kit';
import { DEFAULT_TIME_ZONE } from '../handlers/statements/issue.js';
import { runStatementsFor } from '../handlers/statements/run.js';
import { DEFAULT_CYCLE_DAY, isCycleDay } from '../domain/statements.js';

export async function runScheduledStatements(ctx: JobContext): Promise<void> {
  const practiceId = ctx.tenant;
  if (!practiceId) return;
  const agreement = await ctx.agreements.get(practiceId);
  const today = localDate(ctx.tick, agreement?.timeZone ?? DEFAULT_TIME_ZONE);
  if (!isCycleDay(today, agreement?.terms.collections?.statementCycleDay ?? DEFAULT_CYCLE_DAY)) return;
  try {
    await runStatementsFor(ctx, practiceId, 'schedule', ctx.tick);
  } catch (err) {
    if (!(err instanceof ProblemError) || err.code !== 'unprocessable') throw err;
    ctx.log.warn({ practiceId, code: err.code }, 'statement run skipped: the practice has no statement profile');
  }
}
