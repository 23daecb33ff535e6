import { randomUUID } from 'node:crypto';
import { trace, context } from '@opentelemetry/api';
import { lt } from 'drizzle-orm';
import { pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { auditRecorded, busHeaders, ProblemError, type AuditOutcome, type AuditRecord, type Operation, type Principal, type ServiceId } from '@mso/contracts';
import type { BusRequest } from '@mso/bus';
import { ALL_PRACTICES } from '@mso/db';
import type { Logger } from '@mso/telemetry';
import type { Clock } from './clock.js';
import { decodePrincipal } from './codec.js';
import { loggableError } from './errors.js';
import { decodeRequest } from './raw.js';
import { currentTransaction, runInTransaction } from './transaction.js';
import type { JobCall } from './jobs.js';
import { logAcrossPractices, type AcrossPracticesAudit, type AcrossPracticesUse } from './tenant-wall.js';
import type { Db, HandlerBinding, JobDefinition, TransactionContext } from './service.js';

/** HIPAA keeps documentation of PHI access for six years (45 CFR 164.316(b)(2)); rows are pruned only after it. */
export const AUDIT_RETENTION_YEARS = 6;

/** The kit's append-only audit table in each service's schema (kit migration 0003 adds its trigger, 0008 `reason`). */
export function auditTable(schemaName: string) {
  return pgSchema(schemaName).table('mso_audit', {
    id: uuid('id').primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    operation: text('operation').notNull(),
    access: text('access').notNull(),
    principalId: text('principal_id').notNull(),
    principalRole: text('principal_role').notNull(),
    practiceId: text('practice_id'),
    resourceIds: text('resource_ids').array().notNull(),
    outcome: text('outcome').notNull(),
    problemCode: text('problem_code'),
    traceId: text('trace_id'),
    /** Why the MSO-wide path was used (access `across-practices`); null for PHI access records. */
    reason: text('reason'),
  });
}
export type AuditTable = ReturnType<typeof auditTable>;

export interface AuditAttempt {
  operation: Operation;
  principal: Principal;
  tenant: string | null;
  /** The request input as sent (its path parameters name the resources). */
  input: unknown;
}

/** The input's path parameters (`/tickets/{id}` → its `id`) and the output's `id`, when there is one. */
export function resourceIdsOf(op: Operation, input: unknown, output?: unknown): string[] {
  const ids: string[] = [];
  const params = [...(op.http?.path.matchAll(/\{(\w+)\}/g) ?? [])].map((m) => m[1]!);
  for (const name of params) {
    const value = input && typeof input === 'object' ? (input as Record<string, unknown>)[name] : undefined;
    if (typeof value === 'string' && value) ids.push(value);
  }
  const id = output && typeof output === 'object' ? (output as { id?: unknown }).id : undefined;
  if (typeof id === 'string' && !ids.includes(id)) ids.push(id);
  return ids;
}

/** Writes the ok record of `result` in `tx` (the handler's outermost transaction), then hands the result on. */
export async function withAuditRecord<T>(audit: PhiAudit, tx: TransactionContext, attempt: AuditAttempt, result: T, onRecorded: () => void): Promise<T> {
  await audit.record(tx, attempt, { output: result });
  onRecorded();
  return result;
}

/** `refused` for a problem the caller caused (4xx: not found, forbidden, invalid); `failed` otherwise. */
export function outcomeOf(error: unknown): { outcome: AuditOutcome; problemCode: string } {
  if (error instanceof ProblemError) return { outcome: error.status < 500 ? 'refused' : 'failed', problemCode: error.code };
  return { outcome: 'failed', problemCode: 'internal' };
}

/**
 * Writes PHI access records: the row in `mso_audit` and its `<service>.audit.recorded` event in the
 * outbox, both in the transaction given, so a record exists exactly when the effect committed (or, for
 * refused and failed attempts, in a transaction of their own).
 */
export class PhiAudit {
  private readonly event;

  constructor(
    private readonly service: ServiceId,
    private readonly table: AuditTable,
    private readonly clock: Clock,
    private readonly db: () => Db,
  ) {
    this.event = auditRecorded(service);
  }

  async record(tx: TransactionContext, attempt: AuditAttempt, result: { output?: unknown; error?: unknown }): Promise<void> {
    const op = attempt.operation;
    const { outcome, problemCode } = result.error === undefined ? { outcome: 'ok' as const, problemCode: null } : outcomeOf(result.error);
    const at = this.clock.now();
    const record: AuditRecord = {
      id: randomUUID(),
      at: at.toISOString(),
      service: this.service,
      operation: op.subject,
      access: op.phi ?? 'read',
      principalId: attempt.principal.id,
      principalRole: attempt.principal.role,
      practiceId: attempt.tenant,
      resourceIds: resourceIdsOf(op, attempt.input, result.output),
      outcome,
      problemCode,
      traceId: currentTraceId(),
    };
    await this.write(tx, record);
  }

  /**
   * Records one use of `ctx.acrossPractices` (who, why, from which operation or job): practice null,
   * as the use reaches every practice, so only MSO admins see it. Ids and the reason only.
   */
  async recordAcrossPractices(tx: TransactionContext, use: AcrossPracticesUse): Promise<void> {
    await this.write(tx, {
      id: randomUUID(),
      at: this.clock.now().toISOString(),
      service: this.service,
      operation: use.activity,
      access: 'across-practices',
      principalId: use.principalId,
      principalRole: use.role,
      practiceId: null,
      resourceIds: [],
      outcome: 'ok',
      problemCode: null,
      traceId: currentTraceId(),
      reason: use.reason,
    });
  }

  /** The row and its event, in `tx`. */
  private async write(tx: TransactionContext, record: AuditRecord): Promise<void> {
    await tx.db.insert(this.table).values({ ...record, at: new Date(record.at), reason: record.reason ?? null });
    await tx.emit(this.event, record, { id: record.id, practiceId: record.practiceId, ...(record.resourceIds[0] ? { subject: record.resourceIds[0] } : {}) });
  }

  /**
   * Records a refused or failed attempt from the request as it came (its own transaction, opened by
   * `transaction`). A failure to record is logged, not thrown: the caller gets the attempt's problem.
   */
  async recordRefused(
    op: Operation,
    request: BusRequest,
    problem: ProblemError,
    transaction: (tenant: string | null, fn: (tx: TransactionContext) => Promise<void>) => Promise<void>,
    log: Logger,
  ): Promise<void> {
    const principal = decodePrincipal(request.headers[busHeaders.principal]) ?? { id: 'unknown', role: 'system' as const };
    const tenant = request.headers[busHeaders.tenant] || null;
    let input: unknown = {};
    try {
      input = decodeRequest(op, request).input;
    } catch {
      // an undecodable body names no resource
    }
    try {
      await transaction(tenant, (tx) => this.record(tx, { operation: op, principal, tenant, input }, { error: problem }));
    } catch (error) {
      log.error({ err: loggableError(error), subject: op.subject }, 'audit record of a refused attempt failed');
    }
  }

  /** The kit's daily job that deletes records past the retention. */
  pruneJob(): JobDefinition {
    return { name: 'mso-audit-prune', every: '1d', run: async () => void (await this.prune()) };
  }

  /** Deletes records past the retention; the table's trigger refuses any younger row. */
  async prune(): Promise<number> {
    const cutoff = new Date(this.clock.now());
    cutoff.setUTCFullYear(cutoff.getUTCFullYear() - AUDIT_RETENTION_YEARS);
    // Its own transaction on the root handle: inside another one it would wait forever on PGlite's single connection.
    if (currentTransaction()) throw new Error('the audit prune runs as its own job, not inside a transaction');
    // Every practice's records: the kit's own retention, past the tenant wall.
    const deleted = await runInTransaction(this.db(), { tenant: ALL_PRACTICES }, (tx) => tx.delete(this.table).where(lt(this.table.at, cutoff)).returning({ id: this.table.id }));
    return deleted.length;
  }
}

function currentTraceId(): string | null {
  return trace.getSpan(context.active())?.spanContext().traceId ?? null;
}

/**
 * The failed outcome of an async job of a PHI operation, recorded in the transaction that marks the
 * job failed (jobs.ts): the run's own transaction, and the ok record in it, rolled back.
 */
export function failedJobRecorder(audit: PhiAudit | undefined, handlers: ReadonlyMap<string, HandlerBinding>) {
  return async (tx: TransactionContext, job: JobCall, problem: ProblemError): Promise<void> => {
    const operation = handlers.get(job.operation)?.operation;
    if (!audit || !operation?.phi) return;
    await audit.record(tx, { operation, principal: job.principal, tenant: job.tenant, input: job.input }, { error: problem });
  };
}

/**
 * Records each use of `ctx.acrossPractices` in the kit's audit table, before the use: in the
 * transaction the caller is in (with its effects; a separate one could wait forever on embedded
 * mode's single connection), else in one of its own that commits first. Logged as well.
 */
export function acrossPracticesRecorder(audit: PhiAudit | undefined, transaction: (fn: (tx: TransactionContext) => Promise<void>) => Promise<void>): AcrossPracticesAudit {
  return async (use, log) => {
    logAcrossPractices(use, log);
    if (!audit) return;
    const current = currentTransaction();
    if (current) await audit.recordAcrossPractices(current, use);
    else await transaction((tx) => audit.recordAcrossPractices(tx, use));
  };
}
