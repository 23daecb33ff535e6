import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { and, desc, eq, getTableColumns, inArray, lt, or, sql } from 'drizzle-orm';
import { busHeaders, ProblemError, type AsyncJob, type Operation, type Principal, type Problem, type RawBody } from '@mso/contracts';
import type { BusReply } from '@mso/bus';
import type { Logger } from '@mso/telemetry';
import type { Clock } from './clock.js';
import { encodeJson } from './codec.js';
import { loggableError } from './errors.js';
import { CoalescedRun } from './coalesce.js';
import { decodeCursor, paginate } from './pagination.js';
import { runInTransaction } from './transaction.js';
import type { JobTables } from './job-tables.js';
import type { Db, TransactionContext } from './service.js';

type JobRow = JobTables['asyncJobs']['$inferSelect'];
/** A job as its resource shows it: everything but the raw body (read only by the copy that runs the job). */
type JobResourceRow = Omit<JobRow, 'body' | 'bodyMediaType'>;

/** What a job runs: the call as it was submitted. */
export interface JobCall {
  operation: string;
  input: object;
  /** The raw body of an operation that declares `http.body`, byte for byte as submitted. */
  body?: RawBody;
  principal: Principal;
  tenant: string | null;
}

export interface AsyncJobSettings {
  /** Real time a running job's lease lasts without a heartbeat; a copy that dies leaves its jobs after this. */
  leaseMs: number;
  /** Runs per job before it is failed (a run is started again only when its copy died or a bug threw). */
  maxAttempts: number;
  /** How often a copy looks for jobs (besides right after a submit). */
  pollMs: number;
}

export const defaultAsyncJobSettings: AsyncJobSettings = { leaseMs: 30_000, maxAttempts: 3, pollMs: 1_000 };

export interface AsyncJobDeps {
  serviceId: string;
  db: Db;
  table: JobTables['asyncJobs'];
  clock: Clock;
  log: Logger;
  instance: string;
  settings: AsyncJobSettings;
  /**
   * Runs the operation's handler in ONE transaction, calling `finish` inside it before commit: the
   * handler's effects and the job's final state commit together, or neither does.
   */
  execute(job: JobCall, finish: (tx: Db, output: unknown) => Promise<void>): Promise<void>;
  /** A kit transaction with an outbox (the failed state and its audit record commit together). */
  transaction<T>(tenant: string | null, fn: (tx: TransactionContext) => Promise<T>): Promise<T>;
  /** Runs in the transaction that marks a job failed (the PHI audit records the failed outcome, audit.ts). */
  onFailed?(tx: TransactionContext, job: JobCall, problem: ProblemError): Promise<void>;
}

export interface SubmitRequest {
  op: Operation;
  input: object;
  body?: RawBody;
  principal: Principal;
  tenant: string | null;
}

/** Lets `ctx.progress` find the job its handler runs for (no-op outside one). */
const currentJob = new AsyncLocalStorage<{ report(done: number, total: number): void }>();

/** `ctx.progress(done, total)`: records progress of the async job the caller runs in; elsewhere does nothing. */
export function reportProgress(done: number, total: number): void {
  currentJob.getStore()?.report(done, total);
}

class LeaseLost extends Error {
  constructor() {
    super('another copy took over this job (its lease expired)');
  }
}

/**
 * Async operations: a call becomes a job row (`queued`), answered at once with 202 and its resource;
 * copies of the service claim queued jobs (and jobs whose copy's lease expired) and run the handler.
 * A job is run from the start on every attempt, so nothing of a dead copy's run is kept.
 */
export class AsyncJobRunner {
  private readonly loop = new CoalescedRun(() => this.drain(), () => !this.stopping);
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  /** The columns of a job's resource: polls and lists never read a (possibly 50 MiB) body. */
  private readonly resourceColumns;

  constructor(private readonly deps: AsyncJobDeps) {
    const { body: _body, bodyMediaType: _mediaType, ...columns } = getTableColumns(deps.table);
    this.resourceColumns = columns;
  }

  start(): void {
    this.timer = setInterval(() => this.kick(), this.deps.settings.pollMs);
    this.timer.unref();
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.loop.idle();
  }

  kick(): void {
    if (this.stopping) return;
    void this.loop.run().catch((e) => this.deps.log.error({ err: loggableError(e) }, 'async job runner failed'));
  }

