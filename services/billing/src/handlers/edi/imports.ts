import { createHash, randomUUID } from 'node:crypto';
import { and, eq, inArray, type SQL } from 'drizzle-orm';
import { ProblemError } from '@mso/contracts';
import type { BillingTerms, ClaimImport, ClaimStatus, getClaimImport, importClaims } from '@mso/contracts/billing';
import { tenantWhere, type Db, type Handler, type HandlerContext } from '@mso/kit';
import { parse837P, segments } from '@mso/x12';
import { claimHistory, claimImports, claimLines, claims, coverages, patients, payers, providers } from '../../db/schema.js';
import { planImport, type Known } from '../../domain/edi/import-plan.js';
import { readX12, toEdiWarning } from '../../domain/edi/x12-problems.js';
import type { ClaimLineRow, ClaimRow } from '../claim-store.js';
import { scrubStoredClaims } from '../claims/lifecycle.js';
import { iso, isUniqueViolation, notFound, unprocessable } from '../common.js';
import { bulkInsert } from './bulk-insert.js';

// POST /v1/billing/claim-imports: an EHR's 837P in one transaction. A 10,000-claim file costs a handful
// of queries: one lookup per kind of record (payers, providers, coverages, clashing claim numbers),
// the scrubber over all claims at once, and inserts of thousands of rows per statement.

/** Lookups by value in chunks: PostgreSQL takes at most 65,535 parameters a statement. */
async function selectIn<T>(values: readonly string[], query: (part: string[]) => Promise<T[]>): Promise<T[]> {
  const distinct = [...new Set(values)];
  const out: T[] = [];
  for (let i = 0; i < distinct.length; i += 5000) out.push(...(await query(distinct.slice(i, i + 5000))));
  return out;
}

async function loadKnown(db: Db, practiceId: string, parsed: ReturnType<typeof parse837P>): Promise<Known> {
  const ediIds: string[] = [];
  const npis: string[] = [];
  const memberIds: string[] = [];
  const pcns: string[] = [];
  for (const c of parsed.claims) {
    ediIds.push(c.payer.id);
    npis.push(c.billingProvider.npi);
    if (c.renderingProvider?.npi) npis.push(c.renderingProvider.npi);
    for (const l of c.lines) if (l.renderingProvider?.npi) npis.push(l.renderingProvider.npi);
    memberIds.push(c.subscriber.memberId);
    pcns.push(c.patientControlNumber);
  }
  const [knownPayers, knownProviders, knownCoverages, knownClaims] = await Promise.all([
    selectIn(ediIds, (part) => db.select({ id: payers.id, ediPayerId: payers.ediPayerId }).from(payers).where(tenantWhere(payers.practiceId, practiceId, inArray(payers.ediPayerId, part)))),
    selectIn(npis, (part) =>
      db
        .select({ id: providers.id, kind: providers.kind, npi: providers.npi, address: providers.address, taxId: providers.taxId, taxonomyCode: providers.taxonomyCode })
        .from(providers)
        .where(tenantWhere(providers.practiceId, practiceId, inArray(providers.npi, part))),
    ),
    selectIn(memberIds, (part) =>
      db
        .select({
          id: coverages.id,
          payerId: coverages.payerId,
          memberId: coverages.memberId,
          patientId: coverages.patientId,
          patient: { firstName: patients.firstName, lastName: patients.lastName, dateOfBirth: patients.dateOfBirth },
        })
        .from(coverages)
        .innerJoin(patients, and(eq(patients.practiceId, coverages.practiceId), eq(patients.id, coverages.patientId)))
        .where(tenantWhere(coverages.practiceId, practiceId, inArray(coverages.memberId, part))),
    ),
    selectIn(pcns, (part) => db.select({ id: claims.id, pcn: claims.patientControlNumber }).from(claims).where(tenantWhere(claims.practiceId, practiceId, inArray(claims.patientControlNumber, part)))),
  ]);
  return { payers: knownPayers, providers: knownProviders.map((p) => ({ ...p, address: p.address ?? null })), coverages: knownCoverages, claimsByPcn: new Map(knownClaims.map((c) => [c.pcn, c.id])) };
}

/** Segment index of each CLM, in order: only read when a message must point into the file. */
function claimSegmentIndexes(bytes: Uint8Array): number[] {
  const out: number[] = [];
  for (const s of segments(bytes)) if (s.id === 'CLM') out.push(s.index);
  return out;
}

export const importClaimsHandler: Handler<typeof importClaims> = async (_input, ctx) => {
  const bytes = ctx.body?.bytes;
  if (!bytes?.length) throw unprocessable([{ path: '/body', message: 'send the 837P file as the request body (Content-Type: application/edi-x12)' }]);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const previous = await findImport(ctx.db, ctx.practiceId, eq(claimImports.sha256, sha256));
  if (previous) {
    ctx.status(200);
    return previous;
  }
  const parsed = readX12('837P file', () => parse837P(bytes));
  if (!parsed.claims.length) throw unprocessable([{ path: '/body', message: 'the file holds no professional claim (837P CLM)' }]);
  const terms = (await ctx.agreement).terms.billing as BillingTerms | undefined;
  try {
    return await ctx.transaction((tx) => importFile(ctx, tx.db, { bytes, sha256, parsed, terms }));
  } catch (error) {
    // The same file sent twice at once: the second finds the first once it committed.
    if (!isUniqueViolation(error)) throw error;
    const first = await findImport(ctx.db, ctx.practiceId, eq(claimImports.sha256, sha256));
    if (!first) throw new ProblemError('conflict', 'a claim in this file was imported meanwhile by another request: send the file again');
    ctx.status(200);
    return first;
  }
};

