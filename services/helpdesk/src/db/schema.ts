import { sql } from 'drizzle-orm';
import { bigint, boolean, date, index, integer, jsonb, pgSchema, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { RiskAssessment } from '@mso/contracts/helpdesk';

export const helpdesk = pgSchema('helpdesk');

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const ms = (name: string) => bigint(name, { mode: 'number' });

/**
 * Helpdesk's own per-practice state: the ticket-number counter. (The practice's agreement is the
 * kit's agreement view, `ctx.agreement`.)
 */
export const practices = helpdesk.table('practices', {
  practiceId: uuid('practice_id').primaryKey(),
  /** Next per-practice ticket number. */
  nextTicketNumber: integer('next_ticket_number').notNull().default(1),
});

export const tickets = helpdesk.table(
  'tickets',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    number: integer('number').notNull(),
    subject: text('subject').notNull(),
    description: text('description').notNull(),
    category: text('category').notNull(),
    priority: text('priority').notNull(),
    status: text('status').notNull(),
    requesterId: text('requester_id').notNull(),
    requesterRole: text('requester_role').notNull(),
    requesterName: text('requester_name'),
    requesterEmail: text('requester_email'),
    requesterPhone: text('requester_phone'),
    /** The person working the ticket: an HR person id of the kit's staff directory (`ctx.staff`). */
    assigneeId: uuid('assignee_id'),
    /** The free-text assignee of tickets from before assignees were people; cleared by the next assignment. */
    assigneeLabel: text('assignee_label'),
    assetId: uuid('asset_id'),
    source: text('source').notNull(),
    /** Idempotency for tickets opened from events, e.g. `hr-offboarding:<employee id>`. */
    externalRef: text('external_ref'),
    // SLA policy applied to the ticket (targets are re-read on a priority change).
    slaTier: text('sla_tier').notNull(),
    slaBusinessHours: boolean('sla_business_hours').notNull(),
    frTargetMs: ms('fr_target_ms').notNull(),
    resTargetMs: ms('res_target_ms').notNull(),
    // The SLA clock (see domain/sla.ts).
    consumedMs: ms('consumed_ms').notNull(),
    runningSince: ts('running_since'),
    pausedAt: ts('paused_at'),
    frDueAt: ts('fr_due_at').notNull(),
    frWarnAt: ts('fr_warn_at').notNull(),
    frMetAt: ts('fr_met_at'),
    frElapsedMs: ms('fr_elapsed_ms'),
    frBreachedAt: ts('fr_breached_at'),
    frWarnedAt: ts('fr_warned_at'),
    resDueAt: ts('res_due_at').notNull(),
    resWarnAt: ts('res_warn_at').notNull(),
    resMetAt: ts('res_met_at'),
    resElapsedMs: ms('res_elapsed_ms'),
    resBreachedAt: ts('res_breached_at'),
    resWarnedAt: ts('res_warned_at'),
    /** When the scheduled check next has something to do for this ticket; null: nothing pending. */
    slaCheckAt: ts('sla_check_at'),
    escalations: integer('escalations').notNull().default(0),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
    closedAt: ts('closed_at'),
  },
  (t) => [
    uniqueIndex('tickets_practice_number').on(t.practiceId, t.number),
    uniqueIndex('tickets_practice_external_ref').on(t.practiceId, t.externalRef),
    index('tickets_practice_created').on(t.practiceId, t.createdAt, t.id),
    index('tickets_practice_status').on(t.practiceId, t.status),
    index('tickets_practice_asset').on(t.practiceId, t.assetId),
    index('tickets_practice_assignee').on(t.practiceId, t.assigneeId),
    index('tickets_sla_check').on(t.slaCheckAt).where(sql`${t.slaCheckAt} is not null`),
  ],
);

export const messages = helpdesk.table(
  'messages',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id),
    /** `reply` (public) or `note` (internal). */
    kind: text('kind').notNull(),
    body: text('body').notNull(),
    authorId: text('author_id').notNull(),
    authorRole: text('author_role').notNull(),
    createdAt: ts('created_at').notNull(),
  },
  (t) => [index('messages_ticket').on(t.practiceId, t.ticketId, t.createdAt, t.id)],
);

/** Every change to a ticket, append-only. */
export const history = helpdesk.table(
  'history',
  {
    seq: bigint('seq', { mode: 'number' }).generatedAlwaysAsIdentity().primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => tickets.id),
    at: ts('at').notNull(),
    actorId: text('actor_id').notNull(),
    actorRole: text('actor_role').notNull(),
    action: text('action').notNull(),
    changes: jsonb('changes').$type<Record<string, unknown>>().notNull(),
  },
  (t) => [index('history_ticket').on(t.practiceId, t.ticketId, t.seq)],
);

export const assets = helpdesk.table(
  'assets',
  {
    id: uuid('id').primaryKey(),
    practiceId: uuid('practice_id').notNull(),
    name: text('name').notNull(),
    type: text('type').notNull(),
    status: text('status').notNull(),
    manufacturer: text('manufacturer'),
    model: text('model'),
    serialNumber: text('serial_number'),
    assignedTo: text('assigned_to'),
    warrantyEndsOn: date('warranty_ends_on'),
    diskEncrypted: boolean('disk_encrypted'),
    seats: integer('seats'),
    expiresOn: date('expires_on'),
    notes: text('notes'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('assets_practice_serial').on(t.practiceId, t.serialNumber),
    index('assets_practice_created').on(t.practiceId, t.createdAt, t.id),
  ],
);

/** The HIPAA side of a `security-incident` ticket. */
export const incidents = helpdesk.table('incidents', {
  ticketId: uuid('ticket_id')
    .primaryKey()
    .references(() => tickets.id),
  practiceId: uuid('practice_id').notNull(),
  discoveredAt: ts('discovered_at').notNull(),
  riskAssessment: jsonb('risk_assessment').$type<RiskAssessment | null>(),
  phiEncrypted: boolean('phi_encrypted').notNull(),
  exception: text('exception'),
  individualsAffected: integer('individuals_affected'),
  reportable: boolean('reportable').notNull(),
  determination: text('determination').notNull(),
  updatedAt: ts('updated_at').notNull(),
});

export const incidentDeadlines = helpdesk.table(
  'incident_deadlines',
  {
    ticketId: uuid('ticket_id')
      .notNull()
      .references(() => incidents.ticketId),
    practiceId: uuid('practice_id').notNull(),
    recipient: text('recipient').notNull(),
    dueAt: ts('due_at').notNull(),
    warnAt: ts('warn_at').notNull(),
    warnedAt: ts('warned_at'),
    missedAt: ts('missed_at'),
    notifiedAt: ts('notified_at'),
    /** When the deadline check next has something to do; null once notified or missed. */
    checkAt: ts('check_at'),
  },
  (t) => [
    primaryKey({ columns: [t.ticketId, t.recipient] }),
    index('incident_deadlines_check').on(t.checkAt).where(sql`${t.checkAt} is not null`),
  ],
);
