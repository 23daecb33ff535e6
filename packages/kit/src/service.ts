import type {
  DataOf,
  EventDef,
  EventEnvelope,
  InputOf,
  Operation,
  OutputOf,
  Principal,
  ServiceId,
} from '@mso/contracts';
import type { KeyValue, ServiceStatus } from '@mso/bus';
import type { Logger } from '@mso/telemetry';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { Clock } from './clock.js';

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
}

export interface TransactionContext {
  readonly db: Db;
  /** Write an event to the outbox in this transaction; the relay publishes it after commit. */
  emit<E extends EventDef>(event: E, data: DataOf<E>, options?: EmitOptions): Promise<void>;
}

export interface HandlerContext extends BaseContext {
  /** The practice this request acts for; throws `forbidden` where the operation has none. */
  readonly practiceId: string;
  /** The practice, or null for platform-scope calls without one. */
  readonly tenant: string | null;
  readonly principal: Principal;
  readonly idempotencyKey: string | undefined;
  /** For reads: not in a transaction. */
  readonly db: Db;
  /** One transaction; nested calls join the outer one. */
  transaction<T>(fn: (tx: TransactionContext) => Promise<T>): Promise<T>;
}

export interface ConsumerContext extends BaseContext, TransactionContext {
  /** The practice the event belongs to (its `tenantid`), or null for platform events. */
  readonly tenant: string | null;
}

export interface JobContext extends BaseContext {
  readonly db: Db;
  /** The clock time of the tick this run is for. */
  readonly tick: Date;
  transaction<T>(fn: (tx: TransactionContext) => Promise<T>): Promise<T>;
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

export interface ConsumerBinding<E extends EventDef = EventDef> {
  readonly event: E;
  readonly handler: EventHandler<E>;
  readonly maxDeliver?: number;
}

/** Binds an event handler. It runs in a transaction with the inbox record: once per event id. */
export function consume<E extends EventDef>(event: E, handler: EventHandler<E>, options: { maxDeliver?: number } = {}): ConsumerBinding {
  return { event, handler, ...options } as unknown as ConsumerBinding;
}

export interface JobDefinition {
  name: string;
  /** Interval on the injected clock, e.g. `1m`. Each tick runs once across all copies. */
  every: string;
  run(ctx: JobContext): Promise<void>;
}

export interface ServiceDefinition {
  id: ServiceId;
  version: string;
  description: string;
  /** Own Postgres schema and drizzle-kit migrations folder (absolute path). */
  db?: { schema: string; migrationsFolder: string };
  /** Events this service emits (their streams are created at start). */
  emits?: readonly EventDef[];
  handlers: readonly HandlerBinding[];
  consumers?: readonly ConsumerBinding[];
  jobs?: readonly JobDefinition[];
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
  return definition;
}
