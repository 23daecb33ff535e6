import { and, eq, inArray, ne } from 'drizzle-orm';
import { ProblemError } from '@mso/contracts';
import { claimSubmitted, type BillingTerms, type ClaimStatus, type correctClaim, type ScrubFinding, type scrubClaim, type submitClaim, type voidClaim } from '@mso/contracts/billing';
import { localDate, tenantWhere, type Db, type Handler, type HandlerContext, type TransactionContext } from '@mso/kit';
import { claimLines, claims, coverages, payers, providerCredentials, providers } from '../../db/schema.js';
import { duplicateKeyOf } from '../../domain/claim-keys.js';
import { scrub, hasErrors, timelyFilingDaysFor, type ScrubCoverage, type ScrubCredentials, type ScrubInput, type ScrubPayer, type ScrubProvider } from '../../domain/scrubber/index.js';
import { changeClaim, loadClaim, loadClaimRow, type Actor, type ClaimLineRow, type ClaimRow } from '../claim-store.js';

/** What the scrubber needs beyond the database: the practice's billing terms (timely filing) and state (licences). */
export interface ScrubContext {
  terms?: BillingTerms | undefined;
  /** The practice's US state from its agreement; without it licences are not checked. */
  practiceState?: string | undefined;
  /** The claims' lines when the caller has them already (an import that just inserted them). */
  lines?: ReadonlyMap<string, readonly ClaimLineRow[]>;
  /** Claims not stored yet that count as duplicates all the same (the rest of an import written in parts). */
  peers?: readonly Pick<ClaimRow, 'id' | 'patientControlNumber' | 'duplicateKey' | 'frequencyCode'>[];
}

/**
 * Runs the scrubber on a stored claim (its lines, parties, payer and the practice's other claims) and
 * returns every finding. Used at submission, by `POST /claims/{id}/scrub` and by 837P imports.
 */
export async function scrubStoredClaim(db: Db, row: ClaimRow, today: string, context: ScrubContext = {}): Promise<ScrubFinding[]> {
  return (await scrubStoredClaims(db, [row], today, context)).get(row.id)!;
}

/** Postgres takes at most 65,535 parameters a statement: lookups by id go in chunks. */
const CHUNK = 5_000;

async function inChunks<T>(ids: readonly string[], load: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) out.push(...(await load(ids.slice(i, i + CHUNK))));
  return out;
}

const unique = (values: readonly (string | null | undefined)[]) => [...new Set(values.filter((v): v is string => !!v))];

/**
 * The scrubber over many claims of one practice with a fixed number of queries (lines, providers,
 * payers, coverages and duplicate candidates each loaded once): an import of thousands of claims
 * scrubs them all without a round trip per claim. Claims in `rows` do not count as each other's
 * duplicates unless they share a duplicate key.
 */
