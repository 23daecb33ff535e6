import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Type from 'typebox';
import { sql } from 'drizzle-orm';
import { event, type EventDef, type EventEnvelope } from '@mso/contracts';
import { connectNatsBus, type Bus, type DeliveredEvent } from '@mso/bus';
import { createTestDatabase, type TestDatabase } from '@mso/db/testing';
import { createLogger } from '@mso/telemetry';
import { ManualClock } from './clock.js';
import { encodeJson } from './codec.js';
import { startHost, type Host } from './host.js';
import { consume, defineService, type ConsumerContext } from './service.js';
import { servers, tearDown, waitFor } from '../test/nats.js';

// Batched consumers on PostgreSQL and NATS: one transaction for many events, each handler behind the
// tenant wall of its own event's practice; a failing event is handled, retried and dead-lettered alone.
const SCHEMA = 'kit_batch';
const Data = Type.Object({ label: Type.String() });
const recorded = event({ type: 'finance.batch-entry.recorded', data: Data });
const flaky = event({ type: 'finance.batch-flaky.recorded', data: Data });
const doomed = event({ type: 'finance.batch-doomed.recorded', data: Data });
const wide = event({ type: 'finance.batch-wide.recorded', data: Data });
const gathered = event({ type: 'finance.batch-gathered.recorded', data: Data });
const durableOf = (e: EventDef) => `finance__${e.type.replace(/\./g, '_')}`;

interface Seen {
  label: string;
  tenant: string | null;
  /** The practice the transaction was scoped to when the handler ran. */
  scope: string;
  /** The practices whose rows the handler could see, without a filter of its own. */
  visible: string[];
}
const seen: Seen[] = [];
const calls = new Map<string, number>();
const failuresLeft = new Map<string, number>([['flaky-3', 2]]);

async function record(e: EventEnvelope<{ label: string }>, ctx: ConsumerContext): Promise<void> {
  const { label } = e.data;
  calls.set(label, (calls.get(label) ?? 0) + 1);
  const [scope] = (await ctx.db.execute(sql`select current_setting('mso.practice_id', true) as practice`)) as unknown as { practice: string }[];
  const visible = (await ctx.db.execute(sql`select distinct practice_id::text as p from kit_batch.entries order by 1`)) as unknown as { p: string }[];
  seen.push({ label, tenant: ctx.tenant, scope: scope!.practice, visible: visible.map((r) => r.p) });
  await ctx.db.execute(sql`insert into kit_batch.entries (event_id, practice_id, label) values (${e.id}, ${e.tenantid ?? null}::uuid, ${label})`);
  const left = failuresLeft.get(label) ?? 0;
  if (left > 0) {
    failuresLeft.set(label, left - 1);
    throw new Error(`${label} fails`);
  }
  if (label.startsWith('doomed-bad')) throw new Error('always fails');
}

/** Reads every practice on the MSO-wide path first (`wide-read`), or has that path fail and goes on (`wide-fail`). */
async function widening(e: EventEnvelope<{ label: string }>, ctx: ConsumerContext): Promise<void> {
  const { label } = e.data;
  if (label.startsWith('wide-read')) {
    await ctx.acrossPractices('batch test', (all) => all.transaction(async (tx) => void (await tx.db.execute(sql`select count(*) from kit_batch.entries`))));
  }
  if (label.startsWith('wide-fail')) {
    await ctx
      .acrossPractices('batch test', (all) =>
        all.transaction(async () => {
          throw new Error('refused');
        }),
      )
      .catch(() => undefined);
  }
  await record(e, ctx);
}

/** Handlers that leave their writes to the batch's flush: what each flush was handed, and in which scope. */
const pendingOf = new WeakMap<object, { id: string; practice: string | null; label: string }[]>();
const flushes: { tenant: string | null; scope: string; labels: string[] }[] = [];
let flushFailuresLeft = 1;
async function gather(e: EventEnvelope<{ label: string }>, ctx: ConsumerContext): Promise<void> {
  calls.set(e.data.label, (calls.get(e.data.label) ?? 0) + 1);
  pendingOf.set(ctx.db, [...(pendingOf.get(ctx.db) ?? []), { id: e.id, practice: e.tenantid ?? null, label: e.data.label }]);
}
async function flushGathered(ctx: ConsumerContext): Promise<void> {
  const rows = pendingOf.get(ctx.db) ?? [];
  pendingOf.delete(ctx.db);
  const [scope] = (await ctx.db.execute(sql`select current_setting('mso.practice_id', true) as practice`)) as unknown as { practice: string }[];
  flushes.push({ tenant: ctx.tenant, scope: scope!.practice, labels: rows.map((r) => r.label) });
  if (rows.some((r) => r.label === 'gathered-fails') && flushFailuresLeft-- > 0) throw new Error('flush fails');
  await ctx.db.execute(sql`insert into kit_batch.entries (event_id, practice_id, label) values ${sql.join(rows.map((r) => sql`(${r.id}, ${r.practice}::uuid, ${r.label})`), sql`, `)}`);
}

