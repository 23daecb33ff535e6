import { boolean, doublePrecision, index, integer, jsonb, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { Adjudication, ClaimDiagnosis, ClaimRejection, NamedProvider, ScrubFinding } from '@mso/contracts/billing';
import { billing, cents, day, ts } from './pg.js';
import { coverages, patients, payers, providers } from './master-data.js';

/**
 * What an 837P carries beyond the fields billing works with (claim dates, facility, notes, ...): kept
 * as imported so a batch writes the claim back as the EHR sent it. No code reads inside it but the
 * 837P writer.
 */
export type ClaimDetails = Record<string, unknown>;

/** A visit: what was done (charges) and why (diagnoses); a claim is built from it. */
export const encounters = billing.table(
  'encounters',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    patientId: uuid('patient_id')
      .notNull()
      .references(() => patients.id),
    /** The coverage billed; null: the patient's primary coverage on the date of service. */
    coverageId: uuid('coverage_id').references(() => coverages.id),
    billingProviderId: uuid('billing_provider_id')
      .notNull()
      .references(() => providers.id),
    renderingProviderId: uuid('rendering_provider_id').references(() => providers.id),
    referringProvider: jsonb('referring_provider').$type<NamedProvider | null>(),
    placeOfService: text('place_of_service').notNull(),
    dateOfService: day('date_of_service').notNull(),
    diagnoses: jsonb('diagnoses').$type<ClaimDiagnosis[]>().notNull(),
    priorAuthorization: text('prior_authorization'),
    /** `open` until a claim is built from it (`billed`). */
    status: text('status').notNull(),
    claimId: uuid('claim_id'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [index('encounters_practice_created').on(t.practiceId, t.createdAt, t.id), index('encounters_practice_patient').on(t.practiceId, t.patientId)],
);

export const charges = billing.table(
  'charges',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    encounterId: uuid('encounter_id')
      .notNull()
      .references(() => encounters.id),
    procedureCode: text('procedure_code').notNull(),
    modifiers: jsonb('modifiers').$type<string[]>().notNull(),
    units: doublePrecision('units').notNull(),
    /** null: priced from the payer's fee schedule when the claim is built. */
    chargeCents: cents('charge_cents'),
    diagnosisPointers: jsonb('diagnosis_pointers').$type<number[]>().notNull(),
    serviceDate: day('service_date').notNull(),
    placeOfService: text('place_of_service'),
    renderingProviderId: uuid('rendering_provider_id').references(() => providers.id),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('charges_practice_encounter').on(t.practiceId, t.encounterId, t.createdAt)],
);

export const claims = billing.table(
  'claims',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    patientControlNumber: text('patient_control_number').notNull(),
    status: text('status').notNull(),
    frequencyCode: text('frequency_code').notNull(),
    payerClaimControlNumber: text('payer_claim_control_number'),
    encounterId: uuid('encounter_id'),
    importId: uuid('import_id'),
    patientId: uuid('patient_id')
      .notNull()
      .references(() => patients.id),
    coverageId: uuid('coverage_id').references(() => coverages.id),
    payerId: uuid('payer_id')
      .notNull()
      .references(() => payers.id),
    billingProviderId: uuid('billing_provider_id')
      .notNull()
      .references(() => providers.id),
    renderingProviderId: uuid('rendering_provider_id').references(() => providers.id),
    referringProvider: jsonb('referring_provider').$type<NamedProvider | null>(),
    placeOfService: text('place_of_service').notNull(),
    diagnoses: jsonb('diagnoses').$type<ClaimDiagnosis[]>().notNull(),
    serviceDateFrom: day('service_date_from').notNull(),
    serviceDateTo: day('service_date_to').notNull(),
    priorAuthorization: text('prior_authorization'),
    chargeCents: cents('charge_cents').notNull(),
    paidCents: cents('paid_cents').notNull(),
    adjustmentCents: cents('adjustment_cents').notNull(),
    patientResponsibilityCents: cents('patient_responsibility_cents').notNull(),
    submissionCount: integer('submission_count').notNull(),
    firstSubmittedAt: ts('first_submitted_at'),
    lastSubmittedAt: ts('last_submitted_at'),
    /** Accepted by the payer on its first submission: the clean-claim rate counts these. */
    acceptedOnFirstSubmission: boolean('accepted_on_first_submission'),
    batchId: uuid('batch_id'),
    forwardedTo: text('forwarded_to'),
    rejection: jsonb('rejection').$type<ClaimRejection | null>(),
    findings: jsonb('findings').$type<ScrubFinding[]>().notNull(),
    /**
     * Patient, rendering provider, dates of service and codes: what makes two claims the same claim
     * (the scrubber's duplicate rule looks it up by this key).
     */
    duplicateKey: text('duplicate_key').notNull(),
    details: jsonb('details').$type<ClaimDetails>().notNull(),
    /** Bumped by every change: a write that loaded an older version retries or answers 409. */
    version: integer('version').notNull(),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('claims_practice_pcn').on(t.practiceId, t.patientControlNumber),
    index('claims_practice_created').on(t.practiceId, t.createdAt, t.id),
    index('claims_practice_status').on(t.practiceId, t.status, t.createdAt, t.id),
    index('claims_practice_payer_status').on(t.practiceId, t.payerId, t.status),
    index('claims_practice_patient').on(t.practiceId, t.patientId),
    index('claims_practice_duplicate_key').on(t.practiceId, t.duplicateKey),
  ],
);

