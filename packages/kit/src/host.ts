import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import {
  businessServices,
  serviceInfo,
  type EventDef,
  type EventEnvelope,
  type InputOf,
  type Operation,
  type OutputOf,
  type Principal,
  type BusinessService,
} from '@mso/contracts';
import { withEventSpan, type Bus, type BusReply, type BusRequest, type Consumer, type DeliveredEvent, type EventOutcome, type Served } from '@mso/bus';
import { ALL_PRACTICES, applyTenant, migrateService, type Database, type TenantScope } from '@mso/db';
import { acrossPractices, scopeChangeCount, widened } from './tenant-wall.js';
import { createLogger, type Logger } from '@mso/telemetry';
import { systemClock, type Clock } from './clock.js';
import { decodeJson } from './codec.js';
import { callOperation } from './call.js';
import { kitTables, migrateKitTables, type KitTables } from './tables.js';
import { OutboxRelay, outboxRows, recordInInbox, recordManyInInbox, sendOutboxRows, type OutboxOptions } from './outbox.js';
import { jobTables } from './job-tables.js';
import { Scheduler, type JobRunOutcome } from './scheduler.js';
import { AsyncJobRunner, defaultAsyncJobSettings, type AsyncJobSettings } from './jobs.js';
import { jobOperations } from './job-operations.js';
import { assertValid, compileSchema } from './validation.js';
import { loggableError } from './errors.js';
import { openTransaction, outsideTransactions, refuseInTransaction, sendWrite, withTransactionContext, writeAtCommit, type Isolation, type TransactionOptions } from './transaction.js';
import { IdempotencyRecords, idempotencySettings, warnUnsealedPhiReplies, type IdempotencyOptions, type IdempotencySettings } from './idempotency.js';
import { assertServiceComplete } from './completeness.js';
import { handleRequest, runJobCall, type RequestRuntime } from './requests.js';
import { canPipeline, runWriteBatch, type PipelinedBatchDeps } from './write-batch.js';
import { AgreementStore, agreementConsumers, agreementsTable, undeclaredAgreements, type AgreementView } from './agreements.js';
import { StaffDirectoryStore, staffDirectoryConsumers, staffDirectoryTable, undeclaredStaffDirectory } from './staff-directory.js';
import { acrossPracticesRecorder, auditTable, failedJobRecorder, PhiAudit } from './audit.js';
import type { AcrossPracticesAudit } from './tenant-wall.js';
import {
  DEFAULT_CONSUMER_BATCH,
  eventsOf,
  type BaseContext,
  type CallOptions,
  type ConsumerBinding,
  type ConsumerContext,
  type Db,
  type EmitOptions,
  type HandlerBinding,
  type HandlerContext,
  type ServiceDefinition,
  type SharedContext,
  type TransactionContext,
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
  /** Retention of published outbox rows and handled inbox ids, and how often they are pruned (outbox.ts). */
  outbox?: OutboxOptions;
  /** How often the scheduler looks at the clock. */
  schedulerIntervalMs?: number;
  /** Lease, attempts and polling of async operations' jobs (jobs.ts). */
  asyncJobs?: Partial<AsyncJobSettings>;
  /** Check handler output against the contract (on in tests; off by default in production). */
  validateOutput?: boolean;
  /** Reply retention, prune interval and the key sealing PHI replies (idempotency.ts); env by default. */
  idempotency?: IdempotencyOptions;
}

