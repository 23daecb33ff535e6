// Daily, in each practice's time zone: each account in the dunning sequence moves on when its next step
// is due (a reminder or the final notice goes out as a statement of that kind; at the referral step the
// account is placed with the policy's agency, if it names one), reacts once to each new payment (reset
// or pause), and leaves the sequence when paid. Accounts on hold or in a current plan wait; a defaulted
// plan is no longer current, so its account resumes where it stood. Every step is in the history.
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { localDate, type JobContext } from '@mso/kit';
import { appendHistory, getGuarantor, listOpenItems, openBalance } from '../db/accounts.js';
import { placedGuarantors } from '../db/agencies.js';
import { dunningPositions, getPolicyRow, lastPaymentOn, listPositions } from '../db/dunning.js';
import { isPlanCurrent } from '../db/plans.js';
import { getPracticeProfileRow } from '../db/statements.js';
import { decideDunning, policyOf } from '../domain/dunning.js';
import { placeWithAgency } from '../handlers/agencies/place.js';
import { DEFAULT_TIME_ZONE, hasContact, issueStatement } from '../handlers/statements/issue.js';

export async function advanceDunning(ctx: JobContext): Promise<void> {
  const practiceId = ctx.tenant;
  if (!practiceId) return;
  const agreement = await ctx.agreements.get(practiceId);
  const timeZone = agreement?.timeZone ?? DEFAULT_TIME_ZONE;
  const now = ctx.clock.now();
  const today = localDate(ctx.tick, timeZone);
  await ctx.transaction(async (tx) => {
    const { db } = tx;
    const policy = policyOf(await getPolicyRow(db, practiceId), agreement?.terms.collections?.dunning);
    const profile = await getPracticeProfileRow(db, practiceId);
    const positions = await listPositions(db, practiceId);
    const placed = await placedGuarantors(db, practiceId, positions.map((p) => p.guarantorId));
    const when = { practiceId, on: today, now };
    for (const pos of positions) {
      if (placed.has(pos.guarantorId)) continue;
      const where = and(eq(dunningPositions.practiceId, practiceId), eq(dunningPositions.guarantorId, pos.guarantorId));
      const history = { practiceId, guarantorId: pos.guarantorId, on: today, createdAt: now };
      const g = await getGuarantor(db, practiceId, pos.guarantorId);
      const balance = openBalance(await listOpenItems(db, practiceId, pos.guarantorId));
      if (!g || balance <= 0) {
        await db.delete(dunningPositions).where(where);
        await appendHistory(db, { ...history, id: randomUUID(), kind: 'dunning-ended', detail: { step: pos.step, reason: 'paid' } });
        continue;
      }
      if (g.hold || (await isPlanCurrent(db, practiceId, g.id))) continue;
      const action = decideDunning(pos, policy, today, await lastPaymentOn(db, practiceId, g.id));
      if (action.kind === 'none') continue;
      if (action.kind === 'advance' && action.to !== 'agency-referral') {
        // A notice needs someone to address it to and a sender; without them the step waits.
        if (!profile || !hasContact(g)) continue;
        await issueStatement(tx, { practiceId, runId: null, kind: action.to, date: today, now, profile, practiceTimeZone: timeZone }, g);
      }
      await db
        .update(dunningPositions)
        .set({ ...action.position, updatedAt: now })
        .where(where);
      const kind = action.kind === 'advance' ? 'dunning-step' : action.kind === 'reset' ? 'dunning-reset' : 'dunning-paused';
      const detail = action.kind === 'advance' ? { step: action.to, balanceCents: balance } : { step: pos.step, paymentOn: action.paymentOn, nextStepOn: action.position.nextStepOn };
      await appendHistory(db, { ...history, id: randomUUID(), kind, detail });
      if (action.kind === 'advance' && action.to === 'agency-referral' && policy.agencyId) {
        await placeWithAgency(tx, when, { guarantorId: g.id, agencyId: policy.agencyId, source: 'dunning' });
      }
    }
  });
}
