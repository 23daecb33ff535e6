import { and, eq } from 'drizzle-orm';
import { ProblemError } from '@mso/contracts';
import type { assessIncident, BreachRecipient, recordNotification } from '@mso/contracts/helpdesk';
import { tenantWhere, type Db, type Handler } from '@mso/kit';
import { deadlineCheckAt, deadlines, determine, warnAt, type BreachException } from '../domain/hipaa.js';
import { policyOfAgreement, type Policy } from '../domain/policy.js';
import { incidentDeadlines, incidents, tickets } from '../db/schema.js';
import { diff, loadTicket, recordHistory, type IncidentRow, type TicketRow } from '../db/tickets.js';
import { actorOf, ticketView } from './views.js';

/** Makes the deadlines of an incident match what its facts require; notified deadlines are kept. */
async function syncDeadlines(db: Db, incident: IncidentRow, policy: Policy): Promise<void> {
  const wanted = deadlines({
    discoveredAt: incident.discoveredAt,
    reportable: incident.reportable,
    individualsAffected: incident.individualsAffected,
    practiceNoticeDays: policy.breachNoticeDays,
    timeZone: policy.calendar.timeZone,
  });
  const existing = await db.select().from(incidentDeadlines).where(tenantWhere(incidentDeadlines.practiceId, incident.practiceId, eq(incidentDeadlines.ticketId, incident.ticketId)));
  const key = (recipient: string) => and(eq(incidentDeadlines.ticketId, incident.ticketId), eq(incidentDeadlines.recipient, recipient));
  for (const w of wanted) {
    const found = existing.find((e) => e.recipient === w.recipient);
    if (found && (found.notifiedAt || found.dueAt.getTime() === w.dueAt.getTime())) continue;
    const fresh = { dueAt: w.dueAt, warnAt: warnAt(w.dueAt), warnedAt: null, missedAt: null, notifiedAt: null };
    const values = { ...fresh, checkAt: deadlineCheckAt(fresh) };
    if (found) await db.update(incidentDeadlines).set(values).where(key(w.recipient));
    else await db.insert(incidentDeadlines).values({ ticketId: incident.ticketId, practiceId: incident.practiceId, recipient: w.recipient, ...values });
  }
  for (const e of existing) {
    if (!e.notifiedAt && !wanted.some((w) => w.recipient === e.recipient)) await db.delete(incidentDeadlines).where(key(e.recipient));
  }
}

/** The HIPAA record of a new security incident: presumed a breach, deadlines running from discovery. */
export async function createIncident(db: Db, ticket: TicketRow, discoveredAt: Date, policy: Policy, now: Date): Promise<void> {
  const d = determine({ riskAssessment: null, phiEncrypted: false, exception: null });
  const [incident] = await db
    .insert(incidents)
    .values({
      ticketId: ticket.id,
      practiceId: ticket.practiceId,
      discoveredAt,
      riskAssessment: null,
      phiEncrypted: false,
      exception: null,
      individualsAffected: null,
      reportable: d.reportable,
      determination: d.reason,
      updatedAt: now,
    })
    .onConflictDoNothing()
    .returning();
  if (incident) await syncDeadlines(db, incident, policy);
}

async function loadIncident(db: Db, ticket: TicketRow): Promise<IncidentRow> {
  const [incident] = await db.select().from(incidents).where(tenantWhere(incidents.practiceId, ticket.practiceId, eq(incidents.ticketId, ticket.id))).for('update');
  if (!incident) throw new ProblemError('conflict', 'this ticket is not a security incident', [{ path: '/id', message: 'category is not security-incident' }]);
  return incident;
}

