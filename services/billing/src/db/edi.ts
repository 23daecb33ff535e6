import { customType, index, integer, jsonb, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { Acknowledgment, ClaimImport } from '@mso/contracts/billing';
import { billing, cents, ts } from './pg.js';
import { claims } from './claims.js';
import { payers } from './master-data.js';

// X12 files in and out: 837P batches sent to payers, 999/277CA acknowledgments read, 837P imports.
// Each file is kept as received or written (bytes), so what was sent can be shown and re-read.

/** `bytea` as bytes (postgres.js reads a Buffer, PGlite a Uint8Array: both are Uint8Arrays). */
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
});

/** One 837P file: the submitted claims of one payer. */
export const claimBatches = billing.table(
  'claim_batches',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    payerId: uuid('payer_id')
      .notNull()
      .references(() => payers.id),
    /** ISA13 and GS06: what a 999 names (AK102). Increasing per practice. */
    controlNumber: integer('control_number').notNull(),
    usage: text('usage').notNull(),
    claimCount: integer('claim_count').notNull(),
    totalChargeCents: cents('total_charge_cents').notNull(),
    transactionCount: integer('transaction_count').notNull(),
    file: bytea('file').notNull(),
    createdAt: ts('created_at').notNull(),
    createdBy: text('created_by').notNull(),
  },
  (t) => [uniqueIndex('claim_batches_practice_control').on(t.practiceId, t.controlNumber), index('claim_batches_practice_created').on(t.practiceId, t.createdAt, t.id)],
);

/** The claims a batch carried, in file order, with the transaction set (ST02) of each. */
export const batchClaims = billing.table(
  'batch_claims',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    batchId: uuid('batch_id')
      .notNull()
      .references(() => claimBatches.id),
    claimId: uuid('claim_id')
      .notNull()
      .references(() => claims.id),
    position: integer('position').notNull(),
    patientControlNumber: text('patient_control_number').notNull(),
    chargeCents: cents('charge_cents').notNull(),
    transactionControlNumber: text('transaction_control_number').notNull(),
  },
  (t) => [uniqueIndex('batch_claims_batch_position').on(t.practiceId, t.batchId, t.position), index('batch_claims_claim').on(t.practiceId, t.claimId)],
);

/** A 999 or 277CA read; the same file (SHA-256 of its bytes) is read once. */
export const acknowledgments = billing.table(
  'acknowledgments',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    kind: text('kind').notNull(),
    sha256: text('sha256').notNull(),
    file: bytea('file').notNull(),
    /** The answer of the first read, replayed for the same file. */
    result: jsonb('result').$type<Acknowledgment>().notNull(),
    createdAt: ts('created_at').notNull(),
    createdBy: text('created_by').notNull(),
  },
  (t) => [uniqueIndex('acknowledgments_practice_sha256').on(t.practiceId, t.sha256), index('acknowledgments_practice_created').on(t.practiceId, t.createdAt, t.id)],
);

/** An 837P from a practice's EHR; the same file (SHA-256 of its bytes) is imported once. */
export const claimImports = billing.table(
  'claim_imports',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    sha256: text('sha256').notNull(),
    file: bytea('file').notNull(),
    claimCount: integer('claim_count').notNull(),
    totalChargeCents: cents('total_charge_cents').notNull(),
    /** The answer of the import (claims as imported, warnings), replayed for the same file. */
    result: jsonb('result').$type<ClaimImport>().notNull(),
    createdAt: ts('created_at').notNull(),
    createdBy: text('created_by').notNull(),
  },
  (t) => [uniqueIndex('claim_imports_practice_sha256').on(t.practiceId, t.sha256), index('claim_imports_practice_created').on(t.practiceId, t.createdAt, t.id)],
);
