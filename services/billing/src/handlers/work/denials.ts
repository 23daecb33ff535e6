import { randomUUID } from 'node:crypto';
import { and, eq, inArray, isNull, lte, ne, sql, type SQL } from 'drizzle-orm';
import { ProblemError } from '@mso/contracts';
import {
  claimWrittenOff,
  type appealDenial,
  type ClaimStatus,
  type DenialItem,
  type DenialStatus,
  type getDenial,
  type listDenials,
  type resubmitDenial,
  type updateDenial,
  type writeOffDenial,
} from '@mso/contracts/billing';
import { keysetPage, paginate, tenantWhere, type Db, type Handler, type StaffDirectory } from '@mso/kit';
import { claimLines, claims, denialItems, writeOffs, type WorkNote } from '../../db/schema.js';
import { balanceOf } from '../../domain/claim-status.js';
import { describeCarc, describeGroup, describeRarc } from '../../domain/codes/index.js';
import { changeClaim, loadClaimRow, type Actor } from '../claim-store.js';
import { claimWork, correctStoredClaim } from '../claims/lifecycle.js';
import { iso, notFound } from '../common.js';
import { assigneeChange } from './assignee.js';

// The denial work queue: what the payer denied, line by line, and what the biller did about it.

type ItemRow = typeof denialItems.$inferSelect;
type Joined = {
  item: ItemRow;
  claim: typeof claims.$inferSelect;
  line: typeof claimLines.$inferSelect | null;
  writeOff: typeof writeOffs.$inferSelect | null;
};

/** Items a biller can still act on. */
const workable: DenialStatus[] = ['open', 'appealed', 'resubmitted'];
/** Claims whose outcome the payer has on record: what a write-off may close once nothing is left. */
const closable: ClaimStatus[] = ['paid', 'partially-paid', 'denied'];

function selectItems(db: Db, practiceId: string, ...conditions: (SQL | undefined)[]) {
  return db
    .select({ item: denialItems, claim: claims, line: claimLines, writeOff: writeOffs })
    .from(denialItems)
    .innerJoin(claims, and(eq(claims.practiceId, denialItems.practiceId), eq(claims.id, denialItems.claimId)))
    .leftJoin(claimLines, and(eq(claimLines.practiceId, denialItems.practiceId), eq(claimLines.id, denialItems.lineId)))
    .leftJoin(writeOffs, and(eq(writeOffs.practiceId, denialItems.practiceId), eq(writeOffs.denialItemId, denialItems.id)))
    .where(tenantWhere(denialItems.practiceId, practiceId, ...conditions));
}

/** The item as the API shows it; `names`: display names of assignees (`ctx.staff.names`). */
export function toDenialItem({ item, claim, line, writeOff }: Joined, names: ReadonlyMap<string, string>): DenialItem {
  return {
    id: item.id,
    claimId: item.claimId,
    patientControlNumber: claim.patientControlNumber,
    claimStatus: claim.status as ClaimStatus,
    payerId: claim.payerId,
    patientId: claim.patientId,
    line: line
      ? { id: line.id, lineNumber: line.lineNumber, procedureCode: line.procedureCode, modifiers: line.modifiers, serviceDate: line.serviceDate, chargeCents: line.chargeCents, balanceCents: balanceOf(line) }
      : null,
    serviceDate: line?.serviceDate ?? claim.serviceDateFrom,
    adjudicationId: item.adjudicationId,
    deniedOn: item.deniedOn,
    deniedCents: item.deniedCents,
    openBalanceCents: line ? balanceOf(line) : balanceOf(claim),
    reasons: item.adjustments.map((a) => {
      const carc = describeCarc(a.reason);
      return { group: a.group, groupDescription: describeGroup(a.group), reason: a.reason, description: carc.description, known: carc.known, amountCents: a.amountCents };
    }),
    remarks: item.remarks.map(describeRarc),
    status: item.status as DenialStatus,
    resolution: item.resolution,
    assignee: item.assigneeId,
    assigneeName: (item.assigneeId && names.get(item.assigneeId)) ?? null,
    assigneeLabel: item.assigneeLabel,
    followUpOn: item.followUpOn,
    appealDeadline: item.appealDeadline,
    appealedAt: item.appealedAt ? iso(item.appealedAt) : null,
    resubmittedAt: item.resubmittedAt ? iso(item.resubmittedAt) : null,
    resolvedAt: item.resolvedAt ? iso(item.resolvedAt) : null,
    writeOff: writeOff ? { amountCents: writeOff.amountCents, reason: writeOff.reason, note: writeOff.note, writtenOffOn: writeOff.writtenOffOn, by: writeOff.by } : null,
    notes: item.notes,
    createdAt: iso(item.createdAt),
    updatedAt: iso(item.updatedAt),
  };
}

