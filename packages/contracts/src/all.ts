import type { EventDef, Operation, ServiceId } from './core.js';
import * as billing from './billing.js';
import * as collections from './collections.js';
import * as finance from './finance.js';
import * as helpdesk from './helpdesk.js';
import * as hr from './hr.js';
import * as tenancy from './tenancy.js';

const operationsByService: Record<ServiceId, readonly Operation[]> = {
  tenancy: tenancy.operations,
  billing: billing.operations,
  collections: collections.operations,
  hr: hr.operations,
  helpdesk: helpdesk.operations,
  finance: finance.operations,
};

/** The operations of one service's contract (its contracts module's `operations`): what it must answer. */
export function operationsOf(service: ServiceId): readonly Operation[] {
  return operationsByService[service];
}

/** Every operation of every service: the gateway builds its routes and OpenAPI document from this. */
export const allOperations: readonly Operation[] = Object.values(operationsByService).flat();

export const allEvents: readonly EventDef[] = [
  ...tenancy.events,
  ...billing.events,
  ...collections.events,
  ...hr.events,
  ...helpdesk.events,
  ...finance.events,
];
