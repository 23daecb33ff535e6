// The account's money moves, each in the caller's transaction with its history and its event: a
// payment, a refund, a write-off (small balance, hardship, bad debt) and an agency recovery. The
// statements, dunning and agency parts call these too (bad debt on referral, recoveries).
import { randomUUID } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { balanceWrittenOff, paymentReceived, paymentRefunded } from '@mso/contracts/collections';
import type { Db, TransactionContext } from '@mso/kit';
import { applyAmount } from '../domain/apply.js';
import { isComplete, payInstallments } from '../domain/plans.js';
import { appendHistory, balanceItems, type HistoryInput, guarantors, listOpenItems, lockGuarantor, openBalance, openCents, type Guarantor } from './accounts.js';
import { paymentApplications, payments, refunds, type Payment, type PaymentMethod } from './payments.js';
import { activePlan, listInstallments, paymentPlans, planInstallments } from './plans.js';
import { writeOffs, type WriteOff, type WriteOffReason } from './write-offs.js';
import { notFound, unprocessable } from '../domain/problems.js';

export interface When {
  practiceId: string;
  /** Business date (the practice's). */
  on: string;
  now: Date;
}

type Applications = { claimId: string; amountCents: number }[];

async function lockOrNotFound(db: Db, practiceId: string, guarantorId: string): Promise<Guarantor> {
  const g = await lockGuarantor(db, practiceId, guarantorId);
  if (!g) throw notFound('guarantor');
  return g;
}

async function addToItems(db: Db, practiceId: string, column: 'paid' | 'writtenOff', applications: Applications, now: Date): Promise<void> {
  for (const a of applications) {
    const set = column === 'paid' ? { paidCents: sql`${balanceItems.paidCents} + ${a.amountCents}` } : { writtenOffCents: sql`${balanceItems.writtenOffCents} + ${a.amountCents}` };
    await db
      .update(balanceItems)
      .set({ ...set, updatedAt: now })
      .where(and(eq(balanceItems.practiceId, practiceId), eq(balanceItems.claimId, a.claimId)));
  }
}

export interface PaymentInput {
  guarantorId: string;
  amountCents: number;
  method: PaymentMethod;
  reference?: string | null;
  claimId?: string | null;
}

export interface PostedPayment {
  payment: Payment;
  applications: Applications;
  planId: string | null;
}

/**
 * Posts a payment: the named claim first, then the oldest open balance; the rest is credit. An active
 * plan's installments take what the balances took, in due order. Emits `collections.payment.received`.
 */
export async function postPayment(tx: TransactionContext, when: When, input: PaymentInput): Promise<PostedPayment> {
  const { db } = tx;
  const { practiceId, on, now } = when;
  const g = await lockOrNotFound(db, practiceId, input.guarantorId);
  const items = await listOpenItems(db, practiceId, g.id);
  if (input.claimId && !items.some((i) => i.claimId === input.claimId)) {
    throw unprocessable([{ path: '/claimId', message: 'the guarantor owes nothing on this claim' }]);
  }
  const { applications, leftCents } = applyAmount(
    input.amountCents,
    items.map((i) => ({ claimId: i.claimId, openCents: openCents(i) })),
    input.claimId,
  );
  const id = randomUUID();
  const history: HistoryInput[] = applications.map((a) => ({ id: randomUUID(), practiceId, guarantorId: g.id, claimId: a.claimId, kind: 'payment', amountCents: -a.amountCents, on, refId: id, detail: { method: input.method }, createdAt: now }));
  if (leftCents > 0) history.push({ id: randomUUID(), practiceId, guarantorId: g.id, kind: 'credit', on, refId: id, detail: { method: input.method, creditCents: leftCents }, createdAt: now });
  const planId = await payPlan(db, when, g.id, input.amountCents - leftCents, id, history);
  const [payment] = await db
    .insert(payments)
    .values({ id, practiceId, guarantorId: g.id, amountCents: input.amountCents, method: input.method, reference: input.reference ?? null, claimId: input.claimId ?? null, creditCents: leftCents, planId, receivedOn: on, createdAt: now })
    .returning();
  if (applications.length) await db.insert(paymentApplications).values(applications.map((a) => ({ practiceId, paymentId: id, ...a })));
  await addToItems(db, practiceId, 'paid', applications, now);
  if (leftCents > 0) await db.update(guarantors).set({ creditCents: g.creditCents + leftCents, updatedAt: now }).where(eq(guarantors.id, g.id));
  await appendHistory(db, ...history);
  await tx.emit(paymentReceived, { paymentId: id, guarantorId: g.id, amountCents: input.amountCents, method: input.method, date: on, applications });
  return { payment: payment!, applications, planId };
}

