import { createHash, randomUUID } from 'node:crypto';
import { and, eq, inArray, type SQL } from 'drizzle-orm';
import { ProblemError } from '@mso/contracts';
import type { BillingTerms, ClaimImport, ClaimStatus, getClaimImport, importClaims } from '@mso/contracts/billing';
import { tenantWhere, type Db, type Handler, type HandlerContext } from '@mso/kit';
import { parse837P, segments } from '@mso/x12';
import { claimHistory, claimImports, claimLines, claims, coverages, patients, payers, providers } from '../../db/schema.js';
import { planImport, type Known, type PlannedClaim } from '../../domain/edi/import-plan.js';
import { readX12, toEdiWarning } from '../../domain/edi/x12-problems.js';
import type { ClaimLineRow, ClaimRow } from '../claim-store.js';
import { scrubStoredClaims } from '../claims/lifecycle.js';
import { iso, isUniqueViolation, notFound, unprocessable } from '../common.js';
import { bulkInsert } from './bulk-insert.js';

// POST /v1/billing/claim-imports: an EHR's 837P in one transaction. A 10,000-claim file costs a few
// dozen queries: one lookup per kind of record (payers, providers, coverages, clashing claim numbers),
// then per 2,000 claims the scrubber's lookups and inserts of 1,000 rows per statement.

/** Claims written (built, scrubbed, inserted) at a time. */
const IMPORT_PART = 2000;

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
          effectiveFrom: coverages.effectiveFrom,
          importId: coverages.importId,
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
  const read = () => readX12('837P file', () => parse837P(bytes));
  let parsed: Parsed837 | undefined = read();
  if (!parsed.claims.length) throw unprocessable([{ path: '/body', message: 'the file holds no professional claim (837P CLM)' }]);
  const agreement = await ctx.agreement;
  const terms = agreement.terms.billing as BillingTerms | undefined;
  // The import takes the parse result and lets it go once planned (a retried transaction reads the file again).
  const take = () => {
    const p = parsed ?? read();
    parsed = undefined;
    return p;
  };
  try {
    return await ctx.transaction((tx) => importFile(ctx, tx.db, { bytes, sha256, take, terms, practiceState: agreement.state }));
  } catch (error) {
    // The same file sent twice at once: the second finds the first once it committed.
    if (!isUniqueViolation(error)) throw error;
    const first = await findImport(ctx.db, ctx.practiceId, eq(claimImports.sha256, sha256));
    if (!first) throw new ProblemError('conflict', 'a claim in this file was imported meanwhile by another request: send the file again');
    ctx.status(200);
    return first;
  }
};

type Parsed837 = ReturnType<typeof parse837P>;

interface ImportInput {
  bytes: Uint8Array;
  sha256: string;
  /** The parse result, handed over once: nothing else keeps it while the rows are written. */
  take: () => Parsed837;
  terms: BillingTerms | undefined;
  practiceState: string;
}