  /**
   * Records the call as a queued job and answers 202 with the job and its `Location`.
   *
   * A raw body is kept in the job row (`bytea`), not in the bus object store by reference: the row and
   * its bytes commit together with the submit (and its idempotency record), so no copy can find a job
   * whose body is missing or leave an object nobody deletes; every copy, and embedded mode, reads it
   * the same way; and the body is cleared by the same update that ends the job. Bodies are at most the
   * operation's `maxBytes` (50 MiB for X12), stored out of line by PostgreSQL (TOAST) and never read by
   * polls. A service that must keep a file keeps its own copy; the job row does not.
   */
  async submit(request: SubmitRequest, beforeCommit?: (tx: Db) => Promise<void>): Promise<BusReply> {
    const now = this.deps.clock.now();
    const row = await runInTransaction(this.deps.db, { tenant: request.tenant }, async (tx) => {
      const [created] = await tx
        .insert(this.deps.table)
        .values({
          id: randomUUID(),
          practiceId: request.tenant,
          operation: request.op.subject,
          input: request.input,
          ...(request.body ? { body: request.body.bytes, bodyMediaType: request.body.mediaType } : {}),
          principal: request.principal,
          status: 'queued',
          createdAt: now,
          updatedAt: now,
        })
        .returning(this.resourceColumns);
      await beforeCommit?.(tx);
      return created!;
    });
    this.kick();
    return {
      data: encodeJson(toResource(row)),
      headers: { [busHeaders.status]: '202', [busHeaders.location]: `/v1/${this.deps.serviceId}/jobs/${row.id}` },
    };
  }

  /** The job, if it belongs to `tenant` (another practice's job is not found, as a missing one). */
  async get(id: string, tenant: string | null): Promise<AsyncJob> {
    const t = this.deps.table;
    const [row] = await this.deps.db
      .select(this.resourceColumns)
      .from(t)
      .where(and(eq(t.id, id), tenant === null ? sql`${t.practiceId} is null` : eq(t.practiceId, tenant)));
    if (!row) throw new ProblemError('not-found', 'no such job');
    return toResource(row);
  }

  /** The practice's jobs, newest first, in keyset pages. */
  async list(tenant: string, page: { limit?: number; cursor?: string }): Promise<{ items: AsyncJob[]; nextCursor: string | null }> {
    const t = this.deps.table;
    const limit = page.limit ?? 50;
    const after = decodeCursor(page.cursor);
    const rows = await this.deps.db
      .select(this.resourceColumns)
      .from(t)
      .where(and(eq(t.practiceId, tenant), after ? sql`(${t.createdAt}, ${t.id}) < (${after.createdAt}::timestamptz, ${after.id}::uuid)` : undefined))
      .orderBy(desc(t.createdAt), desc(t.id))
      .limit(limit + 1);
    return paginate(rows, limit, toResource);
  }

  // ---- running -------------------------------------------------------------------------------

  private async drain(): Promise<void> {
    while (!this.stopping) {
      const job = await this.claim();
      if (!job) return;
      await this.run(job);
    }
  }

  /** Takes the oldest job nobody holds: queued, or running under a lease that expired (its copy died). */
  private async claim(): Promise<JobRow | undefined> {
    const t = this.deps.table;
    const now = this.deps.clock.now();
    const rows = await runInTransaction(this.deps.db, { tenant: null }, async (tx) => {
      const [open] = await tx
        .select({ id: t.id })
        .from(t)
        .where(and(inArray(t.status, ['queued', 'running']), or(sql`${t.leaseUntil} is null`, lt(t.leaseUntil, sql`now()`))))
        .orderBy(t.createdAt, t.id)
        .limit(1)
        .for('update', { skipLocked: true });
      if (!open) return [];
      return tx
        .update(t)
        .set({
          status: 'running',
          leaseOwner: this.deps.instance,
          leaseUntil: this.leaseFromNow(),
          attempts: sql`${t.attempts} + 1`,
          startedAt: sql`coalesce(${t.startedAt}, ${now.toISOString()}::timestamptz)`,
          updatedAt: now,
          // Every run starts from the beginning: so does its progress.
          progressDone: 0,
          progressTotal: 0,
        })
        .where(eq(t.id, open.id))
        .returning();
    });
    return rows[0];
  }

  private leaseFromNow() {
    // Leases are real time (the database's clock): they measure whether a copy is alive, not business time.
    return sql`now() + ${`${this.deps.settings.leaseMs} milliseconds`}::interval`;
  }

