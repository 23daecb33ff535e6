import type { PayrollRun, PayrollSettings, PaySchedule } from '@mso/contracts/hr';
import type { payrollLines, payrollRuns, payrollSettings } from '../../db/schema.js';

export type RunRow = typeof payrollRuns.$inferSelect;
export type LineRow = typeof payrollLines.$inferSelect;
export type SettingsRow = typeof payrollSettings.$inferSelect;

export const settingsView = (s: SettingsRow): PayrollSettings => ({
  employer: s.employer,
  schedule: s.schedule as PaySchedule,
  firstPeriodStart: s.firstPeriodStart,
  employerTaxBasisPoints: s.employerTaxBasisPoints,
  benefitsBasisPoints: s.benefitsBasisPoints,
  updatedAt: s.updatedAt.toISOString(),
});

/** The run's totals; with `lines` (pay per employment) only when given (the roles that see pay). */
export const runView = (r: RunRow, lines: LineRow[] | undefined): PayrollRun => ({
  id: r.id,
  employer: r.employer,
  periodStart: r.periodStart,
  periodEnd: r.periodEnd,
  schedule: r.schedule as PaySchedule,
  employerTaxBasisPoints: r.employerTaxBasisPoints,
  benefitsBasisPoints: r.benefitsBasisPoints,
  employees: r.employees,
  grossCents: r.grossCents,
  employerTaxCents: r.employerTaxCents,
  benefitsCents: r.benefitsCents,
  costCents: r.costCents,
  allocations: r.allocations,
  ...(lines
    ? {
        lines: lines.map((l) => ({
          employmentId: l.employmentId,
          personId: l.personId,
          basis: l.basis as 'salary',
          rateCents: l.rateCents,
          hours: l.hoursHundredths === null ? null : l.hoursHundredths / 100,
          daysActive: l.daysActive,
          grossCents: l.grossCents,
          employerTaxCents: l.employerTaxCents,
          benefitsCents: l.benefitsCents,
          costCents: l.costCents,
          allocations: l.allocations,
        })),
      }
    : {}),
  createdAt: r.createdAt.toISOString(),
});