export async function scrubStoredClaims(db: Db, rows: readonly ClaimRow[], today: string, context: ScrubContext = {}): Promise<Map<string, ScrubFinding[]>> {
  const result = new Map<string, ScrubFinding[]>();
  if (!rows.length) return result;
  const practiceId = rows[0]!.practiceId;

  const linesByClaim = new Map<string, ClaimLineRow[]>();
  const missingLines = rows.filter((r) => !context.lines?.has(r.id)).map((r) => r.id);
  const loaded = await inChunks(missingLines, (chunk) => db.select().from(claimLines).where(tenantWhere(claimLines.practiceId, practiceId, inArray(claimLines.claimId, chunk))));
  for (const l of loaded) linesByClaim.set(l.claimId, [...(linesByClaim.get(l.claimId) ?? []), l]);
  for (const r of rows) {
    const given = context.lines?.get(r.id);
    linesByClaim.set(r.id, [...(given ?? linesByClaim.get(r.id) ?? [])].sort((a, b) => a.lineNumber - b.lineNumber));
  }

  const keys = new Map(rows.map((r) => [r.id, duplicateKeyOf({ ...r, lines: linesByClaim.get(r.id)! })]));
  const providerIds = unique(rows.flatMap((r) => [r.billingProviderId, r.renderingProviderId, ...linesByClaim.get(r.id)!.map((l) => l.renderingProviderId)]));
  const [providerRows, payerRows, coverageRows, candidates] = await Promise.all([
    inChunks(providerIds, (chunk) => db.select().from(providers).where(tenantWhere(providers.practiceId, practiceId, inArray(providers.id, chunk)))),
    inChunks(unique(rows.map((r) => r.payerId)), (chunk) => db.select().from(payers).where(tenantWhere(payers.practiceId, practiceId, inArray(payers.id, chunk)))),
    inChunks(unique(rows.map((r) => r.coverageId)), (chunk) => db.select().from(coverages).where(tenantWhere(coverages.practiceId, practiceId, inArray(coverages.id, chunk)))),
    inChunks(unique([...keys.values()]), (chunk) =>
      db
        .select({ id: claims.id, patientControlNumber: claims.patientControlNumber, duplicateKey: claims.duplicateKey })
        .from(claims)
        .where(tenantWhere(claims.practiceId, practiceId, and(inArray(claims.duplicateKey, chunk), ne(claims.frequencyCode, '8')))),
    ),
  ]);

  const providerById = new Map<string, ScrubProvider>(providerRows.map((p) => [p.id, { id: p.id, npi: p.npi, taxonomyCode: p.taxonomyCode, kind: p.kind, active: p.active }]));
  // HR's view for every NPI named (a few more than the rendering ones: one query, and the rule picks).
  const credentialRows = await inChunks(unique(providerRows.map((p) => p.npi)), (chunk) =>
    db.select().from(providerCredentials).where(tenantWhere(providerCredentials.practiceId, practiceId, inArray(providerCredentials.npi, chunk))),
  );
  const credentials = new Map<string, ScrubCredentials>(credentialRows.map((c) => [c.npi, { licences: c.licences, enrollments: c.enrollments }]));
  const payerById = new Map(payerRows.map((p) => [p.id, p]));
  const coverageById = new Map<string, ScrubCoverage>(
    coverageRows.map((c) => [
      c.id,
      { id: c.id, patientId: c.patientId, payerId: c.payerId, memberId: c.memberId, relationship: c.relationship, hasSubscriber: !!c.subscriber, effectiveFrom: c.effectiveFrom, effectiveTo: c.effectiveTo },
    ]),
  );
  const byKey = new Map<string, { id: string; patientControlNumber: string }[]>();
  for (const c of candidates) byKey.set(c.duplicateKey, [...(byKey.get(c.duplicateKey) ?? []), c]);
  // Rows of this call that are not stored yet under their current key (an edit changed the codes) still count.
  for (const r of rows) {
    const key = keys.get(r.id)!;
    if (r.frequencyCode !== '8' && !(byKey.get(key) ?? []).some((c) => c.id === r.id)) byKey.set(key, [...(byKey.get(key) ?? []), r]);
  }
  for (const p of context.peers ?? []) {
    const same = byKey.get(p.duplicateKey);
    if (same && p.frequencyCode !== '8' && !same.some((c) => c.id === p.id)) same.push(p);
  }

  for (const row of rows) {
    const payerRow = payerById.get(row.payerId) ?? null;
    const payer: ScrubPayer | null = payerRow && { id: payerRow.id, ediPayerId: payerRow.ediPayerId, claimFilingIndicatorCode: payerRow.claimFilingIndicatorCode, active: payerRow.active };
    const input: ScrubInput = {
      claim: { ...row, lines: linesByClaim.get(row.id)! },
      providers: providerById,
      payer,
      coverage: row.coverageId ? (coverageById.get(row.coverageId) ?? null) : null,
      duplicates: (byKey.get(keys.get(row.id)!) ?? []).filter((c) => c.id !== row.id),
      today,
      timelyFilingDays: timelyFilingDaysFor(payerRow, context.terms),
      practiceState: context.practiceState ?? null,
      credentials,
    };
    result.set(row.id, scrub(input));
  }
  return result;
}

// ---- Scrub, submit, correct, void ------------------------------------------------------------------

/** What claim work needs besides the claim: the practice's business date and terms, and who acts. */
export interface ClaimWork {
  /** The practice's business date (its time zone). */
  today: string;
  terms?: BillingTerms | undefined;
  /** The practice's US state (its agreement): the state its providers must be licensed in. */
  practiceState: string;
  actor: Actor;
}

