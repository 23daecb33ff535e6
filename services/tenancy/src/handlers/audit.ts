import { and, arrayContains, gte, lt, type SQL } from 'drizzle-orm';
import { auditRecorded, businessServices, ProblemError, type AuditRecord } from '@mso/contracts';
import type { AuditEvent, listAuditEvents } from '@mso/contracts/tenancy';
import { consume, eqIfSet, keysetPage, paginate, type ConsumerBinding, type EventHandler, type Handler, type JobContext } from '@mso/kit';
import { auditEvents } from '../db/schema.js';
import { registry } from './registry.js';

type AuditEventRow = typeof auditEvents.$inferSelect;

const toAuditEvent = (row: AuditEventRow): AuditEvent => ({
  id: row.id,
  at: row.at.toISOString(),
  service: row.service,
  operation: row.operation,
  access: row.access as AuditEvent['access'],
  principalId: row.principalId,
  principalRole: row.principalRole,
  practiceId: row.practiceId,
  resourceIds: row.resourceIds,
  outcome: row.outcome as AuditEvent['outcome'],
  problemCode: row.problemCode,
  traceId: row.traceId,
  reason: row.reason,
  recordedAt: row.recordedAt.toISOString(),
});

/** Keeps one service's audit record (the kit emits them; a repeated delivery changes nothing). */
const storeAuditEvent: EventHandler<ReturnType<typeof auditRecorded>> = async (event, ctx) => {
  const r: AuditRecord = event.data;
  await ctx.db
    .insert(auditEvents)
    .values({ ...r, at: new Date(r.at), recordedAt: ctx.clock.now() })
    .onConflictDoNothing({ target: auditEvents.id });
};

/**
 * Tenancy keeps the PHI access records of every business service, and every service's (its own
 * included) records of reads across practices.
 */
export const auditConsumers: ConsumerBinding[] = [...businessServices, 'tenancy' as const].map((service) => consume(auditRecorded(service), storeAuditEvent));

/** Newest first. A practice admin sees its own practice's records; MSO admins see all, or one practice's. */
export const listAuditEventsHandler: Handler<typeof listAuditEvents> = async (input, ctx) => {
  const own = ctx.principal.practiceId;
  // Another practice's id answers exactly like an unknown one.
  if (own && input.practiceId && input.practiceId !== own) throw new ProblemError('not-found', 'no such practice');
  const practiceId = own ?? input.practiceId;
  const page = keysetPage({ createdAt: auditEvents.at, id: auditEvents.id }, input, 'desc');
  const conditions: (SQL | undefined)[] = [
    page.where,
    eqIfSet(auditEvents.practiceId, practiceId),
    eqIfSet(auditEvents.principalId, input.principal),
    input.resource ? arrayContains(auditEvents.resourceIds, [input.resource]) : undefined,
    input.from ? gte(auditEvents.at, new Date(input.from)) : undefined,
    input.to ? lt(auditEvents.at, new Date(input.to)) : undefined,
  ];
  const rows = await registry(ctx, 'audit-events: MSO admins read every practice', (scope) =>
    scope.db.select().from(auditEvents).where(and(...conditions)).orderBy(...page.orderBy).limit(page.fetch),
  );
  return paginate(
    rows.map((row) => ({ row, createdAt: row.at, id: row.id })),
    page.limit,
    (x) => toAuditEvent(x.row),
  );
};

/** Deletes records past the 6-year retention; the table's trigger refuses younger ones. */
export async function pruneAuditEvents(ctx: JobContext): Promise<void> {
  const cutoff = new Date(ctx.clock.now());
  cutoff.setUTCFullYear(cutoff.getUTCFullYear() - 6);
  await ctx.acrossPractices('audit-events retention: every practice', (all) => all.db.delete(auditEvents).where(lt(auditEvents.at, cutoff)));
}