export async function loadDenialItem(db: Db, staff: StaffDirectory, practiceId: string, id: string): Promise<DenialItem> {
  const [row] = await selectItems(db, practiceId, eq(denialItems.id, id));
  if (!row) throw notFound('denial');
  return toDenialItem(row, await staff.names([row.item.assigneeId]));
}

async function lockItem(db: Db, practiceId: string, id: string): Promise<ItemRow> {
  const [row] = await db.select().from(denialItems).where(tenantWhere(denialItems.practiceId, practiceId, eq(denialItems.id, id))).for('update');
  if (!row) throw notFound('denial');
  return row;
}

export const withNote = (notes: readonly WorkNote[], text: string | undefined, actor: Actor): WorkNote[] =>
  text ? [...notes, { at: iso(actor.at), by: actor.by, text }] : [...notes];

function assertWorkable(item: ItemRow, action: string, allowed: readonly string[] = ['open', 'appealed']): void {
  if (!allowed.includes(item.status)) throw new ProblemError('conflict', `cannot ${action} a denial that is ${item.status}${item.resolution ? ` (${item.resolution})` : ''}`);
}

/** `CO-50` → group and reason; `50` → any group. */
function reasonFilter(reason: string | undefined): SQL | undefined {
  if (!reason) return undefined;
  const [group, code] = reason.includes('-') ? reason.toUpperCase().split('-') : [undefined, reason.toUpperCase()];
  const probe = JSON.stringify([group ? { group, reason: code } : { reason: code }]);
  return sql`${denialItems.adjustments} @> ${probe}::jsonb`;
}

function statusFilter(status: string | undefined): SQL | undefined {
  if (status === 'all') return undefined;
  if (status === undefined || status === 'active') return inArray(denialItems.status, workable);
  return eq(denialItems.status, status);
}

export const listDenialsHandler: Handler<typeof listDenials> = async (input, ctx) => {
  const page = keysetPage(denialItems, input, 'asc');
  const rows = await selectItems(
    ctx.db,
    ctx.practiceId,
    page.where,
    statusFilter(input.status),
    input.assignee ? eq(denialItems.assigneeId, input.assignee.toLowerCase()) : undefined,
    input.unassigned ? isNull(denialItems.assigneeId) : undefined,
    input.payerId ? eq(claims.payerId, input.payerId) : undefined,
    input.claimId ? eq(denialItems.claimId, input.claimId) : undefined,
    reasonFilter(input.reason),
    input.followUpBy ? lte(denialItems.followUpOn, input.followUpBy) : undefined,
  )
    .orderBy(...page.orderBy)
    .limit(page.fetch);
  const names = await ctx.staff.names(rows.map((r) => r.item.assigneeId));
  return paginate(
    rows.map((r) => ({ ...r, createdAt: r.item.createdAt, id: r.item.id })),
    page.limit,
    (r) => toDenialItem(r, names),
  );
};

export const getDenialHandler: Handler<typeof getDenial> = async (input, ctx) => loadDenialItem(ctx.db, ctx.staff, ctx.practiceId, input.id);

export const updateDenialHandler: Handler<typeof updateDenial> = async (input, ctx) => {
  const work = await claimWork(ctx);
  const actor = work.actor;
  await ctx.transaction(async (tx) => {
    const item = await lockItem(tx.db, ctx.practiceId, input.id);
    const assignment = await assigneeChange(ctx.staff, input.assignee, ctx.practiceId, work.today);
    await tx.db
      .update(denialItems)
      .set({
        ...assignment,
        ...(input.followUpOn !== undefined ? { followUpOn: input.followUpOn } : {}),
        notes: withNote(item.notes, input.note, actor),
        updatedAt: actor.at,
      })
      .where(tenantWhere(denialItems.practiceId, ctx.practiceId, eq(denialItems.id, item.id)));
  });
  return loadDenialItem(ctx.db, ctx.staff, ctx.practiceId, input.id);
};

export const appealDenialHandler: Handler<typeof appealDenial> = async (input, ctx) => {
  const work = await claimWork(ctx);
  if (input.deadline < work.today) throw new ProblemError('unprocessable', `/deadline: ${input.deadline} is in the past`, [{ path: '/deadline', message: 'must not be in the past' }]);
  await ctx.transaction(async (tx) => {
    const item = await lockItem(tx.db, ctx.practiceId, input.id);
    assertWorkable(item, 'appeal');
    const claim = await loadClaimRow(tx.db, ctx.practiceId, item.claimId, { forUpdate: true });
    await changeClaim(tx.db, claim, { action: 'appealed', note: `appeal deadline ${input.deadline}` }, work.actor);
    await tx.db
      .update(denialItems)
      .set({
        status: 'appealed',
        appealDeadline: input.deadline,
        appealedAt: work.actor.at,
        followUpOn: input.followUpOn ?? input.deadline,
        notes: withNote(item.notes, input.note, work.actor),
        updatedAt: work.actor.at,
      })
      .where(tenantWhere(denialItems.practiceId, ctx.practiceId, eq(denialItems.id, item.id)));
  });
  return loadDenialItem(ctx.db, ctx.staff, ctx.practiceId, input.id);
};

