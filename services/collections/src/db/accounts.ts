import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { bigserial, boolean, index, integer, jsonb, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { Db } from '@mso/kit';
import { cents, collections, day, ts } from './pg.js';

export interface MailingAddress {
  line1: string;
  line2?: string;
  city: string;
  state: string;
  postalCode: string;
}

export type Channel = 'mail' | 'email' | 'portal' | 'sms';
export type ChannelConsent = Partial<Record<Channel, boolean>>;

/**
 * A guarantor: the person who owes a practice's patient balances. By default billing's patient
 * (one per practice + patient id). Contact details are PHI: they stay in this table and the statements
 * rendered from it, never in logs, spans or events. `creditCents`: money paid and not applied (refundable).
 */
export const guarantors = collections.table(
  'guarantors',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    patientId: uuid('patient_id').notNull(),
    name: text('name'),
    mailingAddress: jsonb('mailing_address').$type<MailingAddress>(),
    email: text('email'),
    phone: text('phone'),
    /** IANA zone of the guarantor (quiet hours); null: the practice's. */
    timeZone: text('time_zone'),
    preferredChannel: text('preferred_channel').$type<Channel>().notNull().default('mail'),
    consent: jsonb('consent').$type<ChannelConsent>().notNull().default({}),
    /** On hold: no statements, no dunning. */
    hold: boolean('hold').notNull().default(false),
    creditCents: cents('credit_cents').notNull().default(0),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [uniqueIndex('guarantors_patient').on(t.practiceId, t.patientId)],
);

/**
 * A balance item: one claim's patient responsibility owed by a guarantor, with what was paid and written
 * off against it. Open = responsibility − paid − written off (never negative: an excess moves to credit).
 * Aging runs from `firstStatementOn` (set by statements), before any statement from `adjudicatedOn`.
 */
export const balanceItems = collections.table(
  'balance_items',
  {
    practiceId: uuid('practice_id').notNull(),
    claimId: uuid('claim_id').notNull(),
    guarantorId: uuid('guarantor_id').notNull(),
    serviceDate: day('service_date'),
    chargeCents: cents('charge_cents').notNull().default(0),
    insurancePaidCents: cents('insurance_paid_cents').notNull().default(0),
    adjustmentCents: cents('adjustment_cents').notNull().default(0),
    responsibilityCents: cents('responsibility_cents').notNull().default(0),
    paidCents: cents('paid_cents').notNull().default(0),
    writtenOffCents: cents('written_off_cents').notNull().default(0),
    /** The first adjudication's payment date (aging starts here before a statement). */
    adjudicatedOn: day('adjudicated_on').notNull(),
    firstStatementOn: day('first_statement_on'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.practiceId, t.claimId] }), index('balance_items_guarantor').on(t.practiceId, t.guarantorId, t.adjudicatedOn)],
);

/** Patient responsibility per claim line and reason (deductible, coinsurance, copay), net of reversals. */
export const balanceLines = collections.table(
  'balance_lines',
  {
    practiceId: uuid('practice_id').notNull(),
    claimId: uuid('claim_id').notNull(),
    /** The claim line; the claim's id for responsibility given at claim level only. */
    lineId: uuid('line_id').notNull(),
    reason: text('reason').notNull(),
    serviceDate: day('service_date'),
    amountCents: cents('amount_cents').notNull(),
  },
  (t) => [primaryKey({ columns: [t.practiceId, t.claimId, t.lineId, t.reason] })],
);

/**
 * Claims at the payer: pending from `billing.claim.submitted` until an adjudication newer than the
 * last submission (net of reversals); a void is never pending. Kept apart from the patient balance and
 * never billed to the patient. Times are the events' (the two event types may arrive in any order).
 */
export const insuranceClaims = collections.table(
  'insurance_claims',
  {
    practiceId: uuid('practice_id').notNull(),
    claimId: uuid('claim_id').notNull(),
    patientId: uuid('patient_id').notNull(),
    chargeCents: cents('charge_cents').notNull().default(0),
    serviceDate: day('service_date'),
    submittedAt: ts('submitted_at'),
    voided: boolean('voided').notNull().default(false),
    /** Adjudications posted minus reversals. */
    adjudications: integer('adjudications').notNull().default(0),
    adjudicatedAt: ts('adjudicated_at'),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.practiceId, t.claimId] }), index('insurance_claims_patient').on(t.practiceId, t.patientId)],
);