export const claimLines = billing.table(
  'claim_lines',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    claimId: uuid('claim_id')
      .notNull()
      .references(() => claims.id),
    lineNumber: integer('line_number').notNull(),
    procedureCode: text('procedure_code').notNull(),
    modifiers: jsonb('modifiers').$type<string[]>().notNull(),
    units: doublePrecision('units').notNull(),
    chargeCents: cents('charge_cents').notNull(),
    diagnosisPointers: jsonb('diagnosis_pointers').$type<number[]>().notNull(),
    serviceDate: day('service_date').notNull(),
    placeOfService: text('place_of_service'),
    renderingProviderId: uuid('rendering_provider_id').references(() => providers.id),
    lineControlNumber: text('line_control_number').notNull(),
    paidCents: cents('paid_cents').notNull(),
    adjustmentCents: cents('adjustment_cents').notNull(),
    patientResponsibilityCents: cents('patient_responsibility_cents').notNull(),
    denied: boolean('denied').notNull(),
    details: jsonb('details').$type<ClaimDetails>().notNull(),
  },
  (t) => [uniqueIndex('claim_lines_claim_number').on(t.practiceId, t.claimId, t.lineNumber)],
);

/** Every change of a claim, in order. Append-only. */
export const claimHistory = billing.table(
  'claim_history',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    claimId: uuid('claim_id')
      .notNull()
      .references(() => claims.id),
    /** Orders entries written in the same millisecond. */
    seq: integer('seq').notNull(),
    at: ts('at').notNull(),
    action: text('action').notNull(),
    fromStatus: text('from_status'),
    toStatus: text('to_status').notNull(),
    by: text('by').notNull(),
    note: text('note'),
  },
  (t) => [uniqueIndex('claim_history_claim_seq').on(t.practiceId, t.claimId, t.seq)],
);

/**
 * Postings against a claim (an ERA's CLP, a paper EOB, a reversal of one). Immutable: a reversal is a
 * new row with negated amounts that names the row it undoes.
 */
export const claimAdjudications = billing.table(
  'claim_adjudications',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    claimId: uuid('claim_id')
      .notNull()
      .references(() => claims.id),
    source: text('source').notNull(),
    remittanceId: uuid('remittance_id'),
    statusCode: text('status_code').notNull(),
    reversal: boolean('reversal').notNull(),
    reversesId: uuid('reverses_id'),
    payerClaimControlNumber: text('payer_claim_control_number'),
    paidCents: cents('paid_cents').notNull(),
    patientResponsibilityCents: cents('patient_responsibility_cents').notNull(),
    adjustments: jsonb('adjustments').$type<Adjudication['adjustments']>().notNull(),
    lines: jsonb('lines').$type<Adjudication['lines']>().notNull(),
    remarks: jsonb('remarks').$type<string[]>().notNull(),
    paymentDate: day('payment_date').notNull(),
    postedAt: ts('posted_at').notNull(),
    postedBy: text('posted_by').notNull(),
  },
  (t) => [index('claim_adjudications_claim').on(t.practiceId, t.claimId, t.postedAt), uniqueIndex('claim_adjudications_reverses').on(t.practiceId, t.reversesId)],
);
