// Helpdesk contract: tickets (what a ticket is, its SLA state) and opening, listing and changing them.
import Type, { type Static } from 'typebox';
import { getById, listPage, updateById } from '../builders.js';
import { mso, Nullable, operation, StringEnum, Timestamp, Uuid } from '../core.js';
import { allRoles, Text, ticketCategories, ticketPriorities, ticketSources, ticketStatuses } from './common.js';
import { SecurityIncident } from './incidents.js';
import { helpdeskTiers } from './terms.js';

export const Contact = Type.Object(
  {
    name: Type.Optional(Text(200)),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
    phone: Type.Optional(Type.String({ minLength: 3, maxLength: 40 })),
  },
  { additionalProperties: false },
);

export const Requester = Type.Object({
  /** The API key (or `system:<service>`) that opened the ticket. */
  id: Type.String(),
  role: Type.String(),
  name: Nullable(Type.String()),
  email: Nullable(Type.String()),
  phone: Nullable(Type.String()),
});

export const SlaPolicyApplied = Type.Object({
  tier: StringEnum(helpdeskTiers),
  firstResponseMinutes: Type.Integer(),
  resolutionMinutes: Type.Integer(),
  /** True: minutes count in the practice's working hours; false: around the clock. */
  businessHours: Type.Boolean(),
  timeZone: Type.String(),
});

export const Sla = Type.Object({
  policy: SlaPolicyApplied,
  /** `running`; `paused` in the pending-* states; `stopped` once resolved or closed. */
  clock: StringEnum(['running', 'paused', 'stopped'] as const),
  pausedAt: Nullable(Timestamp),
  /** When the first public reply from the MSO is due; null while paused. Kept once answered. */
  firstResponseDueAt: Nullable(Timestamp),
  firstRespondedAt: Nullable(Timestamp),
  firstResponseBreached: Type.Boolean(),
  firstResponseAtRisk: Type.Boolean(),
  /** When resolution is due; null while paused. Kept once resolved. */
  resolutionDueAt: Nullable(Timestamp),
  resolvedAt: Nullable(Timestamp),
  resolutionBreached: Type.Boolean(),
  resolutionAtRisk: Type.Boolean(),
  /** Business minutes the resolution clock has run (pauses excluded). */
  elapsedMinutes: Type.Integer(),
  /** Business minutes left to resolution (negative once overdue); null once stopped. */
  resolutionRemainingMinutes: Nullable(Type.Integer()),
  /** Times the ticket was escalated after a breach. */
  escalations: Type.Integer(),
});
export type Sla = Static<typeof Sla>;

export const Ticket = Type.Object({
  id: Uuid,
  /** Per-practice ticket number, 1, 2, 3... */
  number: Type.Integer(),
  practiceId: Uuid,
  subject: Type.String(),
  description: Type.String(),
  category: StringEnum(ticketCategories),
  priority: StringEnum(ticketPriorities),
  status: StringEnum(ticketStatuses),
  requester: Requester,
  /** The person working the ticket: their HR person id (see `GET /v1/helpdesk/staff`), or null. */
  assignee: Nullable(Uuid),
  /** The assignee's name as HR's staff directory has it now. */
  assigneeName: Nullable(Type.String()),
  /** The free-text assignee a ticket had before assignees were people; cleared by its next assignment. */
  assigneeLabel: Nullable(Type.String()),
  assetId: Nullable(Uuid),
  source: StringEnum(ticketSources),
  sla: Sla,
  securityIncident: Nullable(SecurityIncident),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  closedAt: Nullable(Timestamp),
});
export type Ticket = Static<typeof Ticket>;

export const NewTicket = Type.Object(
  {
    subject: Text(200),
    description: Text(20_000),
    priority: StringEnum(ticketPriorities),
    category: StringEnum(ticketCategories),
    assetId: Type.Optional(Uuid),
    /** Who to contact, when the caller is not the person with the problem (e.g. staff taking a call). */
    requester: Type.Optional(Contact),
    /** Security incidents: when the incident was discovered, if before now. Default: now. */
    discoveredAt: Type.Optional(Timestamp),
  },
  { additionalProperties: false },
);

export const createTicket = operation({
  service: 'helpdesk',
  name: 'ticket.create',
  phi: 'write',
  summary: 'Open a ticket',
  http: { method: 'POST', path: '/v1/helpdesk/tickets', status: 201 },
  roles: allRoles,
  input: NewTicket,
  output: Ticket,
  errors: ['validation-failed', 'unprocessable'],
});

export const listTickets = listPage({
  service: 'helpdesk',
  name: 'ticket.list',
  phi: 'read',
  summary: 'List tickets, newest first',
  path: '/v1/helpdesk/tickets',
  roles: allRoles,
  filters: {
    status: Type.Optional(StringEnum(ticketStatuses)),
    /** true: every status but resolved and closed. */
    active: Type.Optional(Type.Boolean()),
    priority: Type.Optional(StringEnum(ticketPriorities)),
    category: Type.Optional(StringEnum(ticketCategories)),
    /** Tickets assigned to this person (HR person id). */
    assignee: Type.Optional(Uuid),
    /** true: only tickets no person is assigned to (a free-text `assigneeLabel` does not count). */
    unassigned: Type.Optional(Type.Boolean()),
    assetId: Type.Optional(Uuid),
    /** true: only tickets that breached a target. */
    breached: Type.Optional(Type.Boolean()),
  },
  item: Ticket,
  errors: ['validation-failed'],
});

export const getTicket = getById({
  service: 'helpdesk',
  name: 'ticket.get',
  phi: 'read',
  summary: 'Get a ticket with its SLA state',
  path: '/v1/helpdesk/tickets/{id}',
  roles: allRoles,
  output: Ticket,
});

export const updateTicket = updateById({
  service: 'helpdesk',
  name: 'ticket.update',
  phi: 'write',
  summary: 'Change subject, category, priority or linked asset (a priority change re-targets the SLA)',
  path: '/v1/helpdesk/tickets/{id}',
  roles: mso,
  body: {
    subject: Type.Optional(Text(200)),
    category: Type.Optional(StringEnum(ticketCategories)),
    priority: Type.Optional(StringEnum(ticketPriorities)),
    assetId: Type.Optional(Nullable(Uuid)),
  },
  output: Ticket,
  errors: ['validation-failed', 'not-found', 'conflict', 'unprocessable'],
});
