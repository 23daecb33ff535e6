import { randomUUID } from 'node:crypto';
import { and, asc, eq, gt, inArray, lte, notInArray, or, sql, type SQL } from 'drizzle-orm';
import type { BillingTerms, ClaimStatus, listMissingEras, listTimelyFiling, MissingEraItem, updateMissingEra } from '@mso/contracts/billing';
import { addDays, decodeCursor, encodeCursor, keysetPage, localDate, paginate, tenantWhere, type Db, type Handler, type HandlerContext, type JobContext } from '@mso/kit';
import { claimAdjudications, claims, missingEraItems, payers, timelyFilingDeadlines } from '../../db/schema.js';
import { balanceOf } from '../../domain/claim-status.js';
import { daysBetween, isMissingEra, missingEraThreshold, timelyFilingDeadline, timelyFilingLimit, unadjudicatedStatuses, type PayerTerms } from '../../domain/work/deadlines.js';
import { iso, notFound } from '../common.js';
import { assigneeChange } from './assignee.js';
import { withNote } from './denials.js';

// The daily follow-up job and the two queues it keeps: claims the payer has not answered for too long
// (missing ERA) and the timely-filing deadline of every claim the payer has not adjudicated.

const CHUNK = 1000;
const awaitingPayer: ClaimStatus[] = ['submitted', 'accepted'];

/** The practice's business date and billing terms, from its agreement. */
async function practiceDay(ctx: Pick<JobContext, 'agreements'>, practiceId: string, at: Date): Promise<{ today: string; timeZone: string; terms: BillingTerms | undefined }> {
  const agreement = await ctx.agreements.get(practiceId);
  const timeZone = agreement?.timeZone ?? 'UTC';
  return { today: localDate(at, timeZone), timeZone, terms: agreement?.terms.billing };
}

/**
 * `claim-follow-up`, every morning in the practice's zone: recomputes the timely-filing deadlines,
 * queues claims sent longer ago than the payer's threshold without a remittance, and resolves queued
 * claims that were answered, sent again, or left the payer's hands. Idempotent per day.
 */
export async function runClaimFollowUp(ctx: JobContext): Promise<void> {
  const practiceId = ctx.tenant;
  if (!practiceId) return;
  const now = ctx.clock.now();
  const { today, timeZone, terms } = await practiceDay(ctx, practiceId, ctx.tick);
  await ctx.transaction(async (tx) => {
    const payerRows = await tx.db.select({ id: payers.id, ediPayerId: payers.ediPayerId, timelyFilingDays: payers.timelyFilingDays }).from(payers).where(tenantWhere(payers.practiceId, practiceId));
    const payerById = new Map<string, PayerTerms>(payerRows.map((p) => [p.id, p]));
    const pending = await tx.db
      .select({ id: claims.id, payerId: claims.payerId, serviceDateFrom: claims.serviceDateFrom })
      .from(claims)
      .where(tenantWhere(claims.practiceId, practiceId, inArray(claims.status, [...unadjudicatedStatuses])));
    await keepDeadlines(tx.db, practiceId, pending, payerById, terms, now);

    // Sent, unanswered: no posting since the last submission.
    const silent = await tx.db
      .select({ id: claims.id, payerId: claims.payerId, lastSubmittedAt: claims.lastSubmittedAt })
      .from(claims)
      .where(
        tenantWhere(
          claims.practiceId,
          practiceId,
          inArray(claims.status, awaitingPayer),
          sql`${claims.lastSubmittedAt} is not null`,
          sql`not exists (select 1 from ${claimAdjudications} where ${claimAdjudications.practiceId} = ${claims.practiceId} and ${claimAdjudications.claimId} = ${claims.id} and ${claimAdjudications.postedAt} >= ${claims.lastSubmittedAt})`,
        ),
      );
    const overdue = silent.flatMap((c) => {
      const payer = payerById.get(c.payerId);
      if (!payer || !c.lastSubmittedAt) return [];
      const thresholdDays = missingEraThreshold(payer, terms);
      const submittedOn = localDate(c.lastSubmittedAt, timeZone);
      return isMissingEra(submittedOn, today, thresholdDays) ? [{ claimId: c.id, submittedAt: c.lastSubmittedAt, thresholdDays, overdueSince: addDays(submittedOn, thresholdDays + 1) }] : [];
    });
    for (let i = 0; i < overdue.length; i += CHUNK) {
      await tx.db
        .insert(missingEraItems)
        .values(overdue.slice(i, i + CHUNK).map((o) => ({ id: randomUUID(), practiceId, ...o, status: 'open', notes: [], createdAt: now, updatedAt: now })))
        .onConflictDoNothing();
    }
    await resolveAnswered(tx.db, practiceId, new Set(overdue.map((o) => `${o.claimId}|${o.submittedAt.getTime()}`)), now);
  });
}

