import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { ProblemError } from '@mso/contracts';
import type { Adjudication, Claim, ClaimHistoryEntry, ClaimLine, ClaimStatus, ClaimSummary } from '@mso/contracts/billing';
import { tenantWhere, type Db } from '@mso/kit';
import { claimAdjudications, claimHistory, claimLines, claims } from '../db/schema.js';
import { assertTransition, balanceOf } from '../domain/claim-status.js';
import { iso, notFound } from './common.js';

// Loading, creating and changing claims: every handler that touches a claim goes through here, so
// each change bumps the claim's version and lands in its history.

export type ClaimRow = typeof claims.$inferSelect;
export type ClaimLineRow = typeof claimLines.$inferSelect;
export type NewClaimRow = Omit<typeof claims.$inferInsert, 'id' | 'practiceId' | 'version' | 'createdAt' | 'updatedAt' | 'paidCents' | 'adjustmentCents' | 'patientResponsibilityCents' | 'submissionCount'> & { id?: string };
export type NewClaimLineRow = Omit<typeof claimLines.$inferInsert, 'id' | 'practiceId' | 'claimId' | 'paidCents' | 'adjustmentCents' | 'patientResponsibilityCents' | 'denied'>;

/** Who did it, for the history: the principal's id (an API key or `system`). */
export interface Actor {
  by: string;
  at: Date;
}

