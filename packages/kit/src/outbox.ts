import { context, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import { and, asc, inArray, isNotNull, isNull, lt, sql, type SQL } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/pg-core';
import type { EventDef, EventEnvelope } from '@mso/contracts';
import type { Bus, Headers } from '@mso/bus';
import type { Logger } from '@mso/telemetry';
import type { Clock } from './clock.js';
import { encodeJson } from './codec.js';
import { eventEnvelope } from './envelope.js';
import { PrebuiltSql, qualifiedName } from './prepared.js';
import { CoalescedRun } from './coalesce.js';
import { loggableError } from './errors.js';
import type { KitTables } from './tables.js';
import { runInTransaction, sendNow } from './transaction.js';
import { assertValid } from './validation.js';
import type { Db, EmitOptions } from './service.js';

/*
 * Ordering. Identity order (`seq`) is not commit order: `nextval` (which an identity column calls when
 * the INSERT runs) is not transactional, so a transaction that drew seq 5 can commit after one that drew
 * seq 6, and the relay would publish 6 and then 5, or skip 5 while it is invisible. We order events per
 * practice by making emitters of one practice take turns: before `emit` inserts its row (and so before
 * the row's seq is drawn), it takes a transaction-level advisory lock keyed by the service schema and the
 * practice (`pg_advisory_xact_lock(int4, int4)`; the two-key space never meets the relay's one-key lock
 * below). PostgreSQL releases the lock only after the holder's commit (or rollback) is visible to
 * everyone. A second transaction emitting for the same practice waits on the lock, and draws its seq
 * only once the first has ended, so its seq comes after every seq the first drew: within a practice,
 * `seq` order is commit order, and a row is never visible while an earlier row of its practice is
 * still uncommitted. (The identity's sequence has CACHE 1, so values come in the order they are
 * drawn across sessions.) A transaction re-takes its own lock freely; two practices whose keys hash
 * alike merely take turns together.
 *
 * An advisory lock is not a row version, so under repeatable read or serializable the waiter does not
 * fail with 40001 when the holder commits (a row update held until commit, the earlier design, made it
 * fail and re-run): it proceeds, and only conflicts in the service's own data make a re-run. Nothing
 * here reads data, so the waiter's older snapshot does not matter. Events of no practice (platform
 * events) share one key.
 *
 * The alternative, `pg_current_xact_id()` plus a `pg_snapshot_xmin` horizon, was rejected: it gives a
 * gap-free order, but the order of transaction ids (assigned at a transaction's first write) is not
 * commit order either, and the relay would hold back every event behind the oldest open transaction
 * of the whole database. The cost of the lock is that emitting transactions of one practice serialise
 * from their first emit to their commit: emit late in the transaction.
 *
 * One relay at a time per service schema (a transaction-scoped advisory lock), so publishing follows
 * `seq` across copies. (Copies claiming disjoint batches with `FOR UPDATE SKIP LOCKED` would publish
 * side by side, and a later batch of a practice could reach the stream before an earlier one: the
 * order above would be lost.) Rows are published without row locks, in batches of up to
 * {@link RELAY_BATCH} rows in `seq` order, all of a batch on its way at once (`Bus.publishMany`: the
 * stream stores them in that order, and once one is not stored it stores nothing later of the call,
 * so nothing is published after a gap); the acked rows are marked published in one statement, and the
 * next batch follows at once while there is backlog. The rows not acked are retried by the next pass,
 * in order (JetStream drops a repeat of an id it stored within its duplicate window, and the
 * consumers' inbox drops later repeats).
 */

export interface OutboxOptions {
  /** Published outbox rows are deleted once they are this old, by the injected clock. Default 1 h. */
  retentionMs?: number;
  /**
   * Handled event ids are kept this long, by the injected clock. Default 7 days; at least
   * {@link MIN_INBOX_RETENTION_MS}, far longer than JetStream's duplicate window (2 min) and the
   * consumers' redelivery backoff, so a repeat the broker lets through is still recognised.
   */
  inboxRetentionMs?: number;
  /** How often pruning runs, by the injected clock. Default 10 min. */
  pruneIntervalMs?: number;
}

/** `MSO_OUTBOX_RETENTION_MINUTES` and `MSO_INBOX_RETENTION_DAYS`; a malformed value stops the start. */
export function outboxOptionsFromEnv(env: Record<string, string | undefined>): OutboxOptions {
  const read = (name: string, unitMs: number): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
    return n * unitMs;
  };
  const retentionMs = read('MSO_OUTBOX_RETENTION_MINUTES', 60_000);
  const inboxRetentionMs = read('MSO_INBOX_RETENTION_DAYS', 24 * 60 * 60_000);
  return { ...(retentionMs ? { retentionMs } : {}), ...(inboxRetentionMs ? { inboxRetentionMs } : {}) };
}

