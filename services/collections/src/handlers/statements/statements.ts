// Statement runs on demand, statements as JSON and PDF, the practice profile printed on them, and the
// statements-sent report.
import { and, desc, eq, sql } from 'drizzle-orm';
import type {
  getPracticeProfile,
  getStatement,
  getStatementPdf,
  listStatementRuns,
  listStatements,
  putPracticeProfile,
  runStatements,
  statementsSentReport,
} from '@mso/contracts/collections';
import type { Handler, HandlerContext } from '@mso/kit';
import { practiceProfiles, statements, getPracticeProfileRow, getStatementRow, listRuns } from '../../db/statements.js';
import { notFound, unprocessable } from '../../domain/problems.js';
import { DEFAULT_TIME_ZONE, toStatement } from './issue.js';
import { runStatementsFor, toRun } from './run.js';
import { renderStatementPdf } from './statement-pdf.js';

export const runStatementsHandler: Handler<typeof runStatements> = async (_input, ctx) => {
  const { run, created } = await runStatementsFor(ctx, ctx.practiceId, 'on-demand');
  if (!created) ctx.status(200);
  return run;
};

export const listStatementRunsHandler: Handler<typeof listStatementRuns> = async (_input, ctx) => ({ items: (await listRuns(ctx.db, ctx.practiceId)).map(toRun) });

async function loadStatement(ctx: HandlerContext, id: string) {
  const row = await getStatementRow(ctx.db, ctx.practiceId, id);
  if (!row) throw notFound('statement');
  return toStatement(row);
}

export const getStatementHandler: Handler<typeof getStatement> = async (input, ctx) => loadStatement(ctx, input.id);

export const getStatementPdfHandler: Handler<typeof getStatementPdf> = async (input, ctx) => ({
  mediaType: 'application/pdf',
  bytes: await renderStatementPdf(await loadStatement(ctx, input.id)),
});

export const listStatementsHandler: Handler<typeof listStatements> = async (input, ctx) => {
  const rows = await ctx.db
    .select()
    .from(statements)
    .where(
      and(
        eq(statements.practiceId, ctx.practiceId),
        input.guarantorId ? eq(statements.guarantorId, input.guarantorId) : undefined,
        input.runId ? eq(statements.runId, input.runId) : undefined,
        input.delivery ? eq(statements.delivery, input.delivery) : undefined,
      ),
    )
    .orderBy(desc(statements.createdAt), desc(statements.id))
    .limit(500);
  return { items: rows.map(toStatement) };
};

export const putPracticeProfileHandler: Handler<typeof putPracticeProfile> = async (input, ctx) =>
  ctx.transaction(async (tx) => {
    const now = ctx.clock.now();
    await tx.db
      .insert(practiceProfiles)
      .values({ practiceId: ctx.practiceId, profile: input, updatedAt: now })
      .onConflictDoUpdate({ target: practiceProfiles.practiceId, set: { profile: input, updatedAt: now } });
    return input;
  });

export const getPracticeProfileHandler: Handler<typeof getPracticeProfile> = async (_input, ctx) => {
  const profile = await getPracticeProfileRow(ctx.db, ctx.practiceId);
  if (!profile) throw notFound('practice profile');
  return profile;
};

/** Statements by the month (practice time) they were sent, channel and kind. */
export const statementsSentReportHandler: Handler<typeof statementsSentReport> = async (input, ctx) => {
  if (input.to < input.from) throw unprocessable([{ path: '/to', message: 'is before from' }]);
  const timeZone = (await ctx.agreement).timeZone ?? DEFAULT_TIME_ZONE;
  const localDay = sql`(${statements.sentAt} at time zone ${timeZone})::date`;
  const month = sql<string>`to_char(${statements.sentAt} at time zone ${timeZone}, 'YYYY-MM')`;
  const rows = await ctx.db
    .select({ month, channel: statements.channel, kind: statements.kind, count: sql<number>`count(*)::int`, amount: sql<string>`sum(${statements.amountDueCents})` })
    .from(statements)
    .where(and(eq(statements.practiceId, ctx.practiceId), eq(statements.delivery, 'sent'), sql`${localDay} between ${input.from}::date and ${input.to}::date`))
    // By position: the month's expression carries the zone as a parameter, which GROUP BY cannot match by text.
    .groupBy(sql`1`, sql`2`, sql`3`)
    .orderBy(sql`1`, sql`2`, sql`3`);
  const [queued] = await ctx.db
    .select({ count: sql<number>`count(*)::int` })
    .from(statements)
    .where(and(eq(statements.practiceId, ctx.practiceId), eq(statements.delivery, 'queued')));
  return {
    from: input.from,
    to: input.to,
    rows: rows.map((r) => ({ month: r.month, channel: r.channel, kind: r.kind, statements: r.count, amountDueCents: Number(r.amount) })),
    queued: queued?.count ?? 0,
  };
};
