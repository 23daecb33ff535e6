import {
  busHeaders,
  ProblemError,
  type InputOf,
  type Operation,
  type OutputOf,
  type Principal,
  type RawBody,
} from '@mso/contracts';
import type { BusReply, BusRequest, KeyValue, ServiceStatus } from '@mso/bus';
import { ALL_PRACTICES, type TenantScope } from '@mso/db';
import type { Logger } from '@mso/telemetry';
import { acrossPractices, widened, type AcrossPractices, type AcrossPracticesAudit } from './tenant-wall.js';
import { decodePrincipal, problemReply } from './codec.js';
import { decodeRequest, encodeReply } from './raw.js';
import { reportProgress, type AsyncJobRunner, type JobCall } from './jobs.js';
import { assertValid } from './validation.js';
import { isTenantWallRefusal, loggableError } from './errors.js';
import { currentTransaction, openTransaction, outsideTransactions, type TransactionOptions } from './transaction.js';
import { requireIdempotencyKey, type IdempotencyRecords } from './idempotency.js';
import type { Agreement, AgreementStore } from './agreements.js';
import { withAuditRecord, type PhiAudit } from './audit.js';
import type { CallOptions, Db, HandlerBinding, HandlerContext, ServiceDefinition, SharedContext, TransactionContext, WriteBatch } from './service.js';
import { runWriteBatch, type PipelinedBatchDeps } from './write-batch.js';

/**
 * The service side of an operation call, top to bottom: who calls and for which practice, the input,
 * the idempotency key, then the handler (or, for `async` operations, a job), its PHI audit record and
 * the reply. The host (host.ts) owns the pieces named here; this file only uses them.
 */
export interface RequestRuntime {
  readonly def: ServiceDefinition;
  readonly deps: { readonly log: Logger; readonly validateOutput: boolean; readonly database: unknown };
  readonly handlers: ReadonlyMap<string, HandlerBinding>;
  readonly idempotency: IdempotencyRecords | undefined;
  readonly asyncJobs: AsyncJobRunner | undefined;
  readonly audit: PhiAudit | undefined;
  readonly acrossPracticesAudit: AcrossPracticesAudit;
  readonly agreementStore: AgreementStore | undefined;
  /** The root handle (the kit's own tables, transactions). */
  readonly db: Db;
  /** What service code reads through: behind the tenant wall, scoped to `scope`. */
  wallDb(scope: TenantScope): Db;
  /** The parts of every context that are the same for all requests. */
  shared(): SharedContext;
  /** `ctx.call` as `principal`, for `tenant` unless the options name another practice. */
  call<Op extends Operation>(principal: Principal, tenant: string | null, op: Op, input: InputOf<Op>, options?: CallOptions): Promise<OutputOf<Op>>;
  txContext(tx: Db, tenant: string | null, onEmit: () => void): TransactionContext;
  /** Whether commit writes leave with the COMMIT (transaction.ts). */
  readonly sendWithCommit: boolean;
  kickRelay(): void;
  /** What a pipelined `ctx.writeBatch` needs (write-batch.ts); undefined where it cannot be pipelined. */
  batchDeps(scope: TenantScope, tenant: string | null): PipelinedBatchDeps | undefined;
  systemTransaction<T>(tenant: string | null, fn: (tx: TransactionContext) => Promise<T>, options?: TransactionOptions): Promise<T>;
}

export async function handleRequest(rt: RequestRuntime, request: BusRequest): Promise<BusReply> {
  const binding = rt.handlers.get(request.subject);
  try {
    if (!binding) throw new ProblemError('not-found', `no operation ${request.subject}`);
    const op = binding.operation;
    const principal = decodePrincipal(request.headers[busHeaders.principal]);
    if (!principal) throw new ProblemError('unauthorized', 'request carries no principal');
    const tenant = request.headers[busHeaders.tenant] || null;
    checkAccess(op, principal, tenant);
    const { input: rawInput, body } = decodeRequest(op, request);
    const input = assertValid<object>(op.input, rawInput);
    const idempotencyKey = request.headers[busHeaders.idempotencyKey] || undefined;
    requireIdempotencyKey(op, idempotencyKey);
    if (op.async && rt.asyncJobs && (op.asyncAboveBytes === undefined || (body?.bytes.byteLength ?? 0) > op.asyncAboveBytes)) {
      // Long work: answered at once with 202 and the job; a copy's runner runs the handler (jobs.ts).
      const jobs = rt.asyncJobs;
      // A raw body is kept with the job (jobs.ts), and is part of the submit's idempotency fingerprint.
      const submit = (markCommitted?: (tx: Db) => Promise<void>) => jobs.submit({ op, input, ...(body ? { body } : {}), principal, tenant }, markCommitted).catch((error: unknown) => failureReply(rt, binding, request, error));
      if (idempotencyKey && rt.idempotency) return await rt.idempotency.run({ op, tenant, key: idempotencyKey, input, ...(body ? { body } : {}) }, submit);
      return await submit();
    }
    const status = op.http?.status ?? 200;
    if (idempotencyKey && !op.readOnly && rt.idempotency) {
      // The first reply is stored, problems included (idempotency.ts decides which are kept).
      return await rt.idempotency.run({ op, tenant, key: idempotencyKey, input, ...(body ? { body } : {}) }, async (markCommitted) => {
        try {
          const answer = await invoke(rt, binding, input, principal, tenant, idempotencyKey, markCommitted, body);
          return encodeReply(op, answer.output, answer.status ?? status);
        } catch (error) {
          return failureReply(rt, binding, request, error);
        }
      });
    }
    const answer = await invoke(rt, binding, input, principal, tenant, idempotencyKey, undefined, body);
    return encodeReply(op, answer.output, answer.status ?? status);
  } catch (error) {
    return failureReply(rt, binding, request, error);
  }
}

