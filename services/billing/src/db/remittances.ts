import { customType, index, integer, jsonb, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { RemittanceWarning, UnmatchedRemittance } from '@mso/contracts/billing';
import { billing, cents, day, ts } from './pg.js';
import { claimAdjudications, claims } from './claims.js';
import { payers } from './master-data.js';

// Tables for remittances (see ../handlers/remittances).

/** `bytea` as bytes (postgres.js reads a Buffer, PGlite a Uint8Array: both are Uint8Arrays). */
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  toDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength)),
});

export type RemittanceAdjustment = { group: 'CO' | 'PR' | 'OA' | 'PI' | 'CR'; reason: string; amountCents: number };

/** An 835 file as received, kept byte for byte (what the payer sent is the evidence of every posting). */
export const remittanceFiles = billing.table(
  'remittance_files',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    sha256: text('sha256').notNull(),
    bytes: bytea('bytes').notNull(),
    receivedAt: ts('received_at').notNull(),
    receivedBy: text('received_by').notNull(),
  },
  (t) => [index('remittance_files_practice_sha').on(t.practiceId, t.sha256)],
);

/** One 835 transaction set (one payment). The payer's identifier and the trace number name it: posted once. */
export const remittances = billing.table(
  'remittances',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    fileId: uuid('file_id')
      .notNull()
      .references(() => remittanceFiles.id),
    controlNumber: text('control_number').notNull(),
    /** The payer identifier the 835 carries (N104, REF*2U, else TRN03). */
    payerIdentifier: text('payer_identifier').notNull(),
    payerName: text('payer_name').notNull(),
    payerId: uuid('payer_id').references(() => payers.id),
    traceNumber: text('trace_number').notNull(),
    paymentAmountCents: cents('payment_amount_cents').notNull(),
    paymentMethod: text('payment_method').notNull(),
    paymentDate: day('payment_date').notNull(),
    claimCount: integer('claim_count').notNull(),
    matchedClaimCount: integer('matched_claim_count').notNull(),
    claimPaymentCents: cents('claim_payment_cents').notNull(),
    warnings: jsonb('warnings').$type<RemittanceWarning[]>().notNull(),
    createdAt: ts('created_at').notNull(),
    postedBy: text('posted_by').notNull(),
  },
  (t) => [uniqueIndex('remittances_practice_payer_trace').on(t.practiceId, t.payerIdentifier, t.traceNumber), index('remittances_practice_created').on(t.practiceId, t.createdAt, t.id)],
);

/**
 * Each CLP of a remittance, in file order: posted to a claim, or waiting in the unmatched queue
 * (`state` unmatched, with what a later manual match needs to post it: the parsed CLP in `era`, and the
 * patient as the payer named them, PHI shown to the biller only).
 */
export const remittanceClaims = billing.table(
  'remittance_claims',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    remittanceId: uuid('remittance_id')
      .notNull()
      .references(() => remittances.id),
    seq: integer('seq').notNull(),
    patientControlNumber: text('patient_control_number').notNull(),
    claimId: uuid('claim_id').references(() => claims.id),
    adjudicationId: uuid('adjudication_id').references(() => claimAdjudications.id),
    /** posted | unmatched | matched */
    state: text('state').notNull(),
    unmatchedReason: text('unmatched_reason'),
    statusCode: text('status_code').notNull(),
    payerClaimControlNumber: text('payer_claim_control_number'),
    chargeCents: cents('charge_cents').notNull(),
    paidCents: cents('paid_cents').notNull(),
    patientResponsibilityCents: cents('patient_responsibility_cents').notNull(),
    adjustments: jsonb('adjustments').$type<RemittanceAdjustment[]>().notNull(),
    /** The CLP as parsed (without the patient), kept while unmatched so a manual match can post it. */
    era: jsonb('era').$type<Record<string, unknown> | null>(),
    patient: jsonb('patient').$type<UnmatchedRemittance['patient']>(),
    createdAt: ts('created_at').notNull(),
    matchedAt: ts('matched_at'),
    matchedBy: text('matched_by'),
  },
  (t) => [
    uniqueIndex('remittance_claims_remittance_seq').on(t.practiceId, t.remittanceId, t.seq),
    index('remittance_claims_practice_state').on(t.practiceId, t.state, t.createdAt, t.id),
  ],
);

/** PLB: provider-level adjustments (interest, recoupments, forwarding balances), every pair its own row. */
export const remittanceProviderAdjustments = billing.table(
  'remittance_provider_adjustments',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    remittanceId: uuid('remittance_id')
      .notNull()
      .references(() => remittances.id),
    seq: integer('seq').notNull(),
    /** PLB01: the provider the payer identifies (NPI or tax id). */
    providerIdentifier: text('provider_identifier').notNull(),
    /** PLB02: the last day of the provider's fiscal year. */
    fiscalPeriodDate: text('fiscal_period_date').notNull(),
    reason: text('reason').notNull(),
    reference: text('reference'),
    amountCents: cents('amount_cents').notNull(),
  },
  (t) => [uniqueIndex('remittance_provider_adjustments_seq').on(t.practiceId, t.remittanceId, t.seq)],
);
