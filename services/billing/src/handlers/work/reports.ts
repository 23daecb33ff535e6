import { and, between, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { ProblemError } from '@mso/contracts';
import { claimStatuses, type claimsByStatusReport, type revenueCycleByPracticeReport, type revenueCycleReport } from '@mso/contracts/billing';
import { addDays, localDate, tenantWhere, type Db, type Handler } from '@mso/kit';
import { claimAdjudications, claims } from '../../db/schema.js';
import { daysBetween } from '../../domain/work/deadlines.js';
import type { Posting } from '../../domain/work/denials.js';
import {
  agingBucket,
  agingBuckets,
  contractualCents,
  DEFAULT_PERIOD_DAYS,
  daysInAr,
  denialRateOf,
  netCollectionRate,
  percent,
  receivableStatuses,
  totalOf,
  type Report,
} from '../../domain/work/reports.js';

// Revenue-cycle reports for a practice, and for every practice (MSO roles, across the tenant wall).

const MAX_PERIOD_DAYS = 3 * 366;
const balance = sql<string>`sum(${claims.chargeCents} - ${claims.paidCents} - ${claims.adjustmentCents} - ${claims.patientResponsibilityCents})`;

const openBalance = sql`${claims.chargeCents} - ${claims.paidCents} - ${claims.adjustmentCents} - ${claims.patientResponsibilityCents} <> 0`;

interface Period {
  from: string;
  to: string;
  today: string;
  timeZone: string;
}

/** The period asked for, defaulting to the 90 days up to today in the practice's zone. */
export function periodOf(input: { from?: string | undefined; to?: string | undefined }, now: Date, timeZone: string): Period {
  const today = localDate(now, timeZone);
  const to = input.to ?? today;
  const from = input.from ?? addDays(to, -(DEFAULT_PERIOD_DAYS - 1));
  if (from > to) throw new ProblemError('validation-failed', '/from: after to', [{ path: '/from', message: 'must not be after to' }]);
  if (daysBetween(from, to) >= MAX_PERIOD_DAYS) throw new ProblemError('validation-failed', `/from: at most ${MAX_PERIOD_DAYS} days at a time`, [{ path: '/from', message: 'period too long' }]);
  return { from, to, today, timeZone };
}

async function claimsByStatus(db: Db, practiceId: string): Promise<Report['claimsByStatus']> {
  const rows = await db
    .select({ status: claims.status, claims: sql<number>`count(*)::int`, chargeCents: sql<string>`sum(${claims.chargeCents})`, balanceCents: balance })
    .from(claims)
    .where(tenantWhere(claims.practiceId, practiceId))
    .groupBy(claims.status);
  return claimStatuses.map((status) => {
    const r = rows.find((x) => x.status === status);
    return { status, claims: r?.claims ?? 0, chargeCents: Number(r?.chargeCents ?? 0), balanceCents: Number(r?.balanceCents ?? 0) };
  });
}

/** The practice's business date of a timestamp column. */
const localDay = (column: typeof claims.firstSubmittedAt, timeZone: string) => sql<string>`((${column} at time zone ${timeZone})::date)`;

export async function revenueCycle(db: Db, practiceId: string, period: Period, now: Date): Promise<Report> {
  const { from, to, today, timeZone } = period;
  const submittedOn = localDay(claims.firstSubmittedAt, timeZone);
  const periodDays = daysBetween(from, to) + 1;

  const [byStatus, ageRows, [submitted], postingRows, [collected], adjustmentRows] = await Promise.all([
    claimsByStatus(db, practiceId),
    // Open balances by days since first submission (one row per day, bucketed below).
    db
      .select({ age: sql<number>`(${today}::date - ${submittedOn})::int`, claims: sql<number>`count(*)::int`, balanceCents: balance })
      .from(claims)
      .where(tenantWhere(claims.practiceId, practiceId, inArray(claims.status, [...receivableStatuses]), isNotNull(claims.firstSubmittedAt), openBalance))
      .groupBy(sql`1`),
    db
      .select({
        chargesCents: sql<string>`coalesce(sum(${claims.chargeCents}), 0)`,
        clean: sql<number>`(count(*) filter (where ${claims.acceptedOnFirstSubmission}))::int`,
        answered: sql<number>`(count(*) filter (where ${claims.acceptedOnFirstSubmission} is not null))::int`,
        awaiting: sql<number>`(count(*) filter (where ${claims.acceptedOnFirstSubmission} is null))::int`,
      })
      .from(claims)
      .where(tenantWhere(claims.practiceId, practiceId, isNotNull(claims.firstSubmittedAt), sql`${submittedOn} between ${from}::date and ${to}::date`)),
    db
      .select({
        posting: claimAdjudications,
        chargeCents: claims.chargeCents,
        reversed: sql<boolean>`exists (select 1 from ${claimAdjudications} r where r.practice_id = ${claimAdjudications.practiceId} and r.reverses_id = ${claimAdjudications.id})`,
      })
      .from(claimAdjudications)
      .innerJoin(claims, and(eq(claims.practiceId, claimAdjudications.practiceId), eq(claims.id, claimAdjudications.claimId)))
      .where(tenantWhere(claimAdjudications.practiceId, practiceId, between(claimAdjudications.paymentDate, from, to))),
    // Net collections: claims with a date of service in the period that went to a payer.
    db
      .select({ chargesCents: sql<string>`coalesce(sum(${claims.chargeCents}), 0)`, paidCents: sql<string>`coalesce(sum(${claims.paidCents}), 0)` })
      .from(claims)
      .where(tenantWhere(claims.practiceId, practiceId, isNotNull(claims.firstSubmittedAt), between(claims.serviceDateFrom, from, to))),
    db
      .select({ adjustments: claimAdjudications.adjustments })
      .from(claimAdjudications)
      .innerJoin(claims, and(eq(claims.practiceId, claimAdjudications.practiceId), eq(claims.id, claimAdjudications.claimId)))
      .where(tenantWhere(claimAdjudications.practiceId, practiceId, isNotNull(claims.firstSubmittedAt), between(claims.serviceDateFrom, from, to))),
  ]);

  const aging = agingBuckets.map((bucket) => {
    const rows = ageRows.filter((r) => agingBucket(r.age) === bucket);
    return { bucket, claims: rows.reduce((n, r) => n + r.claims, 0), balanceCents: rows.reduce((n, r) => n + Number(r.balanceCents), 0) };
  });
  const arBalanceCents = aging.reduce((n, a) => n + a.balanceCents, 0);
  const chargesCents = Number(submitted?.chargesCents ?? 0);

  const postings: Posting[] = postingRows.map(({ posting: p, reversed }) => ({
    id: p.id,
    claimId: p.claimId,
    statusCode: p.statusCode,
    reversal: p.reversal,
    reversed,
    paymentDate: p.paymentDate,
    postedAt: p.postedAt,
    paidCents: p.paidCents,
    adjustments: p.adjustments,
    lines: p.lines,
    remarks: p.remarks,
  }));
  const chargeByClaim = new Map(postingRows.map((r) => [r.posting.claimId, r.chargeCents]));
  const clean = submitted?.clean ?? 0;
  const answered = submitted?.answered ?? 0;

  return {
    practiceId,
    from,
    to,
    asOf: now.toISOString(),
    claimsByStatus: byStatus,
    daysInAr: { arBalanceCents, chargesCents, periodDays, days: daysInAr(arBalanceCents, chargesCents, periodDays), aging },
    cleanClaimRate: { acceptedOnFirstSubmission: clean, answered, awaitingAnswer: submitted?.awaiting ?? 0, percent: percent(clean, answered) },
    denialRate: denialRateOf(postings, chargeByClaim),
    netCollectionRate: netCollectionRate(
      Number(collected?.chargesCents ?? 0),
      adjustmentRows.reduce((n, r) => n + contractualCents(r.adjustments), 0),
      Number(collected?.paidCents ?? 0),
    ),
  };
}

export const claimsByStatusHandler: Handler<typeof claimsByStatusReport> = async (_input, ctx) => ({
  asOf: ctx.clock.now().toISOString(),
  items: await claimsByStatus(ctx.db, ctx.practiceId),
});

export const revenueCycleHandler: Handler<typeof revenueCycleReport> = async (input, ctx) => {
  const now = ctx.clock.now();
  return revenueCycle(ctx.db, ctx.practiceId, periodOf(input, now, (await ctx.agreement).timeZone), now);
};

/** Every practice that buys billing, each in its own time zone, and their total. */
export const revenueCycleByPracticeHandler: Handler<typeof revenueCycleByPracticeReport> = async (input, ctx) => {
  const now = ctx.clock.now();
  const agreements = (await ctx.agreements.list()).filter((a) => a.services.includes('billing')).sort((a, b) => a.practiceId.localeCompare(b.practiceId));
  const periods = agreements.map((a) => ({ practiceId: a.practiceId, period: periodOf(input, now, a.timeZone) }));
  const fallback = periodOf(input, now, 'UTC');
  return ctx.acrossPractices('report.revenue-cycle-by-practice: billing measures of every practice', async (all) => {
    const items: Report[] = [];
    for (const { practiceId, period } of periods) items.push(await revenueCycle(all.db, practiceId, period, now));
    return { items, total: totalOf(items, { from: fallback.from, to: fallback.to, asOf: now.toISOString() }) };
  });
};
