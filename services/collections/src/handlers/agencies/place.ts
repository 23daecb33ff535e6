// Placing an account with an agency: its open balance is written off as bad debt (collections' write-off,
// with its event for finance), it leaves the statement runs and stands at the dunning sequence's last
// step. Recoveries reverse part of the bad debt and post the money as a payment; a recall ends the
// placement.
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { ProblemError } from '@mso/contracts';
import type { Placement } from '@mso/contracts/collections';
import type { TransactionContext } from '@mso/kit';
import { appendHistory, listOpenItems, openBalance } from '../../db/accounts.js';
import { getAgency, placements, type PlacementRow } from '../../db/agencies.js';
import { dunningPositions } from '../../db/dunning.js';
import { recordAgencyRecovery, writeOffBadDebt, type When } from '../../db/postings.js';
import { notFound, unprocessable } from '../../domain/problems.js';

export const toPlacement = (r: PlacementRow): Placement => ({
  id: r.id,
  agencyId: r.agencyId,
  guarantorId: r.guarantorId,
  status: r.status,
  source: r.source,
  placedOn: r.placedOn,
  placedCents: r.placedCents,
  recoveredCents: r.recoveredCents,
  writeOffId: r.writeOffId,
  recalledOn: r.recalledOn,
  createdAt: r.createdAt.toISOString(),
});

export async function placeWithAgency(tx: TransactionContext, when: When, input: { guarantorId: string; agencyId: string; source: Placement['source']; by?: string | null }): Promise<PlacementRow> {
  const { db } = tx;
  const { practiceId, on, now } = when;
  if (!(await getAgency(db, practiceId, input.agencyId))) throw notFound('agency');
  const [open] = await db
    .select({ id: placements.id })
    .from(placements)
    .where(and(eq(placements.practiceId, practiceId), eq(placements.guarantorId, input.guarantorId), eq(placements.status, 'placed')));
  if (open) throw new ProblemError('conflict', 'the account is placed with an agency already');
  const placedCents = openBalance(await listOpenItems(db, practiceId, input.guarantorId));
  if (placedCents <= 0) throw unprocessable([{ path: '/guarantorId', message: 'the account has no open balance to place' }]);
  // Locks the guarantor, writes the balance off and emits collections.balance.written-off (404 when unknown).
  const writeOff = await writeOffBadDebt(tx, when, input.guarantorId, input.by ?? null);
  const id = randomUUID();
  const [row] = await db
    .insert(placements)
    .values({ id, practiceId, agencyId: input.agencyId, guarantorId: input.guarantorId, status: 'placed', source: input.source, placedOn: on, placedCents, writeOffId: writeOff?.id ?? null, createdAt: now, updatedAt: now })
    .returning();
  await db
    .insert(dunningPositions)
    .values({ practiceId, guarantorId: input.guarantorId, step: 'agency-referral', stepOn: on, nextStepOn: null, pausedUntil: null, paymentSeenOn: null, updatedAt: now })
    .onConflictDoUpdate({ target: [dunningPositions.practiceId, dunningPositions.guarantorId], set: { step: 'agency-referral', stepOn: on, nextStepOn: null, pausedUntil: null, updatedAt: now } });
  await appendHistory(db, { id: randomUUID(), practiceId, guarantorId: input.guarantorId, kind: 'agency-placement', on, refId: id, detail: { agencyId: input.agencyId, placedCents, source: input.source }, createdAt: now });
  return row!;
}

async function lockPlacement(tx: TransactionContext, practiceId: string, id: string): Promise<PlacementRow> {
  const [row] = await tx.db
    .select()
    .from(placements)
    .where(and(eq(placements.practiceId, practiceId), eq(placements.id, id)))
    .for('update');
  if (!row) throw notFound('placement');
  return row;
}

export async function recoverOnPlacement(tx: TransactionContext, when: When, input: { id: string; amountCents: number; reference?: string | null }) {
  const p = await lockPlacement(tx, when.practiceId, input.id);
  const left = p.placedCents - p.recoveredCents;
  if (input.amountCents > left) throw unprocessable([{ path: '/amountCents', message: `is more than is left to recover on the placement (${left} cents)` }]);
  const recovered = await recordAgencyRecovery(tx, when, { guarantorId: p.guarantorId, amountCents: input.amountCents, method: 'check', reference: input.reference ?? null });
  const [row] = await tx.db
    .update(placements)
    .set({ recoveredCents: p.recoveredCents + input.amountCents, updatedAt: when.now })
    .where(and(eq(placements.practiceId, when.practiceId), eq(placements.id, p.id)))
    .returning();
  await appendHistory(tx.db, { id: randomUUID(), practiceId: when.practiceId, guarantorId: p.guarantorId, kind: 'agency-recovery', on: when.on, refId: p.id, detail: { amountCents: input.amountCents, paymentId: recovered.payment.id }, createdAt: when.now });
  return { placement: row!, writeOffId: recovered.writeOff.id, paymentId: recovered.payment.id };
}

export async function recallFromAgency(tx: TransactionContext, when: When, id: string): Promise<PlacementRow> {
  const p = await lockPlacement(tx, when.practiceId, id);
  if (p.status !== 'placed') throw new ProblemError('conflict', 'the placement was recalled already');
  const [row] = await tx.db
    .update(placements)
    .set({ status: 'recalled', recalledOn: when.on, updatedAt: when.now })
    .where(and(eq(placements.practiceId, when.practiceId), eq(placements.id, p.id)))
    .returning();
  await tx.db.delete(dunningPositions).where(and(eq(dunningPositions.practiceId, when.practiceId), eq(dunningPositions.guarantorId, p.guarantorId)));
  await appendHistory(tx.db, { id: randomUUID(), practiceId: when.practiceId, guarantorId: p.guarantorId, kind: 'agency-recall', on: when.on, refId: p.id, detail: { agencyId: p.agencyId }, createdAt: when.now });
  return row!;
}