export const assessIncidentHandler: Handler<typeof assessIncident> = async (input, ctx) => {
  const now = ctx.clock.now();
  const policy = policyOfAgreement(await ctx.agreement);
  const row = await ctx.transaction(async (tx) => {
    const ticket = await loadTicket(tx.db, ctx.practiceId, input.id, { forUpdate: true });
    const before = await loadIncident(tx.db, ticket);
    const discoveredAt = input.discoveredAt ? new Date(input.discoveredAt) : before.discoveredAt;
    if (discoveredAt > now) throw new ProblemError('unprocessable', 'discoveredAt is in the future', [{ path: '/discoveredAt', message: 'must not be in the future' }]);
    const facts = {
      discoveredAt,
      riskAssessment: input.riskAssessment ?? before.riskAssessment ?? null,
      phiEncrypted: input.phiEncrypted ?? before.phiEncrypted,
      exception: (input.exception === undefined ? before.exception : input.exception) as BreachException | null,
      individualsAffected: input.individualsAffected ?? before.individualsAffected,
    };
    const d = determine(facts);
    const [after] = await tx.db
      .update(incidents)
      .set({ ...facts, reportable: d.reportable, determination: d.reason, updatedAt: now })
      .where(tenantWhere(incidents.practiceId, ctx.practiceId, eq(incidents.ticketId, ticket.id)))
      .returning();
    await syncDeadlines(tx.db, after!, policy);
    const changed = diff(
      { discoveredAt: before.discoveredAt.toISOString(), phiEncrypted: before.phiEncrypted, exception: before.exception, individualsAffected: before.individualsAffected, reportable: before.reportable },
      { discoveredAt: discoveredAt.toISOString(), phiEncrypted: facts.phiEncrypted, exception: facts.exception, individualsAffected: facts.individualsAffected, reportable: d.reportable },
    );
    await recordHistory(tx.db, ticket, now, actorOf(ctx), 'incident-assessed', { ...changed, ...(input.riskAssessment ? { riskAssessment: 'updated' } : {}), determination: d.reason });
    await tx.db.update(tickets).set({ updatedAt: now }).where(tenantWhere(tickets.practiceId, ctx.practiceId, eq(tickets.id, ticket.id)));
    return { ...ticket, updatedAt: now };
  });
  return ticketView(ctx.db, ctx.staff, policy, row, now);
};

export const recordNotificationHandler: Handler<typeof recordNotification> = async (input, ctx) => {
  const now = ctx.clock.now();
  const policy = policyOfAgreement(await ctx.agreement);
  const notifiedAt = input.notifiedAt ? new Date(input.notifiedAt) : now;
  if (notifiedAt > now) throw new ProblemError('unprocessable', 'notifiedAt is in the future', [{ path: '/notifiedAt', message: 'must not be in the future' }]);
  const row = await ctx.transaction(async (tx) => {
    const ticket = await loadTicket(tx.db, ctx.practiceId, input.id, { forUpdate: true });
    const incident = await loadIncident(tx.db, ticket);
    if (notifiedAt < incident.discoveredAt) {
      throw new ProblemError('unprocessable', 'notifiedAt is before the discovery', [{ path: '/notifiedAt', message: 'before discoveredAt' }]);
    }
    const [deadline] = await tx.db
      .select()
      .from(incidentDeadlines)
      .where(tenantWhere(incidentDeadlines.practiceId, ctx.practiceId, eq(incidentDeadlines.ticketId, ticket.id), eq(incidentDeadlines.recipient, input.recipient)));
    if (!deadline) {
      throw new ProblemError('unprocessable', `no notice to ${recipientText[input.recipient]} is required for this incident`, [{ path: '/recipient', message: 'not required' }]);
    }
    if (deadline.notifiedAt) throw new ProblemError('conflict', `${recipientText[input.recipient]} was notified already`, [{ path: '/recipient', message: 'already notified' }]);
    await tx.db
      .update(incidentDeadlines)
      .set({ notifiedAt, checkAt: null })
      .where(and(eq(incidentDeadlines.ticketId, ticket.id), eq(incidentDeadlines.recipient, input.recipient)));
    await recordHistory(tx.db, ticket, now, actorOf(ctx), 'incident-notified', {
      recipient: input.recipient,
      notifiedAt: notifiedAt.toISOString(),
      dueAt: deadline.dueAt.toISOString(),
      late: notifiedAt > deadline.dueAt,
    });
    await tx.db.update(tickets).set({ updatedAt: now }).where(tenantWhere(tickets.practiceId, ctx.practiceId, eq(tickets.id, ticket.id)));
    return { ...ticket, updatedAt: now };
  });
  return ticketView(ctx.db, ctx.staff, policy, row, now);
};

const recipientText: Record<BreachRecipient, string> = {
  practice: 'the practice',
  individuals: 'the individuals affected',
  hhs: 'HHS',
  media: 'the media',
};