async function importFile(ctx: HandlerContext, tx: Db, { bytes, sha256, take, terms, practiceState }: ImportInput): Promise<ClaimImport> {
  const practiceId = ctx.practiceId;
  const now = ctx.clock.now();
  const today = now.toISOString().slice(0, 10);
  const importId = randomUUID();
  const { plan, parseWarnings } = await planFile(tx, practiceId, take(), bytes);
  if (plan.problems.length) {
    throw new ProblemError('unprocessable', `nothing imported: ${plan.problems[0]!.message}${plan.problems.length > 1 ? ` (and ${plan.problems.length - 1} more)` : ''}`, plan.problems);
  }
  const total = plan.claims.length;
  const summaries = plan.claims.map((c) => ({ id: c.id, patientControlNumber: c.patientControlNumber, chargeCents: c.chargeCents, serviceLineCount: c.lines.length }));
  const warnings = [...parseWarnings, ...plan.warnings];
  const stamps = { createdAt: now, updatedAt: now };

  await bulkInsert(tx, payers, plan.payers.map((p) => ({ ...p, practiceId, timelyFilingDays: null, erasByTraceNumber: false, active: true, ...stamps })));
  await bulkInsert(tx, providers, plan.providers.map((p) => ({ ...p, practiceId, active: true, ...stamps })));
  for (const f of plan.providerFills) {
    await tx.update(providers).set({ address: f.address, taxId: f.taxId, updatedAt: now }).where(and(eq(providers.practiceId, practiceId), eq(providers.id, f.id)));
  }
  await bulkInsert(tx, patients, plan.patients.map((p) => ({ ...p, practiceId, phone: null, ...stamps })));
  await bulkInsert(tx, coverages, plan.coverages.map((c) => ({ ...c, practiceId, effectiveTo: null, importId, ...stamps })));
  for (const s of plan.coverageStarts) {
    await tx.update(coverages).set({ effectiveFrom: s.effectiveFrom, updatedAt: now }).where(and(eq(coverages.practiceId, practiceId), eq(coverages.id, s.id)));
  }

  // The claims go in parts of IMPORT_PART: rows, lines, scrub and inserts of one part at a time, so the
  // whole file's rows, findings and JSON are never in memory at once. Later parts still count as
  // duplicates (`peers`); earlier ones are in the table by then.
  const planned: (PlannedClaim | undefined)[] = plan.claims.splice(0);
  const peers = planned.map((c) => ({ id: c!.id, patientControlNumber: c!.patientControlNumber, duplicateKey: c!.duplicateKey, frequencyCode: c!.frequencyCode }));
  const statusOf = new Map<string, ClaimStatus>();
  const by = ctx.principal.id;
  const note = `imported from an 837P file (import ${importId})`;
  for (let i = 0; i < planned.length; i += IMPORT_PART) {
    const part = planned.slice(i, i + IMPORT_PART) as PlannedClaim[];
    planned.fill(undefined, i, i + part.length);
    const rows: ClaimRow[] = part.map(({ index: _index, lines: _lines, ...c }) => ({
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
    const lines: ClaimLineRow[] = part.flatMap((c) => c.lines.map((l) => ({ ...l, id: randomUUID(), practiceId, claimId: c.id, paidCents: 0, adjustmentCents: 0, patientResponsibilityCents: 0, denied: false })));
    const linesOf = new Map<string, ClaimLineRow[]>();
    for (const l of lines) (linesOf.get(l.claimId) ?? linesOf.set(l.claimId, []).get(l.claimId)!).push(l);

    // The scrubber's verdict before the claims are written (its parties are): ready when it finds no
    // error, else draft with its findings.
    const found = await scrubStoredClaims(tx, rows, today, { terms, practiceState, lines: linesOf, peers });
    for (const row of rows) {
      row.findings = found.get(row.id) ?? [];
      row.status = row.findings.some((f) => f.severity === 'error') ? 'draft' : 'ready';
      statusOf.set(row.id, row.status as ClaimStatus);
    }
    await bulkInsert(tx, claims, rows);
    await bulkInsert(tx, claimLines, lines);
    await bulkInsert(tx, claimHistory, rows.map((r) => ({ id: randomUUID(), practiceId, claimId: r.id, seq: 1, at: now, action: 'created', fromStatus: null, toStatus: r.status, by, note })));
    ctx.progress(i + part.length, total);
  }

  const result: ClaimImport = {
    id: importId,
    claimCount: summaries.length,
    totalChargeCents: summaries.reduce((sum, c) => sum + c.chargeCents, 0),
    claims: summaries.map((c) => ({ ...c, status: statusOf.get(c.id)! })),
    warnings,
    createdAt: iso(now),
  };
  await tx.insert(claimImports).values({ id: importId, practiceId, sha256, file: bytes, claimCount: result.claimCount, totalChargeCents: result.totalChargeCents, result, createdAt: now, createdBy: by });
  ctx.progress(total, total);
  return result;
}

/** The plan of the file, and the parser's warnings: the parse result is not kept past this. */
async function planFile(tx: Db, practiceId: string, parsed: Parsed837, bytes: Uint8Array) {
  const known = await loadKnown(tx, practiceId, parsed);
  let plan = planImport(parsed.claims, known, randomUUID);
  // Point problems and skips at their CLM segments (a second, cheap pass over the file).
  if (plan.problems.length || plan.warnings.length) plan = planImport(parsed.claims, known, randomUUID, claimSegmentIndexes(bytes));
  return { plan, parseWarnings: parsed.warnings.map(toEdiWarning) };
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
