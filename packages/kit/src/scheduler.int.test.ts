import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { ProblemError } from '@mso/contracts';
import type { Agreement } from '@mso/contracts/tenancy';
import { connectNatsBus, deleteNatsNamespace, type Bus } from '@mso/bus';
import { createTestDatabase, type TestDatabase } from '@mso/db/testing';
import { createLogger } from '@mso/telemetry';
import { getInfo as collectionsInfo, getJob as collectionsJobGet, listJobs } from '@mso/contracts/collections';
import { getInfo as helpdeskInfo, getJob as helpdeskJobGet, listJobs as helpdeskJobList } from '@mso/contracts/helpdesk';
import { getInfo as financeInfo, getJob as financeJobGet, listJobs as financeJobList } from '@mso/contracts/finance';
import { getInfo as hrInfo, getJob as hrJobGet, listJobs as hrJobList } from '@mso/contracts/hr';
import { ManualClock } from './clock.js';
import { callOperation } from './call.js';
import { startHost, type Host } from './host.js';
import { defineService } from './service.js';
import { agreementsTable } from './agreements.js';

// Two copies of a service on one PostgreSQL database and real NATS, driven by a ManualClock moved in
// steps: each fire time runs once across the copies, in its time zone, and failures are retried.
const migrationsFolder = fileURLToPath(new URL('../test/migrations', import.meta.url));
const servers = process.env.TEST_NATS_URL ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const logger = createLogger({ name: 'scheduler-test', level: 'silent' });
const namespace = `s${randomUUID().slice(0, 8)}`;

let db: TestDatabase;
let bus: Bus;
const hosts: Host[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  bus = await connectNatsBus({ servers, namespace });
});
afterAll(async () => {
  for (const h of hosts) await h.stop();
  await bus?.close();
  await deleteNatsNamespace({ servers, namespace }).catch(() => {});
  await db?.drop();
});

async function twoCopies(service: ReturnType<typeof defineService>, clock: ManualClock): Promise<Host[]> {
  const copies = [];
  for (let i = 0; i < 2; i++) {
    copies.push(await startHost({ services: [service], bus, database: db.database, clock, logger, schedulerIntervalMs: 3_600_000, relayIntervalMs: 3_600_000 }));
  }
  hosts.push(...copies);
  return copies;
}

/** Moves the clock to each instant in turn and lets both copies look at it (twice, concurrently). */
async function walk(clock: ManualClock, copies: Host[], instants: Iterable<Date>): Promise<void> {
  for (const at of instants) {
    clock.set(at);
    await Promise.all([...copies, ...copies].map((h) => h.runDueJobs()));
  }
}

function* every(from: string, to: string, stepMs: number): Generator<Date> {
  for (let t = Date.parse(from); t <= Date.parse(to); t += stepMs) yield new Date(t);
}

describe('cron jobs in a time zone', () => {
  const fired: string[] = [];
  const clock = new ManualClock('2026-09-30T12:00:00Z');
  const monthly = defineService({
    id: 'finance',
    version: '1.0.0',
    description: 'monthly close',
    db: { schema: 'kit_test', migrationsFolder },
    // Only the operations the kit answers (finance's real contract is the finance service's).
    operations: [financeInfo, financeJobGet, financeJobList],
    handlers: [],
    jobs: [{ name: 'monthly-close', cron: '0 6 1 * *', timeZone: 'America/New_York', run: async (ctx) => void fired.push(ctx.tick.toISOString()) }],
  });

  it('fires once at local 06:00 on the first of each month across both DST changes, with two copies', async () => {
    const copies = await twoCopies(monthly, clock);
    const halfHour = 30 * 60_000;
    const day = 24 * 3_600_000;
    // Autumn: EDT (UTC-4) on Oct 1, EST (UTC-5) from Nov 1 02:00 local, the very day of the Nov run.
    await walk(clock, copies, every('2026-09-30T12:00:00Z', '2026-10-01T12:00:00Z', halfHour));
    await walk(clock, copies, every('2026-10-01T18:00:00Z', '2026-10-31T18:00:00Z', day));
    await walk(clock, copies, every('2026-10-31T20:00:00Z', '2026-11-01T12:00:00Z', halfHour));
    await walk(clock, copies, every('2026-11-01T18:00:00Z', '2026-12-01T18:00:00Z', day));
    // The clock jumps over Jan 1 and Feb 1 (a copy-less winter): the latest missed fire runs once.
    await walk(clock, copies, [new Date('2027-02-28T12:00:00Z')]);
    // Spring: EST on Mar 1, EDT from Mar 14 2027.
    await walk(clock, copies, every('2027-02-28T18:00:00Z', '2027-03-31T18:00:00Z', day));
    await walk(clock, copies, every('2027-03-31T20:00:00Z', '2027-04-01T12:00:00Z', halfHour));
    expect(fired).toEqual([
      '2026-10-01T10:00:00.000Z',
      '2026-11-01T11:00:00.000Z',
      '2026-12-01T11:00:00.000Z',
      '2027-02-01T11:00:00.000Z',
      '2027-03-01T11:00:00.000Z',
      '2027-04-01T10:00:00.000Z',
    ]);
  }, 60_000);

  it('does not fire at 06:00 UTC or at the wrong offset', async () => {
    expect(fired.some((t) => t.includes('T06:00'))).toBe(false);
    expect(fired.filter((t) => t.startsWith('2026-11-01'))).toEqual(['2026-11-01T11:00:00.000Z']);
  });
});