async function payPlan(db: Db, when: When, guarantorId: string, amountCents: number, paymentId: string, history: HistoryInput[]): Promise<string | null> {
  const plan = await activePlan(db, when.practiceId, guarantorId);
  if (!plan) return null;
  if (amountCents <= 0) return plan.id;
  const before = await listInstallments(db, when.practiceId, plan.id);
  const { installments, appliedCents } = payInstallments(before, amountCents);
  for (const [i, inst] of installments.entries()) {
    if (inst.paidCents === before[i]!.paidCents) continue;
    await db
      .update(planInstallments)
      .set({ paidCents: inst.paidCents })
      .where(and(eq(planInstallments.practiceId, when.practiceId), eq(planInstallments.planId, plan.id), eq(planInstallments.number, inst.number)));
  }
  const complete = isComplete(installments);
  await db
    .update(paymentPlans)
    .set({ paidCents: plan.paidCents + appliedCents, status: complete ? 'completed' : 'active', updatedAt: when.now })
    .where(eq(paymentPlans.id, plan.id));
  const base = { practiceId: when.practiceId, guarantorId, claimId: null, amountCents: 0, on: when.on, createdAt: when.now };
  if (appliedCents > 0) history.push({ ...base, id: randomUUID(), kind: 'plan-installment-paid', refId: plan.id, detail: { paymentId, amountCents: appliedCents } });
  if (complete) history.push({ ...base, id: randomUUID(), kind: 'plan-completed', refId: plan.id, detail: {} });
  return plan.id;
}

/** Refunds part of a guarantor's credit. Emits `collections.payment.refunded`. */
export async function postRefund(tx: TransactionContext, when: When, input: { guarantorId: string; amountCents: number; paymentId?: string | null }) {
  const { db } = tx;
  const { practiceId, on, now } = when;
  const g = await lockOrNotFound(db, practiceId, input.guarantorId);
  if (input.paymentId) {
    const [p] = await db.select({ id: payments.id }).from(payments).where(and(eq(payments.practiceId, practiceId), eq(payments.id, input.paymentId), eq(payments.guarantorId, g.id)));
    if (!p) throw unprocessable([{ path: '/paymentId', message: 'no such payment of this guarantor' }]);
  }
  if (input.amountCents > g.creditCents) {
    throw unprocessable([{ path: '/amountCents', message: `is more than the guarantor's credit (${g.creditCents} cents)` }]);
  }
  const id = randomUUID();
  const creditCents = g.creditCents - input.amountCents;
  const [refund] = await db
    .insert(refunds)
    .values({ id, practiceId, guarantorId: g.id, paymentId: input.paymentId ?? null, amountCents: input.amountCents, refundedOn: on, createdAt: now })
    .returning();
  await db.update(guarantors).set({ creditCents, updatedAt: now }).where(eq(guarantors.id, g.id));
  await appendHistory(db, { id: randomUUID(), practiceId, guarantorId: g.id, kind: 'refund', amountCents: 0, on, refId: id, detail: { amountCents: input.amountCents, creditCents }, createdAt: now });
  await tx.emit(paymentRefunded, { refundId: id, paymentId: input.paymentId ?? null, guarantorId: g.id, amountCents: input.amountCents, date: on });
  return { refund: refund!, creditCents };
}

export interface WriteOffInput {
  guarantorId: string;
  claimId?: string | null;
  /** Cents to write off; `all`: the whole open balance (of the claim, if named). */
  amountCents: number | 'all';
  reason: Exclude<WriteOffReason, 'agency-recovery'>;
  requestedBy?: string | null;
  decidedBy?: string | null;
  /** An already requested write-off (hardship approval) to post. */
  id?: string;
}

/**
 * Posts a write-off against the open balance (the named claim, else the oldest first), up to what is
 * open. Emits `collections.balance.written-off` per claim. Null when nothing is open.
 */
export async function postWriteOff(tx: TransactionContext, when: When, input: WriteOffInput): Promise<WriteOff | null> {
  const { db } = tx;
  const { practiceId, on, now } = when;
  const g = await lockOrNotFound(db, practiceId, input.guarantorId);
  const items = (await listOpenItems(db, practiceId, g.id)).filter((i) => !input.claimId || i.claimId === input.claimId);
  const open = openBalance(items);
  const amount = input.amountCents === 'all' ? open : input.amountCents;
  if (amount > open) {
    throw unprocessable([{ path: '/amountCents', message: `is more than the open balance (${open} cents)` }]);
  }
  if (amount <= 0) return null;
  const { applications } = applyAmount(amount, items.map((i) => ({ claimId: i.claimId, openCents: openCents(i) })));
  const id = input.id ?? randomUUID();
  const values = { guarantorId: g.id, claimId: input.claimId ?? null, amountCents: amount, reason: input.reason, status: 'posted' as const, applications, decidedBy: input.decidedBy ?? null, on, updatedAt: now };
  const [row] = input.id
    ? await db.update(writeOffs).set(values).where(and(eq(writeOffs.practiceId, practiceId), eq(writeOffs.id, id))).returning()
    : await db.insert(writeOffs).values({ ...values, id, practiceId, requestedBy: input.requestedBy ?? null, createdAt: now }).returning();
  await addToItems(db, practiceId, 'writtenOff', applications, now);
  await appendHistory(
    db,
    ...applications.map((a) => ({ id: randomUUID(), practiceId, guarantorId: g.id, claimId: a.claimId, kind: 'write-off', amountCents: -a.amountCents, on, refId: id, detail: { reason: input.reason }, createdAt: now })),
  );
  await emitWrittenOff(tx, { writeOffId: id, guarantorId: g.id, reason: input.reason, date: on }, applications);
  return row!;
}

