// A statement run for one practice on its business date: every guarantor with a patient balance is
// decided (domain/statements.ts); the due ones get a statement and enter the dunning sequence. One run
// per practice and date: a second run that day answers with the first and makes nothing.
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { ProblemError } from '@mso/contracts';
import type { StatementRun, StatementSkipReason } from '@mso/contracts/collections';
import { localDate, type JobContext } from '@mso/kit';
import { listGuarantorsWithBalance, type Guarantor } from '../../db/accounts.js';
import { placedGuarantors } from '../../db/agencies.js';
import { dunningPositions, getPolicyRow } from '../../db/dunning.js';
import { guarantorsWithCurrentPlan } from '../../db/plans.js';
import {
  getPracticeProfileRow,
  getRunByDate,
  guarantorsByIds,
  insurancePendingByPatient,
  lastStatementDates,
  openItemsByGuarantor,
  statementRuns,
  type StatementRunRow,
} from '../../db/statements.js';
import { policyOf, startAt } from '../../domain/dunning.js';
import { DEFAULT_MIN_STATEMENT_BALANCE_CENTS, statementDecision } from '../../domain/statements.js';
import { DEFAULT_TIME_ZONE, hasContact, saveStatements, statementValues } from './issue.js';

/** What a run needs of a handler's or a job's context. */
export type RunContext = Pick<JobContext, 'clock' | 'agreements' | 'transaction'>;

export const toRun = (r: StatementRunRow): StatementRun => ({
  id: r.id,
  practiceId: r.practiceId,
  runDate: r.runDate,
  trigger: r.trigger,
  statementCount: r.statementCount,
  amountDueCents: r.amountDueCents,
  statementIds: r.statementIds,
  skipped: r.skipped,
  createdAt: r.createdAt.toISOString(),
});

export const profileMissing = () =>
  new ProblemError('unprocessable', 'the practice has no profile to print on statements: PUT /v1/collections/practice-profile first', [
    { path: '/practice-profile', message: 'not set' },
  ]);

/**
 * Runs statements for `practiceId` for the practice date at `at` (a scheduled run passes its fire time,
 * so a retry keeps the date); `created` is false when that date's run had been made already.
 */
export async function runStatementsFor(ctx: RunContext, practiceId: string, trigger: StatementRun['trigger'], at?: Date): Promise<{ run: StatementRun; created: boolean }> {
  // The agreement is read before the transaction opens (tenancy may be asked for it).
  const agreement = await ctx.agreements.get(practiceId);
  const timeZone = agreement?.timeZone ?? DEFAULT_TIME_ZONE;
  const terms = agreement?.terms.collections ?? {};
  const now = ctx.clock.now();
  const today = localDate(at ?? now, timeZone);
  return ctx.transaction(async (tx) => {
    const { db } = tx;
    const existing = await getRunByDate(db, practiceId, today);
    if (existing) return { run: toRun(existing), created: false };
    const profile = await getPracticeProfileRow(db, practiceId);
    if (!profile) throw profileMissing();
    const runId = randomUUID();
    const [claimed] = await db
      .insert(statementRuns)
      .values({ id: runId, practiceId, runDate: today, trigger, createdAt: now })
      .onConflictDoNothing()
      .returning();
    if (!claimed) return { run: toRun((await getRunByDate(db, practiceId, today))!), created: false };

    const candidates = await listGuarantorsWithBalance(db, practiceId, 0);
    const ids = candidates.map((c) => c.guarantorId);
    const [people, inPlan, placed, lastOn] = await Promise.all([
      guarantorsByIds(db, practiceId, ids),
      guarantorsWithCurrentPlan(db, practiceId, ids),
      placedGuarantors(db, practiceId, ids),
      lastStatementDates(db, practiceId, ids),
    ]);
    const byId = new Map(people.map((g) => [g.id, g]));
    const policy = policyOf(await getPolicyRow(db, practiceId), terms.dunning);
    const minBalanceCents = terms.minStatementBalanceCents ?? DEFAULT_MIN_STATEMENT_BALANCE_CENTS;
    const skipped: { guarantorId: string; reason: StatementSkipReason }[] = [];
    const due: Guarantor[] = [];
    for (const c of candidates) {
      const g = byId.get(c.guarantorId);
      if (!g) continue;
      const decision = statementDecision(
        { balanceCents: c.balanceCents, hold: g.hold, planCurrent: inPlan.has(g.id), placed: placed.has(g.id), lastStatementOn: lastOn.get(g.id) ?? null, hasContact: hasContact(g) },
        { today, minBalanceCents },
      );
      if (decision.due) due.push(g);
      else skipped.push({ guarantorId: g.id, reason: decision.reason });
    }
    const issue = { practiceId, runId, kind: 'statement' as const, date: today, now, profile, practiceTimeZone: timeZone };
    const [items, pending] = await Promise.all([openItemsByGuarantor(db, practiceId, due.map((g) => g.id)), insurancePendingByPatient(db, practiceId, due.map((g) => g.patientId))]);
    const values = due.flatMap((g) => statementValues(issue, g, items.get(g.id) ?? [], pending.get(g.patientId) ?? 0) ?? []);
    const rows = [];
    // In slices, to keep each statement's parameters well under PostgreSQL's limit.
    for (let i = 0; i < values.length; i += 500) rows.push(...(await saveStatements(tx, issue, values.slice(i, i + 500))));
    const statementIds = rows.map((r) => r.id);
    const amountDueCents = rows.reduce((s, r) => s + r.amountDueCents, 0);
    // The first statement starts the dunning sequence; an account already in it keeps its step.
    for (let i = 0; i < rows.length; i += 1000) {
      await db
        .insert(dunningPositions)
        .values(rows.slice(i, i + 1000).map((r) => ({ practiceId, guarantorId: r.guarantorId, ...startAt(today, policy), updatedAt: now })))
        .onConflictDoNothing();
    }
    const [run] = await db
      .update(statementRuns)
      .set({ statementCount: statementIds.length, amountDueCents, statementIds, skipped })
      .where(eq(statementRuns.id, runId))
      .returning();
    return { run: toRun(run!), created: true };
  });
}
