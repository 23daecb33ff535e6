import { and, asc, eq, inArray, lte } from 'drizzle-orm';
import type { Agreement } from '@mso/contracts/tenancy';
import { slaAtRisk, slaBreached, type TicketPriority } from '@mso/contracts/helpdesk';
import { localDate, stableId, type AcrossPractices, type JobContext, type StaffDirectory, type TransactionContext } from '@mso/kit';
import { policyOfAgreement, raisePriority, slaCalendar, type Policy } from '../domain/policy.js';
import { applySignals, remainingMinutes, signals, type Signal } from '../domain/sla.js';
import { tickets } from '../db/schema.js';
import { recordHistory, slaColumns, slaState, type TicketRow } from '../db/tickets.js';

const BATCH = 100;
const SYSTEM = { id: 'system:sla-check', role: 'system' };

/**
 * The scheduled SLA check: announces targets at risk and breached, and escalates breached tickets as
 * the practice's policy says. The kit runs it once per tick across all copies of the service; rows
 * are also claimed with SKIP LOCKED and every announcement is recorded on the ticket in the same
 * transaction as its outbox event, so nothing is announced twice.
 */
export function checkSlas(ctx: JobContext): Promise<void> {
  return ctx.acrossPractices('sla-check: the running SLA clocks of every practice', (all) => checkAllPractices(ctx, all));
}

async function checkAllPractices(ctx: JobContext, all: AcrossPractices): Promise<void> {
  const now = ctx.clock.now();
  // The agreements of practices with clocks due, asked before any transaction opens (an unknown
  // practice means a call to tenancy); tickets of practices without helpdesk any more are left alone.
  const due = await all.db.selectDistinct({ practiceId: tickets.practiceId }).from(tickets).where(lte(tickets.slaCheckAt, now));
  const policies = new Map<string, Policy>();
  for (const { practiceId } of due) {
    const agreement: Agreement | null = await ctx.agreements.get(practiceId);
    if (agreement?.services.includes('helpdesk')) policies.set(practiceId, policyOfAgreement(agreement));
  }
  if (policies.size === 0) return;
  // Bounded: a run handles at most this many batches; the next tick picks up the rest.
  for (let batch = 0; batch < 100; batch++) {
    const claimed = await all.transaction(async (tx) => {
      // Rows of practices that still have helpdesk; locked, skipping rows another copy holds.
      const rows = await tx.db
        .select()
        .from(tickets)
        .where(and(lte(tickets.slaCheckAt, now), inArray(tickets.practiceId, [...policies.keys()])))
        .orderBy(asc(tickets.slaCheckAt))
        .limit(BATCH)
        .for('update', { skipLocked: true });
      for (const ticket of rows) await checkTicket(tx, ctx.staff, ticket, policies.get(ticket.practiceId)!, now);
      return rows.length;
    });
    if (claimed < BATCH) return;
  }
}

/**
 * The person the policy's `reassignTo` names, when they may work the practice's tickets today; else
 * why not (the ticket keeps its assignee, and the breach's history says why).
 */
async function escalationAssignee(staff: StaffDirectory, personId: string, practiceId: string, policy: Policy, now: Date): Promise<{ personId?: string; refusal?: string }> {
  const id = personId.toLowerCase();
  const refusal = await staff.refusal(id, practiceId, localDate(now, policy.calendar.timeZone));
  return refusal ? { refusal: `reassignTo: ${refusal}` } : { personId: id };
}

async function checkTicket(tx: TransactionContext, staff: StaffDirectory, row: TicketRow, policy: Policy, now: Date): Promise<void> {
  const state = slaState(row);
  const fired: Signal[] = signals(state, now);
  const next = applySignals(state, fired, now);
  let priority = row.priority as TicketPriority;
  let assignee = row.assigneeId;
  let assigneeLabel = row.assigneeLabel;
  let escalations = row.escalations;
  const cal = slaCalendar(policy.calendar, row.slaBusinessHours);
  for (const signal of fired) {
    const ref = { ticketId: row.id, practiceId: row.practiceId, number: row.number, category: row.category as never, target: signal.target, dueAt: signal.dueAt.toISOString() };
    const eventId = stableId(row.id, signal.target, signal.kind, signal.dueAt.toISOString());
    if (signal.kind === 'at-risk') {
      const targetMs = signal.target === 'first-response' ? state.firstResponseMs : state.resolutionMs;
      await tx.emit(slaAtRisk, { ...ref, priority, assignee, remainingMinutes: remainingMinutes(state, targetMs, cal, now) }, { subject: row.id, practiceId: row.practiceId, id: eventId });
      await recordHistory(tx.db, row, now, SYSTEM, 'sla-at-risk', { target: signal.target, dueAt: ref.dueAt });
      continue;
    }
    const from = { priority, assignee };
    if (policy.escalation.raisePriority) priority = raisePriority(priority);
    const reassign = policy.escalation.reassignTo ? await escalationAssignee(staff, policy.escalation.reassignTo, row.practiceId, policy, now) : null;
    if (reassign?.personId) {
      assignee = reassign.personId;
      assigneeLabel = null;
    }
    escalations++;
    await tx.emit(
      slaBreached,
      { ...ref, priority: from.priority, assignee: from.assignee, escalation: { priority: { from: from.priority, to: priority }, assignee: { from: from.assignee, to: assignee } } },
      { subject: row.id, practiceId: row.practiceId, id: eventId },
    );
    await recordHistory(tx.db, row, now, SYSTEM, 'sla-breached', { target: signal.target, dueAt: ref.dueAt, ...(reassign?.refusal ? { reassignRefused: reassign.refusal } : {}) });
    const changes: Record<string, [unknown, unknown]> = {};
    if (priority !== from.priority) changes.priority = [from.priority, priority];
    if (assignee !== from.assignee) changes.assignee = [from.assignee, assignee];
    if (Object.keys(changes).length) await recordHistory(tx.db, row, now, SYSTEM, 'escalated', { ...changes, reason: `${signal.target} target breached` });
  }
  await tx.db
    .update(tickets)
    .set({ ...slaColumns(next), priority, assigneeId: assignee, assigneeLabel, escalations, ...(fired.length ? { updatedAt: now } : {}) })
    .where(and(eq(tickets.practiceId, row.practiceId), eq(tickets.id, row.id)));
}
