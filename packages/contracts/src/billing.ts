// Billing's contract, one file per part of the revenue cycle (billing/*.ts); the service handles every
// operation listed in `operations`.
import { claimOperations } from './billing/claim-operations.js';
import { ediOperations } from './billing/edi.js';
import { billingEvents } from './billing/events.js';
import { masterDataOperations } from './billing/master-data.js';
import { remittanceOperations } from './billing/remittances.js';
import { workOperations } from './billing/work.js';

export * from './billing/master-data.js';
export * from './billing/claims.js';
export * from './billing/claim-operations.js';
export * from './billing/edi.js';
export * from './billing/remittances.js';
export * from './billing/work.js';
export * from './billing/events.js';

export const operations = [...masterDataOperations, ...claimOperations, ...ediOperations, ...remittanceOperations, ...workOperations] as const;
export const events = billingEvents;
