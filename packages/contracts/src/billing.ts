import Type, { type Static } from 'typebox';
import { serviceInfo } from './info.js';
import { serviceJobGet, serviceJobList } from './jobs.js';

export const getInfo = serviceInfo('billing');
/** The kit answers these for every service: async jobs and the scheduler's status. */
export const getJob = serviceJobGet('billing');
export const listJobs = serviceJobList('billing');

/** The `billing` slot of an agreement's terms: what billing reads from the practice's MSA. */
export const BillingTerms = Type.Object(
  {
    /** The billing fee as a share of net collections, in basis points (600 = 6 %). */
    feeBasisPointsOfNetCollections: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
    /** Days after the date of service within which a claim must reach a payer that sets no limit of its own. */
    timelyFilingDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 730 })),
    /** Per payer (by payer id), days within which claims must be filed. */
    timelyFilingDaysByPayer: Type.Optional(Type.Record(Type.String({ minLength: 1, maxLength: 80 }), Type.Integer({ minimum: 1, maximum: 730 }))),
  },
  { additionalProperties: false },
);
export type BillingTerms = Static<typeof BillingTerms>;

export const operations = [getInfo, getJob, listJobs] as const;
export const events = [] as const;
