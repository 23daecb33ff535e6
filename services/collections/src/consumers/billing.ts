// Guarantor balances and insurance pending from billing's events, in the inbox transaction (a repeated
// event changes nothing twice). Batched: a remittance arrives as thousands of adjudications, so each
// handler only gathers its event into the batch's changes, and `flushBilling` writes them with one
// multi-row statement per table (per run of one practice's events, and after a lone event).
import { randomUUID } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { claimAdjudicated, claimSubmitted } from '@mso/contracts/billing';
import { consume, type ConsumerContext, type Db, type EventHandler } from '@mso/kit';
import { responsibilityOf } from '../domain/responsibility.js';
import { appendHistory, balanceItems, balanceLines, guarantors, insuranceClaims, type HistoryInput } from '../db/accounts.js';

interface Submission {
  patientId: string;
  chargeCents: number;
  serviceDate: string;
  submittedAt: Date;
  voided: boolean;
}

/** One claim's adjudications in the batch, summed in stream order. */
interface ClaimChange {
  patientId: string;
  /** Adjudications posted minus reversals. */
  steps: number;
  /** The newest posting's time (reversals excluded). */
  adjudicatedAt: Date | null;
  /** Whether an event moved patient responsibility (else only an existing balance is touched). */
  moved: boolean;
  responsibilityCents: number;
  insurancePaidCents: number;
  adjustmentCents: number;
  chargeCents: number | null;
  serviceDate: string | null;
  /** The first posting's payment date (aging before a statement). */
  adjudicatedOn: string;
  lines: Map<string, { lineId: string; reason: string; serviceDate: string | null; amountCents: number }>;
  history: Ordered[];
}

interface Gathered {
  submissions: Map<string, Map<string, Submission>>;
  changes: Map<string, Map<string, ClaimChange>>;
}

/** History entries keep the order their events came in. */
type Ordered = HistoryInput & { order: number };
let nextOrder = 0;

/** Keyed by the transaction's db: a rolled-back batch leaves nothing behind. */
const gathered = new WeakMap<Db, Gathered>();

function gatheredOf(db: Db): Gathered {
  let g = gathered.get(db);
  if (!g) gathered.set(db, (g = { submissions: new Map(), changes: new Map() }));
  return g;
}

const ofPractice = <T>(map: Map<string, Map<string, T>>, practiceId: string) => {
  let m = map.get(practiceId);
  if (!m) map.set(practiceId, (m = new Map()));
  return m;
};

/** A claim at the payer: pending until adjudicated (a void is not pending); the patient's account opens. */
export const onClaimSubmitted: EventHandler<typeof claimSubmitted> = async (event, ctx) => {
  const practiceId = event.tenantid ?? ctx.tenant;
  if (!practiceId) return;
  const d = event.data;
  const submittedAt = new Date(event.time);
  const claims = ofPractice(gatheredOf(ctx.db).submissions, practiceId);
  const before = claims.get(d.claimId);
  // The newest submission wins (a redelivered older one changes nothing).
  if (before && before.submittedAt > submittedAt) return;
  claims.set(d.claimId, { patientId: d.patientId, chargeCents: d.chargeCents, serviceDate: d.serviceDate, submittedAt, voided: d.frequencyCode === '8' });
};

/**
 * An adjudication: the claim is no longer pending, and its patient responsibility (per line and
 * reason) is added to the guarantor's balance; a reversal adds the negated amounts, removing it.
 */
