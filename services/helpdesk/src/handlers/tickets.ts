import { randomUUID } from 'node:crypto';
import { and, eq, inArray, isNotNull, isNull, lt, not, notInArray, or, type SQL } from 'drizzle-orm';
import { ProblemError } from '@mso/contracts';
import {
  ticketCreated,
  type createTicket,
  type getTicket,
  type listTickets,
  type TicketCategory,
  type TicketPriority,
  type TicketSource,
  type updateTicket,
} from '@mso/contracts/helpdesk';
import { eqIfSet, keysetPage, paginate, tenantWhere, type Db, type Handler, type TransactionContext } from '@mso/kit';
import { moreUrgent, policyOfAgreement, slaCalendar, type Policy } from '../domain/policy.js';
import { retarget, startClock } from '../domain/sla.js';
import { assets, tickets } from '../db/schema.js';
import { diff, loadTicket, nextTicketNumber, recordHistory, slaColumns, slaState, type Actor, type TicketRow } from '../db/tickets.js';
import { createIncident } from './incidents.js';
import { actorOf, ticketView, ticketViews } from './views.js';

/** Security incidents are at least `high`, whatever the reporter chose. */
export function effectivePriority(category: TicketCategory, priority: TicketPriority): TicketPriority {
  return category === 'security-incident' && moreUrgent('high', priority) ? 'high' : priority;
}

/** 422 unless the asset exists in this practice. */
export async function requireAsset(db: Db, practiceId: string, assetId: string, path = '/assetId'): Promise<void> {
  const [found] = await db.select({ id: assets.id }).from(assets).where(tenantWhere(assets.practiceId, practiceId, eq(assets.id, assetId)));
  if (!found) throw new ProblemError('unprocessable', 'no such asset in this practice', [{ path, message: 'unknown asset' }]);
}

export interface OpenTicket {
  practiceId: string;
  subject: string;
  description: string;
  category: TicketCategory;
  priority: TicketPriority;
  requester: Actor & { name?: string | null; email?: string | null; phone?: string | null };
  assetId?: string | null;
  source: TicketSource;
  externalRef?: string;
  discoveredAt?: Date;
}

/**
 * Opens a ticket in `tx`: number, SLA clocks from the practice's policy, history, the incident record
 * for security incidents, and `helpdesk.ticket.created`. Returns null when `externalRef` was used.
 */
export async function openTicket(tx: TransactionContext, policy: Policy, input: OpenTicket, now: Date): Promise<TicketRow | null> {
  const priority = effectivePriority(input.category, input.priority);
  const target = policy.targets[priority];
  const cal = slaCalendar(policy.calendar, target.businessHours);
  const clock = startClock(target, cal, now, policy.atRiskPercent);
  if (input.assetId) await requireAsset(tx.db, input.practiceId, input.assetId);
  const number = await nextTicketNumber(tx.db, input.practiceId);
  const [row] = await tx.db
    .insert(tickets)
    .values({
      id: randomUUID(),
      practiceId: input.practiceId,
      number,
      subject: input.subject,
      description: input.description,
      category: input.category,
      priority,
      status: 'new',
      requesterId: input.requester.id,
      requesterRole: input.requester.role,
      requesterName: input.requester.name ?? null,
      requesterEmail: input.requester.email ?? null,
      requesterPhone: input.requester.phone ?? null,
      assigneeId: null,
      assigneeLabel: null,
      assetId: input.assetId ?? null,
      source: input.source,
      externalRef: input.externalRef ?? null,
      slaTier: policy.tier,
      slaBusinessHours: target.businessHours,
      ...slaColumns(clock),
      escalations: 0,
      createdAt: now,
      updatedAt: now,
      closedAt: null,
    })
    .onConflictDoNothing({ target: [tickets.practiceId, tickets.externalRef] })
    .returning();
  if (!row) return null;
  await recordHistory(tx.db, row, now, input.requester, 'created', {
    category: row.category,
    priority: row.priority,
    ...(priority !== input.priority ? { priorityRaised: [input.priority, priority] } : {}),
    source: row.source,
  });
  if (row.category === 'security-incident') await createIncident(tx.db, row, input.discoveredAt ?? now, policy, now);
  await tx.emit(
    ticketCreated,
    {
      ticketId: row.id,
      practiceId: row.practiceId,
      number: row.number,
      category: input.category,
      priority,
      status: 'new',
      source: input.source,
      assetId: row.assetId,
      firstResponseDueAt: row.frDueAt.toISOString(),
      resolutionDueAt: row.resDueAt.toISOString(),
      createdAt: now.toISOString(),
    },
    { subject: row.id, practiceId: row.practiceId },
  );
  return row;
}