/**
 * Correct and resubmit: the claim reopens as a corrected claim (frequency 7, draft, scrubbed) for the
 * biller to fix and submit; every unfinished denial of the claim is then `resubmitted`, settled by the
 * payer's answer to the corrected claim.
 */
export const resubmitDenialHandler: Handler<typeof resubmitDenial> = async (input, ctx) => {
  const work = await claimWork(ctx);
  await ctx.transaction(async (tx) => {
    const item = await lockItem(tx.db, ctx.practiceId, input.id);
    assertWorkable(item, 'resubmit');
    const claim = await loadClaimRow(tx.db, ctx.practiceId, item.claimId, { forUpdate: true });
    // Already reopened as a corrected claim (from the claim itself): the items just follow it.
    const reopened = claim.frequencyCode === '7' && (claim.status === 'draft' || claim.status === 'ready');
    if (!reopened) await correctStoredClaim(tx.db, claim, work, input.note ?? `correcting denied ${item.lineId ? 'line' : 'claim'} to resubmit`);
    await tx.db
      .update(denialItems)
      .set({ status: 'resubmitted', resubmittedAt: work.actor.at, updatedAt: work.actor.at })
      .where(tenantWhere(denialItems.practiceId, ctx.practiceId, eq(denialItems.claimId, item.claimId), inArray(denialItems.status, ['open', 'appealed'])));
    if (input.note) {
      await tx.db
        .update(denialItems)
        .set({ notes: withNote(item.notes, input.note, work.actor) })
        .where(tenantWhere(denialItems.practiceId, ctx.practiceId, eq(denialItems.id, item.id)));
    }
  });
  return loadDenialItem(ctx.db, ctx.staff, ctx.practiceId, input.id);
};

/**
 * Writes off what is open on the denied line (or claim), or part of it: the line's and the claim's
 * adjustments grow by the amount, a write-off record keeps who and why, and `billing.claim.written-off`
 * is published. A claim with nothing left open and no other denial to work is closed.
 */
export const writeOffDenialHandler: Handler<typeof writeOffDenial> = async (input, ctx) => {
  const work = await claimWork(ctx);
  await ctx.transaction(async (tx) => {
    const item = await lockItem(tx.db, ctx.practiceId, input.id);
    assertWorkable(item, 'write off');
    const claim = await loadClaimRow(tx.db, ctx.practiceId, item.claimId, { forUpdate: true });
    const [line] = item.lineId
      ? await tx.db.select().from(claimLines).where(tenantWhere(claimLines.practiceId, ctx.practiceId, eq(claimLines.id, item.lineId))).for('update')
      : [undefined];
    const open = Math.max(0, line ? balanceOf(line) : balanceOf(claim));
    const amount = input.amountCents ?? open;
    if (amount > open) throw new ProblemError('unprocessable', `/amountCents: at most the open balance of ${open} cents`, [{ path: '/amountCents', message: `at most ${open}` }]);

    if (line && amount) {
      await tx.db
        .update(claimLines)
        .set({ adjustmentCents: line.adjustmentCents + amount })
        .where(tenantWhere(claimLines.practiceId, ctx.practiceId, eq(claimLines.id, line.id)));
    }
    const others = await tx.db
      .select({ id: denialItems.id })
      .from(denialItems)
      .where(tenantWhere(denialItems.practiceId, ctx.practiceId, eq(denialItems.claimId, claim.id), ne(denialItems.id, item.id), inArray(denialItems.status, workable)));
    const left = balanceOf(claim) - amount;
    const close = left <= 0 && others.length === 0 && closable.includes(claim.status as ClaimStatus);
    await changeClaim(
      tx.db,
      claim,
      { ...(close ? { to: 'closed' as const } : {}), action: 'written-off', note: `${input.reason}: ${amount} cents`, set: { adjustmentCents: claim.adjustmentCents + amount } },
      work.actor,
    );
    await tx.db.insert(writeOffs).values({
      id: randomUUID(),
      practiceId: ctx.practiceId,
      claimId: claim.id,
      lineId: item.lineId,
      denialItemId: item.id,
      amountCents: amount,
      reason: input.reason,
      note: input.note ?? null,
      writtenOffOn: work.today,
      by: work.actor.by,
      at: work.actor.at,
    });
    await tx.db
      .update(denialItems)
      .set({ status: 'written-off', notes: withNote(item.notes, input.note, work.actor), updatedAt: work.actor.at })
      .where(tenantWhere(denialItems.practiceId, ctx.practiceId, eq(denialItems.id, item.id)));
    await tx.emit(claimWrittenOff, { claimId: claim.id, amountCents: amount, reason: input.reason, writtenOffOn: work.today }, { subject: claim.id });
  });
  return loadDenialItem(ctx.db, ctx.staff, ctx.practiceId, input.id);
};
