import { and, asc, eq, gte, inArray, lte } from 'drizzle-orm';
import { ProblemError, type InputOf, type OutputOf, type Role } from '@mso/contracts';
import { ptoApprovers, type approvePtoRequest, type cancelPtoRequest, type createPtoRequest, type getPtoRequest, type listPtoRequests } from '@mso/contracts/hr';
import type { Db, HandlerContext } from '@mso/kit';
import { checkCovered, checkRequestShape, checkWithinEmployment, toHundredths, transition, type RequestStatus } from '../../domain/pto.js';
import { notFound } from '../../domain/problems.js';
import { employments, ptoRequests } from '../../db/schema.js';
import { withCaller, type Caller } from '../access.js';
import { balanceOf, findEmployment, insertEntry, pendingOf, policyFor, requestView, visible, type EmploymentRow } from './ledger.js';

export async function createRequestHandler(input: InputOf<typeof createPtoRequest>, ctx: HandlerContext): Promise<OutputOf<typeof createPtoRequest>> {
  return withCaller(ctx, 'hr.pto-request-create', async (tx, caller) => {
    const hundredths = toHundredths(input.hours);
    checkRequestShape({ startDate: input.startDate, endDate: input.endDate, hundredths });
    // The employment row is locked: requests, approvals and accruals of one employment go one at a time.
    const employment = await findEmployment(tx.db, caller, input.employmentId, true);
    const policy = await policyFor(tx.db, employment, input.leaveType);
    if (!policy?.active) throw new ProblemError('unprocessable', 'the employer has no active policy for this leave type', [{ path: '/leaveType', message: 'has no active policy at the employer' }]);
    checkWithinEmployment(employment, input);
    const overlapping = await tx.db
      .select({ id: ptoRequests.id })
      .from(ptoRequests)
      .where(and(eq(ptoRequests.employmentId, employment.id), inArray(ptoRequests.status, ['pending', 'approved']), lte(ptoRequests.startDate, input.endDate), gte(ptoRequests.endDate, input.startDate)))
      .limit(1);
    if (overlapping.length > 0) throw new ProblemError('conflict', 'another request covers some of these days', [{ path: '/startDate', message: 'overlaps a pending or approved request' }]);
    const available = (await balanceOf(tx.db, employment.id, input.leaveType)) - (await pendingOf(tx.db, employment.id, input.leaveType));
    checkCovered(hundredths, available, policy.allowNegative);
    const now = ctx.clock.now();
    const [row] = await tx.db
      .insert(ptoRequests)
      .values({
        id: crypto.randomUUID(),
        practiceId: employment.practiceId,
        employmentId: employment.id,
        leaveType: input.leaveType,
        startDate: input.startDate,
        endDate: input.endDate,
        hundredths,
        status: 'pending',
        decidedBy: null,
        decidedAt: null,
        cancelledAt: null,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    return requestView(row!);
  });
}

async function findRequest(db: Db, caller: Caller, id: string) {
  const [row] = await db.select().from(ptoRequests).where(visible(caller, ptoRequests.practiceId, eq(ptoRequests.id, id))).limit(1);
  if (!row) throw notFound('request');
  return row;
}

export async function getRequestHandler(input: InputOf<typeof getPtoRequest>, ctx: HandlerContext): Promise<OutputOf<typeof getPtoRequest>> {
  return withCaller(ctx, 'hr.pto-request-get', async (tx, caller) => requestView(await findRequest(tx.db, caller, input.id)));
}

export async function listRequestsHandler(input: InputOf<typeof listPtoRequests>, ctx: HandlerContext): Promise<OutputOf<typeof listPtoRequests>> {
  return withCaller(ctx, 'hr.pto-request-list', async (tx, caller) => {
    const rows = await tx.db
      .select({ request: ptoRequests })
      .from(ptoRequests)
      .innerJoin(employments, eq(employments.id, ptoRequests.employmentId))
      .where(
        visible(
          caller,
          ptoRequests.practiceId,
          input.employmentId ? eq(ptoRequests.employmentId, input.employmentId) : undefined,
          input.managerId ? eq(employments.managerId, input.managerId) : undefined,
          input.status ? eq(ptoRequests.status, input.status) : undefined,
        ),
      )
      .orderBy(asc(ptoRequests.createdAt), asc(ptoRequests.id))
      .limit(input.limit ?? 200);
    return { items: rows.map((r) => requestView(r.request)) };
  });
}

/**
 * Who decides: an MSO or practice admin key (naming the person or not), else the employment's
 * manager, named in `decidedBy` (API keys belong to roles, not people). Nobody decides their own.
 */
export function checkDecider(role: Role | 'system', decidedBy: string | undefined, employment: EmploymentRow): string | null {
  if (decidedBy !== undefined && decidedBy === employment.personId) throw new ProblemError('forbidden', 'nobody decides their own request', [{ path: '/decidedBy', message: 'is the requester' }]);
  if (ptoApprovers.includes(role as Role)) return decidedBy ?? null;
  if (decidedBy === undefined) throw new ProblemError('forbidden', "only the employment's manager or an admin decides", [{ path: '/decidedBy', message: "required: the employment's manager" }]);
  if (decidedBy !== employment.managerId) throw new ProblemError('forbidden', "only the employment's manager or an admin decides", [{ path: '/decidedBy', message: "is not the employment's manager" }]);
  return decidedBy;
}

/** An admin naming the deciding person: one with an employment the caller may see. */
async function checkPersonVisible(db: Db, caller: Caller, personId: string): Promise<void> {
  const [row] = await db.select({ id: employments.id }).from(employments).where(visible(caller, employments.practiceId, eq(employments.personId, personId))).limit(1);
  if (!row) throw new ProblemError('not-found', 'no such person', [{ path: '/decidedBy', message: 'is not a person you may see' }]);
}

async function decide(input: InputOf<typeof approvePtoRequest>, ctx: HandlerContext, action: 'approve' | 'reject'): Promise<OutputOf<typeof approvePtoRequest>> {
  return withCaller(ctx, `hr.pto-request-${action}`, async (tx, caller) => {
    const found = await findRequest(tx.db, caller, input.id);
    const employment = await findEmployment(tx.db, caller, found.employmentId, true);
    const [request] = await tx.db.select().from(ptoRequests).where(eq(ptoRequests.id, found.id)).for('update');
    const decidedBy = checkDecider(ctx.principal.role, input.decidedBy, employment);
    if (decidedBy !== null && decidedBy !== employment.managerId) await checkPersonVisible(tx.db, caller, decidedBy);
    const status = transition(request!.status as RequestStatus, action);
    const now = ctx.clock.now();
    if (status === 'approved') {
      const policy = await policyFor(tx.db, employment, request!.leaveType);
      checkCovered(request!.hundredths, await balanceOf(tx.db, employment.id, request!.leaveType), policy?.allowNegative ?? false);
      await insertEntry(
        tx.db,
        { practiceId: employment.practiceId, employmentId: employment.id, leaveType: request!.leaveType, kind: 'use', hundredths: -request!.hundredths, entryDate: request!.startDate, requestId: request!.id },
        now,
      );
    }
    const [updated] = await tx.db.update(ptoRequests).set({ status, decidedBy, decidedAt: now, updatedAt: now }).where(eq(ptoRequests.id, request!.id)).returning();
    return requestView(updated!);
  });
}

export const approveRequestHandler = (input: InputOf<typeof approvePtoRequest>, ctx: HandlerContext) => decide(input, ctx, 'approve');
export const rejectRequestHandler = (input: InputOf<typeof approvePtoRequest>, ctx: HandlerContext) => decide(input, ctx, 'reject');

export async function cancelRequestHandler(input: InputOf<typeof cancelPtoRequest>, ctx: HandlerContext): Promise<OutputOf<typeof cancelPtoRequest>> {
  return withCaller(ctx, 'hr.pto-request-cancel', async (tx, caller) => {
    const found = await findRequest(tx.db, caller, input.id);
    const employment = await findEmployment(tx.db, caller, found.employmentId, true);
    const [request] = await tx.db.select().from(ptoRequests).where(eq(ptoRequests.id, found.id)).for('update');
    const was = request!.status as RequestStatus;
    transition(was, 'cancel');
    const now = ctx.clock.now();
    if (was === 'approved') {
      // The use stays in the ledger; an entry of the same hours gives them back.
      await insertEntry(
        tx.db,
        { practiceId: employment.practiceId, employmentId: employment.id, leaveType: request!.leaveType, kind: 'use-reversal', hundredths: request!.hundredths, entryDate: request!.startDate, requestId: request!.id, reason: 'request cancelled' },
        now,
      );
    }
    const [updated] = await tx.db.update(ptoRequests).set({ status: 'cancelled', cancelledAt: now, updatedAt: now }).where(eq(ptoRequests.id, request!.id)).returning();
    return requestView(updated!);
  });
}
