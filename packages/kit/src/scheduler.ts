import { Cron } from 'croner';
import { and, eq, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { ProblemError } from '@mso/contracts';
import type { Agreement } from '@mso/contracts/tenancy';
import type { Logger } from '@mso/telemetry';
import { parseInterval, type Clock } from './clock.js';
import { isValidTimeZone } from './calendar.js';
import { loggableError } from './errors.js';
import { CoalescedRun } from './coalesce.js';
import type { JobTables } from './job-tables.js';
import type { BaseContext, Db, JobDefinition, TransactionContext } from './service.js';
import type { TransactionOptions } from './transaction.js';

/** Where per-practice jobs find their practices and time zones (the kit's agreement view). */
export interface PracticeDirectory {
  list(): Promise<Agreement[]>;
}

export interface SchedulerDeps {
  serviceId: string;
  jobs: readonly JobDefinition[];
  /** The kit's own bookkeeping (leases, run status): the owner's handle. */
  db: Db;
  /** What a run's `ctx.db` is: behind the tenant wall, scoped to the run's practice (or none). */
  tenantDb(tenant: string | null): Db;
  tables: JobTables;
  clock: Clock;
  log: Logger;
  instance: string;
  /** The context every run gets, as the service's system principal acting for `tenant`. */
  /** The context of a run of `job` (its MSO-wide reads are recorded under the job's name). */
  base(tenant: string | null, job: string): BaseContext;
  /** The kit's one way to open a transaction for `tenant` (outbox and relay included). */
  transaction<T>(tenant: string | null, fn: (tx: TransactionContext) => Promise<T>, options?: TransactionOptions): Promise<T>;
  practices?: PracticeDirectory | undefined;
}

/** What `GET /v1/<service>/jobs?kind=scheduled` shows for one job key. No error messages: they can hold PHI. */
export interface ScheduledJobStatus {
  job: string;
  practiceId: string | null;
  schedule: string;
  timeZone: string | null;
  lastRunAt: string | null;
  lastSuccessAt: string | null;
  consecutiveFailures: number;
  lastErrorCode: string | null;
  nextRunAt: string | null;
  /** A fire time that failed and waits for its retry. */
  retrying: boolean;
}

export interface JobRunOutcome {
  job: string;
  practiceId: string | null;
  tick: Date;
  ok: boolean;
  errorCode?: string;
  error?: unknown;
}

/** Real time a claimed run may hold its lease beyond its timeout before another copy may take it. */
const LEASE_GRACE_MS = 30_000;
const MAX_BACKOFF_MS = 3_600_000;

export interface Schedule {
  /** The first fire strictly after `after`. */
  next(after: Date): Date | null;
  /** The latest fire at or before `atOrBefore`, found without walking the fires before it. */
  latest(atOrBefore: Date): Date | null;
  /** Where the cursor starts for a job key seen for the first time (its first fire is `next` of it). */
  initialCursor(now: Date): Date;
}

/** Interval fires sit on multiples of the interval since the epoch, so every copy agrees on them. */
export function everySchedule(every: string): Schedule {
  const ms = parseInterval(every);
  return {
    next: (after) => new Date((Math.floor(after.getTime() / ms) + 1) * ms),
    latest: (atOrBefore) => new Date(Math.floor(atOrBefore.getTime() / ms) * ms),
    // An interval job runs for the tick it starts in (as it always has).
    initialCursor: (now) => new Date(Math.floor(now.getTime() / ms) * ms - 1),
  };
}

export function cronSchedule(pattern: string, timeZone: string): Schedule {
  const cron = new Cron(pattern, { timezone: timeZone, paused: true });
  return {
    next: (after) => cron.nextRun(after),
    // croner searches backwards field by field (DST-aware) for runs strictly before its reference;
    // 1 ms later makes a fire exactly at `atOrBefore` count.
    latest: (atOrBefore) => cron.previousRuns(1, new Date(atOrBefore.getTime() + 1))[0] ?? null,
    // A cron job first fires at its next fire time: a monthly run is not run because a copy started mid-month.
    initialCursor: (now) => now,
  };
}

/** Bounds the forward check after the backward search (normally one step: the search is exact). */
const MAX_FORWARD_CHECK = 100;

/**
 * The latest fire time after the cursor that is not in the future: missed earlier ones collapse into
 * it, however long the gap (a copy-less long weekend is thousands of 1-minute fires).
 */
export function dueFire(schedule: Schedule, cursor: Date, now: Date): Date | null {
  const first = schedule.next(cursor);
  if (!first || first > now) return null;
  const latest = schedule.latest(now);
  let due = latest && latest > first && latest <= now ? latest : first;
  // The backward search is not trusted blindly: past `now` it is ignored, and a later fire still due wins.
  for (let i = 0; i < MAX_FORWARD_CHECK; i++) {
    const later = schedule.next(due);
    if (!later || later > now) break;
    due = later;
  }
  return due;
}

interface JobPlan {
  job: JobDefinition;
  key: string;
  practiceId: string | null;
  timeZone: string | null;
  schedule: Schedule;
  /** A practice's cron key: when its agreement was made (the fires since then are owed). */
  since: Date | null;
}

/**
 * Runs a service's scheduled jobs on the injected clock: each (job, practice, fire time) once across
 * copies (a conditional update of the job key's row is the claim), failed or timed-out runs retried
 * with exponential backoff up to a bound, and each key's state kept for ops to read.
 */
export class Scheduler {
  private readonly pass = new CoalescedRun(() => this.runDuePass(), () => !this.stopping);
  private readonly schedules = new Map<string, Schedule>();
  /** Per key: the clock time before which this copy need not look at the row again. */
  private readonly quietUntil = new Map<string, number>();
  private stopping = false;
  /** Fires from here on are owed to a cron key this copy creates. */
  private readonly startedAt: Date;

  constructor(private readonly deps: SchedulerDeps) {
    this.startedAt = deps.clock.now();
    for (const job of deps.jobs) {
      if ((job as { cron?: string }).cron === undefined && (job as { every?: string }).every === undefined) throw new Error(`${deps.serviceId}: job ${job.name} needs \`every\` or \`cron\``);
      if (job.timeZone !== undefined && !isValidTimeZone(job.timeZone)) throw new Error(`${deps.serviceId}: job ${job.name} has an unknown time zone "${job.timeZone}"`);
      if (job.perPractice && !deps.practices) throw new Error(`${deps.serviceId}: job ${job.name} runs per practice: declare \`agreements: true\``);
      try {
        this.scheduleFor(job, job.timeZone ?? null);
        if (job.timeout) parseInterval(job.timeout);
        if (job.retryBackoff) parseInterval(job.retryBackoff);
      } catch (error) {
        throw new Error(`${deps.serviceId}: job ${job.name}: ${(error as Error).message}`, { cause: error });
      }
    }
  }

  has(name: string): boolean {
    return this.deps.jobs.some((j) => j.name === name);
  }

  /** Runs what is due at the clock's time. A call during a pass queues one more pass, for the new time. */
  runDue(): Promise<void> {
    if (this.stopping || this.deps.jobs.length === 0) return Promise.resolve();
    return this.pass.run();
  }

  /** Runs one job now (every practice of a per-practice job) for the clock's time, outside its schedule, and waits. */
  async runNow(name: string): Promise<JobRunOutcome[]> {
    const job = this.deps.jobs.find((j) => j.name === name);
    if (!job) throw new Error(`${this.deps.serviceId} has no job "${name}"`);
    await this.pass.idle();
    const outcomes: JobRunOutcome[] = [];
    for (const plan of await this.plans(job)) {
      const tick = this.deps.clock.now();
      await this.ensureRow(plan);
      const outcome = await this.execute(plan, tick, 1);
      const t = this.deps.tables.schedule;
      await this.deps.db
        .update(t)
        .set({ lastRunAt: tick, ...(outcome.ok ? { lastSuccessAt: this.deps.clock.now(), consecutiveFailures: 0, lastErrorCode: null } : { consecutiveFailures: sql`${t.consecutiveFailures} + 1`, lastErrorCode: outcome.errorCode }) })
        .where(eq(t.key, plan.key));
      outcomes.push(outcome);
    }
    return outcomes;
  }

  async status(filter: { practiceId?: string } = {}): Promise<ScheduledJobStatus[]> {
    const t = this.deps.tables.schedule;
    const rows = await this.deps.db.select().from(t);
    const byKey = new Map(rows.map((r) => [r.key, r]));
    const out: ScheduledJobStatus[] = [];
    for (const job of this.deps.jobs) {
      for (const plan of await this.plans(job)) {
        if (filter.practiceId !== undefined && plan.practiceId !== filter.practiceId) continue;
        const row = byKey.get(plan.key);
        const now = this.deps.clock.now();
        const next = row?.pendingFire ? (row.retryAt ?? now) : plan.schedule.next(row?.lastFire ?? this.initialCursor(plan, now));
        out.push({
          job: job.name,
          practiceId: plan.practiceId,
          schedule: job.cron ?? `every ${job.every}`,
          timeZone: plan.timeZone,
          lastRunAt: row?.lastRunAt?.toISOString() ?? null,
          lastSuccessAt: row?.lastSuccessAt?.toISOString() ?? null,
          consecutiveFailures: row?.consecutiveFailures ?? 0,
          lastErrorCode: row?.lastErrorCode ?? null,
          nextRunAt: next?.toISOString() ?? null,
          retrying: Boolean(row?.pendingFire),
        });
      }
    }
    return out;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.pass.idle();
  }

  // ---- the pass ------------------------------------------------------------------------------

  private async runDuePass(): Promise<void> {
    await Promise.all(
      this.deps.jobs.map(async (job) => {
        try {
          for (const plan of await this.plans(job)) {
            if (this.stopping) return;
            await this.runIfDue(plan);
          }
        } catch (error) {
          this.deps.log.error({ err: loggableError(error), job: job.name }, 'scheduler pass failed');
        }
      }),
    );
  }

  private async plans(job: JobDefinition): Promise<JobPlan[]> {
    if (!job.perPractice) {
      const timeZone = job.cron !== undefined ? (job.timeZone ?? 'UTC') : null;
      return [{ job, key: job.name, practiceId: null, timeZone, schedule: this.scheduleFor(job, timeZone), since: null }];
    }
    const agreements = await this.deps.practices!.list();
    return agreements
      .filter((a) => (a.services as readonly string[]).includes(this.deps.serviceId))
      .map((a) => {
        const timeZone = job.cron !== undefined ? this.practiceZone(a, job) : null;
        const since = job.cron !== undefined ? new Date(a.createdAt) : null;
        return { job, key: `${job.name}:${a.practiceId}`, practiceId: a.practiceId, timeZone, schedule: this.scheduleFor(job, timeZone), since };
      });
  }

  /** The practice's zone: the agreement's, else (agreements recorded before it had one) the service's terms', else the job's. */
  private practiceZone(agreement: Agreement, job: JobDefinition): string {
    const terms = agreement.terms as Record<string, unknown>;
    const own = (terms[this.deps.serviceId] as { timeZone?: unknown } | undefined)?.timeZone;
    for (const zone of [(agreement as { timeZone?: unknown }).timeZone, own]) {
      if (typeof zone === 'string' && isValidTimeZone(zone)) return zone;
    }
    return job.timeZone ?? 'UTC';
  }

  private scheduleFor(job: JobDefinition, timeZone: string | null): Schedule {
    const id = `${job.name}|${timeZone ?? ''}`;
    let schedule = this.schedules.get(id);
    if (!schedule) {
      schedule = job.cron !== undefined ? cronSchedule(job.cron, timeZone ?? 'UTC') : everySchedule(job.every);
      this.schedules.set(id, schedule);
    }
    return schedule;
  }

  private async ensureRow(plan: JobPlan) {
    const t = this.deps.tables.schedule;
    const [row] = await this.deps.db.select().from(t).where(eq(t.key, plan.key));
    if (row) return row;
    const cursor = this.initialCursor(plan, this.deps.clock.now());
    await this.deps.db
      .insert(t)
      .values({ key: plan.key, job: plan.job.name, practiceId: plan.practiceId, lastFire: cursor, nextRunAt: plan.schedule.next(cursor) })
      .onConflictDoNothing();
    const [created] = await this.deps.db.select().from(t).where(eq(t.key, plan.key));
    return created!;
  }

  /**
   * Where a new key's cursor starts. A cron key starts when this copy started, and a practice's key
   * at its agreement if that is later, not at the first pass that looked at it: a practice signed on
   * the 31st gets its run on the 1st even if no pass looked in between (the copy was busy or the
   * clock jumped). A fire before the copy started is not owed: a new deployment does not run last month.
   */
  private initialCursor(plan: JobPlan, now: Date): Date {
    const cursor = plan.schedule.initialCursor(now);
    if (plan.job.cron === undefined) return cursor;
    const since = plan.since && !Number.isNaN(plan.since.getTime()) && plan.since > this.startedAt ? plan.since : this.startedAt;
    return since < cursor ? since : cursor;
  }

  private async runIfDue(plan: JobPlan): Promise<void> {
    const now = this.deps.clock.now();
    if ((this.quietUntil.get(plan.key) ?? -Infinity) > now.getTime()) return;
    const t = this.deps.tables.schedule;
    const row = await this.ensureRow(plan);
    const leaseFree = or(isNull(t.leaseUntil), lt(t.leaseUntil, sql`now()`));
    const lease = { leaseOwner: this.deps.instance, leaseUntil: sql`now() + ${`${this.timeoutMs(plan.job) + LEASE_GRACE_MS} milliseconds`}::interval`, lastRunAt: now };
    let tick: Date;
    let attempt: number;
    let claimed: unknown[];
    if (row.pendingFire) {
      // A fire time that failed (or whose copy died): retry it once its backoff has passed. The update
      // checks the backoff again: the run this copy read as in flight may have failed since.
      if (row.retryAt && row.retryAt > now) {
        this.quietUntil.set(plan.key, row.retryAt.getTime());
        return;
      }
      tick = row.pendingFire;
      attempt = row.attempts + 1;
      claimed = await this.deps.db
        .update(t)
        .set({ ...lease, attempts: attempt, retryAt: null })
        .where(and(eq(t.key, plan.key), eq(t.pendingFire, row.pendingFire), eq(t.attempts, row.attempts), leaseFree, or(isNull(t.retryAt), lte(t.retryAt, now))))
        .returning({ key: t.key });
    } else {
      const cursor = row.lastFire ?? this.initialCursor(plan, now);
      const due = dueFire(plan.schedule, cursor, now);
      if (!due) {
        const next = plan.schedule.next(cursor);
        if (next) this.quietUntil.set(plan.key, next.getTime());
        return;
      }
      tick = due;
      attempt = 1;
      // The claim: only the copy whose update moves the cursor from what it read runs this fire.
      claimed = await this.deps.db
        .update(t)
        .set({ ...lease, lastFire: due, pendingFire: due, attempts: 1, retryAt: null })
        .where(and(eq(t.key, plan.key), row.lastFire ? eq(t.lastFire, row.lastFire) : isNull(t.lastFire), isNull(t.pendingFire)))
        .returning({ key: t.key });
    }
    if (claimed.length === 0) return;
    this.quietUntil.delete(plan.key);
    const outcome = await this.execute(plan, tick, attempt);
    await this.record(plan, tick, attempt, outcome);
  }

  private timeoutMs(job: JobDefinition): number {
    return parseInterval(job.timeout ?? '5m');
  }

  private async execute(plan: JobPlan, tick: Date, attempt: number): Promise<JobRunOutcome> {
    const { job, practiceId } = plan;
    const controller = new AbortController();
    const timeoutMs = this.timeoutMs(job);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new ProblemError('service-unavailable', `job ${job.name} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
    });
    const signal = controller.signal;
    try {
      await Promise.race([
        job.run({
          ...this.deps.base(practiceId, job.name),
          db: this.deps.tenantDb(practiceId),
          tick,
          tenant: practiceId,
          attempt,
          signal,
          transaction: (fn, options) =>
            this.deps.transaction(
              practiceId,
              async (tx) => {
                const result = await fn(tx);
                // A run past its timeout has been counted as failed: what it did must not commit now.
                if (signal.aborted) throw new Error(`job ${job.name} timed out`);
                return result;
              },
              options,
            ),
        }),
        timedOut,
      ]);
      return { job: job.name, practiceId, tick, ok: true };
    } catch (error) {
      const errorCode = signal.aborted ? 'timeout' : errorCodeOf(error);
      this.deps.log.error({ err: loggableError(error), job: job.name, practiceId, tick: tick.toISOString(), attempt, errorCode }, 'job run failed');
      return { job: job.name, practiceId, tick, ok: false, errorCode, error };
    } finally {
      clearTimeout(timer);
    }
  }

  private async record(plan: JobPlan, tick: Date, attempt: number, outcome: JobRunOutcome): Promise<void> {
    const t = this.deps.tables.schedule;
    const now = this.deps.clock.now();
    const mine = and(eq(t.key, plan.key), eq(t.pendingFire, tick), eq(t.leaseOwner, this.deps.instance));
    const released = { leaseOwner: null, leaseUntil: null };
    if (outcome.ok) {
      await this.deps.db
        .update(t)
        .set({ ...released, pendingFire: null, attempts: 0, retryAt: null, lastSuccessAt: now, consecutiveFailures: 0, lastErrorCode: null, nextRunAt: plan.schedule.next(tick) })
        .where(mine);
      return;
    }
    const failure = { ...released, consecutiveFailures: sql`${t.consecutiveFailures} + 1`, lastErrorCode: outcome.errorCode ?? 'error' };
    if (attempt >= (plan.job.maxAttempts ?? 5)) {
      this.deps.log.error({ job: plan.job.name, practiceId: plan.practiceId, tick: tick.toISOString(), attempts: attempt }, 'job gave up on a fire time after its last attempt');
      await this.deps.db.update(t).set({ ...failure, pendingFire: null, attempts: 0, retryAt: null, nextRunAt: plan.schedule.next(tick) }).where(mine);
      return;
    }
    const backoff = Math.min(parseInterval(plan.job.retryBackoff ?? '1m') * 2 ** (attempt - 1), MAX_BACKOFF_MS);
    const retryAt = new Date(now.getTime() + backoff);
    await this.deps.db.update(t).set({ ...failure, retryAt, nextRunAt: retryAt }).where(mine);
    this.quietUntil.set(plan.key, retryAt.getTime());
  }
}

/** A stable, message-free code for a failure: a problem code, a SQLSTATE or system error code, or `error`. */
function errorCodeOf(error: unknown): string {
  if (error instanceof ProblemError) return error.code;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Za-z0-9_.-]{1,40}$/.test(code)) return code;
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  if (typeof cause === 'string' && /^[A-Za-z0-9_.-]{1,40}$/.test(cause)) return cause;
  return 'error';
}