export const DEFAULT_OUTBOX_RETENTION_MS = 60 * 60_000;
export const DEFAULT_INBOX_RETENTION_MS = 7 * 24 * 60 * 60_000;
export const DEFAULT_PRUNE_INTERVAL_MS = 10 * 60_000;
export const MIN_INBOX_RETENTION_MS = 60 * 60_000;
/** Rows per relay batch: one select, one `publishMany`, one update. */
const RELAY_BATCH = 1000;
const PRUNE_BATCH = 5_000;
/** The turn key and relay chain of events that belong to no practice. */
const NO_PRACTICE = '';

export interface WriteOutboxArgs {
  tables: KitTables;
  /** The producing service (CloudEvents `source` is `mso/<service>`). */
  service: string;
  clock: Clock;
  event: EventDef;
  data: unknown;
  /** The practice of the context that emits; `options.practiceId` overrides it. */
  tenant: string | null;
  options?: EmitOptions;
}

/** Rows per INSERT when many events are written at once (well under PostgreSQL's 65,535 parameters). */
const OUTBOX_INSERT_ROWS = 1000;

/** Writes an event into the outbox in `tx`, the transaction of the state change it announces. */
export async function writeOutbox(tx: Db, args: WriteOutboxArgs): Promise<void> {
  await writeOutboxMany(tx, { ...args, items: [{ data: args.data, ...(args.options ? { options: args.options } : {}) }] });
}

export interface WriteOutboxManyArgs extends Omit<WriteOutboxArgs, 'data' | 'options'> {
  items: readonly { data: unknown; options?: EmitOptions }[];
}

/**
 * Writes many events of one type in `tx`, in order: one turn per practice (taken in a fixed order, so
 * two such transactions cannot deadlock) and multi-row inserts, instead of a lock and an insert per
 * event. A 10,000-claim remittance emits its adjudications this way.
 */
export async function writeOutboxMany(tx: Db, args: WriteOutboxManyArgs): Promise<void> {
  await sendOutboxRows(tx, args.tables, outboxRows(args));
}

/**
 * The outbox rows of events, built when they are emitted: validated, enveloped at the clock's time,
 * and carrying the emitting context's trace headers (so the published events continue that trace).
 */
export function outboxRows(args: WriteOutboxManyArgs): NewOutboxRow[] {
  const { event } = args;
  const now = args.clock.now();
  const headers: Headers = {};
  propagation.inject(context.active(), headers);
  return args.items.map(({ data, options = {} }) => {
    assertValid(event.data, data, `${event.type} event`);
    const practiceId = options.practiceId === undefined ? args.tenant : options.practiceId;
    const envelope: EventEnvelope = eventEnvelope(event, data, { service: args.service, id: options.id, time: now, subject: options.subject, practiceId });
    return { id: envelope.id, subject: event.subject, envelope, headers, createdAt: now, practiceId: practiceId ?? null };
  });
}

/**
 * Sends the statements that write `rows` in `tx`, all before the first await (so they leave in order,
 * also when a COMMIT is sent right after them: the kit's commit writes), and resolves when all are done.
 * The turn of each practice (see the top of this file) is taken before an INSERT draws the rows' seq;
 * the last practice's turn is taken by the first INSERT itself: while turns are held, every round trip
 * serialises the practice's writers.
 */
