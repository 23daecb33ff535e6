import type { Asset, SecurityIncident, Ticket } from '@mso/contracts/helpdesk';
import type { BusinessCalendar, Db, HandlerContext, StaffDirectory } from '@mso/kit';
import { slaCalendar, type Policy } from '../domain/policy.js';
import { elapsedMs, remainingMinutes, view } from '../domain/sla.js';
import type { assets, messages } from '../db/schema.js';
import { loadIncidents, slaState, type Actor, type IncidentWithDeadlines, type TicketRow } from '../db/tickets.js';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);
const MINUTE = 60_000;

/** Calendars per policy and clock kind, built once per request or job run. */
export class Calendars {
  private readonly cache = new Map<string, BusinessCalendar>();
  constructor(private readonly policyOf: (practiceId: string) => Policy) {}
  for(row: Pick<TicketRow, 'practiceId' | 'slaBusinessHours'>): BusinessCalendar {
    const key = `${row.practiceId}:${row.slaBusinessHours}`;
    let cal = this.cache.get(key);
    if (!cal) {
      cal = slaCalendar(this.policyOf(row.practiceId).calendar, row.slaBusinessHours);
      this.cache.set(key, cal);
    }
    return cal;
  }
}

export function toIncident(found: IncidentWithDeadlines, now: Date): SecurityIncident {
  const { incident, deadlines } = found;
  return {
    discoveredAt: incident.discoveredAt.toISOString(),
    riskAssessment: incident.riskAssessment ?? null,
    phiEncrypted: incident.phiEncrypted,
    exception: (incident.exception as SecurityIncident['exception']) ?? null,
    individualsAffected: incident.individualsAffected,
    reportableBreach: incident.reportable,
    determination: incident.determination,
    deadlines: deadlines.map((d) => ({
      recipient: d.recipient as SecurityIncident['deadlines'][number]['recipient'],
      dueAt: d.dueAt.toISOString(),
      notifiedAt: iso(d.notifiedAt),
      missed: !!d.missedAt || (!d.notifiedAt && now > d.dueAt),
    })),
    updatedAt: incident.updatedAt.toISOString(),
  };
}

/** The API view of a ticket; `assigneeName` from the staff directory. */
export function toTicket(row: TicketRow, policy: Policy, cal: BusinessCalendar, incident: IncidentWithDeadlines | undefined, now: Date, assigneeName: string | null = null): Ticket {
  const state = slaState(row);
  const v = view(state, now);
  return {
    id: row.id,
    number: row.number,
    practiceId: row.practiceId,
    subject: row.subject,
    description: row.description,
    category: row.category as Ticket['category'],
    priority: row.priority as Ticket['priority'],
    status: row.status as Ticket['status'],
    requester: { id: row.requesterId, role: row.requesterRole, name: row.requesterName, email: row.requesterEmail, phone: row.requesterPhone },
    assignee: row.assigneeId,
    assigneeName: row.assigneeId ? assigneeName : null,
    assigneeLabel: row.assigneeLabel,
    assetId: row.assetId,
    source: row.source as Ticket['source'],
    sla: {
      policy: {
        tier: row.slaTier as Ticket['sla']['policy']['tier'],
        firstResponseMinutes: Math.round(row.frTargetMs / MINUTE),
        resolutionMinutes: Math.round(row.resTargetMs / MINUTE),
        businessHours: row.slaBusinessHours,
        timeZone: policy.calendar.timeZone,
      },
      clock: v.clock,
      pausedAt: iso(row.pausedAt),
      firstResponseDueAt: iso(v.firstResponse.dueAt),
      firstRespondedAt: iso(v.firstResponse.metAt),
      firstResponseBreached: v.firstResponse.breached,
      firstResponseAtRisk: v.firstResponse.atRisk,
      resolutionDueAt: iso(v.resolution.dueAt),
      resolvedAt: iso(v.resolution.metAt),
      resolutionBreached: v.resolution.breached,
      resolutionAtRisk: v.resolution.atRisk,
      elapsedMinutes: Math.trunc(elapsedMs(state, cal, now) / MINUTE),
      resolutionRemainingMinutes: v.clock === 'stopped' ? null : remainingMinutes(state, state.resolutionMs, cal, now),
      escalations: row.escalations,
    },
    securityIncident: incident ? toIncident(incident, now) : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    closedAt: iso(row.closedAt),
  };
}

export function toMessage(row: typeof messages.$inferSelect) {
  return {
    id: row.id,
    ticketId: row.ticketId,
    kind: row.kind as 'reply' | 'note',
    body: row.body,
    author: { id: row.authorId, role: row.authorRole },
    createdAt: row.createdAt.toISOString(),
  };
}

export function toAsset(row: typeof assets.$inferSelect, openTickets: number): Asset {
  return {
    id: row.id,
    practiceId: row.practiceId,
    name: row.name,
    type: row.type as Asset['type'],
    status: row.status as Asset['status'],
    manufacturer: row.manufacturer,
    model: row.model,
    serialNumber: row.serialNumber,
    assignedTo: row.assignedTo,
    warrantyEndsOn: row.warrantyEndsOn,
    diskEncrypted: row.diskEncrypted,
    seats: row.seats,
    expiresOn: row.expiresOn,
    notes: row.notes,
    openTickets,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export const actorOf = (ctx: HandlerContext): Actor => ({ id: ctx.principal.id, role: ctx.principal.role });

/** The API view of tickets of one practice. */
export async function ticketViews(db: Db, staff: StaffDirectory, policy: Policy, rows: TicketRow[], now: Date): Promise<Ticket[]> {
  const incidents = await loadIncidents(
    db,
    rows[0]?.practiceId ?? '',
    rows.filter((r) => r.category === 'security-incident').map((r) => r.id),
  );
  const names = await staff.names(rows.map((r) => r.assigneeId));
  const calendars = new Calendars(() => policy);
  return rows.map((r) => toTicket(r, policy, calendars.for(r), incidents.get(r.id), now, (r.assigneeId && names.get(r.assigneeId)) ?? null));
}

export async function ticketView(db: Db, staff: StaffDirectory, policy: Policy, row: TicketRow, now: Date): Promise<Ticket> {
  return (await ticketViews(db, staff, policy, [row], now))[0]!;
}

