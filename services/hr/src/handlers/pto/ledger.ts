// The PTO ledger's reads and the views of its rows. A balance is always summed from the entries.
import { and, asc, eq, inArray, isNull, sql, type Column, type SQL } from 'drizzle-orm';
import type { PtoEntryKind, PtoPolicy, PtoRequest } from '@mso/contracts/hr';
import { localDate, type Db, type HandlerContext } from '@mso/kit';
import { toHours } from '../../domain/pto.js';
import { notFound } from '../../domain/problems.js';
import { employments, ptoEntries, ptoPolicies, ptoRequests } from '../../db/schema.js';
import { DEFAULT_TIME_ZONE } from '../../jobs/credential-expiry.js';
import { employerOf, type Caller } from '../access.js';

export type PolicyRow = typeof ptoPolicies.$inferSelect;
export type RequestRow = typeof ptoRequests.$inferSelect;
export type EntryRow = typeof ptoEntries.$inferSelect;
export type EmploymentRow = typeof employments.$inferSelect;

/** Rows of one employer: `mso` is the rows without a practice. */
export const ofEmployer = (column: Column, employer: string): SQL =>
  employer.toLowerCase() === 'mso' ? isNull(column) : eq(column, employer.toLowerCase());

/** The caller's rows: a practice key's own practice's (the wall says the same), an MSO key all. */
export const visible = (caller: Caller, column: Column, ...conditions: (SQL | undefined)[]): SQL =>
  and(caller.practiceId ? eq(column, caller.practiceId) : undefined, ...conditions)!;

/** An employment the caller may see, locked for the rest of the transaction when `lock` (balance writes). */
export async function findEmployment(db: Db, caller: Caller, id: string, lock = false): Promise<EmploymentRow> {
  const query = db.select().from(employments).where(visible(caller, employments.practiceId, eq(employments.id, id))).limit(1);
  const [row] = lock ? await query.for('update') : await query;
  if (!row) throw notFound('employment');
  return row;
}

export async function policyFor(db: Db, employment: EmploymentRow, leaveType: string): Promise<PolicyRow | null> {
  const [row] = await db
    .select()
    .from(ptoPolicies)
    .where(and(eq(ptoPolicies.employer, employerOf(employment.practiceId)), eq(ptoPolicies.leaveType, leaveType)))
    .limit(1);
  return row ?? null;
}

export async function balanceOf(db: Db, employmentId: string, leaveType: string): Promise<number> {
  const [row] = await db
    .select({ sum: sql<string | null>`sum(${ptoEntries.hundredths})` })
    .from(ptoEntries)
    .where(and(eq(ptoEntries.employmentId, employmentId), eq(ptoEntries.leaveType, leaveType)));
  return Number(row?.sum ?? 0);
}

export async function pendingOf(db: Db, employmentId: string, leaveType: string): Promise<number> {
  const [row] = await db
    .select({ sum: sql<string | null>`sum(${ptoRequests.hundredths})` })
    .from(ptoRequests)
    .where(and(eq(ptoRequests.employmentId, employmentId), eq(ptoRequests.leaveType, leaveType), eq(ptoRequests.status, 'pending')));
  return Number(row?.sum ?? 0);
}

/** Sums per (employment, leave type) of the given employments: `${employmentId} ${leaveType}` → hundredths. */
export async function balancesOf(db: Db, employmentIds: string[]): Promise<Map<string, number>> {
  const sums = new Map<string, number>();
  if (employmentIds.length === 0) return sums;
  const rows = await db
    .select({ employmentId: ptoEntries.employmentId, leaveType: ptoEntries.leaveType, sum: sql<string>`sum(${ptoEntries.hundredths})` })
    .from(ptoEntries)
    .where(inArray(ptoEntries.employmentId, employmentIds))
    .groupBy(ptoEntries.employmentId, ptoEntries.leaveType);
  for (const r of rows) sums.set(`${r.employmentId} ${r.leaveType}`, Number(r.sum));
  return sums;
}

