import { index, integer, jsonb, primaryKey, text, unique, uuid } from 'drizzle-orm/pg-core';
import type { FeeLine, FeeWarning, ManagementFeeRun } from '@mso/contracts/finance';
import type { Agreement } from '@mso/contracts/tenancy';
import { cents, day, finance, ts } from './pg.js';

// Management fees: runs, invoices, joint-venture distributions, the MSO expenses they allocate and the
// device view per-seat fees count. Rows about a practice carry its `practice_id` (the tenant wall lets
// a practice read its own invoices); the MSO's own rows carry NULL.

/** One fee run for a month, with the answer it gave (a rerun that finds nothing new answers it again). */
export const feeRuns = finance.table(
  'fee_runs',
  {
    id: uuid('id').primaryKey(),
    /** Always NULL: a run is the MSO's. */
    practiceId: uuid('practice_id'),
    period: text('period').notNull(),
    /** 1 for the month's first run, 2 for the next, ... */
    seq: integer('seq').notNull(),
    entriesPosted: integer('entries_posted').notNull(),
    result: jsonb('result').$type<ManagementFeeRun>().notNull(),
    createdAt: ts('created_at').notNull(),
    createdBy: text('created_by').notNull(),
  },
  (t) => [unique('fee_runs_period_seq').on(t.period, t.seq)],
);

/** The MSO's invoices (and credit notes) to a practice: one per run that changed the practice's fee for the month. */
export const feeInvoices = finance.table(
  'fee_invoices',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    number: text('number').notNull(),
    /** invoice, credit-note. */
    kind: text('kind').notNull(),
    period: text('period').notNull(),
    /** 1 for the month's first invoice to the practice, 2 for the next (a rerun's difference), ... */
    seq: integer('seq').notNull(),
    runId: uuid('run_id')
      .notNull()
      .references(() => feeRuns.id),
    practiceName: text('practice_name').notNull(),
    model: text('model').notNull(),
    issuedOn: day('issued_on').notNull(),
    dueOn: day('due_on').notNull(),
    lines: jsonb('lines').$type<FeeLine[]>().notNull(),
    feeCents: cents('fee_cents').notNull(),
    previouslyInvoicedCents: cents('previously_invoiced_cents').notNull(),
    amountCents: cents('amount_cents').notNull(),
    warnings: jsonb('warnings').$type<FeeWarning[]>().notNull(),
    practiceEntryId: uuid('practice_entry_id').notNull(),
    msoEntryId: uuid('mso_entry_id').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [
    unique('fee_invoices_number').on(t.number),
    unique('fee_invoices_practice_period_seq').on(t.practiceId, t.period, t.seq),
    index('fee_invoices_practice_created').on(t.practiceId, t.createdAt),
  ],
);

/** A joint venture's profit distributed to one owner for a month by one run (the MSO's books; `practice_id` is the venture's practice). */
export const feeDistributions = finance.table(
  'fee_distributions',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    period: text('period').notNull(),
    runId: uuid('run_id')
      .notNull()
      .references(() => feeRuns.id),
    party: text('party').notNull(),
    /** What this run added (negative: took back). */
    amountCents: cents('amount_cents').notNull(),
    entryId: uuid('entry_id').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('fee_distributions_practice_period').on(t.practiceId, t.period)],
);

/** MSO expenses incurred directly for a practice: the cost base of cost-plus fees and of a joint venture's profit. */
export const feeExpenses = finance.table(
  'fee_expenses',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    date: day('date').notNull(),
    amountCents: cents('amount_cents').notNull(),
    description: text('description').notNull(),
    createdAt: ts('created_at').notNull(),
    createdBy: text('created_by').notNull(),
  },
  (t) => [index('fee_expenses_practice_date').on(t.practiceId, t.date)],
);

/** The helpdesk asset register as finance hears it: each registration and retirement (per-seat fees count devices from it). */
export const feeAssetChanges = finance.table(
  'fee_asset_changes',
  {
    /** The event id. */
    id: text('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    assetId: uuid('asset_id').notNull(),
    kind: text('kind').notNull(),
    /** registered, retired. */
    change: text('change').notNull(),
    at: ts('at').notNull(),
  },
  (t) => [index('fee_asset_changes_practice_at').on(t.practiceId, t.at)],
);

/** Every agreement version finance has heard of, so a month is billed under the version in force then, not today's. */
export const feeAgreementVersions = finance.table(
  'fee_agreement_versions',
  {
    practiceId: uuid('practice_id').notNull(),
    version: integer('version').notNull(),
    effectiveFrom: day('effective_from').notNull(),
    agreement: jsonb('agreement').$type<Agreement>().notNull(),
    recordedAt: ts('recorded_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.practiceId, t.version] })],
);

/**
 * Employments as HR announces them (`hr.employee.hired` / `hr.employee.terminated`): per-employee fees
 * count a practice's employments active in the month. Either event may arrive first.
 */
export const feeEmployments = finance.table(
  'fee_employments',
  {
    /** HR's employment id (the events' `employeeId`). */
    employmentId: uuid('employment_id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    /** Null until the hire is heard of (a termination that came first). */
    startDate: day('start_date'),
    /** The last day worked, once terminated. */
    lastDay: day('last_day'),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [index('fee_employments_practice').on(t.practiceId)],
);

/**
 * MSO staff cost allocated to a practice by a payroll run (`hr.payroll.posted`'s allocations), in the
 * month of the run's period end: the shared staff cost of cost-plus fees and of a joint venture's profit.
 */
export const feeStaffCosts = finance.table(
  'fee_staff_costs',
  {
    runId: uuid('run_id').notNull(),
    practiceId: uuid('practice_id').notNull(),
    /** `mso` or the employer practice's id. */
    employer: text('employer').notNull(),
    periodEnd: day('period_end').notNull(),
    period: text('period').notNull(),
    costCents: cents('cost_cents').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.practiceId] }), index('fee_staff_costs_practice_period').on(t.practiceId, t.period)],
);