describe('interval jobs after a long gap', () => {
  const ticks: string[] = [];
  const clock = new ManualClock('2026-01-05T14:00:00Z');
  const sync = defineService({
    id: 'hr',
    version: '1.0.0',
    description: 'minute sync',
    db: { schema: 'kit_test', migrationsFolder },
    // Only the operations the kit answers (hr's real contract is the hr service's).
    operations: [hrInfo, hrJobGet, hrJobList],
    handlers: [],
    jobs: [{ name: 'minute-sync', every: '1m', run: async (ctx) => void ticks.push(ctx.tick.toISOString()) }],
  });

  it('runs the latest minute once after 38 days without a copy, then the next minute', async () => {
    const copies = await twoCopies(sync, clock);
    await walk(clock, copies, [new Date('2026-01-05T14:00:00Z')]);
    // 54,720 missed fires: the next passes run the latest tick once, not ticks from days ago.
    await walk(clock, copies, [new Date('2026-02-12T14:00:30Z'), new Date('2026-02-12T14:00:50Z'), new Date('2026-02-12T14:01:00Z')]);
    expect(ticks).toEqual(['2026-01-05T14:00:00.000Z', '2026-02-12T14:00:00.000Z', '2026-02-12T14:01:00.000Z']);
  }, 30_000);
});

