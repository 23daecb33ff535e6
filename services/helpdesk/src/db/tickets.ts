import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { ProblemError } from '@mso/contracts';
import type { Db } from '@mso/kit';
import { tenantWhere } from '@mso/kit';
import type { SlaState } from '../domain/sla.js';
import { nextCheckAt } from '../domain/sla.js';
import { history, incidentDeadlines, incidents, practices, tickets } from './schema.js';

export type TicketRow = typeof tickets.$inferSelect;
export type IncidentRow = typeof incidents.$inferSelect;
export type DeadlineRow = typeof incidentDeadlines.$inferSelect;

/** The practice's ticket, or 404 (another practice's id answers exactly like a missing one). */
export async function loadTicket(db: Db, practiceId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<TicketRow> {
  const query = db.select().from(tickets).where(tenantWhere(tickets.practiceId, practiceId, eq(tickets.id, id)));
  const [row] = options.forUpdate ? await query.for('update') : await query;
  if (!row) throw new ProblemError('not-found', 'no such ticket');
  return row;
}

export function slaState(row: TicketRow): SlaState {
  return {
    firstResponseMs: row.frTargetMs,
    resolutionMs: row.resTargetMs,
    consumedMs: row.consumedMs,
    runningSince: row.runningSince,
    pausedAt: row.pausedAt,
    firstResponse: {
      dueAt: row.frDueAt,
      warnAt: row.frWarnAt,
      metAt: row.frMetAt,
      elapsedMs: row.frElapsedMs,
      breachedAt: row.frBreachedAt,
      warnedAt: row.frWarnedAt,
    },
    resolution: {
      dueAt: row.resDueAt,
      warnAt: row.resWarnAt,
      metAt: row.resMetAt,
      elapsedMs: row.resElapsedMs,
      breachedAt: row.resBreachedAt,
      warnedAt: row.resWarnedAt,
    },
  };
}

/** The columns that hold an SLA state. */
export function slaColumns(s: SlaState) {
  return {
    frTargetMs: s.firstResponseMs,
    resTargetMs: s.resolutionMs,
    consumedMs: s.consumedMs,
    runningSince: s.runningSince,
    pausedAt: s.pausedAt,
    frDueAt: s.firstResponse.dueAt,
    frWarnAt: s.firstResponse.warnAt,
    frMetAt: s.firstResponse.metAt,
    frElapsedMs: s.firstResponse.elapsedMs,
    frBreachedAt: s.firstResponse.breachedAt,
    frWarnedAt: s.firstResponse.warnedAt,
    resDueAt: s.resolution.dueAt,
    resWarnAt: s.resolution.warnAt,
    resMetAt: s.resolution.metAt,
    resElapsedMs: s.resolution.elapsedMs,
    resBreachedAt: s.resolution.breachedAt,
    resWarnedAt: s.resolution.warnedAt,
    slaCheckAt: nextCheckAt(s),
  } satisfies Partial<TicketRow>;
}

export interface Actor {
  id: string;
  role: string;
}

export async function recordHistory(db: Db, row: Pick<TicketRow, 'practiceId' | 'id'>, at: Date, actor: Actor, action: string, changes: Record<string, unknown> = {}): Promise<void> {
  await db.insert(history).values({ practiceId: row.practiceId, ticketId: row.id, at, actorId: actor.id, actorRole: actor.role, action, changes });
}

/** Field changes as `{ field: [from, to] }`, only for fields that differ. */
export function diff<T extends Record<string, unknown>>(before: T, after: Partial<T>): Record<string, [unknown, unknown]> {
  const out: Record<string, [unknown, unknown]> = {};
  for (const [k, v] of Object.entries(after)) {
    if (v !== undefined && before[k] !== v) out[k] = [before[k] ?? null, v];
  }
  return out;
}

export interface IncidentWithDeadlines {
  incident: IncidentRow;
  deadlines: DeadlineRow[];
}

/** Security incident records of the given tickets of one practice. */
export async function loadIncidents(db: Db, practiceId: string, ticketIds: string[]): Promise<Map<string, IncidentWithDeadlines>> {
  const out = new Map<string, IncidentWithDeadlines>();
  if (ticketIds.length === 0) return out;
  const rows = await db.select().from(incidents).where(tenantWhere(incidents.practiceId, practiceId, inArray(incidents.ticketId, ticketIds)));
  if (rows.length === 0) return out;
  const deadlines = await db
    .select()
    .from(incidentDeadlines)
    .where(and(eq(incidentDeadlines.practiceId, practiceId), inArray(incidentDeadlines.ticketId, rows.map((r) => r.ticketId))))
    .orderBy(asc(incidentDeadlines.dueAt), asc(incidentDeadlines.recipient));
  for (const incident of rows) out.set(incident.ticketId, { incident, deadlines: deadlines.filter((d) => d.ticketId === incident.ticketId) });
  return out;
}

/** Takes the practice's next ticket number (the counter row is locked until the transaction ends). */
export async function nextTicketNumber(db: Db, practiceId: string): Promise<number> {
  const [row] = await db
    .insert(practices)
    .values({ practiceId, nextTicketNumber: 2 })
    .onConflictDoUpdate({ target: practices.practiceId, set: { nextTicketNumber: sql`${practices.nextTicketNumber} + 1` } })
    .returning({ next: practices.nextTicketNumber });
  return row!.next - 1;
}
