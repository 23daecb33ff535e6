import Type, { type Static } from 'typebox';
import { serviceInfo } from './info.js';
import { serviceJobGet, serviceJobList } from './jobs.js';

export const getInfo = serviceInfo('finance');
/** The kit answers these for every service: async jobs and the scheduler's status. */
export const getJob = serviceJobGet('finance');
export const listJobs = serviceJobList('finance');

/** The `finance` slot of an agreement's terms. */
export const FinanceTerms = Type.Object(
  {
    /** First month of the practice's fiscal year (1 = January). */
    fiscalYearStartMonth: Type.Optional(Type.Integer({ minimum: 1, maximum: 12 })),
  },
  { additionalProperties: false },
);
export type FinanceTerms = Static<typeof FinanceTerms>;

export const operations = [getInfo, getJob, listJobs] as const;
export const events = [] as const;
