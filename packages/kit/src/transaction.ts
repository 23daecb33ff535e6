import { AsyncLocalStorage } from 'node:async_hooks';
import type { SQL } from 'drizzle-orm';
import { tenantSql, type TenantScope } from '@mso/db';
import type { Db, TransactionContext } from './service.js';

export type Isolation = 'serializable' | 'repeatable read' | 'read committed';

export interface TransactionOptions {
  /** Default `read committed`. A nested call may repeat the outer level but not change it. */
  isolation?: Isolation;
  /** Attempts after the first on serialization failure or deadlock. Default {@link DEFAULT_RETRIES}. */
  retries?: number;
}

export interface RunInTransactionOptions extends TransactionOptions {
  /**
   * The practice the transaction acts for (null: platform work; `ALL_PRACTICES`: the audited MSO-wide
   * path). The tenant wall scopes the transaction to it (tenant-wall.ts in @mso/db).
   */
  tenant: TenantScope;
}

export const DEFAULT_RETRIES = 10;
/** SQLSTATEs after which re-running the whole transaction is correct: serialization failure, deadlock. */
const RETRYABLE = new Set(['40001', '40P01']);
const BACKOFF_BASE_MS = 5;
const BACKOFF_CAP_MS = 1000;

/** Whether an error, or the driver error drizzle wrapped in its `.cause`, carries one of the SQLSTATEs. */
function hasSqlState(error: unknown, codes: ReadonlySet<string>): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && codes.has(code)) return true;
  }
  return false;
}

/** Whether an error asks for the transaction to be re-run. */
export const isRetryableTransactionError = (error: unknown): boolean => hasSqlState(error, RETRYABLE);

const UNIQUE_VIOLATION = new Set(['23505']);
const FOREIGN_KEY_VIOLATION = new Set(['23503']);
/** A unique index refused the write (two requests racing to the same key). */
export const isUniqueViolation = (error: unknown): boolean => hasSqlState(error, UNIQUE_VIOLATION);
/** A foreign key refused the write (the row it names does not exist). */
export const isForeignKeyViolation = (error: unknown): boolean => hasSqlState(error, FOREIGN_KEY_VIOLATION);

/**
 * The one way the kit opens a transaction (handlers, consumers, jobs, idempotency records): at the
 * given isolation, re-run from the start when PostgreSQL aborts it for a serialization failure or a
 * deadlock, a bounded number of times with jittered exponential backoff ("full jitter", so that
 * colliding transactions spread out instead of colliding again).
 */
export async function runInTransaction<T>(db: Db, options: RunInTransactionOptions, fn: (tx: Db) => Promise<T>): Promise<T> {
  return attempts(db, options, async (tx) => ({ value: await fn(tx) }));
}

/** What a transaction's body gives back: its value, and the statements it sent to leave with the COMMIT. */
interface Outcome<T> {
  value: T;
  sentWithCommit?: Promise<unknown>;
}

async function attempts<T>(db: Db, options: RunInTransactionOptions, fn: (tx: Db) => Promise<Outcome<T>>): Promise<T> {
  const retries = options.retries ?? DEFAULT_RETRIES;
  // Read committed is PostgreSQL's default level: asking for it would cost a `SET TRANSACTION`
  // round trip in every transaction (the connection is held meanwhile) and change nothing.
  const config = options.isolation && options.isolation !== 'read committed' ? { isolationLevel: options.isolation } : undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      let sent: Promise<unknown> | undefined;
      const value = await db.transaction(async (tx) => {
        // The scope is sent, not awaited: the body's first statement follows it in the same round
        // trip. Should it fail, the body fails too (the transaction is aborted), and the scope's error
        // is the one reported, not the body's "transaction is aborted".
        const scoped = sendNow(tx as unknown as Db, tenantSql(options.tenant));
        let outcome: Outcome<T>;
        try {
          outcome = await fn(tx as unknown as Db);
          // With statements to send with the COMMIT, the scope's reply is awaited with theirs, after
          // the COMMIT went out: a body that only sent writes makes one round trip.
          if (outcome.sentWithCommit) {
            sent = Promise.all([scoped, outcome.sentWithCommit]);
            sent.catch(() => undefined); // awaited below, once the COMMIT's reply is back
          } else {
            await scoped;
          }
        } catch (error) {
          throw (await firstFailure([scoped])) ?? error;
        }
        return outcome.value;
      }, config);
      // A statement sent with the COMMIT that failed made the COMMIT a rollback: nothing of the
      // transaction is kept, and its error is the transaction's.
      await sent;
      return value;
    } catch (error) {
      if (attempt >= retries || !isRetryableTransactionError(error)) throw error;
      await retryPause(attempt);
    }
  }
}