/** The practice's date and billing terms from its agreement, and the caller as the actor. */
export async function claimWork(ctx: HandlerContext): Promise<ClaimWork> {
  const agreement = await ctx.agreement;
  const at = ctx.clock.now();
  return { today: localDate(at, agreement.timeZone), terms: agreement.terms.billing, practiceState: agreement.state, actor: { by: ctx.principal.id, at } };
}

const scrubStatuses: readonly ClaimStatus[] = ['draft', 'ready'];

/** One line for the history: how many errors and warnings. */
export function findingsNote(findings: readonly ScrubFinding[]): string {
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  return errors + warnings === 0 ? 'clean' : `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
}

/** The status a scrub leaves a draft or ready claim in: ready without errors, draft with. Others keep theirs. */
export const statusAfterScrub = (status: ClaimStatus, findings: readonly ScrubFinding[]): ClaimStatus => (scrubStatuses.includes(status) ? (hasErrors(findings) ? 'draft' : 'ready') : status);

/** Scrubs the claim and stores the findings; a draft without errors becomes ready, a ready claim with errors draft. */
export async function rescrubClaim(db: Db, row: ClaimRow, work: ClaimWork): Promise<{ row: ClaimRow; findings: ScrubFinding[] }> {
  const findings = await scrubStoredClaim(db, row, work.today, { terms: work.terms, practiceState: work.practiceState });
  const updated = await changeClaim(db, row, { to: statusAfterScrub(row.status as ClaimStatus, findings), action: 'scrubbed', note: findingsNote(findings), set: { findings } }, work.actor);
  return { row: updated, findings };
}

export const scrubFailed = (findings: readonly ScrubFinding[]) =>
  new ProblemError('claim-scrub-failed', `the scrubber found ${findingsNote(findings)}: fix the errors and submit again`, undefined, { findings });

/**
 * Submits a draft or ready claim in the caller's transaction: scrubbed first; with errors it stays (or
 * goes back to) draft with its findings stored and `submitted` is false; else it is `submitted` (the
 * next batch sends it), its submission counted, and `billing.claim.submitted` is emitted.
 */
export async function submitStoredClaim(tx: TransactionContext, row: ClaimRow, work: ClaimWork): Promise<{ row: ClaimRow; findings: ScrubFinding[]; submitted: boolean }> {
  if (row.status === 'rejected') throw new ProblemError('conflict', 'the payer rejected this claim: correct it (POST .../correct) and submit the corrected claim');
  if (!scrubStatuses.includes(row.status as ClaimStatus)) throw new ProblemError('conflict', `cannot submit a claim that is ${row.status}`);
  const findings = await scrubStoredClaim(tx.db, row, work.today, { terms: work.terms, practiceState: work.practiceState });
  if (hasErrors(findings)) {
    const kept = await changeClaim(tx.db, row, { to: 'draft', action: 'scrubbed', note: findingsNote(findings), set: { findings } }, work.actor);
    return { row: kept, findings, submitted: false };
  }
  const at = work.actor.at;
  const submitted = await changeClaim(
    tx.db,
    row,
    {
      to: 'submitted',
      action: 'submitted',
      note: row.frequencyCode === '1' ? null : `frequency ${row.frequencyCode}`,
      set: { findings, submissionCount: row.submissionCount + 1, firstSubmittedAt: row.firstSubmittedAt ?? at, lastSubmittedAt: at, batchId: null, rejection: null },
    },
    work.actor,
  );
  await tx.emit(
    claimSubmitted,
    {
      claimId: submitted.id,
      patientId: submitted.patientId,
      payerId: submitted.payerId,
      renderingProviderNpi: await renderingNpi(tx.db, submitted),
      serviceDate: submitted.serviceDateFrom,
      submittedOn: work.today,
      chargeCents: submitted.chargeCents,
      frequencyCode: submitted.frequencyCode,
    },
    { subject: submitted.id, practiceId: submitted.practiceId },
  );
  return { row: submitted, findings, submitted: true };
}

async function renderingNpi(db: Db, row: ClaimRow): Promise<string | null> {
  if (!row.renderingProviderId) return null;
  const [p] = await db.select({ npi: providers.npi }).from(providers).where(tenantWhere(providers.practiceId, row.practiceId, eq(providers.id, row.renderingProviderId)));
  return p?.npi ?? null;
}

/** Statuses from which the payer has the claim's outcome on record: a correction or a void refers to it. */
const reopenable: readonly ClaimStatus[] = ['rejected', 'paid', 'partially-paid', 'denied'];

/**
 * Reopens a rejected or adjudicated claim as a corrected claim (frequency 7) in the caller's
 * transaction: draft, the payer's claim control number kept for REF*F8, scrubbed so its findings show
 * what to fix. Edit it, then submit it. Returns the claim row as left.
 */
export async function correctStoredClaim(db: Db, row: ClaimRow, work: ClaimWork, note: string | null = null): Promise<ClaimRow> {
  if (!reopenable.includes(row.status as ClaimStatus)) throw new ProblemError('conflict', `cannot correct a claim that is ${row.status}: only rejected or adjudicated claims are corrected`);
  const reopened = await changeClaim(db, row, { to: 'draft', action: 'corrected', note, set: { frequencyCode: '7' } }, work.actor);
  return (await rescrubClaim(db, reopened, work)).row;
}

/**
 * Voids an adjudicated claim with the payer in the caller's transaction: frequency 8 with the payer's
 * claim control number, submitted again at once. Throws `claim-scrub-failed` (and changes nothing)
 * when the void cannot go out.
 */
export async function voidStoredClaim(tx: TransactionContext, row: ClaimRow, work: ClaimWork, note: string | null = null): Promise<ClaimRow> {
  if (row.status === 'rejected') throw new ProblemError('conflict', 'the payer rejected this claim, so there is nothing to void: correct it, or leave it');
  if (!reopenable.includes(row.status as ClaimStatus)) throw new ProblemError('conflict', `cannot void a claim that is ${row.status}: only adjudicated claims are voided`);
  const voiding = await changeClaim(tx.db, row, { to: 'ready', action: 'voided', note, set: { frequencyCode: '8' } }, work.actor);
  const result = await submitStoredClaim(tx, voiding, work);
  if (!result.submitted) throw scrubFailed(result.findings);
  return result.row;
}

// ---- Routes ----------------------------------------------------------------------------------------

export const scrubClaimHandler: Handler<typeof scrubClaim> = async (input, ctx) => {
  const work = await claimWork(ctx);
  return ctx.transaction(async (tx) => {
    const row = await loadClaimRow(tx.db, ctx.practiceId, input.id, { forUpdate: true });
    // A claim that has gone out keeps its record as sent: the scrub only reports.
    if (!scrubStatuses.includes(row.status as ClaimStatus)) return { findings: await scrubStoredClaim(tx.db, row, work.today, { terms: work.terms, practiceState: work.practiceState }), status: row.status as ClaimStatus };
    const { row: updated, findings } = await rescrubClaim(tx.db, row, work);
    return { findings, status: updated.status as ClaimStatus };
  });
};

export const submitClaimHandler: Handler<typeof submitClaim> = async (input, ctx) => {
  const work = await claimWork(ctx);
  // A refused submission changes nothing (the request's transaction rolls back); its answer lists the findings.
  await ctx.transaction(async (tx) => {
    const result = await submitStoredClaim(tx, await loadClaimRow(tx.db, ctx.practiceId, input.id, { forUpdate: true }), work);
    if (!result.submitted) throw scrubFailed(result.findings);
  });
  return loadClaim(ctx.db, ctx.practiceId, input.id);
};

export const correctClaimHandler: Handler<typeof correctClaim> = async (input, ctx) => {
  const work = await claimWork(ctx);
  await ctx.transaction(async (tx) => correctStoredClaim(tx.db, await loadClaimRow(tx.db, ctx.practiceId, input.id, { forUpdate: true }), work, input.note ?? null));
  return loadClaim(ctx.db, ctx.practiceId, input.id);
};

export const voidClaimHandler: Handler<typeof voidClaim> = async (input, ctx) => {
  const work = await claimWork(ctx);
  await ctx.transaction(async (tx) => voidStoredClaim(tx, await loadClaimRow(tx.db, ctx.practiceId, input.id, { forUpdate: true }), work, input.note ?? null));
  return loadClaim(ctx.db, ctx.practiceId, input.id);
};
