// Helpdesk contract: the events helpdesk publishes (tickets, SLAs, incident deadlines, assets).
import Type from 'typebox';
import { event, Nullable, StringEnum, Timestamp, Uuid } from '../core.js';
import { auditRecorded } from '../audit.js';
import { assetTypes } from './assets.js';
import { slaTargetNames, ticketCategories, ticketPriorities, ticketSources, ticketStatuses } from './common.js';
import { breachRecipients } from './incidents.js';

const TicketRef = {
  ticketId: Uuid,
  practiceId: Uuid,
  number: Type.Integer(),
  category: StringEnum(ticketCategories),
  priority: StringEnum(ticketPriorities),
};

export const ticketCreated = event({
  type: 'helpdesk.ticket.created',
  data: Type.Object({
    ...TicketRef,
    status: StringEnum(ticketStatuses),
    source: StringEnum(ticketSources),
    assetId: Nullable(Uuid),
    firstResponseDueAt: Nullable(Timestamp),
    resolutionDueAt: Nullable(Timestamp),
    createdAt: Timestamp,
  }),
});

export const ticketAssigned = event({
  type: 'helpdesk.ticket.assigned',
  data: Type.Object({ ...TicketRef, assignee: Nullable(Uuid), previousAssignee: Nullable(Uuid) }),
});

export const ticketResolved = event({
  type: 'helpdesk.ticket.resolved',
  data: Type.Object({
    ...TicketRef,
    resolvedAt: Timestamp,
    firstResponseBreached: Type.Boolean(),
    resolutionBreached: Type.Boolean(),
    /** Business minutes to resolution, pauses excluded. */
    resolutionMinutes: Type.Integer(),
  }),
});

const SlaEvent = {
  ...TicketRef,
  target: StringEnum(slaTargetNames),
  dueAt: Timestamp,
  /** The assignee's HR person id. */
  assignee: Nullable(Uuid),
};

export const slaAtRisk = event({
  type: 'helpdesk.sla.at-risk',
  data: Type.Object({ ...SlaEvent, remainingMinutes: Type.Integer() }),
});

export const slaBreached = event({
  type: 'helpdesk.sla.breached',
  data: Type.Object({
    ...SlaEvent,
    /** What the policy did about it. */
    escalation: Type.Object({
      priority: Type.Object({ from: StringEnum(ticketPriorities), to: StringEnum(ticketPriorities) }),
      assignee: Type.Object({ from: Nullable(Uuid), to: Nullable(Uuid) }),
    }),
  }),
});

const DeadlineEvent = {
  ticketId: Uuid,
  practiceId: Uuid,
  number: Type.Integer(),
  recipient: StringEnum(breachRecipients),
  dueAt: Timestamp,
  individualsAffected: Nullable(Type.Integer()),
};

export const incidentDeadlineAtRisk = event({
  type: 'helpdesk.incident.deadline-at-risk',
  data: Type.Object({ ...DeadlineEvent, daysLeft: Type.Integer() }),
});

export const incidentDeadlineMissed = event({
  type: 'helpdesk.incident.deadline-missed',
  data: Type.Object(DeadlineEvent),
});

/**
 * A device or licence entered the practice's asset register (created, or back from retired, lost or
 * stolen): finance counts devices for per-seat fees. `kind` is the asset type, `at` when it happened.
 */
export const assetRegistered = event({
  type: 'helpdesk.asset.registered',
  data: Type.Object({ assetId: Uuid, practiceId: Uuid, kind: StringEnum(assetTypes), at: Timestamp }),
});

/** An asset left the register (retired, lost or stolen). */
export const assetRetired = event({
  type: 'helpdesk.asset.retired',
  data: Type.Object({ assetId: Uuid, practiceId: Uuid, kind: StringEnum(assetTypes), at: Timestamp }),
});

/** PHI access records of helpdesk's ticket and incident operations (written by the kit). */
export const helpdeskAuditRecorded = auditRecorded('helpdesk');
