import Type, { type Static } from 'typebox';
import { serviceInfo } from './info.js';
import { serviceJobGet, serviceJobList } from './jobs.js';
import { collectionsEvents } from './collections/events.js';

export * from './collections/events.js';

export const getInfo = serviceInfo('collections');
/** The kit answers these for every service: async jobs and the scheduler's status. */
export const getJob = serviceJobGet('collections');
export const listJobs = serviceJobList('collections');

/** The `collections` slot of an agreement's terms. */
export const CollectionsTerms = Type.Object(
  {
    /** Day of the month patient statements go out (1-28, so every month has it). */
    statementCycleDay: Type.Optional(Type.Integer({ minimum: 1, maximum: 28 })),
    /** Balances below this many cents get no statement. */
    minStatementBalanceCents: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type CollectionsTerms = Static<typeof CollectionsTerms>;

export const operations = [getInfo, getJob, listJobs] as const;
export const events = [...collectionsEvents] as const;
