import type { EventDef } from '@mso/contracts';
import type { Database, TenantScope } from '@mso/db';
import type { Clock } from './clock.js';
import { outboxRows, sendOutboxRows } from './outbox.js';
import type { KitTables } from './tables.js';
import { currentTransaction, isRetryableTransactionError, retryPause, DEFAULT_RETRIES } from './transaction.js';
import type { Db, EmitOptions, TransactionContext, WriteBatch } from './service.js';

/*
 * `ctx.writeBatch(fn)`: a transaction of writes nothing reads back, and their events. `fn` builds
 * them synchronously; nothing is sent before it returns. On PostgreSQL they leave as one chain (the
 * tenant scope, the writes and the outbox rows with one Sync: one implicit transaction; the first
 * time on a connection, BEGIN … COMMIT) on a connection that is not held for it
 * (`Database.writeBatch` in @mso/db), so the writes of many requests share a
 * connection and its socket writes, as reads do. Elsewhere (PGlite, inside a transaction, or where
 * the request's transaction carries more, such as its idempotency record or PHI audit) the same
 * body runs in a kit transaction, with the same outcome: all of it commits, or none of it.
 */

/** A database that can run write batches pipelined (PostgreSQL). */
type BatchingDatabase = Database & Required<Pick<Database, 'writeBatch'>>;

export interface PipelinedBatchDeps {
  database: BatchingDatabase;
  tables: KitTables;
  /** The producing service (the events' `source`). */
  service: string;
  clock: Clock;
  /** The tenant wall's scope of the transaction. */
  scope: TenantScope;
  /** The practice of the emitting context (an event's default practice). */
  tenant: string | null;
  /** Called after a commit that wrote events (the relay publishes them). */
  onEmit(): void;
}

/** Whether `deps` can run a batch pipelined: PostgreSQL, and not inside a transaction (a batch there joins it). */
export function canPipeline(database: Database | undefined): database is BatchingDatabase {
  return database?.writeBatch !== undefined && currentTransaction() === undefined;
}

/** Runs `fn`'s writes and events as one pipelined transaction; re-run from the start on a deadlock. */
async function pipelinedWriteBatch(deps: PipelinedBatchDeps, fn: (batch: WriteBatch) => void): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    let emitted = false;
    try {
      await deps.database.writeBatch(deps.scope, (db) => {
        const emit = (event: EventDef, items: readonly { data: unknown; options?: EmitOptions }[]) => {
          // Checked and enveloped now: a bad payload throws from `emit`, before anything is sent.
          const rows = outboxRows({ tables: deps.tables, service: deps.service, clock: deps.clock, event, items, tenant: deps.tenant });
          if (rows.length === 0) return;
          sendOutboxRows(db, deps.tables, rows).catch(() => undefined); // its failure is the batch's
          emitted = true;
        };
        fn({
          db,
          write: (statement) => void statement.execute().catch(() => undefined), // its failure is the batch's
          emit: (event, data, options) => emit(event, [{ data, ...(options ? { options } : {}) }]),
          emitMany: (event, items) => emit(event, items),
        });
      });
    } catch (error) {
      if (attempt >= DEFAULT_RETRIES || !isRetryableTransactionError(error)) throw error;
      await retryPause(attempt);
      continue;
    }
    if (emitted) deps.onEmit();
    return;
  }
}

/** `ctx.writeBatch`: pipelined where `deps` allow it (see the top of this file), else in `transaction`. */
export function runWriteBatch(deps: PipelinedBatchDeps | undefined, transaction: (work: (tx: TransactionContext) => Promise<void>) => Promise<void>, fn: (batch: WriteBatch) => void): Promise<void> {
  return deps ? pipelinedWriteBatch(deps, fn) : transactionWriteBatch(transaction, fn);
}

/** `fn` in a kit transaction (`transaction` is the context's own): its writes sent, its events written with the COMMIT. */
async function transactionWriteBatch(transaction: (work: (tx: TransactionContext) => Promise<void>) => Promise<void>, fn: (batch: WriteBatch) => void): Promise<void> {
  await transaction(async (tx) => {
    const emits: Promise<void>[] = [];
    fn({
      db: tx.db as Db,
      write: (statement) => tx.write(statement),
      emit: (event, data, options) => void emits.push(tx.emit(event, data, options)),
      emitMany: (event, items) => void emits.push(tx.emitMany(event, items)),
    });
    await Promise.all(emits);
  });
}