async function keepDeadlines(db: Db, practiceId: string, pending: { id: string; payerId: string; serviceDateFrom: string }[], payerById: Map<string, PayerTerms>, terms: BillingTerms | undefined, now: Date) {
  const rows = pending.flatMap((c) => {
    const payer = payerById.get(c.payerId);
    if (!payer) return [];
    const limit = timelyFilingLimit(payer, terms);
    return [{ practiceId, claimId: c.id, limitDays: limit.days, limitSource: limit.source, deadline: timelyFilingDeadline(c.serviceDateFrom, limit.days), computedAt: now }];
  });
  for (let i = 0; i < rows.length; i += CHUNK) {
    await db
      .insert(timelyFilingDeadlines)
      .values(rows.slice(i, i + CHUNK))
      .onConflictDoUpdate({
        target: [timelyFilingDeadlines.practiceId, timelyFilingDeadlines.claimId],
        set: { limitDays: sql`excluded.limit_days`, limitSource: sql`excluded.limit_source`, deadline: sql`excluded.deadline`, computedAt: sql`excluded.computed_at` },
      });
  }
  const stillPending = db.select({ id: claims.id }).from(claims).where(tenantWhere(claims.practiceId, practiceId, inArray(claims.status, [...unadjudicatedStatuses])));
  await db.delete(timelyFilingDeadlines).where(tenantWhere(timelyFilingDeadlines.practiceId, practiceId, notInArray(timelyFilingDeadlines.claimId, stillPending)));
}

/** Open items whose claim is no longer overdue on the same submission. */
async function resolveAnswered(db: Db, practiceId: string, stillOverdue: Set<string>, now: Date) {
  const open = await db
    .select({ id: missingEraItems.id, claimId: missingEraItems.claimId, submittedAt: missingEraItems.submittedAt, status: claims.status, lastSubmittedAt: claims.lastSubmittedAt })
    .from(missingEraItems)
    .innerJoin(claims, and(eq(claims.practiceId, missingEraItems.practiceId), eq(claims.id, missingEraItems.claimId)))
    .where(tenantWhere(missingEraItems.practiceId, practiceId, eq(missingEraItems.status, 'open')));
  const byResolution = new Map<string, string[]>();
  for (const item of open) {
    if (stillOverdue.has(`${item.claimId}|${item.submittedAt.getTime()}`)) continue;
    const resolution =
      item.lastSubmittedAt && item.lastSubmittedAt > item.submittedAt
        ? 'resubmitted'
        : awaitingPayer.includes(item.status as ClaimStatus) || !unadjudicatedStatuses.includes(item.status as ClaimStatus)
          ? 'remittance-received'
          : `claim-${item.status}`;
    byResolution.set(resolution, [...(byResolution.get(resolution) ?? []), item.id]);
  }
  for (const [resolution, ids] of byResolution) {
    await db
      .update(missingEraItems)
      .set({ status: 'resolved', resolution, resolvedAt: now, updatedAt: now })
      .where(tenantWhere(missingEraItems.practiceId, practiceId, inArray(missingEraItems.id, ids)));
  }
}

// ---- Routes ----------------------------------------------------------------------------------------

async function today(ctx: HandlerContext): Promise<string> {
  return localDate(ctx.clock.now(), (await ctx.agreement).timeZone);
}

function selectMissingEras(db: Db, practiceId: string, ...conditions: (SQL | undefined)[]) {
  return db
    .select({ item: missingEraItems, claim: claims, deadline: timelyFilingDeadlines })
    .from(missingEraItems)
    .innerJoin(claims, and(eq(claims.practiceId, missingEraItems.practiceId), eq(claims.id, missingEraItems.claimId)))
    .leftJoin(timelyFilingDeadlines, and(eq(timelyFilingDeadlines.practiceId, missingEraItems.practiceId), eq(timelyFilingDeadlines.claimId, missingEraItems.claimId)))
    .where(tenantWhere(missingEraItems.practiceId, practiceId, ...conditions));
}
type MissingEraRow = Awaited<ReturnType<typeof selectMissingEras>>[number];

/** `names`: display names of assignees (`ctx.staff.names`). */
function toMissingEraItem({ item, claim, deadline }: MissingEraRow, names: ReadonlyMap<string, string>, on: string, timeZone: string): MissingEraItem {
  return {
    id: item.id,
    claimId: claim.id,
    patientControlNumber: claim.patientControlNumber,
    claimStatus: claim.status as ClaimStatus,
    payerId: claim.payerId,
    submittedAt: iso(item.submittedAt),
    submissionCount: claim.submissionCount,
    daysSinceSubmission: daysBetween(localDate(item.submittedAt, timeZone), on),
    thresholdDays: item.thresholdDays,
    overdueSince: item.overdueSince,
    chargeCents: claim.chargeCents,
    balanceCents: balanceOf(claim),
    timelyFiling: deadline ? { deadline: deadline.deadline, daysLeft: daysBetween(on, deadline.deadline), limitDays: deadline.limitDays, limitSource: deadline.limitSource } : null,
    status: item.status as MissingEraItem['status'],
    resolution: item.resolution,
    assignee: item.assigneeId,
    assigneeName: (item.assigneeId && names.get(item.assigneeId)) ?? null,
    assigneeLabel: item.assigneeLabel,
    followUpOn: item.followUpOn,
    notes: item.notes,
    resolvedAt: item.resolvedAt ? iso(item.resolvedAt) : null,
    createdAt: iso(item.createdAt),
    updatedAt: iso(item.updatedAt),
  };
}

