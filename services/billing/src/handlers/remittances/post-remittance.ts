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

/** CLPs loaded, decided and written at a time: a 10,000-claim payment never holds every claim, line and row at once. */
const POST_PART = 2000;

/**
 * The positions of a payment's CLPs in parts of about `size`, in file order, every CLP of a claim
 * number in the part where the number first appears (a reversal and the corrected CLP after it are
 * decided together).
 */
export function postingParts(patientControlNumbers: readonly string[], size = POST_PART): number[][] {
  const positions = new Map<string, number[]>();
  patientControlNumbers.forEach((pcn, i) => (positions.get(pcn) ?? positions.set(pcn, []).get(pcn)!).push(i));
  const parts: number[][] = [];
  let current: number[] = [];
  for (const at of positions.values()) {
    current.push(...at);
    if (current.length >= size) {
      parts.push(current.sort((a, b) => a - b));
      current = [];
    }
  }
  if (current.length) parts.push(current.sort((a, b) => a - b));
  return parts;
}

const bySeq = <T>(items: { seq: number; item: T }[]): T[] => items.sort((a, b) => a.seq - b.seq).map((x) => x.item);

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

    const timer = stageTimer();
    const practiceId = ctx.practiceId;
    const now = ctx.clock.now();
    const by = ctx.principal.id;
    const [payer] = await db.select({ id: payers.id }).from(payers).where(and(eq(payers.practiceId, practiceId), eq(payers.ediPayerId, era.payer.id)));
    const remittanceId = randomUUID();
    const fileId = knownFileId ?? randomUUID();
    const paymentAmountCents = era.payment.creditDebit === 'D' ? -era.payment.amountCents : era.payment.amountCents;
    const claimPaymentCents = era.claims.reduce((n, c) => n + c.paidCents, 0);
    if (!knownFileId) await db.insert(remittanceFiles).values({ id: fileId, practiceId, sha256: file.sha256, bytes: file.bytes, receivedAt: now, receivedBy: by });
    // The matched count and warnings are known once every part is posted: the row is completed then.
    await db.insert(remittances).values({
      id: remittanceId,
      practiceId,
      fileId,
      controlNumber: era.controlNumber,
      payerIdentifier: era.payer.id,
      payerName: era.payer.name,
      payerId: payer?.id ?? null,
      traceNumber: era.payment.traceNumber,
      paymentAmountCents,
      paymentMethod: era.payment.method,
      paymentDate: era.payment.date,
      claimCount: era.claims.length,
      matchedClaimCount: 0,
      claimPaymentCents,
      warnings: [],
      createdAt: now,
      postedBy: by,
    });
    timer.lap('start');

    const reversals = new Set(era.claims.filter((c) => c.statusCode === '22').map((c) => c.patientControlNumber));
    const newId = orderedIds(now);
    const answered: Remittance['claims'] = new Array(era.claims.length);
    const claimWarnings: { seq: number; item: RemittanceWarning }[] = [];
    const unmatchedWarnings: { seq: number; item: RemittanceWarning }[] = [];
    const adjudicated: { seq: number; item: EventItem<typeof claimAdjudicated> }[] = [];
    const denied: { seq: number; item: EventItem<typeof claimDenied> }[] = [];
    let matched = 0;
    const parts = postingParts(era.claims.map((c) => c.patientControlNumber));
    for (const [n, part] of parts.entries()) {
      const clps = part.map((i) => era.claims[i]!);
      const loaded = await loadClaimsForPosting(db, practiceId, clps.map((c) => c.patientControlNumber), { postingsOf: reversals });
      const plan = planRemittance(
        clps.map((c) => ({ ...fromClaim835(c), patientControlNumber: c.patientControlNumber })),
        new Map([...loaded].map(([pcn, l]) => [pcn, l.state])),
        newId,
      );
      const claimRows = clps.map((c, k) => {
        const p = plan.claims[k]!;
        const unmatched = !p.claimId;
        const { patient, ...clp } = c;
        return {
          id: newId(),
          practiceId,
          remittanceId,
          seq: part[k]!,
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
      const posted = postedClaims(plan, loaded, era.payment.traceNumber);
      await savePostings(db, { practiceId, remittanceId, paymentDate: era.payment.date, at: now, by }, posted, records(plan));
      // Denied lines enter the denial work queue with the posting that denied them.
      await enqueueDenials(db, practiceId, posted.map((p) => p.state.id), now);
      await insertRows(db, remittanceClaims, claimRows);

      plan.claims.forEach((c, k) => {
        const seq = part[k]!;
        for (const w of c.warnings) claimWarnings.push({ seq, item: { code: w.code, message: w.message, patientControlNumber: c.patientControlNumber, segmentIndex: null, segmentId: null } });
        if (c.unmatchedReason) unmatchedWarnings.push({ seq, item: { code: `unmatched-${c.unmatchedReason}`, message: unmatchedMessage(c.patientControlNumber, c.unmatchedReason), patientControlNumber: c.patientControlNumber, segmentIndex: null, segmentId: null } });
        if (c.claimId) matched++;
      });
      for (const r of claimRows) {
        answered[r.seq] = {
          patientControlNumber: r.patientControlNumber,
          claimId: r.claimId,
          state: r.state as 'posted' | 'unmatched',
          unmatchedId: r.claimId ? null : r.id,
          statusCode: r.statusCode,
          chargeCents: r.chargeCents,
          paidCents: r.paidCents,
          patientResponsibilityCents: r.patientResponsibilityCents,
          adjustments: r.adjustments,
        };
      }
      const events = postingEvents(plan, loaded, remittanceId, era.payment.date, (k) => part[k]!);
      adjudicated.push(...events.adjudicated);
      denied.push(...events.denied);
      progress(0.1 + (0.8 * (n + 1)) / parts.length);
    }
    timer.lap('post');

    const warnings = [...parseWarnings, ...bySeq(claimWarnings), ...bySeq(unmatchedWarnings)];
    await db.update(remittances).set({ matchedClaimCount: matched, warnings }).where(and(eq(remittances.practiceId, practiceId), eq(remittances.id, remittanceId)));
    const providerAdjustments = era.providerAdjustments.map((a, seq) => ({ reason: a.reason, reference: a.reference ?? null, amountCents: a.amountCents, providerIdentifier: a.providerId, fiscalPeriodDate: a.fiscalPeriodDate, seq }));
    if (providerAdjustments.length) {
      await db.insert(remittanceProviderAdjustments).values(providerAdjustments.map((a) => ({ ...a, id: randomUUID(), practiceId, remittanceId })));
    }

    // Emit, last: emitting takes the practice's outbox turn until commit. In file order, each claim's
    // denials after its adjudication.
    await tx.emitMany(claimAdjudicated, bySeq(adjudicated));
    await tx.emitMany(claimDenied, bySeq(denied));
    await tx.emit(
      remittancePosted,
      {
        remittanceId,
        traceNumber: era.payment.traceNumber,
        payerId: payer?.id ?? null,
        paymentDate: era.payment.date,
        paymentAmountCents,
        claimPaymentCents,
        providerAdjustments: providerAdjustments.map(({ reason, reference, amountCents }) => ({ reason, reference, amountCents })),
      },
      { subject: remittanceId },
    );

    timer.lap('emit');
    ctx.log.info({ remittanceId, claims: era.claims.length, matched, parts: parts.length, stagesMs: timer.laps }, 'remittance posted');
    const remittance: Remittance = {
      id: remittanceId,
      traceNumber: era.payment.traceNumber,
      paymentAmountCents,
      paymentMethod: era.payment.method,
      paymentDate: era.payment.date,
      payer: { name: era.payer.name, id: era.payer.id },
      payerId: payer?.id ?? null,
      claimCount: era.claims.length,
      matchedClaimCount: matched,
      unmatchedClaimCount: era.claims.length - matched,
      claimPaymentCents,
      claims: answered,
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

type EventItem<E extends typeof claimAdjudicated | typeof claimDenied> = { data: DataOf<E>; options: { subject: string } };

/** The events of a plan's postings, each with the file position `seqOf` gives its CLP. */
function postingEvents(plan: RemittancePlan, loaded: ReadonlyMap<string, LoadedClaim>, remittanceId: string | null, paymentDate: string, seqOf: (k: number) => number) {
  const byId = new Map([...loaded.values()].map((l) => [l.row.id, l]));
  const adjudicated: { seq: number; item: EventItem<typeof claimAdjudicated> }[] = [];
  const denied: { seq: number; item: EventItem<typeof claimDenied> }[] = [];
  plan.claims.forEach((c, k) => {
    if (!c.posting || !c.claimId) return;
    const claim = byId.get(c.claimId)!;
    const claimId = c.claimId;
    const seq = seqOf(k);
    adjudicated.push({ seq, item: { data: adjudicatedEventData(c.posting.record, claim.row, claim.lines, remittanceId, paymentDate), options: { subject: claimId } } });
    for (const d of c.posting.denials) denied.push({ seq, item: { data: { claimId, amountCents: d.amountCents, reason: d.reason, deniedOn: paymentDate }, options: { subject: claimId } } });
  });
  return { adjudicated, denied };
}

/** `billing.claim.adjudicated` per posting and `billing.claim.denied` per denied reason (dated the payment date), in file order. */
export async function emitPostings(tx: TransactionContext, plan: RemittancePlan, loaded: ReadonlyMap<string, LoadedClaim>, remittanceId: string | null, paymentDate: string): Promise<void> {
  const events = postingEvents(plan, loaded, remittanceId, paymentDate, (k) => k);
  // In bulk: a 10,000-claim file is a few multi-row inserts, not a statement pair per event. Each
  // claim's denials follow its adjudication.
  await tx.emitMany(claimAdjudicated, bySeq(events.adjudicated));
  await tx.emitMany(claimDenied, bySeq(events.denied));
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
