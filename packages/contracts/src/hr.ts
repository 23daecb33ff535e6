// HR's contract, one file per part (hr/*.ts): people and employments, providers and credentials,
// tasks. The service handles every operation listed in `operations`.
import Type, { type Static } from 'typebox';
import { event, IsoDate, Uuid, type EventDef, type Operation } from './core.js';
import { payrollEvents, payrollOperations } from './hr/payroll.js';
import { directoryEvents, directoryOperations } from './hr/directory.js';
import { onboardingOperations } from './hr/onboarding.js';
import { peopleOperations } from './hr/people.js';
import { providerEvents, providerOperations } from './hr/providers.js';
import { ptoOperations } from './hr/pto.js';
import { reportOperations } from './hr/reports.js';
import { staffEvents } from './hr/staff.js';
import { taskOperations } from './hr/tasks.js';
import { serviceInfo } from './info.js';
import { serviceJobGet, serviceJobList } from './jobs.js';

export * from './hr/people.js';
export * from './hr/providers.js';
export * from './hr/pto.js';
export * from './hr/tasks.js';
export * from './hr/payroll.js';
export * from './hr/reports.js';
export * from './hr/staff.js';
export * from './hr/onboarding.js';
export * from './hr/directory.js';

export const getInfo = serviceInfo('hr');
/** The kit answers these for every service: async jobs and the scheduler's status. */
export const getJob = serviceJobGet('hr');
export const listJobs = serviceJobList('hr');

/** The `hr` slot of an agreement's terms. */
export const HrTerms = Type.Object(
  {
    /** The HR fee per active employee per month, in integer cents. */
    perEmployeeMonthlyFeeCents: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type HrTerms = Static<typeof HrTerms>;

/** A practice's new employment (`employeeId`: the employment id). The MSO's own employments have no practice and are not announced. */
export const employeeHired = event({
  type: 'hr.employee.hired',
  data: Type.Object({
    employeeId: Uuid,
    practiceId: Uuid,
    displayName: Type.String(),
    jobTitle: Type.String(),
    startDate: IsoDate,
    /** Systems the new hire needs access to, e.g. `ehr`, `email`. */
    systems: Type.Array(Type.String()),
  }),
});

/** A practice's employment terminated (`employeeId`: the employment id); not for the MSO's own. */
export const employeeTerminated = event({
  type: 'hr.employee.terminated',
  data: Type.Object({
    employeeId: Uuid,
    practiceId: Uuid,
    displayName: Type.String(),
    lastDay: IsoDate,
    systems: Type.Array(Type.String()),
  }),
});

export const operations: readonly Operation[] = [getInfo, getJob, listJobs, ...peopleOperations, ...providerOperations, ...taskOperations, ...payrollOperations, ...reportOperations, ...onboardingOperations, ...directoryOperations, ...ptoOperations];
export const events: readonly EventDef[] = [employeeHired, employeeTerminated, ...providerEvents, ...payrollEvents, ...staffEvents, ...directoryEvents];
