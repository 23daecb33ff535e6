import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import { ProblemError } from '@mso/contracts';
import type { BatchSummary, BillingTerms, createBatches, getBatch, getBatchFile, listBatches } from '@mso/contracts/billing';
import { eqIfSet, keysetPage, paginate, tenantWhere, type Db, type Handler } from '@mso/kit';
import { write837P, type Claim837 } from '@mso/x12';
import { batchClaims, claimBatches, claimLines, claims, coverages, patients, payers, providers } from '../../db/schema.js';
import { batchEnvelope, batchProblems, toClaim837, type BatchClaimSource, type ProviderRecord } from '../../domain/edi/batch.js';
import { readX12 } from '../../domain/edi/x12-problems.js';
import type { ClaimLineRow, ClaimRow } from '../claim-store.js';
import { iso, notFound } from '../common.js';
import { bulkInsert } from './bulk-insert.js';
import { appendHistory, uuidArray } from './history.js';

// POST /v1/billing/batches: every submitted claim not yet sent since its last submission goes into
// one 837P per payer. Batches of a practice are made one at a time (an advisory lock), so two
// requests never put a claim in two files and control numbers stay increasing.

const CLAIMS_PER_TRANSACTION = 5000;

type BatchRow = typeof claimBatches.$inferSelect;

const toSummary = (b: Omit<BatchRow, 'file'> & { sizeBytes: number }): BatchSummary => ({
  id: b.id,
  practiceId: b.practiceId,
  payerId: b.payerId,
  controlNumber: b.controlNumber,
  usage: b.usage as BatchSummary['usage'],
  claimCount: b.claimCount,
  totalChargeCents: b.totalChargeCents,
  transactionCount: b.transactionCount,
  sizeBytes: b.sizeBytes,
  createdAt: iso(b.createdAt),
  createdBy: b.createdBy,
});

const summaryColumns = {
  id: claimBatches.id,
  practiceId: claimBatches.practiceId,
  payerId: claimBatches.payerId,
  controlNumber: claimBatches.controlNumber,
  usage: claimBatches.usage,
  claimCount: claimBatches.claimCount,
  totalChargeCents: claimBatches.totalChargeCents,
  transactionCount: claimBatches.transactionCount,
  sizeBytes: sql<number>`octet_length(${claimBatches.file})`.mapWith(Number),
  createdAt: claimBatches.createdAt,
  createdBy: claimBatches.createdBy,
};

function byId<T extends { id: string }>(rows: readonly T[]): Map<string, T> {
  return new Map(rows.map((r) => [r.id, r]));
}

async function sourcesOf(db: Db, practiceId: string, rows: readonly ClaimRow[]): Promise<BatchClaimSource[]> {
  const ids = rows.map((r) => r.id);
  const lineRows: ClaimLineRow[] = [];
  for (let i = 0; i < ids.length; i += 5000) {
    lineRows.push(...(await db.select().from(claimLines).where(tenantWhere(claimLines.practiceId, practiceId, inArray(claimLines.claimId, ids.slice(i, i + 5000)))).orderBy(asc(claimLines.claimId), asc(claimLines.lineNumber))));
  }
  const linesOf = new Map<string, ClaimLineRow[]>();
  for (const l of lineRows) (linesOf.get(l.claimId) ?? linesOf.set(l.claimId, []).get(l.claimId)!).push(l);
  const uniq = (values: (string | null)[]) => [...new Set(values.filter((v): v is string => v !== null))];
  const providerIds = uniq([...rows.flatMap((r) => [r.billingProviderId, r.renderingProviderId]), ...lineRows.map((l) => l.renderingProviderId)]);
  const [patientRows, coverageRows, payerRows, providerRows] = await Promise.all([
    db.select().from(patients).where(tenantWhere(patients.practiceId, practiceId, inArray(patients.id, uniq(rows.map((r) => r.patientId))))),
    db.select().from(coverages).where(tenantWhere(coverages.practiceId, practiceId, inArray(coverages.id, uniq(rows.map((r) => r.coverageId)).concat('00000000-0000-0000-0000-000000000000')))),
    db.select().from(payers).where(tenantWhere(payers.practiceId, practiceId, inArray(payers.id, uniq(rows.map((r) => r.payerId))))),
    db.select().from(providers).where(tenantWhere(providers.practiceId, practiceId, inArray(providers.id, providerIds))),
  ]);
  const [patientById, coverageById, payerById] = [byId(patientRows), byId(coverageRows), byId(payerRows)];
  const providerById = new Map<string, ProviderRecord>(providerRows.map((p) => [p.id, { ...p, address: p.address ?? null }]));
  return rows.map((r) => ({
    claim: { ...r, referringProvider: r.referringProvider ?? null },
    lines: linesOf.get(r.id) ?? [],
    patient: patientById.get(r.patientId)!,
    coverage: r.coverageId ? (coverageById.get(r.coverageId) ?? null) : null,
    payer: payerById.get(r.payerId)!,
    billingProvider: providerById.get(r.billingProviderId)!,
    renderingProvider: r.renderingProviderId ? (providerById.get(r.renderingProviderId) ?? null) : null,
    providers: providerById,
  }));
}

