import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { Address, Subscriber } from '@mso/contracts/billing';
import { billing, day, ts } from './pg.js';

export const payers = billing.table(
  'payers',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    name: text('name').notNull(),
    ediPayerId: text('edi_payer_id').notNull(),
    claimFilingIndicatorCode: text('claim_filing_indicator_code').notNull(),
    timelyFilingDays: integer('timely_filing_days'),
    erasByTraceNumber: boolean('eras_by_trace_number').notNull(),
    active: boolean('active').notNull(),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [uniqueIndex('payers_practice_edi_payer_id').on(t.practiceId, t.ediPayerId), index('payers_practice_created').on(t.practiceId, t.createdAt, t.id)],
);

/** Patients' demographics: PHI. Never in logs, spans or events. */
export const patients = billing.table(
  'patients',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull(),
    middleName: text('middle_name'),
    dateOfBirth: day('date_of_birth').notNull(),
    sex: text('sex').notNull(),
    address: jsonb('address').$type<Address>().notNull(),
    phone: text('phone'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    index('patients_practice_created').on(t.practiceId, t.createdAt, t.id),
    index('patients_practice_last_name').on(t.practiceId, sql`lower(${t.lastName})`),
  ],
);

export const coverages = billing.table(
  'coverages',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    patientId: uuid('patient_id')
      .notNull()
      .references(() => patients.id),
    payerId: uuid('payer_id')
      .notNull()
      .references(() => payers.id),
    memberId: text('member_id').notNull(),
    groupNumber: text('group_number'),
    relationship: text('relationship').notNull(),
    subscriber: jsonb('subscriber').$type<Subscriber | null>(),
    order: text('coverage_order').notNull(),
    effectiveFrom: day('effective_from').notNull(),
    effectiveTo: day('effective_to'),
    /** The claim import that created it and may move its start earlier; null once a person edits it. */
    importId: uuid('import_id'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [index('coverages_practice_created').on(t.practiceId, t.createdAt, t.id), index('coverages_practice_patient').on(t.practiceId, t.patientId)],
);

export const providers = billing.table(
  'providers',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    kind: text('kind').notNull(),
    npi: text('npi').notNull(),
    /** Null: an 837P import created the provider from a file without PRV. */
    taxonomyCode: text('taxonomy_code'),
    name: text('name').notNull(),
    firstName: text('first_name'),
    /** Billing providers: the 837P 2010AA address (N3/N4) and employer id (REF*EI). */
    address: jsonb('address').$type<Address | null>(),
    taxId: text('tax_id'),
    active: boolean('active').notNull(),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [uniqueIndex('providers_practice_kind_npi').on(t.practiceId, t.kind, t.npi), index('providers_practice_created').on(t.practiceId, t.createdAt, t.id)],
);

export const feeSchedules = billing.table(
  'fee_schedules',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    name: text('name').notNull(),
    /** null: the practice's default schedule. */
    payerId: uuid('payer_id').references(() => payers.id),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    // One schedule per payer, and one default, per practice.
    uniqueIndex('fee_schedules_practice_payer').on(t.practiceId, sql`coalesce(${t.payerId}, '00000000-0000-0000-0000-000000000000'::uuid)`),
    index('fee_schedules_practice_created').on(t.practiceId, t.createdAt, t.id),
  ],
);

export const feeEntries = billing.table(
  'fee_entries',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    scheduleId: uuid('schedule_id')
      .notNull()
      .references(() => feeSchedules.id),
    code: text('code').notNull(),
    /** As entered. */
    modifiers: jsonb('modifiers').$type<string[]>().notNull(),
    /** The modifiers sorted and joined with commas: what a lookup matches on. */
    modifiersKey: text('modifiers_key').notNull(),
    chargeCents: integer('charge_cents').notNull(),
    effectiveFrom: day('effective_from').notNull(),
    effectiveTo: day('effective_to'),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    index('fee_entries_schedule_code').on(t.practiceId, t.scheduleId, t.code, t.modifiersKey),
    index('fee_entries_schedule_created').on(t.practiceId, t.scheduleId, t.createdAt, t.id),
  ],
);
