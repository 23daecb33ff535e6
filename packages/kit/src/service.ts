import type {
  DataOf,
  EventDef,
  EventEnvelope,
  InputOf,
  Operation,
  OutputOf,
  Principal,
  RawBody,
  ServiceId,
} from '@mso/contracts';
import type { KeyValue, ServiceStatus } from '@mso/bus';
import type { Logger } from '@mso/telemetry';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { Clock } from './clock.js';
import type { Isolation, SendableWrite, TransactionOptions } from './transaction.js';
import type { Agreement, AgreementsDeclaration, AgreementView } from './agreements.js';
import type { AcrossPractices } from './tenant-wall.js';
import type { StaffDirectory } from './staff-directory.js';

/** A drizzle handle on the shared database (service tables are schema-qualified). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Db = PgDatabase<PgQueryResultHKT, any>;

export interface EmitOptions {
  /** CloudEvents `subject`: the entity the event is about, e.g. the ticket id. */
  subject?: string;
  /** The practice the event belongs to. Defaults to the context's practice. */
  practiceId?: string | null;
  /** Stable event id, when the caller has one (makes re-emission idempotent). Default: random. */
  id?: string;
}

export interface CallOptions {
  practiceId?: string | null;
  timeoutMs?: number;
  idempotencyKey?: string;
  /** The bytes of an operation that declares a raw body; a raw response comes back as a `RawBody`. */
  body?: RawBody;
}

/** What every piece of service code gets: time, logs, other services (over the bus only). */
export interface BaseContext {
  readonly service: { id: ServiceId; version: string; instance: string };
  readonly clock: Clock;
  readonly log: Logger;
  /** Call another service's operation over the bus as this context's principal. */
  call<Op extends Operation>(op: Op, input: InputOf<Op>, options?: CallOptions): Promise<OutputOf<Op>>;
  /** A key-value bucket on the bus (NATS KV, or in memory in embedded mode). */
  kv(bucket: string): Promise<KeyValue>;
  /** Services answering on the bus right now. */
  runningServices(): Promise<ServiceStatus[]>;
  /** Every practice's current agreement (the service declares `agreements`). */
  readonly agreements: AgreementView;
  /** HR's staff directory: who may work for a practice (the service declares `staffDirectory`). */
  readonly staff: StaffDirectory;
  /**
   * The explicit, recorded way past the tenant wall: `fn` reads and writes every practice's rows (MSO
   * reports, jobs that scan every practice). Everything else is scoped to the context's practice.
   * Refused to practice keys. Each use is an audit record (who, `reason`, what asked; audit.ts) before `fn` runs: no PHI in `reason`.
   */
  acrossPractices<T>(reason: string, fn: (all: AcrossPractices) => Promise<T>): Promise<T>;
}

/** The parts of a {@link BaseContext} that are the same for every principal and practice of a service. */
export type SharedContext = Omit<BaseContext, 'call' | 'acrossPractices'>;

export interface TransactionContext {
  readonly db: Db;
  /** Write an event to the outbox in this transaction; the relay publishes it after commit. */
  emit<E extends EventDef>(event: E, data: DataOf<E>, options?: EmitOptions): Promise<void>;
  /** Many events of one type, in order, as `emit` would write them one by one, at the cost of a few statements. */
  emitMany<E extends EventDef>(event: E, items: readonly { data: DataOf<E>; options?: EmitOptions }[]): Promise<void>;
  /**
   * Sends a write whose result is not read (`tx.write(tx.db.insert(rows).values(row))`) without
   * waiting for its reply: it leaves with the statements around it, and the transaction waits for
   * it before it commits. Should it fail, the transaction fails with its error and keeps nothing. A
   * transaction that only sends writes and emits events makes one round trip, COMMIT included.
   */
  write(statement: SendableWrite): void;
}

/**
 * What `ctx.writeBatch` hands its body: writes nothing reads back, and their events, built
 * synchronously. Nothing is sent before the body returns; then all of it commits, or none of it.
 */
export interface WriteBatch {
  /** The handle to build the writes on (behind the tenant wall, in the batch's scope); the body cannot wait for a result. */
  readonly db: Db;
  /** Adds a write (`batch.write(batch.db.insert(rows).values(row))`). */
  write(statement: SendableWrite): void;
  /** Adds an event, written to the outbox with the writes; a payload that does not match its schema throws here. */
  emit<E extends EventDef>(event: E, data: DataOf<E>, options?: EmitOptions): void;
  emitMany<E extends EventDef>(event: E, items: readonly { data: DataOf<E>; options?: EmitOptions }[]): void;
}

