import type { EventDef, Operation } from './core.js';
import * as billing from './billing.js';
import * as collections from './collections.js';
import * as finance from './finance.js';
import * as helpdesk from './helpdesk.js';
import * as hr from './hr.js';
import * as tenancy from './tenancy.js';

/** Every operation of every service: the gateway builds its routes and OpenAPI document from this. */
export const allOperations: readonly Operation[] = [
  ...tenancy.operations,
  ...billing.operations,
  ...collections.operations,
  ...hr.operations,
  ...helpdesk.operations,
  ...finance.operations,
];

export const allEvents: readonly EventDef[] = [
  ...tenancy.events,
  ...billing.events,
  ...collections.events,
  ...hr.events,
  ...helpdesk.events,
  ...finance.events,
];