async function failureReply(rt: RequestRuntime, binding: HandlerBinding | undefined, request: BusRequest, error: unknown): Promise<BusReply> {
  const problem = toProblem(rt, error, request.subject);
  // A refused or failed PHI access is recorded in a transaction of its own (the attempt's rolled back).
  if (binding?.operation.phi && rt.audit) await rt.audit.recordRefused(binding.operation, request, problem, (tenant, fn) => rt.systemTransaction(tenant, fn), rt.deps.log);
  return problemReply(problem.toProblem());
}

function toProblem(rt: RequestRuntime, error: unknown, where: string): ProblemError {
  if (error instanceof ProblemError) return error;
  // Another practice's row behind the tenant wall: as a missing one (never a 500 that tells it exists).
  if (isTenantWallRefusal(error)) return new ProblemError('not-found', 'not found');
  rt.deps.log.error({ err: loggableError(error), subject: where }, 'operation failed');
  return new ProblemError('internal', 'the service failed to handle the request');
}

/** A handler's answer: its output, and the 2xx status it chose with `ctx.status` (else the contract's). */
export interface Invocation {
  output: unknown;
  status: number | undefined;
}

export async function invoke(rt: RequestRuntime, binding: HandlerBinding, input: object, principal: Principal, tenant: string | null, idempotencyKey: string | undefined, beforeCommit: ((tx: Db) => Promise<void>) | undefined, body?: RawBody): Promise<Invocation> {
  const ctx = new RequestContext(rt, binding, input, principal, tenant, idempotencyKey, beforeCommit, body);
  const output = await binding.handler(input as never, ctx);
  // A raw response is checked against its declared media types when it is encoded (raw.ts).
  if (rt.deps.validateOutput && !binding.operation.http?.response) assertValid(binding.operation.output, output, `${binding.operation.subject} output`);
  // A read with no transaction of its own: recorded before the reply leaves (a failure to record fails the request).
  const audit = ctx.audit;
  if (audit && !ctx.audited) await rt.systemTransaction(tenant, (tx) => audit.record(tx, ctx.attempt, { output }));
  return { output, status: ctx.chosenStatus };
}

/**
 * A handler's `ctx`: one object per request with its state in fields and its methods on the
 * prototype. (An object literal of closures and getters, as this was, cost about 30 closures per
 * request, and requests in flight are what a young-generation collection copies: `pnpm bench`.)
 */
class RequestContext implements HandlerContext {
  readonly service: HandlerContext['service'];
  readonly clock: HandlerContext['clock'];
  readonly log: HandlerContext['log'];
  readonly agreements: HandlerContext['agreements'];
  readonly staff: HandlerContext['staff'];
  /** PHI access audit (audit.ts): a record in each outermost transaction the handler opens, with its effect. */
  readonly audit: PhiAudit | undefined;
  readonly attempt: { operation: Operation; principal: Principal; tenant: string | null; input: object };
  /** Whether a transaction of the handler's carried the audit record. */
  audited = false;
  /** The 2xx status the handler chose with `status()`, else the contract's. */
  chosenStatus: number | undefined;
  private emitted = false;
  private agreementRead: Promise<Agreement> | undefined;
  private root: Db | undefined;

  constructor(
    private readonly rt: RequestRuntime,
    private readonly binding: HandlerBinding,
    input: object,
    readonly principal: Principal,
    readonly tenant: string | null,
    readonly idempotencyKey: string | undefined,
    private readonly beforeCommit: ((tx: Db) => Promise<void>) | undefined,
    readonly body: RawBody | undefined,
  ) {
    const shared = rt.shared();
    this.service = shared.service;
    this.clock = shared.clock;
    this.log = shared.log;
    this.agreements = shared.agreements;
    this.staff = shared.staff;
    this.audit = binding.operation.phi ? rt.audit : undefined;
    this.attempt = { operation: binding.operation, principal, tenant, input };
  }