export const onClaimAdjudicated: EventHandler<typeof claimAdjudicated> = async (event, ctx) => {
  const practiceId = event.tenantid ?? ctx.tenant;
  if (!practiceId) return;
  const d = event.data;
  const change = responsibilityOf(d);
  const claims = ofPractice(gatheredOf(ctx.db).changes, practiceId);
  const c: ClaimChange = claims.get(d.claimId) ?? {
      patientId: d.patientId,
      steps: 0,
      adjudicatedAt: null,
      moved: false,
      responsibilityCents: 0,
      insurancePaidCents: 0,
      adjustmentCents: 0,
      chargeCents: null,
      serviceDate: null,
      adjudicatedOn: d.paymentDate,
      lines: new Map(),
      history: [],
    };
  claims.set(d.claimId, c);
  const at = new Date(event.time);
  c.steps += d.reversal ? -1 : 1;
  if (!d.reversal && (!c.adjudicatedAt || at > c.adjudicatedAt)) c.adjudicatedAt = at;
  c.moved ||= change.totalCents !== 0;
  c.responsibilityCents += change.totalCents;
  c.insurancePaidCents += change.insurancePaidCents;
  c.adjustmentCents += change.adjustmentCents;
  if (change.chargeCents !== null) c.chargeCents = change.chargeCents;
  c.serviceDate ??= change.serviceDate;
  for (const l of change.lines) {
    const k = `${l.lineId}|${l.reason}`;
    const m = c.lines.get(k);
    c.lines.set(k, m ? { ...m, amountCents: m.amountCents + l.amountCents } : { ...l });
  }
  const reasons: Record<string, number> = {};
  for (const l of change.lines) reasons[l.reason] = (reasons[l.reason] ?? 0) + l.amountCents;
  c.history.push({
    order: nextOrder++,
    id: randomUUID(),
    practiceId,
    guarantorId: d.patientId,
    claimId: d.claimId,
    kind: d.reversal ? 'reversal' : 'responsibility',
    amountCents: change.totalCents,
    on: d.paymentDate,
    refId: d.adjudicationId,
    detail: { reasons },
    createdAt: ctx.clock.now(),
  });
};

/** Writes what the batch's events gathered. */
export async function flushBilling(ctx: ConsumerContext): Promise<void> {
  const g = gathered.get(ctx.db);
  if (!g) return;
  gathered.delete(ctx.db);
  const now = ctx.clock.now();
  for (const [practiceId, claims] of g.submissions) await writeSubmissions(ctx.db, practiceId, claims, now);
  for (const [practiceId, claims] of g.changes) await writeAdjudications(ctx.db, practiceId, claims, now);
}

/**
 * The patients' accounts, created on first use; `lock` also takes their row locks, in id order (as a
 * payment or a write-off takes its guarantor's row first: one lock order, no deadlock).
 */
async function ensureGuarantors(db: Db, practiceId: string, patientIds: Iterable<string>, now: Date, lock: boolean): Promise<void> {
  const ids = [...new Set(patientIds)].sort();
  if (ids.length === 0) return;
  const insert = db.insert(guarantors).values(ids.map((id) => ({ id, practiceId, patientId: id, createdAt: now, updatedAt: now })));
  if (!lock) return void (await insert.onConflictDoNothing());
  // A no-op update of an existing row locks it as SELECT ... FOR UPDATE would.
  await insert.onConflictDoUpdate({ target: guarantors.id, set: { practiceId: sql`${guarantors.practiceId}` }, setWhere: eq(guarantors.practiceId, practiceId) });
}

async function writeSubmissions(db: Db, practiceId: string, claims: Map<string, Submission>, now: Date): Promise<void> {
  if (claims.size === 0) return;
  await ensureGuarantors(db, practiceId, [...claims.values()].map((s) => s.patientId), now, false);
  await db
    .insert(insuranceClaims)
    .values([...claims].map(([claimId, s]) => ({ practiceId, claimId, patientId: s.patientId, chargeCents: s.chargeCents, serviceDate: s.serviceDate, submittedAt: s.submittedAt, voided: s.voided, updatedAt: now })))
    .onConflictDoUpdate({
      target: [insuranceClaims.practiceId, insuranceClaims.claimId],
      set: { chargeCents: sql`excluded.charge_cents`, serviceDate: sql`excluded.service_date`, submittedAt: sql`excluded.submitted_at`, voided: sql`excluded.voided`, updatedAt: now },
      // An older submission redelivered after a newer one changes nothing.
      setWhere: sql`${insuranceClaims.submittedAt} is null or ${insuranceClaims.submittedAt} <= excluded.submitted_at`,
    });
}