export function sendOutboxRows(tx: Db, tables: KitTables, rows: readonly NewOutboxRow[]): Promise<void> {
  if (!rows.length) return Promise.resolve();
  const { turn } = outboxStatements(tables.outbox);
  const practices = [...new Set(rows.map((r) => r.practiceId ?? NO_PRACTICE))].sort();
  const statements: SQL[] = practices.slice(0, -1).map((practice) => new PrebuiltSql(TAKE_TURN_SQL, [turn, practice]));
  for (let i = 0; i < rows.length; i += OUTBOX_INSERT_ROWS) {
    statements.push(insertOutboxRows(tables, rows.slice(i, i + OUTBOX_INSERT_ROWS), i === 0 ? [turn, practices.at(-1)!] : undefined));
  }
  return Promise.all(statements.map((statement) => sendNow(tx, statement))).then(() => undefined);
}

const TAKE_TURN_SQL = 'select pg_advisory_xact_lock(hashtext($1), hashtext($2))';

export interface NewOutboxRow {
  id: string;
  subject: string;
  envelope: EventEnvelope;
  headers: Headers;
  createdAt: Date;
  practiceId: string | null;
}

/**
 * `INSERT ... ON CONFLICT DO NOTHING` of outbox rows. With `turn` (the lock's two keys), the rows come
 * from a join with a CTE that takes the lock: a row (and its seq, drawn when the row is projected)
 * exists only once the CTE has produced its one row, that is once the lock is held. The text is built
 * here, not by drizzle, and kept for the usual small batches (see {@link PrebuiltSql}).
 */
function insertOutboxRows(tables: KitTables, rows: readonly NewOutboxRow[], turn: readonly [string, string] | undefined): SQL {
  const params: unknown[] = turn ? [...turn] : [];
  for (const r of rows) params.push(r.id, r.subject, JSON.stringify(r.envelope), JSON.stringify(r.headers), r.createdAt.toISOString(), r.practiceId);
  return new PrebuiltSql(outboxInsertText(tables.outbox, rows.length, turn !== undefined), params);
}

const OUTBOX_COLUMNS = '(id, subject, envelope, headers, created_at, practice_id)';
/** Texts kept per outbox table, row count and turn, for batches of up to this many rows. */
const KEPT_INSERT_ROWS = 16;

/** What the statements of one outbox table need, worked out once (drizzle's table config walks every column). */
interface OutboxStatements {
  /** The first key of the turn's lock: one per service schema. */
  turn: string;
  /** The table's quoted name. */
  table: string;
  /** Insert texts by `rows:withTurn`. */
  inserts: Map<string, string>;
}
const outboxStatementsByTable = new WeakMap<KitTables['outbox'], OutboxStatements>();

function outboxStatements(outbox: KitTables['outbox']): OutboxStatements {
  let known = outboxStatementsByTable.get(outbox);
  if (!known) {
    known = { turn: `mso.outbox:${getTableConfig(outbox).schema ?? 'public'}`, table: qualifiedName(outbox), inserts: new Map() };
    outboxStatementsByTable.set(outbox, known);
  }
  return known;
}

function outboxInsertText(outbox: KitTables['outbox'], count: number, withTurn: boolean): string {
  const { table, inserts } = outboxStatements(outbox);
  const key = `${count}:${withTurn}`;
  const known = inserts.get(key);
  if (known) return known;
  const first = withTurn ? 3 : 1;
  const values = Array.from({ length: count }, (_, row) => {
    const n = first + row * 6;
    return `($${n}::uuid, $${n + 1}::text, $${n + 2}::jsonb, $${n + 3}::jsonb, $${n + 4}::timestamptz, $${n + 5}::text)`;
  }).join(', ');
  const text = withTurn
    ? `with turn as (${TAKE_TURN_SQL}) insert into ${table} ${OUTBOX_COLUMNS} select v.* from turn, (values ${values}) as v ${OUTBOX_COLUMNS} on conflict do nothing`
    : `insert into ${table} ${OUTBOX_COLUMNS} values ${values} on conflict do nothing`;
  if (count <= KEPT_INSERT_ROWS) inserts.set(key, text);
  return text;
}