export interface HandlerContext extends BaseContext {
  /** The practice this request acts for; throws `forbidden` where the operation has none. */
  readonly practiceId: string;
  /** The practice, or null for platform-scope calls without one. */
  readonly tenant: string | null;
  readonly principal: Principal;
  readonly idempotencyKey: string | undefined;
  /** The current agreement of `practiceId` (the service declares `agreements`); read on first use. */
  readonly agreement: Promise<Agreement>;
  /**
   * The request body of an operation that declares a raw body (`http.body`): its bytes and media type
   * (with any `charset` parameter as sent). Undefined for JSON operations and for requests without a body.
   */
  readonly body: RawBody | undefined;
  /** In an `async` operation's handler: report how far the job is (`GET /v1/<service>/jobs/{id}` shows it). Elsewhere a no-op. */
  progress(done: number, total: number): void;
  /**
   * Answer with another success status the contract declares (`http.statuses`), e.g. 200 when the
   * same file was imported before and the handler returns the first import. Ignored in a job.
   */
  status(code: number): void;
  /** For reads (inside `transaction`, its transaction). Behind the tenant wall: sees this practice's rows only. */
  readonly db: Db;
  /**
   * Runs `fn` in a transaction (default `read committed`), re-run on serialization failure or
   * deadlock; a call inside another becomes a savepoint. `ctx.call` is refused inside it.
   */
  transaction<T>(fn: (tx: TransactionContext) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * A transaction of writes nothing reads back and their events, for the common "insert it and
   * announce it": on PostgreSQL it leaves as one pipelined transaction in one round trip, sharing a
   * connection with other requests' statements instead of holding one (write-batch.ts). Read first
   * (or use `transaction`) when a write depends on what is stored.
   */
  writeBatch(fn: (batch: WriteBatch) => void): Promise<void>;
}

export interface ConsumerContext extends BaseContext, TransactionContext {
  /** The practice the event belongs to (its `tenantid`), or null for platform events. */
  readonly tenant: string | null;
}

export interface JobContext extends BaseContext {
  /** Behind the tenant wall, scoped to the run's practice (none for a job that is not per practice). */
  readonly db: Db;
  /** The fire time this run is for (a retry keeps its fire time): key idempotent effects on it. */
  readonly tick: Date;
  /** The practice a `perPractice` run is for, else null. */
  readonly tenant: string | null;
  /** 1 for the first try of a fire time, 2 for its first retry, ... */
  readonly attempt: number;
  /** Aborted when the run's timeout passes; a transaction still open then rolls back. */
  readonly signal: AbortSignal;
  /** As {@link HandlerContext.transaction}. */
  transaction<T>(fn: (tx: TransactionContext) => Promise<T>, options?: TransactionOptions): Promise<T>;
}

export type Handler<Op extends Operation> = (input: InputOf<Op>, ctx: HandlerContext) => Promise<OutputOf<Op>>;

export interface HandlerBinding<Op extends Operation = Operation> {
  readonly operation: Op;
  readonly handler: Handler<Op>;
}

/** Binds a handler to its contract; the types of input and output come from the contract. */
export function handle<Op extends Operation>(operation: Op, handler: Handler<Op>): HandlerBinding {
  return { operation, handler } as unknown as HandlerBinding;
}

export type EventHandler<E extends EventDef> = (event: EventEnvelope<DataOf<E>>, ctx: ConsumerContext) => Promise<void>;

/**
 * Up to `maxEvents` delivered events (default {@link DEFAULT_CONSUMER_BATCH}) share one transaction:
 * one inbox insert, each handler in turn scoped to its event's practice, one commit. A batch that
 * fails is handled again one event per transaction, so only the failing event is redelivered.
 */
export interface ConsumerBatch {
  /** Most events per transaction. */
  maxEvents?: number;
  /** How long a started batch waits for more events (the extra latency of a lone event). */
  maxWaitMs?: number;
  /**
   * Runs in the transaction after the handlers of each run of one practice's events (and after a
   * lone event's handler), with the last one's context: a handler may gather its writes and leave
   * them to one statement here. A throw fails the batch like a handler's.
   */
  flush?: (ctx: ConsumerContext) => Promise<void>;
}

export const DEFAULT_CONSUMER_BATCH: Required<Omit<ConsumerBatch, 'flush'>> = { maxEvents: 100, maxWaitMs: 10 };

export interface ConsumerOptions {
  maxDeliver?: number;
  /** Isolation of the transaction the handler runs in (default `read committed`); retried like `ctx.transaction`. */
  isolation?: Isolation;
  /** Handle many events per transaction (`true`: {@link DEFAULT_CONSUMER_BATCH}); the handler stays per event. */
  batch?: true | ConsumerBatch;
}

export interface ConsumerBinding<E extends EventDef = EventDef> extends Readonly<ConsumerOptions> {
  /** The event (with `events`: the first of them). */
  readonly event: E;
  /**
   * Several events of one producer taken by one consumer (`consume([a, b], ...)`): one durable
   * (`<service>__<producer>`) handing them over in the producer's stream order, across their types.
   */
  readonly events?: readonly EventDef[];
  readonly handler: EventHandler<E>;
}

/**
 * Binds an event handler. It runs in a transaction with the inbox record: once per event id. Given a
 * list of events of one producer, one consumer takes them all, in the order of the producer's
 * stream (the order per practice holds across their types); the producer's other events are
 * acknowledged without running anything. One such consumer per producer and service.
 */
export function consume<E extends EventDef>(event: E, handler: EventHandler<E>, options?: ConsumerOptions): ConsumerBinding;
export function consume<const Es extends readonly EventDef[]>(events: Es, handler: EventHandler<Es[number]>, options?: ConsumerOptions): ConsumerBinding;
export function consume(event: EventDef | readonly EventDef[], handler: EventHandler<EventDef>, options: ConsumerOptions = {}): ConsumerBinding {
  if (!Array.isArray(event)) return { event, handler, ...options } as unknown as ConsumerBinding;
  const events = event as readonly EventDef[];
  if (events.length === 0) throw new Error('consume: no events');
  const producers = new Set(events.map((e) => e.producer));
  if (producers.size > 1) throw new Error(`consume: one consumer takes the events of one producer, not of ${[...producers].join(', ')}`);
  return { event: events[0]!, events, handler, ...options } as unknown as ConsumerBinding;
}

/** The events a binding takes. */
export const eventsOf = (binding: ConsumerBinding): readonly EventDef[] => binding.events ?? [binding.event];

interface JobCommon {
  name: string;
  /** One run per practice whose agreement includes the service, in the practice's own time zone. */
  perPractice?: boolean;
  /** Tries per fire time before it is given up (default 5); retries wait `retryBackoff` doubled each time. */
  maxAttempts?: number;
  /** First retry delay on the injected clock (default `1m`), doubling per attempt up to 1 h. */
  retryBackoff?: string;
  /** Longest a run may take (default `5m`, wall time); a run past it counts as failed and is retried. */
  timeout?: string;
  run(ctx: JobContext): Promise<void>;
}

/** A scheduled job: every `every` of the injected clock, or on a cron pattern in a time zone. */
export type JobDefinition =
  | (JobCommon & {
      /** Interval on the injected clock, e.g. `1m`. Each tick runs once across all copies. */
      every: string;
      cron?: undefined;
      timeZone?: undefined;
    })
  | (JobCommon & {
      /** Five- or six-field cron pattern, e.g. `0 6 1 * *` (06:00 on the 1st). Each fire runs once across copies. */
      cron: string;
      /** IANA zone the pattern is read in (default UTC); a `perPractice` job uses the practice's zone when it has one. */
      timeZone?: string;
      every?: undefined;
    });

export interface ServiceDefinition {
  id: ServiceId;
  version: string;
  description: string;
  /** Own Postgres schema and drizzle-kit migrations folder (absolute path). */
  db?: { schema: string; migrationsFolder: string };
  /** Events this service emits (their streams are created at start). */
  emits?: readonly EventDef[];
  handlers: readonly HandlerBinding[];
  /**
   * The service's contract: the operations it must answer (start fails naming any without a handler,
   * and any handler outside it). Default: the operations its contracts module exports
   * (`operationsOf(id)` of @mso/contracts).
   */
  operations?: readonly Operation[];
  consumers?: readonly ConsumerBinding[];
  jobs?: readonly JobDefinition[];
  /**
   * Keep every practice's current agreement (from tenancy's events) for `ctx.agreement` and
   * `ctx.agreements`; `onChange` runs in the transaction that records a new version.
   */
  agreements?: true | AgreementsDeclaration;
  /** Keep HR's staff directory (from `hr.staff-member.changed`) for `ctx.staff`. */
  staffDirectory?: true;
  /** Runs once at start, after migrations, before the service takes requests. */
  init?(ctx: BaseContext & { db: Db }): Promise<void>;
}

/** Declares a service: a plugin the host wires; it never imports another service. */
export function defineService(definition: ServiceDefinition): ServiceDefinition {
  const seen = new Set<string>();
  for (const { operation } of definition.handlers) {
    if (operation.service !== definition.id) {
      throw new Error(`${definition.id}: handler for ${operation.subject} belongs to ${operation.service}`);
    }
    if (seen.has(operation.subject)) throw new Error(`${definition.id}: two handlers for ${operation.subject}`);
    seen.add(operation.subject);
  }
  for (const e of definition.emits ?? []) {
    if (e.producer !== definition.id) throw new Error(`${definition.id}: cannot emit ${e.type}`);
  }
  if (definition.agreements) {
    if (!definition.db) throw new Error(`${definition.id}: agreements need a database (the view lives there)`);
    const own = (definition.consumers ?? []).flatMap(eventsOf).find((e) => e.type === 'tenancy.practice.created' || e.type === 'tenancy.agreement.changed');
    if (own) throw new Error(`${definition.id}: the kit consumes ${own.type} for \`agreements\`; use agreements.onChange instead`);
  }
  if (definition.staffDirectory) {
    if (!definition.db) throw new Error(`${definition.id}: the staff directory needs a database (the view lives there)`);
    if ((definition.consumers ?? []).flatMap(eventsOf).some((e) => e.type === 'hr.staff-member.changed')) throw new Error(`${definition.id}: the kit consumes hr.staff-member.changed for \`staffDirectory\`; read ctx.staff instead`);
  }
  return definition;
}
