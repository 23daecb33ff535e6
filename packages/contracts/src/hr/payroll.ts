// HR contract: payroll totals per employer entity and pay period. Tax withholding is out of scope.
import Type from 'typebox';
import { Cents, event, IsoDate, Uuid } from '../core.js';
import { EmployerRef } from './people.js';

/**
 * A payroll run's totals for one employer (the MSO or a practice): no per-person amounts on the bus.
 * `allocations` split the cost of MSO staff who serve practices by their allocation percentages
 * (empty for a practice's own payroll).
 */
export const payrollPosted = event({
  type: 'hr.payroll.posted',
  data: Type.Object({
    runId: Uuid,
    employer: EmployerRef,
    periodStart: IsoDate,
    periodEnd: IsoDate,
    grossCents: Cents,
    employerTaxCents: Cents,
    benefitsCents: Cents,
    allocations: Type.Array(Type.Object({ practiceId: Uuid, costCents: Cents })),
  }),
});

export const payrollOperations = [] as const;
export const payrollEvents = [payrollPosted] as const;