describe('retries, timeouts and run status', () => {
  const attempts: { tick: string; attempt: number }[] = [];
  let failuresLeft = 2;
  const clock = new ManualClock('2027-01-05T01:59:00Z');
  const nightly = defineService({
    id: 'collections',
    version: '1.0.0',
    description: 'nightly',
    operations: [collectionsInfo, collectionsJobGet, listJobs],
    // The same schema as the monthly service (the test migrations name it); job keys do not collide.
    db: { schema: 'kit_test', migrationsFolder },
    handlers: [],
    jobs: [
      {
        name: 'nightly-statements',
        cron: '0 2 * * *',
        retryBackoff: '1m',
        maxAttempts: 4,
        run: async (ctx) => {
          attempts.push({ tick: ctx.tick.toISOString(), attempt: ctx.attempt });
          if (failuresLeft-- > 0) throw new ProblemError('service-unavailable', 'the clearinghouse for Jane Doe is down');
        },
      },
      {
        name: 'slow-export',
        cron: '30 3 6 1 *',
        timeout: '100ms',
        retryBackoff: '5m',
        run: async (ctx) => {
          // The first try hangs past its timeout; its late transaction must not commit.
          if (ctx.attempt === 1) await new Promise((r) => setTimeout(r, 400));
          await ctx.transaction(async (tx) => {
            await tx.db.execute(sql`insert into kit_test.notes (id, practice_id, body) values (${randomUUID()}, 'p1', 'slow-export')`);
          });
        },
      },
    ],
  });
  let copies: Host[];

  beforeAll(async () => {
    copies = await twoCopies(nightly, clock);
  });

  async function status(job: string) {
    const rows = await db.database.db.execute(sql`select * from kit_test.mso_schedule where job = ${job}`);
    return (rows as unknown as { rows?: Record<string, unknown>[] }).rows?.[0] ?? (rows as unknown as Record<string, unknown>[])[0]!;
  }

  async function exports(): Promise<number> {
    const rows = await db.database.db.execute(sql`select count(*)::int as n from kit_test.notes where body = 'slow-export'`);
    return Number(((rows as unknown as { rows?: { n: number }[] }).rows ?? (rows as unknown as { n: number }[]))[0]!.n);
  }

  it('retries a failed run with backoff on the same fire time until it succeeds, once across copies', async () => {
    await walk(clock, copies, [new Date('2027-01-05T01:59:00Z'), new Date('2027-01-05T02:00:00Z')]);
    expect(attempts).toEqual([{ tick: '2027-01-05T02:00:00.000Z', attempt: 1 }]);
    const failed = await status('nightly-statements');
    expect(failed).toMatchObject({ consecutive_failures: 1, last_error_code: 'service-unavailable' });
    // No message is kept: it can hold PHI.
    expect(JSON.stringify(failed)).not.toContain('Jane');

    await walk(clock, copies, [new Date('2027-01-05T02:00:30Z'), new Date('2027-01-05T02:01:00Z'), new Date('2027-01-05T02:02:00Z'), new Date('2027-01-05T02:03:00Z')]);
    expect(attempts).toEqual([
      { tick: '2027-01-05T02:00:00.000Z', attempt: 1 },
      { tick: '2027-01-05T02:00:00.000Z', attempt: 2 }, // 1 min after the first
      { tick: '2027-01-05T02:00:00.000Z', attempt: 3 }, // 2 min after the second
    ]);
    expect(await status('nightly-statements')).toMatchObject({ consecutive_failures: 0, last_error_code: null, pending_fire: null });

    // What ops see at GET /v1/collections/jobs?kind=scheduled (MSO roles only).
    const mso = { principal: { id: 'ops', role: 'mso-admin' as const }, practiceId: null };
    const listed = await callOperation(bus, listJobs, { kind: 'scheduled' }, mso);
    expect(listed.items.find((j) => 'job' in j && j.job === 'nightly-statements')).toEqual({
      kind: 'scheduled',
      job: 'nightly-statements',
      practiceId: null,
      schedule: '0 2 * * *',
      timeZone: 'UTC',
      lastRunAt: '2027-01-05T02:03:00.000Z',
      lastSuccessAt: '2027-01-05T02:03:00.000Z',
      consecutiveFailures: 0,
      lastErrorCode: null,
      nextRunAt: '2027-01-06T02:00:00.000Z',
      retrying: false,
    });
    const practiceAdmin = { principal: { id: 'k', role: 'practice-admin' as const, practiceId: 'p1' }, practiceId: 'p1' };
    await expect(callOperation(bus, listJobs, { kind: 'scheduled' }, practiceAdmin)).rejects.toMatchObject({ code: 'forbidden' });

    // The next night runs as usual.
    await walk(clock, copies, [new Date('2027-01-06T02:00:00Z')]);
    expect(attempts.at(-1)).toEqual({ tick: '2027-01-06T02:00:00.000Z', attempt: 1 });
  }, 30_000);

  it('counts a run past its timeout as failed, keeps its late effects out, and retries it', async () => {
    await walk(clock, copies, [new Date('2027-01-06T03:30:00Z')]);
    expect(await status('slow-export')).toMatchObject({ consecutive_failures: 1, last_error_code: 'timeout' });
    await new Promise((r) => setTimeout(r, 500));
    expect(await exports()).toBe(0);
    await walk(clock, copies, [new Date('2027-01-06T03:35:00Z')]);
    expect(await exports()).toBe(1);
    expect(await status('slow-export')).toMatchObject({ consecutive_failures: 0, last_error_code: null });
  }, 30_000);

  it('runs a named job now and waits for it (for tests and operators)', async () => {
    const before = attempts.length;
    const outcomes = await copies[0]!.runJob('nightly-statements');
    expect(outcomes).toMatchObject([{ job: 'nightly-statements', practiceId: null, ok: true }]);
    expect(attempts.length).toBe(before + 1);
  });
});