export async function loadClaimRow(db: Db, practiceId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<ClaimRow> {
  const query = db.select().from(claims).where(tenantWhere(claims.practiceId, practiceId, eq(claims.id, id)));
  const [row] = options.forUpdate ? await query.for('update') : await query;
  if (!row) throw notFound('claim');
  return row;
}

export async function loadClaimLines(db: Db, practiceId: string, claimId: string): Promise<ClaimLineRow[]> {
  return db.select().from(claimLines).where(tenantWhere(claimLines.practiceId, practiceId, eq(claimLines.claimId, claimId))).orderBy(asc(claimLines.lineNumber));
}

/** The claim as `GET /v1/billing/claims/{id}` shows it: lines, adjudications and history included. */
export async function loadClaim(db: Db, practiceId: string, id: string): Promise<Claim> {
  const row = await loadClaimRow(db, practiceId, id);
  return claimView(db, row);
}

export async function claimView(db: Db, row: ClaimRow): Promise<Claim> {
  const [lines, adjudications, history] = await Promise.all([
    loadClaimLines(db, row.practiceId, row.id),
    db.select().from(claimAdjudications).where(tenantWhere(claimAdjudications.practiceId, row.practiceId, eq(claimAdjudications.claimId, row.id))).orderBy(asc(claimAdjudications.postedAt), asc(claimAdjudications.id)),
    db.select().from(claimHistory).where(tenantWhere(claimHistory.practiceId, row.practiceId, eq(claimHistory.claimId, row.id))).orderBy(asc(claimHistory.seq)),
  ]);
  return {
    ...toClaimSummary(row),
    findings: row.findings,
    lines: lines.map(toClaimLine),
    adjudications: adjudications.map(toAdjudication),
    history: history.map(toHistoryEntry),
  };
}

export function toClaimSummary(r: ClaimRow): ClaimSummary {
  return {
    id: r.id,
    practiceId: r.practiceId,
    patientControlNumber: r.patientControlNumber,
    status: r.status as ClaimStatus,
    frequencyCode: r.frequencyCode as Claim['frequencyCode'],
    payerClaimControlNumber: r.payerClaimControlNumber,
    encounterId: r.encounterId,
    importId: r.importId,
    patientId: r.patientId,
    coverageId: r.coverageId,
    payerId: r.payerId,
    billingProviderId: r.billingProviderId,
    renderingProviderId: r.renderingProviderId,
    referringProvider: r.referringProvider ?? null,
    placeOfService: r.placeOfService,
    diagnoses: r.diagnoses,
    serviceDateFrom: r.serviceDateFrom,
    serviceDateTo: r.serviceDateTo,
    priorAuthorization: r.priorAuthorization,
    chargeCents: r.chargeCents,
    paidCents: r.paidCents,
    adjustmentCents: r.adjustmentCents,
    patientResponsibilityCents: r.patientResponsibilityCents,
    balanceCents: balanceOf(r),
    submissionCount: r.submissionCount,
    firstSubmittedAt: r.firstSubmittedAt ? iso(r.firstSubmittedAt) : null,
    lastSubmittedAt: r.lastSubmittedAt ? iso(r.lastSubmittedAt) : null,
    batchId: r.batchId,
    forwardedTo: r.forwardedTo,
    rejection: r.rejection ?? null,
    version: r.version,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
  };
}

export function toClaimLine(l: ClaimLineRow): ClaimLine {
  return {
    id: l.id,
    lineNumber: l.lineNumber,
    procedureCode: l.procedureCode,
    modifiers: l.modifiers,
    units: l.units,
    chargeCents: l.chargeCents,
    diagnosisPointers: l.diagnosisPointers,
    serviceDate: l.serviceDate,
    placeOfService: l.placeOfService,
    renderingProviderId: l.renderingProviderId,
    lineControlNumber: l.lineControlNumber,
    paidCents: l.paidCents,
    adjustmentCents: l.adjustmentCents,
    patientResponsibilityCents: l.patientResponsibilityCents,
    balanceCents: balanceOf(l),
    denied: l.denied,
  };
}

function toAdjudication(a: typeof claimAdjudications.$inferSelect): Adjudication {
  return {
    id: a.id,
    source: a.source as Adjudication['source'],
    remittanceId: a.remittanceId,
    statusCode: a.statusCode,
    reversal: a.reversal,
    reversesId: a.reversesId,
    payerClaimControlNumber: a.payerClaimControlNumber,
    paidCents: a.paidCents,
    patientResponsibilityCents: a.patientResponsibilityCents,
    adjustments: a.adjustments,
    lines: a.lines,
    remarks: a.remarks,
    postedAt: iso(a.postedAt),
    postedBy: a.postedBy,
    paymentDate: a.paymentDate,
  };
}

function toHistoryEntry(h: typeof claimHistory.$inferSelect): ClaimHistoryEntry {
  return { at: iso(h.at), action: h.action, from: (h.fromStatus as ClaimStatus | null) ?? null, to: h.toStatus as ClaimStatus, by: h.by, note: h.note };
}

/** Creates a claim with its lines and its first history entry (`created`). In the caller's transaction. */
export async function insertClaim(tx: Db, practiceId: string, claim: NewClaimRow, lines: readonly NewClaimLineRow[], actor: Actor, note: string | null = null): Promise<ClaimRow> {
  const id = claim.id ?? randomUUID();
  const [row] = await tx
    .insert(claims)
    .values({ ...claim, id, practiceId, paidCents: 0, adjustmentCents: 0, patientResponsibilityCents: 0, submissionCount: 0, version: 1, createdAt: actor.at, updatedAt: actor.at })
    .returning();
  if (lines.length) {
    await tx.insert(claimLines).values(lines.map((l) => ({ ...l, id: randomUUID(), practiceId, claimId: id, paidCents: 0, adjustmentCents: 0, patientResponsibilityCents: 0, denied: false })));
  }
  await recordHistory(tx, row!, { action: 'created', from: null, to: row!.status as ClaimStatus, note }, actor);
  return row!;
}

/**
 * Moves a claim to `to` (checked against the status machine) and applies `set` with it, in the
 * caller's transaction. The update names the version it loaded: a concurrent change answers 409
 * instead of being overwritten. Returns the updated row.
 */
export async function changeClaim(
  tx: Db,
  row: ClaimRow,
  change: { to?: ClaimStatus; action: string; note?: string | null; set?: Partial<Omit<typeof claims.$inferInsert, 'id' | 'practiceId' | 'version'>> },
  actor: Actor,
): Promise<ClaimRow> {
  const from = row.status as ClaimStatus;
  const to = change.to ?? from;
  assertTransition(from, to, change.action);
  const [updated] = await tx
    .update(claims)
    .set({ ...change.set, status: to, version: row.version + 1, updatedAt: actor.at })
    .where(and(eq(claims.practiceId, row.practiceId), eq(claims.id, row.id), eq(claims.version, row.version)))
    .returning();
  if (!updated) throw new ProblemError('conflict', 'the claim changed meanwhile: load it again and retry');
  await recordHistory(tx, updated, { action: change.action, from, to, note: change.note ?? null }, actor);
  return updated;
}

export async function recordHistory(tx: Db, claim: Pick<ClaimRow, 'id' | 'practiceId'>, entry: { action: string; from: ClaimStatus | null; to: ClaimStatus; note: string | null }, actor: Actor): Promise<void> {
  await tx.insert(claimHistory).values({
    id: randomUUID(),
    practiceId: claim.practiceId,
    claimId: claim.id,
    seq: sql`(select coalesce(max(${claimHistory.seq}), 0) + 1 from ${claimHistory} where ${claimHistory.practiceId} = ${claim.practiceId} and ${claimHistory.claimId} = ${claim.id})`,
    at: actor.at,
    action: entry.action,
    fromStatus: entry.from,
    toStatus: entry.to,
    by: actor.by,
    note: entry.note,
  });
}

/** Many claims by id (another practice's ids are simply not found). */
export async function loadClaimRows(db: Db, practiceId: string, ids: readonly string[]): Promise<ClaimRow[]> {
  if (!ids.length) return [];
  return db.select().from(claims).where(tenantWhere(claims.practiceId, practiceId, inArray(claims.id, [...ids])));
}