const batch = { maxEvents: 10, maxWaitMs: 200 };
const service = defineService({
  id: 'finance',
  version: '1.0.0',
  description: 'batch test',
  db: { schema: SCHEMA, migrationsFolder: fileURLToPath(new URL('../test/batch-migrations', import.meta.url)) },
  handlers: [],
  operations: [],
  consumers: [
    consume(recorded, record, { batch }),
    consume(flaky, record, { batch }),
    consume(doomed, record, { batch, maxDeliver: 2 }),
    consume(wide, widening, { batch }),
    consume(gathered, gather, { batch: { ...batch, flush: flushGathered } }),
  ],
});

const clock = new ManualClock('2026-03-02T10:00:00Z');
const logger = createLogger({ name: 'batch-test', level: 'silent' });
const namespace = `b${randomUUID().slice(0, 8)}`;
const p1 = randomUUID();
const p2 = randomUUID();
let db: TestDatabase;
let bus: Bus;
let host: Host;
/** The size of every batch the bus handed each durable. */
const batches = new Map<string, string[][]>();
const dead: DeliveredEvent[] = [];

async function publish(e: EventDef, label: string, practiceId: string, id: string = randomUUID()): Promise<void> {
  const envelope: EventEnvelope = { specversion: '1.0', id, source: 'mso/finance', type: e.type, time: clock.now().toISOString(), datacontenttype: 'application/json', dataschemaversion: 1, tenantid: practiceId, data: { label } };
  // Its own transport id: the same event id twice gets past the broker's dedupe, as a relay's repeat can.
  await bus.publish({ id: randomUUID(), subject: e.subject, data: encodeJson(envelope) });
}

async function rows(): Promise<{ label: string; practice_id: string }[]> {
  return (await db.database.db.execute(sql`select label, practice_id::text as practice_id from kit_batch.entries order by label`)) as unknown as { label: string; practice_id: string }[];
}

beforeAll(async () => {
  db = await createTestDatabase();
  const nats = await connectNatsBus({ servers, namespace });
  bus = nats;
  await bus.ensureStream({ producer: 'finance' });
  // Everything is waiting before the consumers start, so each durable's first batch holds all of it.
  const dupId = randomUUID();
  await publish(recorded, 'entry-1', p1, dupId);
  await publish(recorded, 'entry-2', p2);
  await publish(recorded, 'entry-3', p1);
  await publish(recorded, 'entry-1', p1, dupId);
  await publish(recorded, 'entry-4', p2);
  for (let n = 1; n <= 5; n++) await publish(flaky, `flaky-${n}`, n % 2 ? p1 : p2);
  await publish(doomed, 'doomed-ok-1', p1);
  await publish(doomed, 'doomed-bad', p2);
  await publish(doomed, 'doomed-ok-2', p1);
  await publish(wide, 'wide-0', p2);
  await publish(wide, 'wide-read-1', p1);
  await publish(wide, 'wide-2', p1);
  await publish(wide, 'wide-fail-3', p1);
  await publish(wide, 'wide-4', p1);
  await publish(gathered, 'gathered-1', p1);
  await publish(gathered, 'gathered-2', p1);
  await publish(gathered, 'gathered-3', p2);
  await publish(gathered, 'gathered-4', p1);
  await nats.consume({ producer: 'finance', deadLetters: true, durable: 'dlq-reader', handler: async (e) => void dead.push(e) });
  const observed: Bus = {
    ...nats,
    consume: (options) =>
      nats.consume(
        options.batch
          ? {
              ...options,
              batch: {
                ...options.batch,
                handler: (events) => {
                  const list = batches.get(options.durable) ?? [];
                  list.push(events.map((e) => (JSON.parse(new TextDecoder().decode(e.data)) as EventEnvelope<{ label: string }>).data.label));
                  batches.set(options.durable, list);
                  return options.batch!.handler(events);
                },
              },
            }
          : options,
      ),
  };
  host = await startHost({ services: [service], bus: observed, database: db.database, clock, logger, schedulerIntervalMs: 60_000, relayIntervalMs: 60_000 });
});

afterAll(() => tearDown({ hosts: [host], bus, namespace, db }));

