import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { context, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import { and, asc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import {
  busHeaders,
  businessServices,
  ProblemError,
  serviceInfo,
  type EventDef,
  type EventEnvelope,
  type Operation,
  type Principal,
  type BusinessService,
} from '@mso/contracts';
import type { Bus, BusReply, BusRequest, Consumer, Headers, Served } from '@mso/bus';
import { migrateService, type Database } from '@mso/db';
import { createLogger, type Logger } from '@mso/telemetry';
import { systemClock, parseInterval, type Clock } from './clock.js';
import { decodeJson, decodePrincipal, encodeJson, problemReply } from './codec.js';
import { callOperation } from './call.js';
import { ensureKitTables, kitTables, type KitTables } from './tables.js';
import { assertValid, compileSchema } from './validation.js';
import { loggableError } from './errors.js';
import { CoalescedRun } from './coalesce.js';
import type {
  BaseContext,
  ConsumerContext,
  Db,
  EmitOptions,
  HandlerBinding,
  HandlerContext,
  JobDefinition,
  ServiceDefinition,
  TransactionContext,
} from './service.js';

export interface HostOptions {
  services: readonly ServiceDefinition[];
  bus: Bus;
  /** Required when any hosted service declares `db`. */
  database?: Database;
  clock?: Clock;
  logger?: Logger;
  /** How often the outbox relay looks for events left unpublished (e.g. by a crashed copy). */
  relayIntervalMs?: number;
  /** How often the scheduler looks at the clock. */
  schedulerIntervalMs?: number;
  /** Check handler output against the contract (on in tests; off by default in production). */
  validateOutput?: boolean;
}

export interface Host {
  readonly instance: string;
  readonly services: readonly ServiceDefinition[];
  /** Publish every event waiting in the outboxes now. */
  flushOutbox(): Promise<void>;
  /** Run the scheduler now for the clock's current time (tests move the clock, then call this). */
  runDueJobs(): Promise<void>;
  /** Stop taking work, finish in-flight work, publish what is in the outbox. Does not close bus or DB. */
  stop(): Promise<void>;
}

const SYSTEM = (service: string): Principal => ({ id: `system:${service}`, role: 'system' });

/** Runs any set of services in this process: migrations, request handlers, consumers, outbox, jobs. */
export async function startHost(options: HostOptions): Promise<Host> {
  const clock = options.clock ?? systemClock;
  const rootLog = options.logger ?? createLogger({ name: 'mso' });
  const instance = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const validateOutput = options.validateOutput ?? process.env.NODE_ENV === 'test';
  const runtimes: ServiceRuntime[] = [];
  for (const definition of options.services) {
    const runtime = new ServiceRuntime(definition, {
      bus: options.bus,
      database: options.database,
      clock,
      log: rootLog.child({ service: definition.id }),
      instance,
      validateOutput,
      relayIntervalMs: options.relayIntervalMs ?? 1000,
      schedulerIntervalMs: options.schedulerIntervalMs ?? 1000,
    });
    await runtime.prepare();
    runtimes.push(runtime);
  }
  // Take requests only once every hosted service is migrated and initialised.
  for (const runtime of runtimes) await runtime.start();

  let stopped = false;
  return {
    instance,
    services: options.services,
    flushOutbox: async () => {
      for (const r of runtimes) await r.relay();
    },
    runDueJobs: async () => {
      for (const r of runtimes) await r.runDueJobs();
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await Promise.all(runtimes.map((r) => r.stop()));
    },
  };
}

interface RuntimeDeps {
  bus: Bus;
  database: Database | undefined;
  clock: Clock;
  log: Logger;
  instance: string;
  validateOutput: boolean;
  relayIntervalMs: number;
  schedulerIntervalMs: number;
}

class ServiceRuntime {
  private readonly handlers = new Map<string, HandlerBinding>();
  private readonly tables: KitTables | undefined;
  private served: Served | undefined;
  private consumers: Consumer[] = [];
  private timers: NodeJS.Timeout[] = [];
  private readonly relayRun = new CoalescedRun(async () => {
    while ((await this.relayBatch()) > 0);
  });
  private readonly jobsRun = new CoalescedRun(
    async () => {
      for (const job of this.def.jobs!) await this.runJobIfDue(job);
    },
    () => !this.stopping,
  );
  private readonly jobTicks = new Map<string, number>();
  private stopping = false;

  constructor(
    private readonly def: ServiceDefinition,
    private readonly deps: RuntimeDeps,
  ) {
    for (const binding of def.handlers) this.handlers.set(binding.operation.subject, binding);
    // Every business service answers its `info` operation without writing it.
    if ((businessServices as readonly string[]).includes(def.id)) {
      const info = serviceInfo(def.id as BusinessService);
      if (!this.handlers.has(info.subject)) {
        this.handlers.set(info.subject, {
          operation: info,
          handler: async (_input: unknown, ctx: HandlerContext) => ({
            service: def.id,
            version: def.version,
            instance: deps.instance,
            practiceId: ctx.practiceId,
          }),
        } as unknown as HandlerBinding);
      }
    }
    if (def.db) this.tables = kitTables(def.db.schema);
  }

  private get db(): Db {
    if (!this.deps.database) throw new Error(`${this.def.id} needs a database`);
    return this.deps.database.db as unknown as Db;
  }

  private base(principal: Principal, tenant: string | null): BaseContext {
    const { bus, clock, log, instance } = this.deps;
    return {
      service: { id: this.def.id, version: this.def.version, instance },
      clock,
      log,
      call: (op, input, opts = {}) =>
        callOperation(bus, op, input, {
          principal,
          practiceId: opts.practiceId === undefined ? tenant : opts.practiceId,
          ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
          ...(opts.idempotencyKey ? { idempotencyKey: opts.idempotencyKey } : {}),
        }),
      kv: (bucket) => bus.kv(bucket),
      runningServices: () => bus.ping(),
    };
  }

  async prepare(): Promise<void> {
    const { def, deps } = this;
    if (def.db) {
      if (!deps.database) throw new Error(`${def.id} declares a database but the host has none`);
      await migrateService(deps.database, { schema: def.db.schema, migrationsFolder: def.db.migrationsFolder });
      // The kit's own tables: idempotent DDL, serialised across processes by a transaction lock.
      await this.db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`mso-kit:${def.db!.schema}`}))`);
        await ensureKitTables(tx as unknown as Db, def.db!.schema);
      });
    }
    if (def.emits?.length) await deps.bus.ensureStream({ producer: def.id });
    if (def.init) await def.init({ ...this.base(SYSTEM(def.id), null), db: def.db ? this.db : (undefined as unknown as Db) });
  }

  async start(): Promise<void> {
    const { def, deps } = this;
    this.served = await deps.bus.serve({
      service: def.id,
      version: def.version,
      description: def.description,
      subjects: [...this.handlers.keys()],
      handler: (request) => this.onRequest(request),
    });
    for (const binding of def.consumers ?? []) {
      await deps.bus.ensureStream({ producer: binding.event.producer });
      const durable = `${def.id}__${binding.event.type.replace(/\./g, '_')}`;
      this.consumers.push(
        await deps.bus.consume({
          producer: binding.event.producer,
          durable,
          filter: binding.event.subject,
          ...(binding.maxDeliver ? { maxDeliver: binding.maxDeliver } : {}),
          handler: async (delivered) => {
            const envelope = decodeJson<EventEnvelope>(delivered.data);
            await this.onEvent(durable, binding.event, binding.handler as never, envelope);
          },
        }),
      );
    }
    if (this.tables) {
      this.timers.push(setInterval(() => void this.relay().catch((e) => deps.log.error({ err: loggableError(e) }, 'outbox relay failed')), deps.relayIntervalMs));
      void this.relay().catch((e) => deps.log.error({ err: loggableError(e) }, 'outbox relay failed'));
    }
    if (def.jobs?.length) {
      if (!this.tables) throw new Error(`${def.id}: jobs need a database (the tick lease lives there)`);
      this.timers.push(setInterval(() => void this.runDueJobs().catch((e) => deps.log.error({ err: loggableError(e) }, 'scheduler failed')), deps.schedulerIntervalMs));
    }
    for (const t of this.timers) t.unref();
    deps.log.info({ operations: this.handlers.size, consumers: this.consumers.length, jobs: def.jobs?.length ?? 0 }, 'service started');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    await this.served?.stop();
    await Promise.all(this.consumers.map((c) => c.stop()));
    await this.jobsRun.idle();
    await this.relayRun.idle();
    if (this.tables) await this.relay().catch((e) => this.deps.log.error({ err: loggableError(e) }, 'final outbox relay failed'));
    this.deps.log.info('service stopped');
  }

  // ---- requests ------------------------------------------------------------------------------

  private async onRequest(request: BusRequest): Promise<BusReply> {
    const binding = this.handlers.get(request.subject);
    try {
      if (!binding) throw new ProblemError('not-found', `no operation ${request.subject}`);
      const op = binding.operation;
      const principal = decodePrincipal(request.headers[busHeaders.principal]);
      if (!principal) throw new ProblemError('unauthorized', 'request carries no principal');
      const tenant = request.headers[busHeaders.tenant] || null;
      checkAccess(op, principal, tenant);
      const input = assertValid<object>(op.input, request.data.byteLength ? decodeJson(request.data) : {});
      const idempotencyKey = request.headers[busHeaders.idempotencyKey] || undefined;
      const status = op.http?.status ?? 200;
      if (idempotencyKey && !op.readOnly && this.tables) {
        return await this.idempotent(op, tenant, idempotencyKey, status, (tx) => this.invoke(binding, input, principal, tenant, idempotencyKey, tx));
      }
      const output = await this.invoke(binding, input, principal, tenant, idempotencyKey, undefined);
      return { data: encodeJson(output), headers: { [busHeaders.status]: String(status) } };
    } catch (error) {
      return problemReply(this.toProblem(error, request.subject).toProblem());
    }
  }

  private toProblem(error: unknown, where: string): ProblemError {
    if (error instanceof ProblemError) return error;
    this.deps.log.error({ err: loggableError(error), subject: where }, 'operation failed');
    return new ProblemError('internal', 'the service failed to handle the request');
  }

  private async invoke(binding: HandlerBinding, input: object, principal: Principal, tenant: string | null, idempotencyKey: string | undefined, outerTx: TransactionContext | undefined): Promise<unknown> {
    let current = outerTx;
    let emitted = false;
    const ctx: HandlerContext = {
      ...this.base(principal, tenant),
      get practiceId(): string {
        if (!tenant) throw new ProblemError('forbidden', 'this operation acts for a practice: name it with X-Practice-Id');
        return tenant;
      },
      tenant,
      principal,
      idempotencyKey,
      db: outerTx ? outerTx.db : this.deps.database ? this.db : (undefined as unknown as Db),
      transaction: async (fn) => {
        if (current) return fn(current);
        const result = await this.db.transaction(async (tx) => {
          current = this.txContext(tx as unknown as Db, tenant, () => (emitted = true));
          try {
            return await fn(current);
          } finally {
            current = undefined;
          }
        });
        if (emitted) this.kickRelay();
        return result;
      },
    };
    const output = await binding.handler(input as never, ctx);
    if (this.deps.validateOutput) assertValid(binding.operation.output, output, `${binding.operation.subject} output`);
    return output;
  }

  private async idempotent(op: Operation, tenant: string | null, key: string, status: number, run: (tx: TransactionContext) => Promise<unknown>): Promise<BusReply> {
    const t = this.tables!;
    const practiceId = tenant ?? '-';
    let emitted = false;
    const reply = await this.db.transaction(async (tx): Promise<BusReply> => {
      // Same key at once from two callers: the second waits here and then finds the first's reply.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`${practiceId}:${op.subject}:${key}`}))`);
      const [stored] = await tx
        .select()
        .from(t.idempotency)
        .where(and(eq(t.idempotency.practiceId, practiceId), eq(t.idempotency.operation, op.subject), eq(t.idempotency.key, key)));
      if (stored) return { data: encodeJson(stored.reply), headers: { [busHeaders.status]: String(stored.status), 'idempotent-replayed': 'true' } };
      const output = await run(this.txContext(tx as unknown as Db, tenant, () => (emitted = true)));
      await tx.insert(t.idempotency).values({ practiceId, operation: op.subject, key, status, reply: output as object, createdAt: this.deps.clock.now() });
      return { data: encodeJson(output), headers: { [busHeaders.status]: String(status) } };
    });
    if (emitted) this.kickRelay();
    return reply;
  }

  private txContext(tx: Db, tenant: string | null, onEmit: () => void): TransactionContext {
    return {
      db: tx,
      emit: async (event, data, options) => {
        await this.writeOutbox(tx, event, data, tenant, options);
        onEmit();
      },
    };
  }

  // ---- events --------------------------------------------------------------------------------

  private async writeOutbox(tx: Db, event: EventDef, data: unknown, tenant: string | null, options: EmitOptions = {}): Promise<void> {
    assertValid(event.data, data, `${event.type} event`);
    const practiceId = options.practiceId === undefined ? tenant : options.practiceId;
    const envelope: EventEnvelope = {
      specversion: '1.0',
      id: options.id ?? randomUUID(),
      source: `mso/${this.def.id}`,
      type: event.type,
      time: this.deps.clock.now().toISOString(),
      ...(options.subject ? { subject: options.subject } : {}),
      datacontenttype: 'application/json',
      dataschemaversion: event.version,
      ...(practiceId ? { tenantid: practiceId } : {}),
      data,
    };
    // Keep the emitting span's context so the published event continues this trace.
    const headers: Headers = {};
    propagation.inject(context.active(), headers);
    await tx
      .insert(this.tables!.outbox)
      .values({ id: envelope.id, subject: event.subject, envelope, headers, createdAt: this.deps.clock.now() })
      .onConflictDoNothing();
  }

  private kickRelay(): void {
    void this.relay().catch((e) => this.deps.log.error({ err: loggableError(e) }, 'outbox relay failed'));
  }

  /** Publishes unpublished outbox rows in order. Concurrent calls coalesce into one more pass. */
  relay(): Promise<void> {
    if (!this.tables) return Promise.resolve();
    return this.relayRun.run();
  }

  private async relayBatch(): Promise<number> {
    const outbox = this.tables!.outbox;
    return this.db.transaction(async (tx) => {
      // SKIP LOCKED: copies of the service relay different rows instead of waiting on each other.
      const rows = await tx
        .select()
        .from(outbox)
        .where(isNull(outbox.publishedAt))
        .orderBy(asc(outbox.seq))
        .limit(100)
        .for('update', { skipLocked: true });
      for (const row of rows) {
        const parent = propagation.extract(ROOT_CONTEXT, row.headers);
        await context.with(parent, () =>
          this.deps.bus.publish({ id: row.id, subject: row.subject, data: encodeJson(row.envelope) }),
        );
      }
      if (rows.length) {
        await tx
          .update(outbox)
          .set({ publishedAt: this.deps.clock.now() })
          .where(inArray(outbox.seq, rows.map((r) => r.seq)));
      }
      return rows.length;
    });
  }

  private async onEvent(durable: string, event: EventDef, handler: (e: EventEnvelope, ctx: ConsumerContext) => Promise<void>, envelope: EventEnvelope): Promise<void> {
    assertValid(event.data, envelope.data, `${event.type} event`);
    const tenant = envelope.tenantid ?? null;
    if (!this.tables) {
      await handler(envelope, { ...this.base(SYSTEM(this.def.id), tenant), tenant, db: undefined as unknown as Db, emit: async () => { throw new Error(`${this.def.id} has no outbox`); } });
      return;
    }
    let emitted = false;
    await this.db.transaction(async (tx) => {
      const inserted = await tx
        .insert(this.tables!.inbox)
        .values({ consumer: durable, eventId: envelope.id, handledAt: this.deps.clock.now() })
        .onConflictDoNothing()
        .returning({ id: this.tables!.inbox.eventId });
      if (inserted.length === 0) return; // handled before: the effect is already committed
      const txc = this.txContext(tx as unknown as Db, tenant, () => (emitted = true));
      await handler(envelope, { ...this.base(SYSTEM(this.def.id), tenant), ...txc, tenant });
    });
    if (emitted) this.kickRelay();
  }

  // ---- jobs ----------------------------------------------------------------------------------

  /** Runs the jobs due at the clock's time. A call during a run queues one more pass, for the new time. */
  runDueJobs(): Promise<void> {
    if (this.stopping || !this.def.jobs?.length) return Promise.resolve();
    return this.jobsRun.run();
  }

  private async runJobIfDue(job: JobDefinition): Promise<void> {
    const every = parseInterval(job.every);
    const now = this.deps.clock.now();
    const tick = Math.floor(now.getTime() / every);
    if ((this.jobTicks.get(job.name) ?? -1) >= tick) return;
    const jobs = this.tables!.jobs;
    // The lease: only the copy whose update moves last_tick forward runs this tick.
    const claimed = await this.db
      .insert(jobs)
      .values({ name: job.name, lastTick: tick, ranAt: now })
      .onConflictDoUpdate({ target: jobs.name, set: { lastTick: tick, ranAt: now }, where: lt(jobs.lastTick, tick) })
      .returning({ name: jobs.name });
    this.jobTicks.set(job.name, tick);
    if (claimed.length === 0) return;
    const principal = SYSTEM(this.def.id);
    let emitted = false;
    try {
      await job.run({
        ...this.base(principal, null),
        db: this.db,
        tick: new Date(tick * every),
        transaction: (fn) =>
          this.db.transaction(async (tx) => fn(this.txContext(tx as unknown as Db, null, () => (emitted = true)))),
      });
    } catch (error) {
      this.deps.log.error({ err: loggableError(error), job: job.name }, 'job failed');
    }
    if (emitted) this.kickRelay();
  }
}

/** Role and tenant checks, repeated on the service side (the gateway did them first). */
function checkAccess(op: Operation, principal: Principal, tenant: string | null): void {
  if (principal.role === 'system') return;
  if (!op.roles.includes(principal.role)) throw new ProblemError('forbidden', `role ${principal.role} may not call ${op.subject}`);
  if (principal.practiceId && tenant && principal.practiceId !== tenant) {
    throw new ProblemError('forbidden', 'a practice key acts only for its own practice');
  }
  if (op.scope === 'practice' && !tenant) {
    throw new ProblemError('forbidden', 'this operation acts for a practice: name it with X-Practice-Id');
  }
}

export { compileSchema };