/** The pause before re-running a transaction after its `attempt`-th failure (0 for the first). */
export function retryPause(attempt: number): Promise<void> {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}

/**
 * Hands a statement to the driver at once (drizzle's query builders start only when awaited), so
 * statements sent one after another leave in that order on the transaction's connection. The
 * returned promise is already handled: awaiting it later still throws.
 */
export function sendNow(tx: Db, statement: SQL): Promise<unknown> {
  const sent = tx.execute(statement).execute();
  sent.catch(() => undefined);
  return sent;
}

/**
 * A write nothing in the transaction reads back (the outbox rows of its events): it is sent after
 * the body, just before the COMMIT, instead of taking a round trip of its own while the transaction
 * holds its connection. It must send all its statements before it first awaits.
 */
export type CommitWrite = (tx: Db) => Promise<unknown>;

/**
 * Queues `write` for the current transaction's commit (discarded with a savepoint that rolls back),
 * or runs it now when there is no transaction frame (a context used outside `openTransaction`).
 */
export function writeAtCommit(tx: Db, write: CommitWrite): Promise<void> {
  const frame = frames.getStore();
  if (!frame) return write(tx).then(() => undefined);
  frame.writes.push(write);
  return Promise.resolve();
}

/** A statement that starts when `execute` is called: a drizzle insert, update, delete or `db.execute`. */
export interface SendableWrite {
  execute(): Promise<unknown>;
}

/**
 * `tx.write`: sends a write whose result the transaction does not read and does not wait for its
 * reply. It leaves at once, behind the statements sent before it on the transaction's connection;
 * the transaction waits for it before it ends (a savepoint, before its release), and fails with its
 * error, keeping nothing, should it fail. Refused outside a transaction: nothing would wait for it.
 */
export function sendWrite(statement: SendableWrite): void {
  const frame = frames.getStore();
  if (!frame) throw new Error('tx.write was called outside its transaction: nothing would wait for the write or report its failure');
  const sent = statement.execute();
  sent.catch(() => undefined);
  frame.sent.push(sent);
}

/**
 * The first of `sent` that failed, in the order they were sent (also the order of their replies): a
 * statement after a failed one fails only because the transaction is aborted, and says less.
 */
async function firstFailure(sent: readonly Promise<unknown>[]): Promise<unknown> {
  for (const statement of sent) {
    try {
      await statement;
    } catch (error) {
      return error;
    }
  }
  return undefined;
}

interface Frame {
  tx: TransactionContext;
  isolation: Isolation;
  /** Writes to send with the commit ({@link writeAtCommit}); a savepoint's join its parent's when it is released. */
  writes: CommitWrite[];
  /** Writes sent and not yet awaited ({@link sendWrite}), in the order they were sent. */
  sent: Promise<unknown>[];
}

// The transaction the running code is inside, per async call chain (a transaction's `fn` and all it
// awaits). Set inside the driver's callback, so it does not depend on the driver keeping the caller's
// async context; cleared at every entry point (request, event, job run) by `outsideTransactions`.
const frames = new AsyncLocalStorage<Frame>();

export interface OpenTransactionOptions {
  db: Db;
  /** The tenant wall's scope (see {@link RunInTransactionOptions.tenant}). */
  tenant: TenantScope;
  /** The transaction context handed to `fn` (its `emit` writes the outbox in `tx`). */
  bind(tx: Db): TransactionContext;
  /** Runs last inside the outermost transaction, before commit (e.g. the idempotency marker). */
  beforeCommit?(tx: Db): Promise<void>;
  /**
   * Send the commit writes and the COMMIT together, in one round trip (PostgreSQL: postgres.js sends a
   * transaction's statements in order on its one connection). Without it they are awaited first:
   * PGlite's transaction sends its COMMIT past the queue of statements still waiting.
   */
  sendWithCommit?: boolean;
}