  get practiceId(): string {
    if (!this.tenant) throw new ProblemError('forbidden', 'this operation acts for a practice: name it with X-Practice-Id');
    return this.tenant;
  }

  call<Op extends Operation>(op: Op, input: InputOf<Op>, options?: CallOptions): Promise<OutputOf<Op>> {
    return this.rt.call(this.principal, this.tenant, op, input, options);
  }

  kv(bucket: string): Promise<KeyValue> {
    return this.rt.shared().kv(bucket);
  }

  runningServices(): Promise<ServiceStatus[]> {
    return this.rt.shared().runningServices();
  }

  progress(done: number, total: number): void {
    reportProgress(done, total);
  }

  status(code: number): void {
    const http = this.binding.operation.http;
    if (!http || (code !== (http.status ?? 200) && !http.statuses?.includes(code))) throw new Error(`${this.binding.operation.subject} declares no success status ${code} (http.statuses)`);
    this.chosenStatus = code;
  }

  get agreement(): Promise<Agreement> {
    const store = this.rt.agreementStore;
    if (!store) return Promise.reject(new Error('declare `agreements: true` in defineService to read ctx.agreement'));
    return (this.agreementRead ??= store.require(this.practiceId));
  }

  // Inside the handler's transaction, reads see its writes.
  get db(): Db {
    return currentTransaction()?.db ?? (this.root ??= this.rt.deps.database ? this.rt.wallDb(this.tenant) : (undefined as unknown as Db));
  }

  async transaction<T>(fn: (tx: TransactionContext) => Promise<T>, options?: TransactionOptions): Promise<T> {
    const { rt, tenant, audit, beforeCommit } = this;
    // The request's agreement is read before its first transaction: inside one, tenancy cannot be asked (agreements.ts).
    if (rt.agreementStore && tenant && !currentTransaction()) await this.agreement.catch(() => undefined);
    const bind = (tx: Db) => rt.txContext(tx, tenant, () => (this.emitted = true));
    const work: typeof fn = audit && !currentTransaction() ? async (tx) => withAuditRecord(audit, tx, this.attempt, await fn(tx), () => (this.audited = true)) : fn;
    const result = await openTransaction({ db: rt.db, tenant, bind, sendWithCommit: rt.sendWithCommit, ...(beforeCommit ? { beforeCommit } : {}) }, work, options);
    if (this.emitted) rt.kickRelay();
    return result;
  }

  writeBatch(fn: (batch: WriteBatch) => void): Promise<void> {
    return this.batch(this.tenant, fn, (work) => this.transaction(work));
  }

  // MSO-wide work of a request joins the request's transaction (idempotency, audit), widened.
  acrossPractices<T>(reason: string, fn: (all: AcrossPractices) => Promise<T>): Promise<T> {
    const { rt, tenant } = this;
    const transaction = <R>(work: (tx: TransactionContext) => Promise<R>, options?: TransactionOptions) => this.transaction((tx) => widened(tx, tenant, work), options);
    return acrossPractices(
      {
        service: rt.def.id,
        principal: this.principal,
        log: rt.deps.log,
        activity: this.binding.operation.subject,
        audit: rt.acrossPracticesAudit,
        db: () => rt.wallDb(ALL_PRACTICES),
        transaction,
        writeBatch: (batch) => this.batch(ALL_PRACTICES, batch, (work) => transaction(work)),
      },
      reason,
      fn,
    );
  }

  // Pipelined where the request's transaction would carry nothing else (its idempotency record, a PHI
  // audit record), else the same body in `transaction`, the request's own.
  private batch(scope: TenantScope, fn: (batch: WriteBatch) => void, transaction: (work: (tx: TransactionContext) => Promise<void>) => Promise<void>): Promise<void> {
    return runWriteBatch(this.beforeCommit || this.audit ? undefined : this.rt.batchDeps(scope, this.tenant), transaction, fn);
  }
}

/** An async operation's handler and its job's final update, in one transaction (nested ones become savepoints). */
export async function runJobCall(rt: RequestRuntime, job: JobCall, finish: (tx: Db, output: unknown) => Promise<void>): Promise<void> {
  const binding = rt.handlers.get(job.operation);
  if (!binding) throw new ProblemError('not-found', `no operation ${job.operation}`);
  await outsideTransactions(() =>
    rt.systemTransaction(job.tenant, async (tx) => {
      const { output } = await invoke(rt, binding, job.input, job.principal, job.tenant, undefined, undefined, job.body);
      await finish(tx.db, output);
    }),
  );
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