export const listMissingErasHandler: Handler<typeof listMissingEras> = async (input, ctx) => {
  const { timeZone } = await ctx.agreement;
  const on = localDate(ctx.clock.now(), timeZone);
  const page = keysetPage(missingEraItems, input, 'asc');
  const status = input.status ?? 'open';
  const rows = await selectMissingEras(
    ctx.db,
    ctx.practiceId,
    page.where,
    status === 'all' ? undefined : eq(missingEraItems.status, status),
    input.payerId ? eq(claims.payerId, input.payerId) : undefined,
    input.assignee ? eq(missingEraItems.assigneeId, input.assignee.toLowerCase()) : undefined,
  )
    .orderBy(...page.orderBy)
    .limit(page.fetch);
  const names = await ctx.staff.names(rows.map((r) => r.item.assigneeId));
  return paginate(
    rows.map((r) => ({ ...r, createdAt: r.item.createdAt, id: r.item.id })),
    page.limit,
    (r) => toMissingEraItem(r, names, on, timeZone),
  );
};

export const updateMissingEraHandler: Handler<typeof updateMissingEra> = async (input, ctx) => {
  const { timeZone } = await ctx.agreement;
  const actor = { by: ctx.principal.id, at: ctx.clock.now() };
  await ctx.transaction(async (tx) => {
    const [item] = await tx.db.select().from(missingEraItems).where(tenantWhere(missingEraItems.practiceId, ctx.practiceId, eq(missingEraItems.id, input.id))).for('update');
    if (!item) throw notFound('missing-ERA item');
    const assignment = await assigneeChange(ctx.staff, input.assignee, ctx.practiceId, localDate(actor.at, timeZone));
    await tx.db
      .update(missingEraItems)
      .set({
        ...assignment,
        ...(input.followUpOn !== undefined ? { followUpOn: input.followUpOn } : {}),
        notes: withNote(item.notes, input.note, actor),
        updatedAt: actor.at,
      })
      .where(tenantWhere(missingEraItems.practiceId, ctx.practiceId, eq(missingEraItems.id, item.id)));
  });
  const [row] = await selectMissingEras(ctx.db, ctx.practiceId, eq(missingEraItems.id, input.id));
  return toMissingEraItem(row!, await ctx.staff.names([row!.item.assigneeId]), localDate(ctx.clock.now(), timeZone), timeZone);
};

export const listTimelyFilingHandler: Handler<typeof listTimelyFiling> = async (input, ctx) => {
  const on = await today(ctx);
  const limit = input.limit ?? 50;
  const after = decodeCursor(input.cursor);
  const rows = await ctx.db
    .select({ deadline: timelyFilingDeadlines, claim: claims })
    .from(timelyFilingDeadlines)
    .innerJoin(claims, and(eq(claims.practiceId, timelyFilingDeadlines.practiceId), eq(claims.id, timelyFilingDeadlines.claimId)))
    .where(
      tenantWhere(
        timelyFilingDeadlines.practiceId,
        ctx.practiceId,
        // A claim adjudicated since the job ran has left the countdown already.
        inArray(claims.status, [...unadjudicatedStatuses]),
        input.withinDays !== undefined ? lte(timelyFilingDeadlines.deadline, addDays(on, input.withinDays)) : undefined,
        input.payerId ? eq(claims.payerId, input.payerId) : undefined,
        after
          ? or(gt(timelyFilingDeadlines.deadline, after.createdAt), and(eq(timelyFilingDeadlines.deadline, after.createdAt), gt(timelyFilingDeadlines.claimId, after.id)))
          : undefined,
      ),
    )
    .orderBy(asc(timelyFilingDeadlines.deadline), asc(timelyFilingDeadlines.claimId))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(({ deadline, claim }) => ({
      claimId: claim.id,
      patientControlNumber: claim.patientControlNumber,
      claimStatus: claim.status as ClaimStatus,
      payerId: claim.payerId,
      serviceDate: claim.serviceDateFrom,
      chargeCents: claim.chargeCents,
      deadline: deadline.deadline,
      daysLeft: daysBetween(on, deadline.deadline),
      limitDays: deadline.limitDays,
      limitSource: deadline.limitSource,
      computedAt: iso(deadline.computedAt),
    })),
    nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.deadline.deadline, id: last.claim.id }) : null,
  };
};