/**
 * `ctx.transaction`: the outermost call opens a transaction through {@link runInTransaction} (so a
 * serialization failure re-runs `fn`, emits included); a call inside it becomes a savepoint, so a
 * failing nested call rolls back only its own writes (and drops the events it emitted).
 */
export async function openTransaction<T>(open: OpenTransactionOptions, fn: (tx: TransactionContext) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  const outer = frames.getStore();
  if (outer) {
    if (options.isolation && options.isolation !== outer.isolation) {
      throw new Error(`a nested transaction cannot change the isolation level (outer: ${outer.isolation}, asked: ${options.isolation})`);
    }
    // The savepoint's commit writes join the outer transaction's only once the savepoint is released.
    const writes: CommitWrite[] = [];
    const result = await outer.tx.db.transaction(async (savepoint) => {
      const frame: Frame = { tx: open.bind(savepoint as unknown as Db), isolation: outer.isolation, writes, sent: [] };
      // The savepoint's sent writes are awaited before its release: one that failed rolls back the savepoint only.
      return frames.run(frame, async () => {
        const value = await failingWithSent(frame, () => fn(frame.tx));
        const failure = await firstFailure(frame.sent);
        if (failure !== undefined) throw failure;
        return value;
      });
    });
    outer.writes.push(...writes);
    return result;
  }
  const isolation = options.isolation ?? 'read committed';
  const retries = options.retries === undefined ? {} : { retries: options.retries };
  return attempts(open.db, { tenant: open.tenant, isolation, ...retries }, async (tx) => {
    const frame: Frame = { tx: open.bind(tx), isolation, writes: [], sent: [] };
    const value = await failingWithSent(frame, async () => {
      const result = await frames.run(frame, () => fn(frame.tx));
      await open.beforeCommit?.(tx);
      return result;
    });
    // Each commit write sends its statements before it first awaits, so they are on the connection
    // before the COMMIT the driver sends when this body returns. Replies come in the order the
    // statements were sent, so the first rejection is the first failure.
    const sent = [...frame.sent, ...frame.writes.map((write) => write(tx))];
    if (sent.length === 0) return { value };
    const all = Promise.all(sent);
    if (!open.sendWithCommit) {
      await all;
      return { value };
    }
    all.catch(() => undefined);
    return { value, sentWithCommit: all };
  });
}

/** Runs `fn`; should it fail after a write of the frame failed, the write's error is the one thrown (`fn` met only "transaction is aborted"). */
async function failingWithSent<T>(frame: Frame, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw (await firstFailure(frame.sent)) ?? error;
  }
}

/** The transaction the calling code runs inside, if any (`ctx.db` answers with it there). */
export function currentTransaction(): TransactionContext | undefined {
  return frames.getStore()?.tx;
}

/**
 * Runs `fn` inside the current transaction with `tx` as the context it is in: each event of a
 * consumer batch answers with its own practice's context.
 */
export function withTransactionContext<T>(tx: TransactionContext, fn: () => Promise<T>): Promise<T> {
  const outer = frames.getStore();
  if (!outer) throw new Error('withTransactionContext outside a transaction');
  return frames.run({ tx, isolation: outer.isolation, writes: outer.writes, sent: outer.sent }, fn);
}

/** Entry points (a request, an event, a job run) start outside any transaction, whatever called them in process. */
export function outsideTransactions<T>(fn: () => T): T {
  return frames.exit(fn);
}

/** Throws inside a transaction: a call to another service would hold the transaction's locks across the network. */
export function refuseInTransaction(operation: string): void {
  if (frames.getStore()) {
    throw new Error(`${operation} was called inside a transaction: a call to another service must not hold locks across the network; call it before or after ctx.transaction`);
  }
}