export async function pendingByEmployment(db: Db, employmentIds: string[]): Promise<Map<string, number>> {
  const sums = new Map<string, number>();
  if (employmentIds.length === 0) return sums;
  const rows = await db
    .select({ employmentId: ptoRequests.employmentId, leaveType: ptoRequests.leaveType, sum: sql<string>`sum(${ptoRequests.hundredths})` })
    .from(ptoRequests)
    .where(and(inArray(ptoRequests.employmentId, employmentIds), eq(ptoRequests.status, 'pending')))
    .groupBy(ptoRequests.employmentId, ptoRequests.leaveType);
  for (const r of rows) sums.set(`${r.employmentId} ${r.leaveType}`, Number(r.sum));
  return sums;
}

export interface NewEntry {
  practiceId: string | null;
  employmentId: string;
  leaveType: string;
  kind: PtoEntryKind;
  hundredths: number;
  entryDate: string;
  period?: string | null;
  requestId?: string | null;
  reason?: string | null;
}

/** Inserts an entry unless its key (period, or request and kind) is taken; returns whether it was new. */
export async function insertEntry(db: Db, entry: NewEntry, now: Date): Promise<boolean> {
  const inserted = await db
    .insert(ptoEntries)
    .values({ id: crypto.randomUUID(), period: null, requestId: null, reason: null, ...entry, createdAt: now })
    .onConflictDoNothing()
    .returning({ id: ptoEntries.id });
  return inserted.length > 0;
}

/** An employment's balance of a leave type with its entries, oldest first. */
export async function balanceView(db: Db, employmentId: string, leaveType: string) {
  const entries = await db
    .select()
    .from(ptoEntries)
    .where(and(eq(ptoEntries.employmentId, employmentId), eq(ptoEntries.leaveType, leaveType)))
    .orderBy(asc(ptoEntries.seq));
  const balance = entries.reduce((sum, e) => sum + e.hundredths, 0);
  const pending = await pendingOf(db, employmentId, leaveType);
  return {
    employmentId,
    leaveType,
    balanceHours: toHours(balance),
    pendingHours: toHours(pending),
    availableHours: toHours(balance - pending),
    entries: entries.map(entryView),
  };
}

export const entryView = (e: EntryRow) => ({
  id: e.id,
  kind: e.kind as PtoEntryKind,
  hours: toHours(e.hundredths),
  entryDate: e.entryDate,
  period: e.period,
  requestId: e.requestId,
  reason: e.reason,
  createdAt: e.createdAt.toISOString(),
});

export const policyView = (p: PolicyRow): PtoPolicy => ({
  id: p.id,
  employer: p.employer,
  leaveType: p.leaveType,
  name: p.name,
  accrualHoursPerMonth: toHours(p.accrualHundredths),
  waitingMonths: p.waitingMonths,
  waitingDays: p.waitingDays,
  carryOverCapHours: p.carryOverCapHundredths === null ? null : toHours(p.carryOverCapHundredths),
  maxBalanceHours: p.maxBalanceHundredths === null ? null : toHours(p.maxBalanceHundredths),
  allowNegative: p.allowNegative,
  active: p.active,
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
});

export const requestView = (r: RequestRow): PtoRequest => ({
  id: r.id,
  employmentId: r.employmentId,
  employer: employerOf(r.practiceId),
  leaveType: r.leaveType,
  startDate: r.startDate,
  endDate: r.endDate,
  hours: toHours(r.hundredths),
  status: r.status as PtoRequest['status'],
  decidedBy: r.decidedBy,
  decidedAt: r.decidedAt?.toISOString() ?? null,
  cancelledAt: r.cancelledAt?.toISOString() ?? null,
  createdAt: r.createdAt.toISOString(),
});

/** Today in the employer's zone: the practice's agreement zone, the default zone for the MSO. */
export async function todayOf(ctx: HandlerContext, practiceId: string | null): Promise<string> {
  const zone = practiceId ? ((await ctx.agreements.get(practiceId))?.timeZone ?? DEFAULT_TIME_ZONE) : DEFAULT_TIME_ZONE;
  return localDate(ctx.clock.now(), zone);
}
