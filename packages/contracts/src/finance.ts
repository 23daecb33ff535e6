// Finance's contract, one file per part (finance/*.ts): the ledger, its reports, management fees.
// The service handles every operation listed in `operations`.
import type { EventDef, Operation } from './core.js';
import { feeEvents, feeOperations } from './finance/fees.js';
import { ledgerOperations } from './finance/ledger.js';
import { reportOperations } from './finance/reports.js';
import { serviceInfo } from './info.js';
import { serviceJobGet, serviceJobList } from './jobs.js';

export * from './finance/ledger.js';
export * from './finance/reports.js';
export * from './finance/fees.js';

export const getInfo = serviceInfo('finance');
/** The kit answers these for every service: async jobs and the scheduler's status. */
export const getJob = serviceJobGet('finance');
export const listJobs = serviceJobList('finance');

export const operations: readonly Operation[] = [getInfo, getJob, listJobs, ...ledgerOperations, ...reportOperations, ...feeOperations];
export const events: readonly EventDef[] = [...feeEvents];
