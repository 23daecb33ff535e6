import Type, { type Static } from 'typebox';
import { event, IsoDate, Uuid } from './core.js';
import { serviceInfo } from './info.js';
import { serviceJobGet, serviceJobList } from './jobs.js';

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

export const operations = [getInfo, getJob, listJobs] as const;
export const events = [employeeHired, employeeTerminated] as const;
