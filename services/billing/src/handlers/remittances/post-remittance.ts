import { createHash, randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { ProblemError, type DataOf } from '@mso/contracts';
import { claimAdjudicated, claimDenied, remittancePosted, type postRemittance, type Remittance, type RemittanceWarning } from '@mso/contracts/billing';
import type { Db, Handler, HandlerContext, TransactionContext } from '@mso/kit';
import { parse835, X12Error, type Remittance as Remittance835, type X12Issue } from '@mso/x12';
import { payers, remittanceClaims, remittanceFiles, remittanceProviderAdjustments, remittances } from '../../db/schema.js';
import { planRemittance, type RemittancePlan } from '../../domain/remittance/plan.js';
import { adjudicatedEventData, adjustmentsOf, fromClaim835 } from '../../domain/remittance/records.js';
import { isUniqueViolation } from '../common.js';
import { enqueueDenials } from '../work/index.js';
import { insertRows, loadClaimsForPosting, orderedIds, savePostings, type LoadedClaim, type PostedClaim } from './store.js';
import { loadRemittance } from './views.js';

// POST /v1/billing/remittances: an 835 file, each transaction set (one payment) posted in a
// transaction of its own, all of it or nothing; a payment posted before (payer + trace number) is
// answered as it was and posted again never.

export const postRemittanceHandler: Handler<typeof postRemittance> = async (_input, ctx) => {
  const bytes = ctx.body?.bytes;
  if (!bytes?.byteLength) throw new ProblemError('unprocessable', 'the body is empty: send the 835 file', [{ path: '/body', message: 'empty' }]);
  const parsed = parseOrProblem(bytes);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const results: Remittance[] = [];
  let fileId: string | null = null;
  let posted = 0;
  const total = parsed.remittances.reduce((n, r) => n + r.claims.length, 0);
  for (const era of parsed.remittances) {
    // Within one payment: how far through its stages (load, decide, save, emit) the posting is.
    const before = results.reduce((n, r) => n + r.claimCount, 0);
    const progress = (share: number) => ctx.progress(before + Math.floor(era.claims.length * share), total);
    const warnings = parsed.warnings.filter((w) => w.transactionControlNumber === undefined || w.transactionControlNumber === era.controlNumber).map(fromIssue);
    const outcome: PostOutcome = await postOne(ctx, era, warnings, fileId, { bytes, sha256 }, progress).catch(async (error: unknown) => {
      // Another request posted the same payment meanwhile: answer with its result.
      if (!isUniqueViolation(error)) throw error;
      const first = await findPosted(ctx.db, ctx.practiceId, era);
      if (!first) throw new ProblemError('conflict', `payment ${era.payment.traceNumber}: another posting changed its claims meanwhile; post the file again`);
      return { remittance: await loadRemittance(ctx.db, ctx.practiceId, first), fileId: null, created: false };
    });
    fileId ??= outcome.fileId;
    if (outcome.created) posted++;
    results.push(outcome.remittance);
    ctx.progress(results.reduce((n, r) => n + r.claimCount, 0), total);
  }
  if (posted === 0) ctx.status(200);
  return results.length === 1 ? results[0]! : { remittances: results };
};

function parseOrProblem(bytes: Uint8Array) {
  try {
    const parsed = parse835(bytes);
    if (!parsed.remittances.length) throw new ProblemError('unprocessable', 'the file holds no 835 transaction set (ST*835)', [{ path: '/body', message: 'no ST*835' }]);
    return parsed;
  } catch (error) {
    if (error instanceof X12Error) throw x12Problem(error);
    throw error;
  }
}

/** 422 naming the segment (position, id) and element of the file where reading stopped. */
export function x12Problem(error: X12Error): ProblemError {
  const where = `${error.segmentId}${error.elementIndex !== undefined ? String(error.elementIndex).padStart(2, '0') : ''} (segment ${error.segmentIndex})`;
  return new ProblemError('unprocessable', `${where}: ${error.message}`, [{ path: `/segments/${error.segmentIndex}${error.elementIndex !== undefined ? `/${error.elementIndex}` : ''}`, message: `${where}: ${error.message}` }]);
}

const fromIssue = (w: X12Issue): RemittanceWarning => ({ code: w.code, message: w.message, patientControlNumber: null, segmentIndex: w.segmentIndex, segmentId: w.segmentId });

async function findPosted(db: Db, practiceId: string, era: Remittance835): Promise<string | undefined> {
  const [row] = await db
    .select({ id: remittances.id })
    .from(remittances)
    .where(and(eq(remittances.practiceId, practiceId), eq(remittances.payerIdentifier, era.payer.id), eq(remittances.traceNumber, era.payment.traceNumber)));
  return row?.id;
}

interface PostOutcome {
  remittance: Remittance;
  fileId: string | null;
  created: boolean;
}

async function postOne(
  ctx: HandlerContext,
  era: Remittance835,
  parseWarnings: RemittanceWarning[],
  knownFileId: string | null,
  file: { bytes: Uint8Array; sha256: string },
  progress: (share: number) => void,
): Promise<PostOutcome> {
  return ctx.transaction(async (tx): Promise<PostOutcome> => {
    const db = tx.db;
    const first = await findPosted(db, ctx.practiceId, era);
    if (first) return { remittance: await loadRemittance(db, ctx.practiceId, first), fileId: knownFileId, created: false };

    // Load.
    const timer = stageTimer();
    const now = ctx.clock.now();
    const by = ctx.principal.id;
    const reversals = new Set(era.claims.filter((c) => c.statusCode === '22').map((c) => c.patientControlNumber));
    const loaded = await loadClaimsForPosting(db, ctx.practiceId, era.claims.map((c) => c.patientControlNumber), { postingsOf: reversals });
    const [payer] = await db.select({ id: payers.id }).from(payers).where(and(eq(payers.practiceId, ctx.practiceId), eq(payers.ediPayerId, era.payer.id)));

    timer.lap('load');
    progress(0.1);
    // Decide.
    const newId = orderedIds(now);
    const statesByPcn = new Map([...loaded].map(([pcn, l]) => [pcn, l.state]));
    const plan = planRemittance(
      era.claims.map((c) => ({ ...fromClaim835(c), patientControlNumber: c.patientControlNumber })),
      statesByPcn,
      newId,
    );
    const remittanceId = randomUUID();
    const fileId = knownFileId ?? randomUUID();
    const warnings = [
      ...parseWarnings,
      ...plan.claims.flatMap((c) => c.warnings.map((w) => ({ code: w.code, message: w.message, patientControlNumber: c.patientControlNumber, segmentIndex: null, segmentId: null }))),
      ...plan.claims
        .filter((c) => c.unmatchedReason)
        .map((c) => ({ code: `unmatched-${c.unmatchedReason}`, message: unmatchedMessage(c.patientControlNumber, c.unmatchedReason!), patientControlNumber: c.patientControlNumber, segmentIndex: null, segmentId: null })),
    ];
    const matched = plan.claims.filter((c) => c.claimId).length;
    const claimPaymentCents = era.claims.reduce((n, c) => n + c.paidCents, 0);

    timer.lap('decide');
    progress(0.2);
    // Save.
    if (!knownFileId) await db.insert(remittanceFiles).values({ id: fileId, practiceId: ctx.practiceId, sha256: file.sha256, bytes: file.bytes, receivedAt: now, receivedBy: by });
    await db.insert(remittances).values({
      id: remittanceId,
      practiceId: ctx.practiceId,
      fileId,
      controlNumber: era.controlNumber,
      payerIdentifier: era.payer.id,
      payerName: era.payer.name,
      payerId: payer?.id ?? null,
      traceNumber: era.payment.traceNumber,
      paymentAmountCents: era.payment.creditDebit === 'D' ? -era.payment.amountCents : era.payment.amountCents,
      paymentMethod: era.payment.method,
      paymentDate: era.payment.date,
      claimCount: era.claims.length,
      matchedClaimCount: matched,
      claimPaymentCents,
      warnings,
      createdAt: now,
      postedBy: by,
    });
    const claimRows = era.claims.map((c, seq) => {
      const p = plan.claims[seq]!;
      const unmatched = !p.claimId;
      const { patient, ...clp } = c;
      return {
        id: newId(),
        practiceId: ctx.practiceId,
        remittanceId,
        seq,
        patientControlNumber: c.patientControlNumber,
        claimId: p.claimId,
        adjudicationId: p.posting?.record.id ?? null,
        state: unmatched ? 'unmatched' : 'posted',
        unmatchedReason: p.unmatchedReason,
        statusCode: c.statusCode,
        payerClaimControlNumber: c.payerClaimControlNumber ?? null,
        chargeCents: c.chargeCents,
        paidCents: c.paidCents,
        patientResponsibilityCents: c.patientResponsibilityCents,
        adjustments: adjustmentsOf(c),
        era: unmatched ? (clp as unknown as Record<string, unknown>) : null,
        patient: unmatched ? (patient ?? null) : null,
        createdAt: now,
      };
    });
    timer.lap('save-remittance');
    const posted = postedClaims(plan, loaded, era.payment.traceNumber);
    await savePostings(db, { practiceId: ctx.practiceId, remittanceId, paymentDate: era.payment.date, at: now, by }, posted, records(plan));
    // Denied lines enter the denial work queue with the posting that denied them.
    await enqueueDenials(db, ctx.practiceId, posted.map((p) => p.state.id), now);
    timer.lap('save-postings');
    await insertRows(db, remittanceClaims, claimRows);
    const providerAdjustments = era.providerAdjustments.map((a, seq) => ({ reason: a.reason, reference: a.reference ?? null, amountCents: a.amountCents, providerIdentifier: a.providerId, fiscalPeriodDate: a.fiscalPeriodDate, seq }));
    if (providerAdjustments.length) {
      await db.insert(remittanceProviderAdjustments).values(providerAdjustments.map((a) => ({ ...a, id: randomUUID(), practiceId: ctx.practiceId, remittanceId })));
    }

    timer.lap('save-remittance-claims');
    progress(0.5);
    // Emit, last: emitting takes the practice's outbox turn until commit.
    await emitPostings(tx, plan, loaded, remittanceId, era.payment.date);
    await tx.emit(
      remittancePosted,
      {
        remittanceId,
        traceNumber: era.payment.traceNumber,
        payerId: payer?.id ?? null,
        paymentDate: era.payment.date,
        paymentAmountCents: era.payment.creditDebit === 'D' ? -era.payment.amountCents : era.payment.amountCents,
        claimPaymentCents,
        providerAdjustments: providerAdjustments.map(({ reason, reference, amountCents }) => ({ reason, reference, amountCents })),
      },
      { subject: remittanceId },
    );

    timer.lap('emit');
    ctx.log.info({ remittanceId, claims: era.claims.length, matched, stagesMs: timer.laps }, 'remittance posted');
    const remittance: Remittance = {
      id: remittanceId,
      traceNumber: era.payment.traceNumber,
      paymentAmountCents: era.payment.creditDebit === 'D' ? -era.payment.amountCents : era.payment.amountCents,
      paymentMethod: era.payment.method,
      paymentDate: era.payment.date,
      payer: { name: era.payer.name, id: era.payer.id },
      payerId: payer?.id ?? null,
      claimCount: era.claims.length,
      matchedClaimCount: matched,
      unmatchedClaimCount: era.claims.length - matched,
      claimPaymentCents,
      claims: claimRows.map((r) => ({
        patientControlNumber: r.patientControlNumber,
        claimId: r.claimId,
        state: r.state as 'posted' | 'unmatched',
        unmatchedId: r.claimId ? null : r.id,
        statusCode: r.statusCode,
        chargeCents: r.chargeCents,
        paidCents: r.paidCents,
        patientResponsibilityCents: r.patientResponsibilityCents,
        adjustments: r.adjustments,
      })),
      providerAdjustments: providerAdjustments.map(({ reason, reference, amountCents }) => ({ reason, reference, amountCents })),
      warnings,
      postedAt: now.toISOString(),
      postedBy: by,
    };
    return { remittance, fileId, created: true };
  });
}

function unmatchedMessage(pcn: string, reason: string): string {
  if (reason === 'no-claim') return `no claim has patient control number ${pcn}: it waits in the unmatched-remittance queue`;
  if (reason === 'nothing-to-reverse') return `claim ${pcn}: the reversal finds no posting to undo: it waits in the unmatched-remittance queue`;
  return `claim ${pcn} is not with the payer (not submitted, or rejected): it waits in the unmatched-remittance queue`;
}

/** The claims the plan posted to, with their history entries in order. */
export function postedClaims(plan: RemittancePlan, loaded: ReadonlyMap<string, LoadedClaim>, traceNumber: string | null): PostedClaim[] {
  const byId = new Map([...loaded.values()].map((l) => [l.row.id, l]));
  const out = new Map<string, PostedClaim>();
  for (const c of plan.claims) {
    if (!c.claimId || !c.posting) continue;
    const entry = out.get(c.claimId) ?? out.set(c.claimId, { loaded: byId.get(c.claimId)!, state: plan.states.get(c.claimId)!, history: [] }).get(c.claimId)!;
    const reversal = c.posting.record.reversal;
    const source = traceNumber ? `ERA ${traceNumber}` : 'paper EOB';
    entry.history.push({ action: reversal ? 'reversed' : 'adjudicated', from: c.from!, to: c.to!, note: `${source}: ${reversal ? 'reversal' : `CLP02 ${c.posting.record.statusCode}`}, paid ${c.posting.record.paidCents} cents` });
  }
  return [...out.values()];
}

export const records = (plan: RemittancePlan) => plan.claims.filter((c) => c.posting).map((c) => ({ claimId: c.claimId!, record: c.posting!.record }));

/** `billing.claim.adjudicated` per posting and `billing.claim.denied` per denied reason, in file order. */
export async function emitPostings(tx: TransactionContext, plan: RemittancePlan, loaded: ReadonlyMap<string, LoadedClaim>, remittanceId: string | null, paymentDate: string): Promise<void> {
  const byId = new Map([...loaded.values()].map((l) => [l.row.id, l]));
  const adjudicated: { data: DataOf<typeof claimAdjudicated>; options: { subject: string } }[] = [];
  const denied: { data: DataOf<typeof claimDenied>; options: { subject: string } }[] = [];
  for (const c of plan.claims) {
    if (!c.posting || !c.claimId) continue;
    const claim = byId.get(c.claimId)!;
    const claimId = c.claimId;
    adjudicated.push({ data: adjudicatedEventData(c.posting.record, claim.row, claim.lines, remittanceId, paymentDate), options: { subject: claimId } });
    for (const d of c.posting.denials) denied.push({ data: { claimId, amountCents: d.amountCents, reason: d.reason }, options: { subject: claimId } });
  }
  // In bulk: a 10,000-claim file is a few multi-row inserts, not a statement pair per event. Each
  // claim's denials follow its adjudication.
  await tx.emitMany(claimAdjudicated, adjudicated);
  await tx.emitMany(claimDenied, denied);
}

/** Milliseconds per stage of a posting, for the log (how a slow file spent its time). */
function stageTimer() {
  let last = performance.now();
  const laps: Record<string, number> = {};
  return {
    laps,
    lap(stage: string) {
      const now = performance.now();
      laps[stage] = Math.round(now - last);
      last = now;
    },
  };
}
