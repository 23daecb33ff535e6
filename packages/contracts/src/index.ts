export * from './core.js';
export { serviceInfo, ServiceInfo } from './info.js';
export { serviceJobGet, serviceJobList, AsyncJob, ScheduledJob, jobStatuses } from './jobs.js';
export { AuditRecord, auditOutcomes, auditRecorded, type AuditOutcome } from './audit.js';
export { allOperations, allEvents, operationsOf } from './all.js';
