// Helpdesk contract: working a ticket (conversation, status, assignment, history) and the HIPAA
// assessment and notices of a security incident.
import Type from 'typebox';
import { actionOnId, getById, listPage } from '../builders.js';
import { mso, Nullable, operation, StringEnum, Timestamp, Uuid } from '../core.js';
import { allRoles, IdParam, msoAndPracticeAdmin, Text, ticketStatuses } from './common.js';
import { breachExceptions, breachRecipients, RiskAssessment } from './incidents.js';
import { Ticket } from './tickets.js';

export const ticketMessageKinds = ['reply', 'note'] as const;
export const TicketMessage = Type.Object({
  id: Uuid,
  ticketId: Uuid,
  /** `reply`: public, seen by the practice; `note`: internal to the MSO. */
  kind: StringEnum(ticketMessageKinds),
  body: Type.String(),
  author: Type.Object({ id: Type.String(), role: Type.String() }),
  createdAt: Timestamp,
});

const message = { body: Text(20_000) };

export const addReply = actionOnId({
  service: 'helpdesk',
  name: 'ticket.reply',
  phi: 'write',
  summary: "Add a public reply (the MSO's first one is the first response; a practice reply reopens a pending or resolved ticket)",
  path: '/v1/helpdesk/tickets/{id}/replies',
  status: 201,
  roles: allRoles,
  body: message,
  output: TicketMessage,
  errors: ['validation-failed', 'not-found', 'conflict'],
});

export const addNote = actionOnId({
  service: 'helpdesk',
  name: 'ticket.note',
  phi: 'write',
  summary: 'Add an internal note (MSO only; not a response to the practice)',
  path: '/v1/helpdesk/tickets/{id}/notes',
  status: 201,
  roles: mso,
  body: message,
  output: TicketMessage,
  errors: ['validation-failed', 'not-found', 'conflict'],
});

export const listMessages = listPage({
  service: 'helpdesk',
  name: 'ticket.messages',
  phi: 'read',
  summary: 'The conversation, oldest first (internal notes for MSO roles only)',
  path: '/v1/helpdesk/tickets/{id}/messages',
  roles: allRoles,
  filters: { id: Uuid },
  item: TicketMessage,
  errors: ['not-found', 'validation-failed'],
});

export const changeStatus = actionOnId({
  service: 'helpdesk',
  name: 'ticket.status',
  phi: 'write',
  summary: 'Move a ticket to another status (pending-* pause the SLA clocks, resolved stops them)',
  path: '/v1/helpdesk/tickets/{id}/status',
  roles: allRoles,
  body: {
    status: StringEnum(ticketStatuses),
    /** Why (kept in the history; e.g. the resolution summary). */
    reason: Type.Optional(Text(2_000)),
  },
  output: Ticket,
  errors: ['validation-failed', 'not-found', 'conflict', 'forbidden'],
});

export const assignTicket = actionOnId({
  service: 'helpdesk',
  name: 'ticket.assign',
  phi: 'write',
  summary: "Assign a ticket to a person of HR's staff directory employed at the MSO or at the ticket's practice today (null unassigns)",
  path: '/v1/helpdesk/tickets/{id}/assignment',
  roles: mso,
  body: {
    /** The person's HR id (`GET /v1/helpdesk/staff` lists who may be assigned); null unassigns. */
    assignee: Nullable(Uuid),
  },
  output: Ticket,
  errors: ['validation-failed', 'not-found', 'conflict', 'unprocessable'],
});

export const historyActions = [
  'created',
  'updated',
  'status-changed',
  'assigned',
  'replied',
  'noted',
  'sla-at-risk',
  'sla-breached',
  'escalated',
  'incident-assessed',
  'incident-notified',
  'incident-deadline-at-risk',
  'incident-deadline-missed',
] as const;

export const HistoryEntry = Type.Object({
  id: Type.String(),
  ticketId: Uuid,
  at: Timestamp,
  actor: Type.Object({ id: Type.String(), role: Type.String() }),
  action: StringEnum(historyActions),
  /** Field changes as `{ field: [from, to] }`, and other details of the action. */
  changes: Type.Record(Type.String(), Type.Unknown()),
});

export const getHistory = getById({
  service: 'helpdesk',
  name: 'ticket.history',
  phi: 'read',
  summary: 'Every change to a ticket, oldest first',
  path: '/v1/helpdesk/tickets/{id}/history',
  roles: allRoles,
  output: Type.Object({ items: Type.Array(HistoryEntry) }),
});

// ---- Security incidents (HIPAA) --------------------------------------------------------------------

export const assessIncident = operation({
  service: 'helpdesk',
  name: 'incident.assess',
  phi: 'write',
  summary: 'Record the discovery time, four-factor risk assessment and individuals affected of a security incident',
  http: { method: 'PUT', path: '/v1/helpdesk/tickets/{id}/security-incident' },
  roles: msoAndPracticeAdmin,
  input: Type.Object(
    {
      ...IdParam,
      discoveredAt: Type.Optional(Timestamp),
      riskAssessment: Type.Optional(RiskAssessment),
      phiEncrypted: Type.Optional(Type.Boolean()),
      exception: Type.Optional(Nullable(StringEnum(breachExceptions))),
      individualsAffected: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000 })),
    },
    { additionalProperties: false },
  ),
  output: Ticket,
  errors: ['validation-failed', 'not-found', 'conflict', 'unprocessable'],
});

export const recordNotification = actionOnId({
  service: 'helpdesk',
  name: 'incident.notify',
  phi: 'write',
  summary: 'Record that a breach notice went out (to the practice, individuals, HHS or the media)',
  path: '/v1/helpdesk/tickets/{id}/security-incident/notifications',
  roles: msoAndPracticeAdmin,
  body: { recipient: StringEnum(breachRecipients), notifiedAt: Type.Optional(Timestamp) },
  output: Ticket,
  errors: ['validation-failed', 'not-found', 'conflict', 'unprocessable'],
});