/** The SQL condition of a pending claim. */
export const isPending = sql`(${insuranceClaims.submittedAt} is not null and not ${insuranceClaims.voided} and (${insuranceClaims.adjudications} <= 0 or ${insuranceClaims.adjudicatedAt} < ${insuranceClaims.submittedAt}))`;

/**
 * The account's history: every balance change, payment, refund, write-off, plan event, statement and
 * dunning step. `detail` holds ids and amounts only.
 */
export const accountHistory = collections.table(
  'account_history',
  {
    id: uuid('id').primaryKey(),
    /** The order entries were written in (many share an instant). */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    practiceId: uuid('practice_id').notNull(),
    guarantorId: uuid('guarantor_id').notNull(),
    claimId: uuid('claim_id'),
    kind: text('kind').notNull(),
    /** Change of the patient balance (+ owed more, − owed less); 0 for events that move no money. */
    amountCents: cents('amount_cents').notNull().default(0),
    /** Business date. */
    on: day('on').notNull(),
    refId: uuid('ref_id'),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('account_history_guarantor').on(t.practiceId, t.guarantorId, t.seq)],
);

export type Guarantor = typeof guarantors.$inferSelect;
export type BalanceItem = typeof balanceItems.$inferSelect;
export type HistoryEntry = typeof accountHistory.$inferSelect;

/** Open cents of a balance item. */
export const openCents = (item: Pick<BalanceItem, 'responsibilityCents' | 'paidCents' | 'writtenOffCents'>) =>
  Math.max(0, item.responsibilityCents - item.paidCents - item.writtenOffCents);

// ---- read functions (statements, dunning and agencies build on these) ----

/** What `items` leave open, summed. */
export const openBalance = (items: readonly Parameters<typeof openCents>[0][]) => items.reduce((s, i) => s + openCents(i), 0);

export async function getGuarantor(db: Db, practiceId: string, guarantorId: string): Promise<Guarantor | undefined> {
  const [row] = await db
    .select()
    .from(guarantors)
    .where(and(eq(guarantors.practiceId, practiceId), eq(guarantors.id, guarantorId)));
  return row;
}

/** Locks the guarantor's row for the transaction (serialises writes to one account). */
export async function lockGuarantor(db: Db, practiceId: string, guarantorId: string): Promise<Guarantor | undefined> {
  const [row] = await db
    .select()
    .from(guarantors)
    .where(and(eq(guarantors.practiceId, practiceId), eq(guarantors.id, guarantorId)))
    .for('update');
  return row;
}

/** A guarantor's balance items, oldest first (aging date, then claim). */
export async function listBalanceItems(db: Db, practiceId: string, guarantorId: string): Promise<BalanceItem[]> {
  return db
    .select()
    .from(balanceItems)
    .where(and(eq(balanceItems.practiceId, practiceId), eq(balanceItems.guarantorId, guarantorId)))
    .orderBy(asc(sql`coalesce(${balanceItems.firstStatementOn}, ${balanceItems.adjudicatedOn})`), asc(balanceItems.adjudicatedOn), asc(balanceItems.claimId));
}

/** A guarantor's open balance items (open > 0), oldest first. */
export async function listOpenItems(db: Db, practiceId: string, guarantorId: string): Promise<BalanceItem[]> {
  return (await listBalanceItems(db, practiceId, guarantorId)).filter((i) => openCents(i) > 0);
}

/** Per-line patient responsibility of a claim (a statement's detail). */
export async function listBalanceLines(db: Db, practiceId: string, claimId: string) {
  return db
    .select()
    .from(balanceLines)
    .where(and(eq(balanceLines.practiceId, practiceId), eq(balanceLines.claimId, claimId)))
    .orderBy(asc(balanceLines.serviceDate), asc(balanceLines.lineId), asc(balanceLines.reason));
}