/**
 * Records that `consumer` handles `eventId`, in the transaction of the handler's effect. False when it
 * was recorded before: the effect is already committed and the delivery is a repeat.
 */
export async function recordInInbox(tx: Db, tables: KitTables, consumer: string, eventId: string, clock: Clock): Promise<boolean> {
  const inserted = await tx
    .insert(tables.inbox)
    .values({ consumer, eventId, handledAt: clock.now() })
    .onConflictDoNothing()
    .returning({ id: tables.inbox.eventId });
  return inserted.length > 0;
}

/**
 * {@link recordInInbox} for many events in one statement: returns the ids recorded now; the others
 * were handled before. Repeats in `eventIds` count once.
 */
export async function recordManyInInbox(tx: Db, tables: KitTables, consumer: string, eventIds: readonly string[], clock: Clock): Promise<Set<string>> {
  const ids = [...new Set(eventIds)];
  if (ids.length === 0) return new Set();
  const handledAt = clock.now();
  const inserted = await tx
    .insert(tables.inbox)
    .values(ids.map((eventId) => ({ consumer, eventId, handledAt })))
    .onConflictDoNothing()
    .returning({ id: tables.inbox.eventId });
  return new Set(inserted.map((r) => r.id));
}

export interface OutboxRelayDeps {
  db: () => Db;
  tables: KitTables;
  /** The service's schema: one relay at a time per schema. */
  schema: string;
  bus: Bus;
  clock: Clock;
  log: Logger;
  options?: OutboxOptions;
}

export interface PruneResult {
  outbox: number;
  inbox: number;
}

type OutboxRow = KitTables['outbox']['$inferSelect'];

/** Publishes a service's outbox in commit order per practice, and prunes what is past retention. */
export class OutboxRelay {
  private readonly retentionMs: number;
  private readonly inboxRetentionMs: number;
  private readonly pruneIntervalMs: number;
  private nextPruneAt = Number.NEGATIVE_INFINITY;
  private readonly run = new CoalescedRun(async () => {
    // A full batch may leave rows behind it; rows committed while a pass runs kick the relay, which
    // runs once more (CoalescedRun), so a batch that was not full needs no pass of its own after it.
    while ((await this.publishBatch()) === RELAY_BATCH);
    await this.pruneIfDue();
  });

  constructor(private readonly deps: OutboxRelayDeps) {
    const o = deps.options ?? {};
    this.retentionMs = positive('outbox retentionMs', o.retentionMs ?? DEFAULT_OUTBOX_RETENTION_MS);
    this.inboxRetentionMs = positive('outbox inboxRetentionMs', o.inboxRetentionMs ?? DEFAULT_INBOX_RETENTION_MS);
    this.pruneIntervalMs = positive('outbox pruneIntervalMs', o.pruneIntervalMs ?? DEFAULT_PRUNE_INTERVAL_MS);
    if (this.inboxRetentionMs < MIN_INBOX_RETENTION_MS) {
      throw new RangeError(`outbox inboxRetentionMs must be at least ${MIN_INBOX_RETENTION_MS} ms: the inbox must outlive the broker's duplicate window and redelivery`);
    }
  }

  /** Publishes every committed unpublished row, then prunes when a prune is due. Concurrent calls coalesce. */
  relay(): Promise<void> {
    return this.run.run();
  }

  /** Starts a relay pass in the background (after a commit that emitted); failures are logged. */
  kick(): void {
    void this.relay().catch((e) => this.deps.log.error({ err: loggableError(e) }, 'outbox relay failed'));
  }

  idle(): Promise<void> {
    return this.run.idle();
  }

