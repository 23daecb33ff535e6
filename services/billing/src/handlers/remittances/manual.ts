import { eq, sql } from 'drizzle-orm';
import { ProblemError } from '@mso/contracts';
import type { matchUnmatchedRemittance, postClaimPayment } from '@mso/contracts/billing';
import { tenantWhere, type Handler } from '@mso/kit';
import type { Claim835 } from '@mso/x12';
import { remittanceClaims, remittances } from '../../db/schema.js';
import { checkManualPayment, fromManualPayment } from '../../domain/remittance/manual.js';
import { planRemittance } from '../../domain/remittance/plan.js';
import { canPost } from '../../domain/remittance/posting.js';
import { fromClaim835 } from '../../domain/remittance/records.js';
import { loadClaim } from '../claim-store.js';
import { notFound, unprocessable } from '../common.js';
import { enqueueDenials } from '../work/index.js';
import { emitPostings, postedClaims, records } from './post-remittance.js';
import { loadClaimForPosting, orderedIds, savePostings } from './store.js';
import { loadRemittanceRow, toUnmatched } from './views.js';

// A biller's hand: matching a CLP from the unmatched queue to a claim, and posting a paper EOB.

const reasonText = { 'claim-not-submitted': 'the claim is not with the payer (draft, ready or rejected)', 'nothing-to-reverse': 'the reversal finds no posting on that claim to undo' } as const;

/** POST /v1/billing/unmatched-remittances/{id}/match: the CLP posts to the claim as if the payer had named it. */
export const matchUnmatchedRemittanceHandler: Handler<typeof matchUnmatchedRemittance> = (input, ctx) =>
  ctx.transaction(async (tx) => {
    const [entry] = await tx.db.select().from(remittanceClaims).where(tenantWhere(remittanceClaims.practiceId, ctx.practiceId, eq(remittanceClaims.id, input.id))).for('update');
    if (!entry) throw notFound('unmatched remittance');
    if (entry.state !== 'unmatched') throw new ProblemError('conflict', `this remittance claim was ${entry.state} already, to claim ${entry.claimId}`);
    const remittance = await loadRemittanceRow(tx.db, ctx.practiceId, entry.remittanceId);
    const claim = await loadClaimForPosting(tx.db, ctx.practiceId, input.claimId);
    if (!claim) throw new ProblemError('not-found', 'no such claim', [{ path: '/claimId', message: 'no such claim' }]);

    const now = ctx.clock.now();
    const clp = { ...fromClaim835(entry.era as unknown as Claim835), patientControlNumber: claim.row.patientControlNumber };
    const plan = planRemittance([clp], new Map([[claim.row.patientControlNumber, claim.state]]), orderedIds(now));
    const decided = plan.claims[0]!;
    if (!decided.posting) throw new ProblemError('conflict', `cannot post to claim ${claim.row.patientControlNumber}: ${reasonText[decided.unmatchedReason as keyof typeof reasonText]}`);

    const loaded = new Map([[claim.row.patientControlNumber, claim]]);
    await savePostings(tx.db, { practiceId: ctx.practiceId, remittanceId: remittance.id, paymentDate: remittance.paymentDate, at: now, by: ctx.principal.id }, postedClaims(plan, loaded, remittance.traceNumber), records(plan));
    await enqueueDenials(tx.db, ctx.practiceId, [claim.row.id], now);
    const [matched] = await tx.db
      .update(remittanceClaims)
      .set({ state: 'matched', claimId: claim.row.id, adjudicationId: decided.posting.record.id, matchedAt: now, matchedBy: ctx.principal.id })
      .where(tenantWhere(remittanceClaims.practiceId, ctx.practiceId, eq(remittanceClaims.id, entry.id)))
      .returning();
    await tx.db
      .update(remittances)
      .set({ matchedClaimCount: sql`${remittances.matchedClaimCount} + 1` })
      .where(tenantWhere(remittances.practiceId, ctx.practiceId, eq(remittances.id, remittance.id)));
    await emitPostings(tx, plan, loaded, remittance.id, remittance.paymentDate);
    return toUnmatched(matched!, remittance);
  });

/** POST /v1/billing/claims/{id}/payments: a paper EOB, with the same effects and events as an ERA's CLP. */
export const postClaimPaymentHandler: Handler<typeof postClaimPayment> = ({ id, ...payment }, ctx) =>
  ctx.transaction(async (tx) => {
    const claim = await loadClaimForPosting(tx.db, ctx.practiceId, id);
    if (!claim) throw notFound('claim');
    if (!canPost(claim.state.status)) throw new ProblemError('conflict', `cannot post a payment to a claim that is ${claim.state.status}: it has not been sent to the payer`);
    const problems = checkManualPayment(claim.state, payment);
    if (problems.length) throw unprocessable(problems);

    const now = ctx.clock.now();
    const paymentDate = payment.paymentDate ?? now.toISOString().slice(0, 10);
    const clp = { ...fromManualPayment(claim.state, payment), patientControlNumber: claim.row.patientControlNumber };
    const loaded = new Map([[claim.row.patientControlNumber, claim]]);
    const plan = planRemittance([clp], new Map([[claim.row.patientControlNumber, claim.state]]), orderedIds(now));
    await savePostings(tx.db, { practiceId: ctx.practiceId, remittanceId: null, paymentDate, at: now, by: ctx.principal.id }, postedClaims(plan, loaded, null), records(plan));
    await enqueueDenials(tx.db, ctx.practiceId, [id], now);
    await emitPostings(tx, plan, loaded, null, paymentDate);
    return loadClaim(tx.db, ctx.practiceId, id);
  });