export interface GuarantorBalance {
  guarantorId: string;
  balanceCents: number;
  creditCents: number;
}

/** Guarantors of a practice whose open patient balance is above `minCents` (a statement run's candidates). */
export async function listGuarantorsWithBalance(db: Db, practiceId: string, minCents = 0): Promise<GuarantorBalance[]> {
  const open = sql<string>`sum(greatest(0, ${balanceItems.responsibilityCents} - ${balanceItems.paidCents} - ${balanceItems.writtenOffCents}))`;
  const rows = await db
    .select({ guarantorId: balanceItems.guarantorId, balance: open, credit: guarantors.creditCents })
    .from(balanceItems)
    .innerJoin(guarantors, and(eq(guarantors.practiceId, balanceItems.practiceId), eq(guarantors.id, balanceItems.guarantorId)))
    .where(eq(balanceItems.practiceId, practiceId))
    .groupBy(balanceItems.guarantorId, guarantors.creditCents)
    .having(gt(open, sql`${minCents}`))
    .orderBy(asc(balanceItems.guarantorId));
  return rows.map((r) => ({ guarantorId: r.guarantorId, balanceCents: Number(r.balance), creditCents: r.credit }));
}

/**
 * Records the first statement date of a guarantor's open items that have none (a statement run calls it
 * when it issues a statement): aging of those items then runs from `on`.
 */
export async function setFirstStatementDate(db: Db, practiceId: string, guarantorId: string, on: string): Promise<number> {
  const rows = await db
    .update(balanceItems)
    .set({ firstStatementOn: on })
    .where(
      and(
        eq(balanceItems.practiceId, practiceId),
        eq(balanceItems.guarantorId, guarantorId),
        sql`${balanceItems.firstStatementOn} is null`,
        sql`${balanceItems.responsibilityCents} - ${balanceItems.paidCents} - ${balanceItems.writtenOffCents} > 0`,
      ),
    )
    .returning({ claimId: balanceItems.claimId });
  return rows.length;
}

/** Insurance still pending for a guarantor's patient (never part of the patient balance). */
export async function insurancePendingCents(db: Db, practiceId: string, patientId: string): Promise<number> {
  const [row] = await db
    .select({ total: sql<string | null>`sum(${insuranceClaims.chargeCents})` })
    .from(insuranceClaims)
    .where(and(eq(insuranceClaims.practiceId, practiceId), eq(insuranceClaims.patientId, patientId), isPending));
  return Number(row?.total ?? 0);
}

export interface HistoryInput {
  id: string;
  practiceId: string;
  guarantorId: string;
  claimId?: string | null;
  kind: string;
  amountCents?: number;
  on: string;
  refId?: string | null;
  detail?: Record<string, unknown>;
  createdAt: Date;
}

/**
 * Appends to an account's history (statements and dunning steps are appended here too). `detail`:
 * ids, amounts and codes only, no contact details.
 */
export async function appendHistory(db: Db, ...entries: HistoryInput[]): Promise<void> {
  if (entries.length === 0) return;
  await db.insert(accountHistory).values(
    entries.map((e) => ({
      id: e.id,
      practiceId: e.practiceId,
      guarantorId: e.guarantorId,
      claimId: e.claimId ?? null,
      kind: e.kind,
      amountCents: e.amountCents ?? 0,
      on: e.on,
      refId: e.refId ?? null,
      detail: e.detail ?? {},
      createdAt: e.createdAt,
    })),
  );
}

/** An account's history in the order it was written, after `afterSeq` if given. */
export async function listHistory(db: Db, practiceId: string, guarantorId: string, limit = 500, afterSeq?: number): Promise<HistoryEntry[]> {
  return db
    .select()
    .from(accountHistory)
    .where(and(eq(accountHistory.practiceId, practiceId), eq(accountHistory.guarantorId, guarantorId), afterSeq === undefined ? undefined : gt(accountHistory.seq, afterSeq)))
    .orderBy(asc(accountHistory.seq))
    .limit(limit);
}