export interface Host {
  readonly instance: string;
  readonly services: readonly ServiceDefinition[];
  /** Publish every event waiting in the outboxes now, and prune them and the inboxes when a prune is due by the clock. */
  flushOutbox(): Promise<void>;
  /** Run the scheduler now for the clock's current time (tests move the clock, then call this). */
  runDueJobs(): Promise<void>;
  /** Run one named scheduled job now for the clock's time (each practice of a per-practice job; each hosted service that has it), and wait. */
  runJob(name: string): Promise<JobRunOutcome[]>;
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
  const idempotency = idempotencySettings(options.idempotency);
  warnUnsealedPhiReplies(options.services, idempotency, rootLog);
  const runtimes: ServiceRuntime[] = [];
  for (const definition of options.services) {
    const runtime = new ServiceRuntime(definition, {
      bus: options.bus,
      database: options.database,
      clock,
      log: rootLog.child({ service: definition.id }),
      instance,
      validateOutput,
      idempotency,
      relayIntervalMs: options.relayIntervalMs ?? 1000,
      outbox: options.outbox,
      schedulerIntervalMs: options.schedulerIntervalMs ?? 1000,
      asyncJobs: { ...defaultAsyncJobSettings, ...options.asyncJobs },
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
    runJob: async (name) => {
      // The kit's own jobs (e.g. `mso-audit-prune`) exist in every hosted service that has a database.
      const having = runtimes.filter((r) => r.scheduler?.has(name));
      if (having.length === 0) throw new Error(`no hosted service has a job "${name}"`);
      const outcomes: JobRunOutcome[] = [];
      for (const runtime of having) outcomes.push(...(await runtime.scheduler!.runNow(name)));
      return outcomes;
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
  idempotency: IdempotencySettings;
  relayIntervalMs: number;
  outbox: OutboxOptions | undefined;
  schedulerIntervalMs: number;
  asyncJobs: AsyncJobSettings;
}

const flushOf = (binding: ConsumerBinding) => (binding.batch && binding.batch !== true ? binding.batch.flush : undefined);

/** The event a delivered envelope is, among those the binding takes; undefined: another of its producer's (a consumer of several). */
const takenBy = (binding: ConsumerBinding, envelope: EventEnvelope): EventDef | undefined => eventsOf(binding).find((e) => e.type === envelope.type);

interface BatchItem {
  /** Position in the delivered batch. */
  index: number;
  /** Which of the binding's events it is. */
  event: EventDef;
  delivered: DeliveredEvent;
  envelope: EventEnvelope;
  tenant: string | null;
}

class ServiceRuntime implements RequestRuntime {
  readonly handlers = new Map<string, HandlerBinding>();
  private readonly tables: KitTables | undefined;
  private served: Served | undefined;
  private consumers: Consumer[] = [];
  private timers: NodeJS.Timeout[] = [];
  private readonly outboxRelay: OutboxRelay | undefined;
  /** Stored first replies for `Idempotency-Key` (idempotency.ts), when the service has a database. */
  readonly idempotency: IdempotencyRecords | undefined;
  scheduler: Scheduler | undefined;
  /** Runs `async` operations as jobs (jobs.ts), when the service has any. */
  asyncJobs: AsyncJobRunner | undefined;
  private stopping = false;
  /** The agreement view (agreements.ts), when the service declares `agreements`. */
  readonly agreementStore: AgreementStore | undefined;
  /** HR's staff directory (staff-directory.ts), when the service declares `staffDirectory`. */
  readonly staffDirectory: StaffDirectoryStore | undefined;
  /** PHI access and MSO-wide path audit (audit.ts): every service with a database has the kit's table. */
  readonly audit: PhiAudit | undefined;
  /** Records each `ctx.acrossPractices` use (audit.ts); a service without a database only logs it. */
  readonly acrossPracticesAudit: AcrossPracticesAudit;

  constructor(
    readonly def: ServiceDefinition,
    readonly deps: RuntimeDeps,
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
      // ... and its `job.get` / `job.list` (async jobs, scheduled job status).
      for (const binding of jobOperations(def.id as BusinessService, () => ({ runner: this.asyncJobs, scheduler: this.scheduler }))) {
        if (!this.handlers.has(binding.operation.subject)) this.handlers.set(binding.operation.subject, binding);
      }
    }
    if (def.db) this.tables = kitTables(def.db.schema);
    if (this.tables) {
      this.outboxRelay = new OutboxRelay({ db: () => this.db, tables: this.tables, schema: def.db!.schema, bus: deps.bus, clock: deps.clock, log: deps.log, options: deps.outbox });
    }
    if (this.tables) {
      this.idempotency = new IdempotencyRecords({ db: () => this.db, table: this.tables.idempotency, clock: deps.clock, log: deps.log, settings: deps.idempotency });
    }
    if (def.db && def.agreements) {
      this.agreementStore = new AgreementStore({ table: agreementsTable(def.db.schema), db: () => this.db, bus: deps.bus, clock: deps.clock, log: deps.log, principal: SYSTEM(def.id) });
    }
    if (def.db && def.staffDirectory) this.staffDirectory = new StaffDirectoryStore({ table: staffDirectoryTable(def.db.schema), db: () => this.db, clock: deps.clock });
    if (def.db) this.audit = new PhiAudit(def.id, auditTable(def.db.schema), deps.clock, () => this.db);
    this.acrossPracticesAudit = acrossPracticesRecorder(this.audit, (fn) => this.systemTransaction(null, fn));
  }

  get db(): Db {
    if (!this.deps.database) throw new Error(`${this.def.id} needs a database`);
    return this.deps.database.db as unknown as Db;
  }

  /** What service code reads through: behind the tenant wall, scoped to `scope` (@mso/db tenant-wall.ts). */
  wallDb(scope: TenantScope): Db {
    if (!this.deps.database) throw new Error(`${this.def.id} needs a database`);
    return this.deps.database.tenantDb(scope) as unknown as Db;
  }

  /** The parts of every context that are the same for every principal and practice: built once (a context is built per request). */
  private sharedBase?: SharedContext;

  shared(): SharedContext {
    const { bus, log, instance } = this.deps;
    return (this.sharedBase ??= {
      service: { id: this.def.id, version: this.def.version, instance },
      clock: this.deps.clock,
      log,
      kv: (bucket) => bus.kv(bucket),
      runningServices: () => bus.ping(),
      agreements: this.agreementStore ?? undeclaredAgreements(this.def.id),
      staff: this.staffDirectory ?? undeclaredStaffDirectory(this.def.id),
    });
  }

  /** `ctx.call` as `principal`, for `tenant` unless the options name another practice. */
  call<Op extends Operation>(principal: Principal, tenant: string | null, op: Op, input: InputOf<Op>, opts: CallOptions = {}): Promise<OutputOf<Op>> {
    refuseInTransaction(`ctx.call(${op.subject})`);
    return callOperation(this.deps.bus, op, input, {
      principal,
      practiceId: opts.practiceId === undefined ? tenant : opts.practiceId,
      ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.idempotencyKey ? { idempotencyKey: opts.idempotencyKey } : {}),
      ...(opts.body ? { body: opts.body } : {}),
    });
  }

  base(principal: Principal, tenant: string | null, activity = 'service'): BaseContext {
    const { log } = this.deps;
    return {
      ...this.shared(),
      call: (op, input, opts) => this.call(principal, tenant, op, input, opts),
      acrossPractices: (reason, fn) =>
        acrossPractices(
          {
            service: this.def.id,
            principal,
            log,
            activity,
            audit: this.acrossPracticesAudit,
            db: () => this.wallDb(ALL_PRACTICES),
            transaction: (work, options) => this.systemTransaction(tenant, (tx) => widened(tx, tenant, work), options),
            writeBatch: (batch) => runWriteBatch(this.batchDeps(ALL_PRACTICES, tenant), (work) => this.systemTransaction(tenant, (tx) => widened(tx, tenant, work)), batch),
          },
          reason,
          fn,
        ),
    };
  }

  async prepare(): Promise<void> {
    const { def, deps } = this;
    assertServiceComplete(def, new Set(this.handlers.keys()));
    if (def.db) {
      if (!deps.database) throw new Error(`${def.id} declares a database but the host has none`);
      // The kit's tables first (the service's migrations may refer to them), each set with its own journal.
      await migrateKitTables(deps.database, def.db.schema);
      await migrateService(deps.database, { schema: def.db.schema, migrationsFolder: def.db.migrationsFolder });
    }
    if (def.emits?.length || this.audit) await deps.bus.ensureStream({ producer: def.id });
    if (def.init) await def.init({ ...this.base(SYSTEM(def.id), null, 'init'), db: def.db ? this.wallDb(null) : (undefined as unknown as Db) });
  }

  async start(): Promise<void> {
    const { def, deps } = this;
    if (def.db && def.handlers.some((b) => b.operation.async)) {
      this.asyncJobs = new AsyncJobRunner({
        serviceId: def.id,
        db: this.db,
        table: jobTables(def.db.schema).asyncJobs,
        clock: deps.clock,
        log: deps.log,
        instance: deps.instance,
        settings: deps.asyncJobs,
        execute: (job, finish) => runJobCall(this, job, finish),
        transaction: (tenant, fn) => this.systemTransaction(tenant, fn),
        onFailed: failedJobRecorder(this.audit, this.handlers),
      });
    }
    this.served = await deps.bus.serve({
      service: def.id,
      version: def.version,
      description: def.description,
      subjects: [...this.handlers.keys()],
      handler: (request) => this.onRequest(request),
    });
    const kitConsumers = [
      ...(this.agreementStore ? agreementConsumers(this.agreementStore, def.agreements === true ? {} : def.agreements!) : []),
      ...(this.staffDirectory ? staffDirectoryConsumers(this.staffDirectory) : []),
    ];
    for (const binding of [...(def.consumers ?? []), ...kitConsumers]) {
      await deps.bus.ensureStream({ producer: binding.event.producer });
      // A consumer of several events takes its producer's whole stream (in its order) and skips the rest.
      const durable = binding.events ? `${def.id}__${binding.event.producer}` : `${def.id}__${binding.event.type.replace(/\./g, '_')}`;
      const common = {
        producer: binding.event.producer,
        durable,
        filter: binding.events ? `evt.${binding.event.producer}.>` : binding.event.subject,
        ...(binding.maxDeliver ? { maxDeliver: binding.maxDeliver } : {}),
      };
      const { flush: _flush, ...batchOptions } = binding.batch === true || !binding.batch ? {} : binding.batch;
      const batch = binding.batch ? { ...DEFAULT_CONSUMER_BATCH, ...batchOptions } : undefined;
      this.consumers.push(
        await deps.bus.consume(
          batch
            ? { ...common, batch: { ...batch, handler: (events) => outsideTransactions(() => this.onEventBatch(durable, binding, events)) } }
            : {
                ...common,
                handler: async (delivered) => {
                  const envelope = decodeJson<EventEnvelope>(delivered.data);
                  const event = takenBy(binding, envelope);
                  if (!event) return;
                  // An in-process delivery may come from inside a transaction: handle it outside.
                  await outsideTransactions(() => this.onEvent(durable, event, binding.handler as never, envelope, binding.isolation));
                },
              },
        ),
      );
    }
    const relay = this.outboxRelay;
    if (relay) {
      this.timers.push(setInterval(() => relay.kick(), deps.relayIntervalMs));
      relay.kick();
    }
    const jobs = [...(def.jobs ?? []), ...(this.audit ? [this.audit.pruneJob()] : []), ...(this.idempotency ? [this.idempotency.pruneJob()] : [])];
    if (jobs.length) {
      if (!this.tables) throw new Error(`${def.id}: jobs need a database (the tick lease lives there)`);
      this.scheduler = new Scheduler({
        serviceId: def.id,
        jobs,
        db: this.db,
        tenantDb: (tenant) => this.wallDb(tenant),
        tables: jobTables(def.db!.schema),
        clock: deps.clock,
        log: deps.log,
        instance: deps.instance,
        base: (tenant, job) => this.base(SYSTEM(def.id), tenant, `job:${job}`),
        transaction: (tenant, fn, options) => this.systemTransaction(tenant, fn, options),
        // Per-practice jobs fan out over the kit's agreement view (agreements.ts).
        practices: this.agreementStore,
      });
      this.timers.push(setInterval(() => void this.runDueJobs().catch((e) => deps.log.error({ err: loggableError(e) }, 'scheduler failed')), deps.schedulerIntervalMs));
    }
    for (const t of this.timers) t.unref();
    this.asyncJobs?.start();
    deps.log.info({ operations: this.handlers.size, consumers: this.consumers.length, jobs: def.jobs?.length ?? 0 }, 'service started');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    // A stopping copy claims no further job (nor a retry of the one it is running) while it drains.
    const jobsStopped = this.asyncJobs?.stop();
    await this.served?.stop();
    await Promise.all(this.consumers.map((c) => c.stop()));
    await this.scheduler?.stop();
    await jobsStopped;
    await this.outboxRelay?.idle();
    await this.outboxRelay?.relay().catch((e) => this.deps.log.error({ err: loggableError(e) }, 'final outbox relay failed'));
    this.deps.log.info('service stopped');
  }

  // ---- requests (requests.ts) -----------------------------------------------------------------

  private onRequest(request: BusRequest): Promise<BusReply> {
    // A request starts outside any transaction, also when the in-process bus delivers it from inside one.
    return outsideTransactions(() => handleRequest(this, request));
  }

  txContext(tx: Db, tenant: string | null, onEmit: () => void): TransactionContext {
    // An event is checked and enveloped when it is emitted (a bad payload fails the handler there);
    // its outbox row is written with the commit (transaction.ts, writeAtCommit): nothing reads it back.
    const emit = async (event: EventDef, items: readonly { data: unknown; options?: EmitOptions }[]) => {
      const rows = outboxRows({ tables: this.tables!, service: this.def.id, clock: this.deps.clock, event, items, tenant });
      if (!rows.length) return;
      await writeAtCommit(tx, (commitTx) => sendOutboxRows(commitTx, this.tables!, rows));
      onEmit();
    };
    return {
      db: tx,
      emit: (event, data, options) => emit(event, [{ data, ...(options ? { options } : {}) }]),
      emitMany: (event, items) => emit(event, items),
      write: sendWrite,
    };
  }

  batchDeps(scope: TenantScope, tenant: string | null): PipelinedBatchDeps | undefined {
    const database = this.deps.database;
    if (!this.tables || !canPipeline(database)) return undefined;
    return { database, tables: this.tables, service: this.def.id, clock: this.deps.clock, scope, tenant, onEmit: () => this.kickRelay() };
  }

  /** Whether commit writes leave with the COMMIT (transaction.ts): on PostgreSQL, not on PGlite. */
  get sendWithCommit(): boolean {
    return this.deps.database?.kind === 'postgres';
  }

  // ---- events --------------------------------------------------------------------------------

  kickRelay(): void {
    this.outboxRelay?.kick();
  }

  /** Publishes the outbox in commit order per practice and prunes when due (outbox.ts). Concurrent calls coalesce. */
  relay(): Promise<void> {
    return this.outboxRelay?.relay() ?? Promise.resolve();
  }

  private async onEvent(durable: string, event: EventDef, handler: (e: EventEnvelope, ctx: ConsumerContext) => Promise<void>, envelope: EventEnvelope, isolation?: Isolation, flush?: (ctx: ConsumerContext) => Promise<void>): Promise<void> {
    assertValid(event.data, envelope.data, `${event.type} event`);
    const tenant = envelope.tenantid ?? null;
    if (!this.tables) {
      const noOutbox = async () => {
        throw new Error(`${this.def.id} has no outbox`);
      };
      const noDatabase = () => {
        throw new Error(`${this.def.id} has no database`);
      };
      const ctx: ConsumerContext = { ...this.base(SYSTEM(this.def.id), tenant, `event:${event.type}`), tenant, db: undefined as unknown as Db, emit: noOutbox, emitMany: noOutbox, write: noDatabase };
      await handler(envelope, ctx);
      await flush?.(ctx);
      return;
    }
    let emitted = false;
    const bind = (tx: Db) => this.txContext(tx, tenant, () => (emitted = true));
    // The event's practice's agreement is looked up before the transaction, where tenancy can be asked (agreements.ts).
    const agreements = await this.agreementStore?.forEvent(envelope);
    // The inbox record, the handler's effects and its events commit together; a retry re-runs all three.
    await openTransaction({ db: this.db, tenant, bind, sendWithCommit: this.sendWithCommit }, async (txc) => {
      if (!(await recordInInbox(txc.db, this.tables!, durable, envelope.id, this.deps.clock))) return; // handled before: the effect is already committed
      const ctx: ConsumerContext = { ...this.base(SYSTEM(this.def.id), tenant, `event:${event.type}`), ...(agreements ? { agreements } : {}), ...txc, tenant };
      await handler(envelope, ctx);
      await flush?.(ctx);
    }, isolation ? { isolation } : {});
    if (emitted) this.kickRelay();
  }

  /**
   * A batch of deliveries of one consumer in one transaction: one inbox insert for every id (ids
   * seen before, or twice in the batch, run nothing), then each new event's handler in stream order,
   * scoped to its own practice, then one commit. When anything fails the batch rolls back and its
   * events run one per transaction, so only the failing one is nak'd.
   */
  private async onEventBatch(durable: string, binding: ConsumerBinding, delivered: DeliveredEvent[]): Promise<EventOutcome[]> {
    const outcomes: EventOutcome[] = delivered.map(() => 'ack');
    const items: BatchItem[] = [];
    delivered.forEach((d, index) => {
      try {
        const envelope = decodeJson<EventEnvelope>(d.data);
        const event = takenBy(binding, envelope);
        if (!event) return; // another event of the producer: acknowledged, nothing runs
        assertValid(event.data, envelope.data, `${event.type} event`);
        items.push({ index, event, delivered: d, envelope, tenant: envelope.tenantid ?? null });
      } catch (error) {
        outcomes[index] = { error };
      }
    });
    const alone = async (item: BatchItem) => {
      try {
        await withEventSpan(item.delivered, durable, () => this.onEvent(durable, item.event, binding.handler as never, item.envelope, binding.isolation, flushOf(binding)));
      } catch (error) {
        outcomes[item.index] = { error };
      }
    };
    if (!this.tables || items.length < 2) {
      for (const item of items) await alone(item);
      return outcomes;
    }
    try {
      await this.handleBatch(durable, binding, items);
    } catch (error) {
      this.deps.log.debug({ durable, events: items.length, err: loggableError(error) }, 'event batch failed; handling its events one at a time');
      for (const item of items) await alone(item);
    }
    return outcomes;
  }

  private async handleBatch(durable: string, binding: ConsumerBinding, items: BatchItem[]): Promise<void> {
    const { handler, isolation } = binding;
    const flushFn = flushOf(binding);
    // Agreements are looked up before the transaction (see onEvent), once per practice of the batch.
    const views = new Map<string | null, AgreementView | undefined>();
    for (const item of items) {
      if (!views.has(item.tenant)) views.set(item.tenant, await this.agreementStore?.forEvent(item.envelope));
    }
    let emitted = false;
    const first = items[0]!.tenant;
    await openTransaction({ db: this.db, tenant: first, bind: (tx) => this.txContext(tx, first, () => (emitted = true)), sendWithCommit: this.sendWithCommit }, async (txc) => {
      const fresh = await recordManyInInbox(txc.db, this.tables!, durable, items.map((i) => i.envelope.id), this.deps.clock);
      // The transaction opened scoped to the first event's practice. Each handler sees its own
      // practice only: the scope is set again when the practice changes or anything widened it since.
      let scope = first;
      let changes = scopeChangeCount();
      // The batch's flush runs at the end of each run of one practice's events, still in its scope.
      let last: { own: TransactionContext; ctx: ConsumerContext } | undefined;
      const flush = async () => {
        if (!flushFn || !last) return;
        if (scopeChangeCount() !== changes) await applyTenant(txc.db, scope);
        const { own, ctx } = last;
        last = undefined;
        await withTransactionContext(own, () => flushFn(ctx));
        changes = scopeChangeCount();
      };
      for (const item of items) {
        const id = item.envelope.id;
        if (!fresh.delete(id)) continue; // handled before, or a repeat within this batch
        if (item.tenant !== scope) await flush();
        if (item.tenant !== scope || scopeChangeCount() !== changes) {
          await applyTenant(txc.db, item.tenant);
          scope = item.tenant;
        }
        changes = scopeChangeCount();
        const own = this.txContext(txc.db, item.tenant, () => (emitted = true));
        const agreements = views.get(item.tenant);
        const ctx: ConsumerContext = { ...this.base(SYSTEM(this.def.id), item.tenant, `event:${item.event.type}`), ...(agreements ? { agreements } : {}), ...own, tenant: item.tenant };
        await withEventSpan(item.delivered, durable, () => withTransactionContext(own, () => handler(item.envelope, ctx)));
        last = { own, ctx };
      }
      await flush();
    }, isolation ? { isolation } : {});
    if (emitted) this.kickRelay();
  }

  // ---- jobs ----------------------------------------------------------------------------------

  /** Runs the jobs due at the clock's time (scheduler.ts). */
  runDueJobs(): Promise<void> {
    if (this.stopping || !this.scheduler) return Promise.resolve();
    return this.scheduler.runDue();
  }

  /** A transaction for work the service does on its own behalf (jobs), with its events relayed after commit. */
  async systemTransaction<T>(tenant: string | null, fn: (tx: TransactionContext) => Promise<T>, options?: TransactionOptions): Promise<T> {
    let emitted = false;
    const bind = (tx: Db) => this.txContext(tx, tenant, () => (emitted = true));
    const result = await openTransaction({ db: this.db, tenant, bind, sendWithCommit: this.sendWithCommit }, fn, options);
    if (emitted) this.kickRelay();
    return result;
  }
}

export { compileSchema };