interface ImportInput {
  bytes: Uint8Array;
  sha256: string;
  parsed: ReturnType<typeof parse837P>;
  terms: BillingTerms | undefined;
}

async function importFile(ctx: HandlerContext, tx: Db, { bytes, sha256, parsed, terms }: ImportInput): Promise<ClaimImport> {
  const practiceId = ctx.practiceId;
  const now = ctx.clock.now();
  const today = now.toISOString().slice(0, 10);
  const known = await loadKnown(tx, practiceId, parsed);
  let plan = planImport(parsed.claims, known, randomUUID);
  // Point problems and skips at their CLM segments (a second, cheap pass over the file).
  if (plan.problems.length || plan.warnings.length) plan = planImport(parsed.claims, known, randomUUID, claimSegmentIndexes(bytes));
  if (plan.problems.length) {
    throw new ProblemError('unprocessable', `nothing imported: ${plan.problems[0]!.message}${plan.problems.length > 1 ? ` (and ${plan.problems.length - 1} more)` : ''}`, plan.problems);
  }
  const total = plan.claims.length;
  const importId = randomUUID();
  const stamps = { createdAt: now, updatedAt: now };

  await bulkInsert(tx, payers, plan.payers.map((p) => ({ ...p, practiceId, timelyFilingDays: null, erasByTraceNumber: false, active: true, ...stamps })));
  await bulkInsert(tx, providers, plan.providers.map((p) => ({ ...p, practiceId, active: true, ...stamps })));
  for (const f of plan.providerFills) {
    await tx.update(providers).set({ address: f.address, taxId: f.taxId, updatedAt: now }).where(and(eq(providers.practiceId, practiceId), eq(providers.id, f.id)));
  }
  await bulkInsert(tx, patients, plan.patients.map((p) => ({ ...p, practiceId, phone: null, ...stamps })));
  await bulkInsert(tx, coverages, plan.coverages.map((c) => ({ ...c, practiceId, effectiveTo: null, ...stamps })));

  const rows: ClaimRow[] = plan.claims.map(({ index: _index, lines: _lines, ...c }) => ({
    ...c,
    practiceId,
    status: 'ready',
    encounterId: null,
    importId,
    paidCents: 0,
    adjustmentCents: 0,
    patientResponsibilityCents: 0,
    submissionCount: 0,
    firstSubmittedAt: null,
    lastSubmittedAt: null,
    acceptedOnFirstSubmission: null,
    batchId: null,
    forwardedTo: null,
    rejection: null,
    findings: [],
    version: 1,
    ...stamps,
  }));
  const lines: ClaimLineRow[] = plan.claims.flatMap((c) => c.lines.map((l) => ({ ...l, id: randomUUID(), practiceId, claimId: c.id, paidCents: 0, adjustmentCents: 0, patientResponsibilityCents: 0, denied: false })));
  const linesOf = new Map<string, ClaimLineRow[]>();
  for (const l of lines) (linesOf.get(l.claimId) ?? linesOf.set(l.claimId, []).get(l.claimId)!).push(l);

  // The scrubber's verdict before the claims are written (its parties are): ready when it finds no
  // error, else draft with its findings.
  const found = await scrubStoredClaims(tx, rows, today, { terms, lines: linesOf });
  for (const row of rows) {
    row.findings = found.get(row.id) ?? [];
    row.status = row.findings.some((f) => f.severity === 'error') ? 'draft' : 'ready';
  }
  ctx.progress(Math.floor(total / 2), total);

  await bulkInsert(tx, claims, rows);
  await bulkInsert(tx, claimLines, lines);
  const by = ctx.principal.id;
  const note = `imported from an 837P file (import ${importId})`;
  await bulkInsert(tx, claimHistory, rows.map((r) => ({ id: randomUUID(), practiceId, claimId: r.id, seq: 1, at: now, action: 'created', fromStatus: null, toStatus: r.status, by, note })));
  const statusOf = new Map(rows.map((r) => [r.id, r.status as ClaimStatus]));

  const result: ClaimImport = {
    id: importId,
    claimCount: plan.claims.length,
    totalChargeCents: plan.claims.reduce((sum, c) => sum + c.chargeCents, 0),
    claims: plan.claims.map((c) => ({ id: c.id, patientControlNumber: c.patientControlNumber, chargeCents: c.chargeCents, serviceLineCount: c.lines.length, status: statusOf.get(c.id)! })),
    warnings: [...parsed.warnings.map(toEdiWarning), ...plan.warnings],
    createdAt: iso(now),
  };
  await tx.insert(claimImports).values({ id: importId, practiceId, sha256, file: bytes, claimCount: result.claimCount, totalChargeCents: result.totalChargeCents, result, createdAt: now, createdBy: by });
  ctx.progress(total, total);
  return result;
}

async function findImport(db: Db, practiceId: string, where: SQL): Promise<ClaimImport | null> {
  const [row] = await db.select({ result: claimImports.result }).from(claimImports).where(tenantWhere(claimImports.practiceId, practiceId, where));
  return row?.result ?? null;
}

export const getClaimImportHandler: Handler<typeof getClaimImport> = async (input, ctx) => {
  const found = await findImport(ctx.db, ctx.practiceId, eq(claimImports.id, input.id));
  if (!found) throw notFound('claim import');
  return found;
};