  /** Deletes published rows older than the retention and inbox ids older than the inbox retention. */
  async prune(): Promise<PruneResult> {
    const now = this.deps.clock.now().getTime();
    const { outbox, inbox } = this.deps.tables;
    const outboxCutoff = new Date(now - this.retentionMs);
    const inboxCutoff = new Date(now - this.inboxRetentionMs);
    // In batches, so a first prune of a large backlog holds no long locks.
    const deleted = { outbox: 0, inbox: 0 };
    for (;;) {
      const n = await this.transaction(async (tx) => {
        const old = tx.select({ seq: outbox.seq }).from(outbox).where(and(isNotNull(outbox.publishedAt), lt(outbox.publishedAt, outboxCutoff))).limit(PRUNE_BATCH);
        return (await tx.delete(outbox).where(inArray(outbox.seq, old)).returning({ seq: outbox.seq })).length;
      });
      deleted.outbox += n;
      if (n < PRUNE_BATCH) break;
    }
    for (;;) {
      const n = await this.transaction(async (tx) => {
        const old = tx.select({ consumer: inbox.consumer, eventId: inbox.eventId }).from(inbox).where(lt(inbox.handledAt, inboxCutoff)).limit(PRUNE_BATCH);
        return (await tx.delete(inbox).where(sql`(${inbox.consumer}, ${inbox.eventId}) in (${old})`).returning({ id: inbox.eventId })).length;
      });
      deleted.inbox += n;
      if (n < PRUNE_BATCH) break;
    }
    return deleted;
  }

  private async pruneIfDue(): Promise<void> {
    const now = this.deps.clock.now().getTime();
    if (now < this.nextPruneAt) return;
    this.nextPruneAt = now + this.pruneIntervalMs;
    const deleted = await this.prune();
    if (deleted.outbox || deleted.inbox) this.deps.log.debug(deleted, 'pruned outbox and inbox');
  }

  private transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    return runInTransaction(this.deps.db(), { tenant: null }, fn);
  }

  /** One batch: returns how many rows it published; throws after marking the acked ones when a publish failed. */
  private async publishBatch(): Promise<number> {
    const { outbox } = this.deps.tables;
    const { published, failure } = await this.transaction(async (tx) => {
      // Copies of the service take turns; a copy kicked while another relays waits, then finds its rows.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`mso.outbox-relay:${this.deps.schema}`}, 0))`);
      const rows = await tx.select().from(outbox).where(isNull(outbox.publishedAt)).orderBy(asc(outbox.seq)).limit(RELAY_BATCH);
      const result = await this.publishInOrder(rows);
      if (result.published.length) {
        // One array parameter (not one per row): the statement stays prepared on the connection.
        await tx.update(outbox).set({ publishedAt: this.deps.clock.now() }).where(sql`${outbox.seq} = any(${`{${result.published.join(',')}}`}::bigint[])`);
      }
      return result;
    });
    if (failure !== undefined) throw failure;
    return published.length;
  }

  /**
   * The rows in `seq` order, all on their way at once: the stream stores them in this order, and none
   * after one that was not stored, so no practice's events are published after a gap.
   */
  private async publishInOrder(rows: OutboxRow[]): Promise<{ published: number[]; failure: unknown }> {
    if (rows.length === 0) return { published: [], failure: undefined };
    // Each event's trace context (the emitting span's, kept in the row) travels in its headers; an
    // event emitted without one starts a trace of its own, not a child of whatever kicked the relay.
    const events = rows.map((row) => ({ id: row.id, subject: row.subject, data: encodeJson(row.envelope), headers: row.headers }));
    const outcomes = await context.with(ROOT_CONTEXT, () => this.deps.bus.publishMany(events));
    const published: number[] = [];
    let failure: unknown;
    for (const [i, row] of rows.entries()) {
      const outcome = outcomes[i];
      if (outcome === 'ack') published.push(row.seq);
      else failure ??= outcome?.error ?? new Error(`no outcome for event ${row.id}`);
    }
    return { published, failure };
  }
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number of milliseconds`);
  return value;
}
