import { randomUUID } from 'node:crypto';
import { asc, eq, ne } from 'drizzle-orm';
import { ProblemError } from '@mso/contracts';
import {
  ticketAssigned,
  ticketResolved,
  type addNote,
  type addReply,
  type assignTicket,
  type changeStatus,
  type getHistory,
  type listMessages,
  type TicketStatus,
} from '@mso/contracts/helpdesk';
import { keysetPage, localDate, paginate, tenantWhere, type Handler, type HandlerContext, type TransactionContext } from '@mso/kit';
import { policyOfAgreement, slaCalendar, type Policy } from '../domain/policy.js';
import { pause, respond, resume, stop, type SlaState } from '../domain/sla.js';
import { checkTransition, clockEffect, isMso, statusAfterReply, type Actor as Role } from '../domain/workflow.js';
import { history, messages, tickets } from '../db/schema.js';
import { loadTicket, recordHistory, slaColumns, slaState, type TicketRow } from '../db/tickets.js';
import { actorOf, ticketView, toMessage } from './views.js';

const roleOf = (ctx: HandlerContext): Role => ctx.principal.role;

/** Applies a status change to the SLA state. */
function moveClock(state: SlaState, from: TicketStatus, to: TicketStatus, policy: Policy, row: TicketRow, now: Date): SlaState {
  const cal = slaCalendar(policy.calendar, row.slaBusinessHours);
  switch (clockEffect(from, to)) {
    case 'pause':
      return pause(state, cal, now);
    case 'resume':
      return resume(state, cal, now, policy.atRiskPercent);
    case 'stop':
      return stop(state, cal, now);
    default:
      return state;
  }
}

async function saveTicket(tx: TransactionContext, row: TicketRow, changes: Partial<TicketRow>): Promise<TicketRow> {
  const [after] = await tx.db
    .update(tickets)
    .set(changes)
    .where(tenantWhere(tickets.practiceId, row.practiceId, eq(tickets.id, row.id)))
    .returning();
  return after!;
}

async function emitResolved(tx: TransactionContext, row: TicketRow): Promise<void> {
  const s = slaState(row);
  await tx.emit(
    ticketResolved,
    {
      ticketId: row.id,
      practiceId: row.practiceId,
      number: row.number,
      category: row.category as never,
      priority: row.priority as never,
      resolvedAt: (s.resolution.metAt ?? row.updatedAt).toISOString(),
      firstResponseBreached: !!s.firstResponse.breachedAt,
      resolutionBreached: !!s.resolution.breachedAt,
      resolutionMinutes: Math.trunc((s.resolution.elapsedMs ?? 0) / 60_000),
    },
    { subject: row.id, practiceId: row.practiceId },
  );
}

/** A public reply. The MSO's first one is the first response; see `statusAfterReply` for status changes. */
export const addReplyHandler: Handler<typeof addReply> = async (input, ctx) => {
  const now = ctx.clock.now();
  const policy = policyOfAgreement(await ctx.agreement);
  return ctx.transaction(async (tx) => {
    const row = await loadTicket(tx.db, ctx.practiceId, input.id, { forUpdate: true });
    const from = row.status as TicketStatus;
    const to = statusAfterReply(from, roleOf(ctx));
    let state = slaState(row);
    if (isMso(roleOf(ctx))) state = respond(state, slaCalendar(policy.calendar, row.slaBusinessHours), now);
    state = moveClock(state, from, to, policy, row, now);
    const [message] = await tx.db
      .insert(messages)
      .values({ id: randomUUID(), practiceId: ctx.practiceId, ticketId: row.id, kind: 'reply', body: input.body, authorId: ctx.principal.id, authorRole: ctx.principal.role, createdAt: now })
      .returning();
    await saveTicket(tx, row, { status: to, ...slaColumns(state), updatedAt: now });
    const firstResponse = !row.frMetAt && !!state.firstResponse.metAt;
    await recordHistory(tx.db, row, now, actorOf(ctx), 'replied', {
      messageId: message!.id,
      ...(to !== from ? { status: [from, to] } : {}),
      ...(firstResponse ? { firstResponse: true } : {}),
    });
    return toMessage(message!);
  });
};