describe('batched consumers', () => {
  it('handles a batch in one transaction: a repeated event id runs once, each handler sees only its own practice', async () => {
    await waitFor(() => ['entry-1', 'entry-2', 'entry-3', 'entry-4'].every((l) => calls.has(l)));
    await new Promise((r) => setTimeout(r, 300));
    expect(batches.get(durableOf(recorded))).toEqual([['entry-1', 'entry-2', 'entry-3', 'entry-1', 'entry-4']]);
    for (const label of ['entry-1', 'entry-2', 'entry-3', 'entry-4']) expect(calls.get(label)).toBe(1);
    const entries = (await rows()).filter((r) => r.label.startsWith('entry-'));
    expect(entries).toEqual([
      { label: 'entry-1', practice_id: p1 },
      { label: 'entry-2', practice_id: p2 },
      { label: 'entry-3', practice_id: p1 },
      { label: 'entry-4', practice_id: p2 },
    ]);
    // In stream order; each scoped to its event's practice, never seeing the other's rows written earlier in the batch.
    const mine = seen.filter((s) => s.label.startsWith('entry-'));
    expect(mine.map((s) => s.label)).toEqual(['entry-1', 'entry-2', 'entry-3', 'entry-4']);
    for (const s of mine) {
      const practice = s.label === 'entry-2' || s.label === 'entry-4' ? p2 : p1;
      expect(s).toMatchObject({ tenant: practice, scope: practice });
      expect(s.visible.every((p) => p === practice)).toBe(true);
    }
  });

  it('falls back to one event per transaction when one fails: the others commit, the failing one is redelivered alone', async () => {
    await waitFor(() => seen.some((s) => s.label === 'flaky-3' && (calls.get('flaky-3') ?? 0) >= 3));
    await waitFor(() => (batches.get(durableOf(flaky)) ?? []).length >= 2);
    await new Promise((r) => setTimeout(r, 300));
    const handed = batches.get(durableOf(flaky))!;
    expect(handed).toEqual([['flaky-1', 'flaky-2', 'flaky-3', 'flaky-4', 'flaky-5'], ['flaky-3']]);
    // flaky-3 failed in the batch and again alone; the redelivery succeeded.
    expect(calls.get('flaky-3')).toBe(3);
    // Those before it ran in the rolled-back batch, then alone, and committed then; those after it only alone.
    for (const label of ['flaky-1', 'flaky-2']) expect(calls.get(label)).toBe(2);
    for (const label of ['flaky-4', 'flaky-5']) expect(calls.get(label)).toBe(1);
    const flakyRows = (await rows()).filter((r) => r.label.startsWith('flaky-'));
    expect(flakyRows.map((r) => r.label)).toEqual(['flaky-1', 'flaky-2', 'flaky-3', 'flaky-4', 'flaky-5']);
    for (const r of flakyRows) expect(r.practice_id).toBe(Number(r.label.slice(-1)) % 2 ? p1 : p2);
  });

  it('dead-letters an event that keeps failing after maxDeliver, and commits the rest of its batch', async () => {
    await waitFor(() => dead.length === 1);
    expect(dead[0]!.subject).toBe(`dlq.${durableOf(doomed)}.${doomed.subject}`);
    expect((JSON.parse(new TextDecoder().decode(dead[0]!.data)) as EventEnvelope<{ label: string }>).data.label).toBe('doomed-bad');
    const doomedRows = (await rows()).filter((r) => r.label.startsWith('doomed-'));
    expect(doomedRows.map((r) => r.label)).toEqual(['doomed-ok-1', 'doomed-ok-2']);
    expect(batches.get(durableOf(doomed))).toEqual([['doomed-ok-1', 'doomed-bad', 'doomed-ok-2'], ['doomed-bad']]);
  });

  it('keeps each event of a batch behind its own practice\'s wall after the MSO-wide path was used', async () => {
    await waitFor(() => calls.has('wide-4'));
    expect(batches.get(durableOf(wide))).toEqual([['wide-0', 'wide-read-1', 'wide-2', 'wide-fail-3', 'wide-4']]);
    const mine = seen.filter((s) => s.label.startsWith('wide-'));
    expect(mine.map((s) => s.label)).toEqual(['wide-0', 'wide-read-1', 'wide-2', 'wide-fail-3', 'wide-4']);
    for (const s of mine.slice(1)) {
      expect(s.scope).toBe(p1);
      expect(s.visible.every((p) => p === p1)).toBe(true);
    }
  });

  it('flushes once per run of one practice\'s events, in its scope; a failing flush falls back to one event per transaction', async () => {
    await waitFor(() => (calls.get('gathered-4') ?? 0) >= 1 && flushes.length >= 3);
    expect(flushes.slice(0, 3)).toEqual([
      { tenant: p1, scope: p1, labels: ['gathered-1', 'gathered-2'] },
      { tenant: p2, scope: p2, labels: ['gathered-3'] },
      { tenant: p1, scope: p1, labels: ['gathered-4'] },
    ]);
    expect((await rows()).filter((r) => r.label.startsWith('gathered-')).map((r) => [r.label, r.practice_id])).toEqual([
      ['gathered-1', p1],
      ['gathered-2', p1],
      ['gathered-3', p2],
      ['gathered-4', p1],
    ]);

    flushes.length = 0;
    await publish(gathered, 'gathered-5', p2);
    await publish(gathered, 'gathered-fails', p2);
    await waitFor(() => flushes.length >= 3);
    // The batch's flush failed: each event again alone, flushed alone.
    expect(flushes.map((f) => f.labels)).toEqual([['gathered-5', 'gathered-fails'], ['gathered-5'], ['gathered-fails']]);
    await new Promise((r) => setTimeout(r, 300));
    expect((await rows()).filter((r) => r.label === 'gathered-5' || r.label === 'gathered-fails')).toHaveLength(2);
  });
});