export const createBatchesHandler: Handler<typeof createBatches> = async (input, ctx) => {
  const terms = ((await ctx.agreement).terms.billing ?? {}) as BillingTerms;
  const practiceId = ctx.practiceId;
  const now = ctx.clock.now();
  const by = ctx.principal.id;
  const made = await ctx.transaction(async ({ db }) => {
    await db.execute(sql`select pg_advisory_xact_lock(hashtext(${`billing.batches:${practiceId}`}))`);
    const waiting = await db
      .select()
      .from(claims)
      .where(
        tenantWhere(
          claims.practiceId,
          practiceId,
          eq(claims.status, 'submitted'),
          eqIfSet(claims.payerId, input.payerId),
          // Not in a file since its last submission (a corrected claim is sent again).
          or(isNull(claims.batchId), sql`${claims.lastSubmittedAt} > (select b.created_at from ${claimBatches} b where b.id = ${claims.batchId})`),
        ),
      )
      .orderBy(asc(claims.createdAt), asc(claims.id));
    if (!waiting.length) return [];
    const sources = await sourcesOf(db, practiceId, waiting);
    const problems = sources.flatMap((s, i) => batchProblems(s, i));
    if (problems.length) throw new ProblemError('unprocessable', `no batch made: ${problems[0]!.message}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`, problems);

    const byPayer = new Map<string, BatchClaimSource[]>();
    for (const s of sources) (byPayer.get(s.payer.id) ?? byPayer.set(s.payer.id, []).get(s.payer.id)!).push(s);
    const [{ last } = { last: 0 }] = await db
      .select({ last: sql<number>`coalesce(max(${claimBatches.controlNumber}), 0)`.mapWith(Number) })
      .from(claimBatches)
      .where(tenantWhere(claimBatches.practiceId, practiceId));
    let controlNumber = last;
    const summaries: BatchSummary[] = [];
    for (const [payerId, group] of byPayer) {
      // Claims of one billing provider, then of one patient, side by side: the file shares their HL loops.
      group.sort((a, b) => a.billingProvider.id.localeCompare(b.billingProvider.id) || a.patient.lastName.localeCompare(b.patient.lastName) || a.claim.patientControlNumber.localeCompare(b.claim.patientControlNumber));
      controlNumber += 1;
      const envelope = batchEnvelope(terms.edi, group[0]!.billingProvider, group[0]!.payer, controlNumber, now);
      const claim837s: Claim837[] = group.map(toClaim837);
      const text = readX12('837P batch', () => write837P({ ...envelope, claims: claim837s, maxClaimsPerTransaction: CLAIMS_PER_TRANSACTION }));
      const file = new TextEncoder().encode(text);
      const batch = {
        id: randomUUID(),
        practiceId,
        payerId,
        controlNumber,
        usage: envelope.interchange.usage,
        claimCount: group.length,
        totalChargeCents: group.reduce((sum, s) => sum + s.claim.chargeCents, 0),
        transactionCount: Math.ceil(group.length / CLAIMS_PER_TRANSACTION),
        file,
        createdAt: now,
        createdBy: by,
      };
      await db.insert(claimBatches).values(batch);
      const members = group.map((s, position) => ({
        id: randomUUID(),
        practiceId,
        batchId: batch.id,
        claimId: s.claim.id,
        position,
        patientControlNumber: s.claim.patientControlNumber,
        chargeCents: s.claim.chargeCents,
        transactionControlNumber: String(Math.floor(position / CLAIMS_PER_TRANSACTION) + 1).padStart(4, '0'),
      }));
      await bulkInsert(db, batchClaims, members);
      for (let i = 0; i < members.length; i += 5000) {
        const ids = members.slice(i, i + 5000).map((m) => m.claimId);
        await db
          .update(claims)
          .set({ batchId: batch.id, version: sql`${claims.version} + 1`, updatedAt: now })
          .where(and(eq(claims.practiceId, practiceId), sql`${claims.id} = any(${uuidArray(ids)})`));
      }
      await appendHistory(db, practiceId, group.map((s) => ({ claimId: s.claim.id, action: 'batched', from: 'submitted', to: 'submitted', note: `in 837P batch ${controlNumber}` })), { by, at: now });
      summaries.push(toSummary({ ...batch, sizeBytes: file.byteLength }));
    }
    return summaries;
  });
  if (!made.length) ctx.status(200);
  return { batches: made };
};

export const listBatchesHandler: Handler<typeof listBatches> = async (input, ctx) => {
  const page = keysetPage(claimBatches, input, 'desc');
  const rows = await ctx.db
    .select(summaryColumns)
    .from(claimBatches)
    .where(tenantWhere(claimBatches.practiceId, ctx.practiceId, page.where, eqIfSet(claimBatches.payerId, input.payerId)))
    .orderBy(...page.orderBy)
    .limit(page.fetch);
  return paginate(rows, page.limit, toSummary);
};

export const getBatchHandler: Handler<typeof getBatch> = async (input, ctx) => {
  const [row] = await ctx.db.select(summaryColumns).from(claimBatches).where(tenantWhere(claimBatches.practiceId, ctx.practiceId, eq(claimBatches.id, input.id)));
  if (!row) throw notFound('batch');
  const members = await ctx.db
    .select()
    .from(batchClaims)
    .where(tenantWhere(batchClaims.practiceId, ctx.practiceId, eq(batchClaims.batchId, row.id)))
    .orderBy(asc(batchClaims.position));
  return {
    ...toSummary(row),
    claims: members.map((m) => ({ claimId: m.claimId, patientControlNumber: m.patientControlNumber, chargeCents: m.chargeCents, transactionControlNumber: m.transactionControlNumber })),
  };
};

export const getBatchFileHandler: Handler<typeof getBatchFile> = async (input, ctx) => {
  const [row] = await ctx.db.select({ file: claimBatches.file }).from(claimBatches).where(tenantWhere(claimBatches.practiceId, ctx.practiceId, eq(claimBatches.id, input.id)));
  if (!row) throw notFound('batch');
  return { mediaType: 'application/edi-x12', bytes: row.file };
};