/** An internal note: MSO only, never shown to the practice, not a response. */
export const addNoteHandler: Handler<typeof addNote> = async (input, ctx) => {
  const now = ctx.clock.now();
  return ctx.transaction(async (tx) => {
    const row = await loadTicket(tx.db, ctx.practiceId, input.id, { forUpdate: true });
    const [message] = await tx.db
      .insert(messages)
      .values({ id: randomUUID(), practiceId: ctx.practiceId, ticketId: row.id, kind: 'note', body: input.body, authorId: ctx.principal.id, authorRole: ctx.principal.role, createdAt: now })
      .returning();
    await saveTicket(tx, row, { updatedAt: now });
    await recordHistory(tx.db, row, now, actorOf(ctx), 'noted', { messageId: message!.id });
    return toMessage(message!);
  });
};

export const listMessagesHandler: Handler<typeof listMessages> = async (input, ctx) => {
  const row = await loadTicket(ctx.db, ctx.practiceId, input.id);
  const page = keysetPage(messages, input, 'asc');
  const rows = await ctx.db
    .select()
    .from(messages)
    .where(tenantWhere(messages.practiceId, ctx.practiceId, eq(messages.ticketId, row.id), page.where, isMso(roleOf(ctx)) ? undefined : ne(messages.kind, 'note')))
    .orderBy(...page.orderBy)
    .limit(page.fetch);
  return paginate(rows, page.limit, toMessage);
};

export const changeStatusHandler: Handler<typeof changeStatus> = async (input, ctx) => {
  const now = ctx.clock.now();
  const policy = policyOfAgreement(await ctx.agreement);
  const row = await ctx.transaction(async (tx) => {
    const before = await loadTicket(tx.db, ctx.practiceId, input.id, { forUpdate: true });
    const from = before.status as TicketStatus;
    checkTransition(from, input.status, roleOf(ctx));
    const state = moveClock(slaState(before), from, input.status, policy, before, now);
    const after = await saveTicket(tx, before, {
      status: input.status,
      ...slaColumns(state),
      updatedAt: now,
      ...(input.status === 'closed' ? { closedAt: now } : {}),
    });
    await recordHistory(tx.db, before, now, actorOf(ctx), 'status-changed', { status: [from, input.status], ...(input.reason ? { reason: input.reason } : {}) });
    if (input.status === 'resolved') await emitResolved(tx, after);
    return after;
  });
  return ticketView(ctx.db, ctx.staff, policy, row, now);
};

/**
 * Assigns a person of HR's staff directory (employed at the MSO or at the ticket's practice on the
 * practice's today), or unassigns. The history and `helpdesk.ticket.assigned` carry person ids; a
 * free-text assignee from before assignees were people is cleared by the first assignment.
 */
export const assignTicketHandler: Handler<typeof assignTicket> = async (input, ctx) => {
  const now = ctx.clock.now();
  const policy = policyOfAgreement(await ctx.agreement);
  const assignee = input.assignee === null ? null : input.assignee.toLowerCase();
  const row = await ctx.transaction(async (tx) => {
    const before = await loadTicket(tx.db, ctx.practiceId, input.id, { forUpdate: true });
    if (before.assigneeId === assignee && before.assigneeLabel === null) return before;
    if (before.status === 'closed') throw new ProblemError('conflict', 'a closed ticket cannot change; open a new ticket');
    if (assignee !== null) await ctx.staff.requireAssignable(assignee, ctx.practiceId, localDate(now, policy.calendar.timeZone));
    const after = await saveTicket(tx, before, { assigneeId: assignee, assigneeLabel: null, updatedAt: now });
    await recordHistory(tx.db, before, now, actorOf(ctx), 'assigned', {
      assignee: [before.assigneeId, assignee],
      ...(before.assigneeLabel !== null ? { assigneeLabel: [before.assigneeLabel, null] } : {}),
    });
    await tx.emit(
      ticketAssigned,
      { ticketId: after.id, practiceId: after.practiceId, number: after.number, category: after.category as never, priority: after.priority as never, assignee, previousAssignee: before.assigneeId },
      { subject: after.id },
    );
    return after;
  });
  return ticketView(ctx.db, ctx.staff, policy, row, now);
};

export const getHistoryHandler: Handler<typeof getHistory> = async (input, ctx) => {
  const row = await loadTicket(ctx.db, ctx.practiceId, input.id);
  const rows = await ctx.db
    .select()
    .from(history)
    .where(tenantWhere(history.practiceId, ctx.practiceId, eq(history.ticketId, row.id), isMso(roleOf(ctx)) ? undefined : ne(history.action, 'noted')))
    .orderBy(asc(history.seq));
  return {
    items: rows.map((h) => ({
      id: String(h.seq),
      ticketId: h.ticketId,
      at: h.at.toISOString(),
      actor: { id: h.actorId, role: h.actorRole },
      action: h.action as never,
      changes: h.changes,
    })),
  };
};
