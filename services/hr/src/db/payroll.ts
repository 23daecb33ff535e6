import { index, integer, jsonb, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { cents, day, hr, ts } from './pg.js';

/** Per employer (`mso` or a practice id): its pay schedule and employer rates. practice_id NULL for the MSO. */
export const payrollSettings = hr.table('payroll_settings', {
  employer: text('employer').primaryKey(),
  practiceId: uuid('practice_id'),
  schedule: text('schedule').notNull(),
  firstPeriodStart: day('first_period_start'),
  employerTaxBasisPoints: integer('employer_tax_basis_points').notNull(),
  benefitsBasisPoints: integer('benefits_basis_points').notNull(),
  updatedAt: ts('updated_at').notNull(),
});

/** One run per employer and period (the key that makes a repeat answer the run on file), with its totals. */
export const payrollRuns = hr.table(
  'payroll_runs',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id'),
    employer: text('employer').notNull(),
    periodStart: day('period_start').notNull(),
    periodEnd: day('period_end').notNull(),
    schedule: text('schedule').notNull(),
    employerTaxBasisPoints: integer('employer_tax_basis_points').notNull(),
    benefitsBasisPoints: integer('benefits_basis_points').notNull(),
    employees: integer('employees').notNull(),
    grossCents: cents('gross_cents').notNull(),
    employerTaxCents: cents('employer_tax_cents').notNull(),
    benefitsCents: cents('benefits_cents').notNull(),
    costCents: cents('cost_cents').notNull(),
    allocations: jsonb('allocations').$type<{ practiceId: string; costCents: number }[]>().notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [uniqueIndex('payroll_runs_employer_period').on(t.employer, t.periodStart, t.periodEnd), index('payroll_runs_period').on(t.periodEnd, t.id)],
);

/** A run's pay per employment: confidential (pay), read only by the roles that see pay. */
export const payrollLines = hr.table(
  'payroll_lines',
  {
    runId: uuid('run_id')
      .notNull()
      .references(() => payrollRuns.id),
    practiceId: uuid('practice_id'),
    employmentId: uuid('employment_id').notNull(),
    personId: uuid('person_id').notNull(),
    basis: text('basis').notNull(),
    rateCents: cents('rate_cents').notNull(),
    hoursHundredths: integer('hours_hundredths'),
    daysActive: integer('days_active').notNull(),
    grossCents: cents('gross_cents').notNull(),
    employerTaxCents: cents('employer_tax_cents').notNull(),
    benefitsCents: cents('benefits_cents').notNull(),
    costCents: cents('cost_cents').notNull(),
    allocations: jsonb('allocations').$type<{ practiceId: string; costCents: number }[]>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.employmentId] })],
);
