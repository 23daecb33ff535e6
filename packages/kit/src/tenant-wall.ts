import { ProblemError, type Principal } from '@mso/contracts';
import { ALL_PRACTICES, applyTenant, type TenantScope } from '@mso/db';
import type { Logger } from '@mso/telemetry';
import type { Db, TransactionContext, WriteBatch } from './service.js';
import { currentTransaction, type TransactionOptions } from './transaction.js';

/**
 * The explicit MSO-wide path through the tenant wall (`ctx.acrossPractices`). Everything else the kit
 * hands to service code is scoped to the context's practice (or to none, for platform work), so a
 * query that forgets its `practice_id` filter still sees one practice only. Reading or writing across
 * practices (MSO reports, jobs that scan every practice) is asked for by name, with a reason, and
 * recorded.
 */

/**
 * The kit's tables that carry a `practice_id` but stay outside the wall: they are the kit machinery's
 * own (never handed to service code) and it reads them across practices: the outbox (the relay
 * publishes every practice's events), schedules and async job rows (the scheduler
 * and job runner resume any practice's work), the agreement view (fed for every practice) and the PHI
 * audit rows (written with the effect, read through tenancy). `mso_idempotency` is walled (0005).
 */
export const KIT_TABLES_OUTSIDE_WALL: readonly string[] = ['mso_outbox', 'mso_schedule', 'mso_async_jobs', 'mso_agreements', 'mso_audit'];

/** What `fn` gets on the MSO-wide path: reads and transactions that see every practice. */
export interface AcrossPractices {
  /** Statements outside a transaction, each seeing every practice's rows. */
  readonly db: Db;
  /** A transaction that sees every practice's rows (events it emits name their practice explicitly). */
  transaction<T>(fn: (tx: TransactionContext) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** `ctx.writeBatch` seeing every practice's rows. */
  writeBatch(fn: (batch: WriteBatch) => void): Promise<void>;
}

/** One use of the MSO-wide path, as logged and handed to {@link AcrossPracticesAudit}. No PHI: a reason and who. */
export interface AcrossPracticesUse {
  service: string;
  reason: string;
  principalId: string;
  role: string;
  /** What asked: the operation's subject, `job:<name>`, `event:<type>` or `init`. */
  activity: string;
}

/**
 * Where uses of the MSO-wide path are recorded. A service with a database records each in the kit's
 * audit table (audit.ts, `acrossPracticesRecorder`); one without (which has no rows to read) logs it.
 * A failure to record refuses the use.
 */
export type AcrossPracticesAudit = (use: AcrossPracticesUse, log: Logger) => void | Promise<void>;

export const logAcrossPractices: AcrossPracticesAudit = (use, log) => {
  log.info({ event: 'tenant-wall.across-practices', ...use }, 'reading across practices');
};

export interface AcrossPracticesDeps {
  service: string;
  principal: Principal;
  log: Logger;
  /** The handle every statement of which sees every practice (`database.tenantDb(ALL_PRACTICES)`). */
  db: () => Db;
  /** A kit transaction scoped to every practice. */
  transaction<T>(fn: (tx: TransactionContext) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** A write batch scoped to every practice. */
  writeBatch(fn: (batch: WriteBatch) => void): Promise<void>;
  /** What asked (see {@link AcrossPracticesUse.activity}). */
  activity: string;
  audit?: AcrossPracticesAudit;
}

/** `ctx.acrossPractices(reason, fn)`: refused to practice keys; every use is recorded before `fn` runs. */
export async function acrossPractices<T>(deps: AcrossPracticesDeps, reason: string, fn: (all: AcrossPractices) => Promise<T>): Promise<T> {
  if (reason.trim() === '') throw new Error('ctx.acrossPractices needs a reason: every use is recorded');
  if (deps.principal.practiceId) throw new ProblemError('forbidden', 'a practice key acts only for its own practice');
  await (deps.audit ?? logAcrossPractices)({ service: deps.service, reason, principalId: deps.principal.id, role: deps.principal.role, activity: deps.activity }, deps.log);
  return fn({
    get db(): Db {
      // Outside the transaction, a statement would not see its writes (and on PGlite, one connection, it would wait for it forever).
      if (currentTransaction()) throw new Error(`ctx.acrossPractices('${reason}') inside a transaction: use all.transaction(), which joins it`);
      return deps.db();
    },
    transaction: (work, options) => deps.transaction(work, options),
    writeBatch: (batch) => deps.writeBatch(batch),
  });
}

let scopeChanges = 0;

/**
 * How often kit code has widened a transaction's scope in this process. A consumer batch re-applies
 * its next event's practice when this moved (in whichever transaction), so a widening that was not
 * narrowed back (its `work` threw and the handler went on) never reaches the next event.
 */
export function scopeChangeCount(): number {
  return scopeChanges;
}

/**
 * Runs `work` in `tx` widened to every practice, then narrows it back to `scope`. A failure needs no
 * narrowing: the transaction (or its savepoint, which undoes the setting with it) rolls back.
 */
export async function widened<T>(tx: TransactionContext, scope: TenantScope, work: (tx: TransactionContext) => Promise<T>): Promise<T> {
  scopeChanges++;
  await applyTenant(tx.db, ALL_PRACTICES);
  const result = await work(tx);
  await applyTenant(tx.db, scope);
  return result;
}