  private async run(job: JobRow): Promise<void> {
    const t = this.deps.table;
    const mine = and(eq(t.id, job.id), eq(t.leaseOwner, this.deps.instance), eq(t.attempts, job.attempts), eq(t.status, 'running'));
    const call: JobCall = {
      operation: job.operation,
      input: job.input as object,
      ...(job.body && job.bodyMediaType ? { body: { mediaType: job.bodyMediaType, bytes: new Uint8Array(job.body.buffer, job.body.byteOffset, job.body.byteLength) } } : {}),
      principal: job.principal as Principal,
      tenant: job.practiceId,
    };
    if (job.attempts > this.deps.settings.maxAttempts) {
      await this.fail(call, mine, new ProblemError('internal', `the job was given up after ${job.attempts - 1} runs that did not finish`));
      return;
    }
    const heartbeat = new Heartbeat(this.deps, job, mine, () => this.leaseFromNow());
    try {
      await currentJob.run({ report: (done, total) => heartbeat.progress(done, total) }, () =>
        this.deps.execute(call, async (tx, output) => {
            const now = this.deps.clock.now();
            const done = await tx
              .update(t)
              // The body goes with the job's end: the table keeps no files.
              .set({ status: 'succeeded', result: output ?? null, body: null, bodyMediaType: null, leaseOwner: null, leaseUntil: null, updatedAt: now, finishedAt: now, ...heartbeat.completed() })
              .where(mine)
              .returning({ id: t.id });
            // The lease went to another copy: roll this run's effects back; that copy's run counts.
            if (done.length === 0) throw new LeaseLost();
          }),
      );
    } catch (error) {
      if (error instanceof LeaseLost) {
        this.deps.log.warn({ job: job.id }, 'async job lease lost; another copy runs it');
      } else if (error instanceof ProblemError) {
        // The handler's answer (e.g. 422): final, like a synchronous reply.
        await this.fail(call, mine, error);
      } else {
        this.deps.log.error({ err: loggableError(error), job: job.id, operation: job.operation, attempt: job.attempts }, 'async job run failed');
        if (job.attempts >= this.deps.settings.maxAttempts) await this.fail(call, mine, new ProblemError('internal', 'the job failed'));
        else await this.requeue(mine);
      }
    } finally {
      await heartbeat.stop();
    }
  }

  /**
   * Marks the job failed, clears its body and, for a PHI operation, records the failed outcome: in a
   * transaction of their own (the run's effects rolled back), so the record exists exactly when the
   * job shows `failed`. Not when another copy holds the job now: its run decides.
   */
  private async fail(call: JobCall, mine: ReturnType<typeof and>, problem: ProblemError): Promise<void> {
    const now = this.deps.clock.now();
    await this.deps.transaction(call.tenant, async (tx) => {
      const failed = await tx.db
        .update(this.deps.table)
        .set({ status: 'failed', problem: problem.toProblem(), body: null, bodyMediaType: null, leaseOwner: null, leaseUntil: null, updatedAt: now, finishedAt: now })
        .where(mine)
        .returning({ id: this.deps.table.id });
      if (failed.length > 0) await this.deps.onFailed?.(tx, call, problem);
    });
  }

  private async requeue(mine: ReturnType<typeof and>): Promise<void> {
    await this.deps.db
      .update(this.deps.table)
      .set({ status: 'queued', leaseOwner: null, leaseUntil: null, updatedAt: this.deps.clock.now() })
      .where(mine);
  }
}

/**
 * Keeps a running job's lease and writes its progress, outside the job's transaction (so others see
 * it while the job runs). At most one write at a time; the latest progress wins.
 */
class Heartbeat {
  private latest: { done: number; total: number } | undefined;
  private reported: { done: number; total: number } | undefined;
  private writing: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly deps: AsyncJobDeps,
    private readonly job: JobRow,
    private readonly mine: ReturnType<typeof and>,
    private readonly lease: () => ReturnType<typeof sql>,
  ) {
    this.timer = setInterval(() => this.flush(), Math.max(50, Math.floor(deps.settings.leaseMs / 3)));
    this.timer.unref();
  }

  progress(done: number, total: number): void {
    if (!Number.isInteger(done) || !Number.isInteger(total) || done < 0 || total < 0) throw new Error('progress takes whole numbers done and total, >= 0');
    this.latest = this.reported = { done: Math.min(done, total), total };
    if (!this.writing) this.flush();
  }

  /** The progress of a finished job: all of the last total reported (written with the outcome, not by a late heartbeat). */
  completed(): { progressDone: number; progressTotal: number } {
    const total = this.reported?.total ?? 0;
    return { progressDone: total, progressTotal: total };
  }

  private flush(): void {
    if (this.stopped || this.writing) return;
    const update = this.latest;
    this.latest = undefined;
    this.writing = this.deps.db
      .update(this.deps.table)
      .set({ leaseUntil: this.lease(), updatedAt: this.deps.clock.now(), ...(update ? { progressDone: update.done, progressTotal: update.total } : {}) })
      .where(this.mine)
      .then(
        () => undefined,
        (error: unknown) => this.deps.log.warn({ err: loggableError(error), job: this.job.id }, 'async job heartbeat failed'),
      )
      .finally(() => {
        this.writing = undefined;
        if (this.latest && !this.stopped) this.flush();
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.writing;
  }
}

function toResource(row: JobResourceRow): AsyncJob {
  return {
    id: row.id,
    kind: 'async',
    operation: row.operation,
    status: row.status,
    progress: { done: row.progressDone, total: row.progressTotal },
    ...(row.status === 'succeeded' ? { result: row.result } : {}),
    ...(row.status === 'failed' && row.problem ? { problem: row.problem as Problem } : {}),
    attempts: row.attempts,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}