describe('per-practice jobs', () => {
  // The practice's zone is the agreement's; an agreement recorded before it had one may name it in the service's terms.
  const agreement = (practiceId: string, zone: { timeZone?: string; termsZone?: string }, services = ['helpdesk']): Agreement =>
    ({ practiceId, version: 1, services, ...(zone.timeZone ? { timeZone: zone.timeZone } : {}), terms: zone.termsZone ? { helpdesk: { timeZone: zone.termsZone } } : {} }) as unknown as Agreement;
  type Run = { practiceId: string | null; tick: string };
  /** A service with one per-practice cron job that records its runs. */
  const perPracticeJob = (name: string, cron: string, runs: Run[]) =>
    defineService({
      id: 'helpdesk',
      version: '1.0.0',
      description: name,
      db: { schema: 'kit_test', migrationsFolder },
      operations: [helpdeskInfo, helpdeskJobGet, helpdeskJobList],
      agreements: true,
      handlers: [],
      jobs: [{ name, cron, perPractice: true, run: async (ctx) => void runs.push({ practiceId: ctx.tenant, tick: ctx.tick.toISOString() }) }],
    });
  const runs: Run[] = [];
  const clock = new ManualClock('2026-06-30T20:00:00Z');
  const digest = perPracticeJob('morning-digest', '0 7 * * *', runs);

  it("fires at each practice's local time, once per practice across copies, only for practices that buy the service", async () => {
    const copies = await twoCopies(digest, clock);
    // The agreement view as tenancy's events leave it (agreements.ts keeps it).
    const ny = randomUUID();
    const la = randomUUID();
    const utc = randomUUID();
    const other = randomUUID();
    await db.database.db.insert(agreementsTable('kit_test')).values(
      [
        agreement(ny, { timeZone: 'America/New_York', termsZone: 'Europe/Paris' }),
        agreement(la, { termsZone: 'America/Los_Angeles' }),
        agreement(utc, {}),
        agreement(other, { timeZone: 'Asia/Tokyo' }, ['billing']),
      ].map((a) => ({
        practiceId: a.practiceId,
        version: 1,
        agreement: a,
        updatedAt: clock.now(),
      })),
    );
    await walk(clock, copies, every('2026-06-30T20:00:00Z', '2026-07-01T16:00:00Z', 30 * 60_000));
    expect(runs.sort((a, b) => a.tick.localeCompare(b.tick))).toEqual([
      { practiceId: utc, tick: '2026-07-01T07:00:00.000Z' },
      { practiceId: ny, tick: '2026-07-01T11:00:00.000Z' },
      { practiceId: la, tick: '2026-07-01T14:00:00.000Z' },
    ]);
    const mso = { principal: { id: 'ops', role: 'mso-staff' as const }, practiceId: la };
    const listed = await callOperation(bus, helpdeskJobList, { kind: 'scheduled' }, mso);
    expect(listed.items.filter((j) => 'job' in j && j.job === 'morning-digest')).toEqual([
      expect.objectContaining({ practiceId: la, timeZone: 'America/Los_Angeles', lastSuccessAt: '2026-07-01T14:00:00.000Z', nextRunAt: '2026-07-02T14:00:00.000Z', consecutiveFailures: 0 }),
    ]);
  }, 60_000);

  it('owes a practice the fires since its agreement, even when no pass looked in between, but none from before the copies started', async () => {
    const evening: Run[] = [];
    const lateClock = new ManualClock('2026-07-10T12:00:00Z');
    const copies = await twoCopies(perPracticeJob('evening-report', '0 18 * * *', evening), lateClock);
    const record = (practiceId: string, createdAt: string) => {
      const a = { ...agreement(practiceId, {}), createdAt };
      return db.database.db.insert(agreementsTable('kit_test')).values({ practiceId, version: 1, agreement: a, updatedAt: lateClock.now() });
    };
    // An agreement from May, first seen by copies that started today at noon: yesterday's 18:00 is not owed.
    const longStanding = randomUUID();
    await record(longStanding, '2026-05-01T09:00:00.000Z');
    await walk(lateClock, copies, [lateClock.now()]);
    expect(evening.filter((r) => r.practiceId === longStanding)).toEqual([]);
    // A practice signed at 17:00 that no pass sees before 19:00 still gets today's 18:00, once.
    const signedToday = randomUUID();
    lateClock.set('2026-07-10T17:00:00Z');
    await record(signedToday, '2026-07-10T17:00:00.000Z');
    await walk(lateClock, copies, [new Date('2026-07-10T19:00:00Z'), new Date('2026-07-10T19:30:00Z')]);
    const mine = evening.filter((r) => r.practiceId === longStanding || r.practiceId === signedToday);
    expect(mine.sort((x, y) => x.practiceId!.localeCompare(y.practiceId!))).toEqual(
      [longStanding, signedToday].sort().map((practiceId) => ({ practiceId, tick: '2026-07-10T18:00:00.000Z' })),
    );
  }, 60_000);
});