async function writeAdjudications(db: Db, practiceId: string, claims: Map<string, ClaimChange>, now: Date): Promise<void> {
  if (claims.size === 0) return;
  await db
    .insert(insuranceClaims)
    .values([...claims].map(([claimId, c]) => ({ practiceId, claimId, patientId: c.patientId, adjudications: c.steps, adjudicatedAt: c.adjudicatedAt, updatedAt: now })))
    .onConflictDoUpdate({
      target: [insuranceClaims.practiceId, insuranceClaims.claimId],
      // greatest() ignores a null (a batch of reversals only).
      set: { adjudications: sql`${insuranceClaims.adjudications} + excluded.adjudications`, adjudicatedAt: sql`greatest(${insuranceClaims.adjudicatedAt}, excluded.adjudicated_at)`, updatedAt: now },
    });

  // Nothing the patient owes and no balance to change: no account for it.
  const unmoved = [...claims].filter(([, c]) => !c.moved).map(([id]) => id);
  if (unmoved.length) {
    const existing = new Set(
      (
        await db
          .select({ claimId: balanceItems.claimId })
          .from(balanceItems)
          .where(and(eq(balanceItems.practiceId, practiceId), inArray(balanceItems.claimId, unmoved)))
      ).map((r) => r.claimId),
    );
    for (const id of unmoved) if (!existing.has(id)) claims.delete(id);
  }
  if (claims.size === 0) return;

  await ensureGuarantors(db, practiceId, [...claims.values()].map((c) => c.patientId), now, true);
  // A batch of reversals only carries no charge: those keep the one on file.
  const keepCharge = [...claims].filter(([, c]) => c.chargeCents === null).map(([id]) => sql`${id}::uuid`);
  const items = await db
    .insert(balanceItems)
    .values(
      [...claims].map(([claimId, c]) => ({
        practiceId,
        claimId,
        guarantorId: c.patientId,
        serviceDate: c.serviceDate,
        chargeCents: c.chargeCents ?? 0,
        insurancePaidCents: c.insurancePaidCents,
        adjustmentCents: c.adjustmentCents,
        responsibilityCents: c.responsibilityCents,
        adjudicatedOn: c.adjudicatedOn,
        createdAt: now,
        updatedAt: now,
      })),
    )
    .onConflictDoUpdate({
      target: [balanceItems.practiceId, balanceItems.claimId],
      set: {
        serviceDate: sql`coalesce(${balanceItems.serviceDate}, excluded.service_date)`,
        chargeCents: keepCharge.length ? sql`case when excluded.claim_id in (${sql.join(keepCharge, sql`, `)}) then ${balanceItems.chargeCents} else excluded.charge_cents end` : sql`excluded.charge_cents`,
        insurancePaidCents: sql`${balanceItems.insurancePaidCents} + excluded.insurance_paid_cents`,
        adjustmentCents: sql`${balanceItems.adjustmentCents} + excluded.adjustment_cents`,
        responsibilityCents: sql`${balanceItems.responsibilityCents} + excluded.responsibility_cents`,
        updatedAt: now,
      },
    })
    .returning();

  const lines = [...claims].flatMap(([claimId, c]) => [...c.lines.values()].filter((l) => l.amountCents !== 0).map((l) => ({ practiceId, claimId, ...l })));
  if (lines.length) {
    await db
      .insert(balanceLines)
      .values(lines)
      .onConflictDoUpdate({
        target: [balanceLines.practiceId, balanceLines.claimId, balanceLines.lineId, balanceLines.reason],
        set: { amountCents: sql`${balanceLines.amountCents} + excluded.amount_cents` },
      });
  }

  // In stream order across the batch's claims.
  const history = [...claims.values()].flatMap((c) => c.history).sort((a, b) => a.order - b.order);
  // Paid beyond what is now owed (a reversal after a payment): the excess is the guarantor's credit.
  for (const item of items) {
    const excess = Math.min(item.paidCents, item.paidCents + item.writtenOffCents - item.responsibilityCents);
    if (excess <= 0) continue;
    await db
      .update(balanceItems)
      .set({ paidCents: item.paidCents - excess })
      .where(and(eq(balanceItems.practiceId, practiceId), eq(balanceItems.claimId, item.claimId)));
    await db
      .update(guarantors)
      .set({ creditCents: sql`${guarantors.creditCents} + ${excess}`, updatedAt: now })
      .where(and(eq(guarantors.practiceId, practiceId), eq(guarantors.id, item.guarantorId)));
    const last = claims.get(item.claimId)!.history.at(-1)!;
    history.push({ ...last, id: randomUUID(), kind: 'credit', amountCents: excess, detail: { creditCents: excess } });
  }
  await appendHistory(db, ...history.map(({ order: _order, ...entry }) => entry));
}

const batch = { batch: { flush: flushBilling } };
export const billingConsumers = [consume(claimSubmitted, onClaimSubmitted, batch), consume(claimAdjudicated, onClaimAdjudicated, batch)];