export const createTicketHandler: Handler<typeof createTicket> = async (input, ctx) => {
  const now = ctx.clock.now();
  let discoveredAt: Date | undefined;
  if (input.discoveredAt !== undefined) {
    if (input.category !== 'security-incident') {
      throw new ProblemError('unprocessable', 'discoveredAt applies to security incidents only', [{ path: '/discoveredAt', message: 'only for category security-incident' }]);
    }
    discoveredAt = new Date(input.discoveredAt);
    if (discoveredAt > now) throw new ProblemError('unprocessable', 'discoveredAt is in the future', [{ path: '/discoveredAt', message: 'must not be in the future' }]);
  }
  const policy = policyOfAgreement(await ctx.agreement);
  const row = await ctx.transaction(async (tx) =>
    openTicket(
      tx,
      policy,
      {
        practiceId: ctx.practiceId,
        subject: input.subject,
        description: input.description,
        category: input.category,
        priority: input.priority,
        requester: { ...actorOf(ctx), ...input.requester },
        assetId: input.assetId ?? null,
        source: 'api',
        ...(discoveredAt ? { discoveredAt } : {}),
      },
      now,
    ),
  );
  return ticketView(ctx.db, ctx.staff, policy, row!, now);
};

export const getTicketHandler: Handler<typeof getTicket> = async (input, ctx) => {
  const row = await loadTicket(ctx.db, ctx.practiceId, input.id);
  const policy = policyOfAgreement(await ctx.agreement);
  return ticketView(ctx.db, ctx.staff, policy, row, ctx.clock.now());
};

const done = ['resolved', 'closed'];

/** Matches the `breached` flags of the ticket view at `now`. */
function breachedAt(now: Date): SQL {
  return or(
    isNotNull(tickets.frBreachedAt),
    isNotNull(tickets.resBreachedAt),
    and(isNotNull(tickets.runningSince), or(and(isNull(tickets.frMetAt), lt(tickets.frDueAt, now)), and(isNull(tickets.resMetAt), lt(tickets.resDueAt, now)))),
  )!;
}

export const listTicketsHandler: Handler<typeof listTickets> = async (input, ctx) => {
  const now = ctx.clock.now();
  const page = keysetPage(tickets, input, 'desc');
  const where = tenantWhere(
    tickets.practiceId,
    ctx.practiceId,
    page.where,
    eqIfSet(tickets.status, input.status),
    eqIfSet(tickets.priority, input.priority),
    eqIfSet(tickets.category, input.category),
    eqIfSet(tickets.assigneeId, input.assignee?.toLowerCase()),
    eqIfSet(tickets.assetId, input.assetId),
    input.unassigned === true ? isNull(tickets.assigneeId) : input.unassigned === false ? isNotNull(tickets.assigneeId) : undefined,
    input.active === true ? notInArray(tickets.status, done) : input.active === false ? inArray(tickets.status, done) : undefined,
    input.breached === true ? breachedAt(now) : input.breached === false ? not(breachedAt(now)) : undefined,
  );
  const rows = await ctx.db.select().from(tickets).where(where).orderBy(...page.orderBy).limit(page.fetch);
  const policy = policyOfAgreement(await ctx.agreement);
  const result = paginate(rows, page.limit, (r) => r);
  return { items: await ticketViews(ctx.db, ctx.staff, policy, result.items, now), nextCursor: result.nextCursor };
};

export const updateTicketHandler: Handler<typeof updateTicket> = async (input, ctx) => {
  const now = ctx.clock.now();
  const policy = policyOfAgreement(await ctx.agreement);
  const row = await ctx.transaction(async (tx) => {
    const before = await loadTicket(tx.db, ctx.practiceId, input.id, { forUpdate: true });
    if (before.status === 'closed') throw new ProblemError('conflict', 'a closed ticket cannot change; open a new ticket');
    const category = input.category ?? (before.category as TicketCategory);
    if (before.category === 'security-incident' && category !== 'security-incident') {
      throw new ProblemError('conflict', 'a security incident stays a security incident (its HIPAA record is kept)', [{ path: '/category', message: 'cannot change' }]);
    }
    if (input.assetId) await requireAsset(tx.db, ctx.practiceId, input.assetId);
    const requested = input.priority ?? (before.priority as TicketPriority);
    const priority = effectivePriority(category, requested);
    const changes: Partial<TicketRow> = {
      ...(input.subject !== undefined ? { subject: input.subject } : {}),
      category,
      priority,
      ...(input.assetId !== undefined ? { assetId: input.assetId } : {}),
    };
    let sla = {};
    if (priority !== before.priority) {
      const target = policy.targets[priority];
      const cal = slaCalendar(policy.calendar, target.businessHours);
      sla = { ...slaColumns(retarget(slaState(before), target, cal, now, policy.atRiskPercent)), slaBusinessHours: target.businessHours, slaTier: policy.tier };
    }
    const changed = diff(before, changes);
    if (Object.keys(changed).length === 0) return before;
    const [after] = await tx.db
      .update(tickets)
      .set({ ...changes, ...sla, updatedAt: now })
      .where(tenantWhere(tickets.practiceId, ctx.practiceId, eq(tickets.id, before.id)))
      .returning();
    await recordHistory(tx.db, before, now, actorOf(ctx), 'updated', changed);
    if (category === 'security-incident' && before.category !== 'security-incident') await createIncident(tx.db, after!, now, policy, now);
    return after!;
  });
  return ticketView(ctx.db, ctx.staff, policy, row, now);
};
