import Type, { type Static } from 'typebox';
import { serviceInfo } from './info.js';
import { serviceJobGet, serviceJobList } from './jobs.js';
import { collectionsEvents } from './collections/events.js';
import { accountOperations } from './collections/accounts.js';
import { paymentOperations } from './collections/payments.js';
import { planOperations } from './collections/plans.js';
import { writeOffOperations } from './collections/write-offs.js';
import { reportOperations } from './collections/reports.js';
import { statementOperations } from './collections/statements.js';
import { DunningTerms, dunningOperations } from './collections/dunning.js';
import { agencyOperations } from './collections/agencies.js';

export * from './collections/events.js';
export * from './collections/accounts.js';
export * from './collections/payments.js';
export * from './collections/plans.js';
export * from './collections/write-offs.js';
export * from './collections/reports.js';
export * from './collections/statements.js';
export * from './collections/dunning.js';
export * from './collections/agencies.js';

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
    /** The dunning policy (a policy set in collections takes precedence). */
    dunning: Type.Optional(DunningTerms),
  },
  { additionalProperties: false },
);
export type CollectionsTerms = Static<typeof CollectionsTerms>;

export const operations = [getInfo, getJob, listJobs, ...accountOperations, ...paymentOperations, ...planOperations, ...writeOffOperations, ...reportOperations, ...statementOperations, ...dunningOperations, ...agencyOperations] as const;
export const events = [...collectionsEvents] as const;