/**
 * One `collections.balance.written-off` per claim the write-off touched (the same `writeOffId`), so
 * finance takes it off that claim's patient AR.
 */
async function emitWrittenOff(tx: TransactionContext, base: { writeOffId: string; guarantorId: string; reason: WriteOffReason; date: string }, applications: Applications): Promise<void> {
  await tx.emitMany(
    balanceWrittenOff,
    applications.map((a) => ({ data: { ...base, claimId: a.claimId, amountCents: a.amountCents } })),
  );
}

/** Writes off a guarantor's whole open balance as bad debt (an account placed with an agency). */
export const writeOffBadDebt = (tx: TransactionContext, when: When, guarantorId: string, requestedBy?: string | null) =>
  postWriteOff(tx, when, { guarantorId, amountCents: 'all', reason: 'bad-debt', requestedBy: requestedBy ?? null });

/**
 * Money an agency recovered reverses that much of the guarantor's bad-debt write-offs (oldest first):
 * the balance is owed again, a negative `agency-recovery` write-off is emitted. The money itself is a
 * payment: `recordAgencyRecovery` posts both.
 */
export async function reverseBadDebt(tx: TransactionContext, when: When, guarantorId: string, amountCents: number): Promise<WriteOff> {
  const { db } = tx;
  const { practiceId, on, now } = when;
  const g = await lockOrNotFound(db, practiceId, guarantorId);
  const done = await db
    .select()
    .from(writeOffs)
    .where(and(eq(writeOffs.practiceId, practiceId), eq(writeOffs.guarantorId, g.id), inArray(writeOffs.reason, ['bad-debt', 'agency-recovery']), eq(writeOffs.status, 'posted')))
    .orderBy(writeOffs.createdAt);
  // Per claim: bad debt written off less what recoveries reversed already.
  const reversible = new Map<string, number>();
  for (const w of done) for (const a of w.applications) reversible.set(a.claimId, (reversible.get(a.claimId) ?? 0) + a.amountCents);
  const total = [...reversible.values()].reduce((s, v) => s + v, 0);
  if (amountCents <= 0 || amountCents > total) {
    throw unprocessable([{ path: '/amountCents', message: `must be 1 to the bad debt written off (${total} cents)` }]);
  }
  const { applications } = applyAmount(amountCents, [...reversible].map(([claimId, open]) => ({ claimId, openCents: open })));
  const negated = applications.map((a) => ({ claimId: a.claimId, amountCents: -a.amountCents }));
  const id = randomUUID();
  const [row] = await db
    .insert(writeOffs)
    .values({ id, practiceId, guarantorId: g.id, claimId: null, amountCents: -amountCents, reason: 'agency-recovery', status: 'posted', applications: negated, on, createdAt: now, updatedAt: now })
    .returning();
  await addToItems(db, practiceId, 'writtenOff', negated, now);
  await appendHistory(
    db,
    ...negated.map((a) => ({ id: randomUUID(), practiceId, guarantorId: g.id, claimId: a.claimId, kind: 'write-off', amountCents: -a.amountCents, on, refId: id, detail: { reason: 'agency-recovery' }, createdAt: now })),
  );
  await emitWrittenOff(tx, { writeOffId: id, guarantorId: g.id, reason: 'agency-recovery', date: on }, negated);
  return row!;
}

/** An agency's recovery: the bad debt reversed by that much, and the money posted as a payment to it. */
export async function recordAgencyRecovery(tx: TransactionContext, when: When, input: { guarantorId: string; amountCents: number; method?: PaymentMethod; reference?: string | null }) {
  const writeOff = await reverseBadDebt(tx, when, input.guarantorId, input.amountCents);
  const posted = await postPayment(tx, when, { guarantorId: input.guarantorId, amountCents: input.amountCents, method: input.method ?? 'check', reference: input.reference ?? null });
  return { writeOff, ...posted };
}
