import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Type from 'typebox';
import { isNull, sql } from 'drizzle-orm';
import { event } from '@mso/contracts';
import { createMemoryBus, type Bus } from '@mso/bus';
import { createPgliteTestDatabase, type PgliteTestDatabase } from '@mso/db/testing';
import { createLogger } from '@mso/telemetry';
import { ManualClock } from './clock.js';
import { OutboxRelay, outboxOptionsFromEnv, writeOutbox, writeOutboxMany } from './outbox.js';
import type { Db } from './service.js';
import { kitMigrations, kitTables, migrateKitTables } from './tables.js';

// Embedded mode: the same kit migrations, ordering and pruning on PGlite (PostgreSQL 18) and the in-memory bus.
const schema = 'outbox_embedded';
const tables = kitTables(schema);
const noted = event({ type: 'finance.note.noted', data: Type.Object({ label: Type.String() }) });
const clock = new ManualClock('2026-03-02T10:00:00Z');
const log = createLogger({ name: 'outbox-embedded', level: 'silent' });

let test: PgliteTestDatabase;
let bus: Bus;
const received: { practice: string; label: string }[] = [];

beforeAll(async () => {
  test = await createPgliteTestDatabase({ migrations: [kitMigrations(schema)] });
  bus = createMemoryBus();
  await bus.ensureStream({ producer: 'finance' });
  await bus.consume({
    producer: 'finance',
    durable: 'reader',
    handler: async (delivered) => {
      const envelope = JSON.parse(new TextDecoder().decode(delivered.data)) as { tenantid: string; data: { label: string } };
      received.push({ practice: envelope.tenantid, label: envelope.data.label });
    },
  });
}, 60_000);
afterAll(async () => {
  await bus?.close();
  await test?.drop();
});

const db = () => test.database.db as unknown as Db;
const emit = (tx: unknown, practice: string, label: string) =>
  writeOutbox(tx as Db, { tables, service: 'finance', clock, event: noted, data: { label }, tenant: practice });

describe('outbox on PGlite', { timeout: 60_000 }, () => {
  it('has the kit tables from migrations, and applying them again changes nothing', async () => {
    expect(await migrateKitTables(test.database, schema)).toEqual({ applied: 0 });
  });

  it('publishes each practice in commit order and marks the rows published', async () => {
    const relay = new OutboxRelay({ db, tables, schema, bus, clock, log });
    await test.database.transaction(async (tx) => {
      await emit(tx, 'p1', 'one');
      await emit(tx, 'p2', 'other');
      await emit(tx, 'p1', 'two');
    });
    await test.database.transaction((tx) => emit(tx, 'p1', 'three'));
    await relay.relay();
    const until = Date.now() + 5000;
    while (received.length < 4 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    expect(received.filter((r) => r.practice === 'p1').map((r) => r.label)).toEqual(['one', 'two', 'three']);
    expect(received.filter((r) => r.practice === 'p2').map((r) => r.label)).toEqual(['other']);
    const rows = await test.database.db.select({ practiceId: tables.outbox.practiceId, envelope: tables.outbox.envelope, publishedAt: tables.outbox.publishedAt }).from(tables.outbox).orderBy(tables.outbox.seq);
    expect(rows.map((r) => `${r.practiceId}:${(r.envelope as { data: { label: string } }).data.label}`)).toEqual(['p1:one', 'p2:other', 'p1:two', 'p1:three']);
    expect(rows.every((r) => r.publishedAt !== null)).toBe(true);
  });

  it('prunes the published rows once the clock passes the retention', async () => {
    const relay = new OutboxRelay({ db, tables, schema, bus, clock, log, options: { retentionMs: 60 * 60_000 } });
    await test.database.transaction((tx) => emit(tx, 'p1', 'unpublished'));
    clock.advance(61 * 60_000);
    expect(await relay.prune()).toEqual({ outbox: 4, inbox: 0 });
    const left = await test.database.db.select({ publishedAt: tables.outbox.publishedAt }).from(tables.outbox);
    expect(left).toEqual([{ publishedAt: null }]);
  });

  it('writes many events at once in their order, each practice in its turn, over several inserts', async () => {
    const relay = new OutboxRelay({ db, tables, schema, bus, clock, log });
    const before = received.length;
    const items = Array.from({ length: 2500 }, (_, i) => ({ data: { label: `bulk-${i}` }, options: { practiceId: i % 2 ? 'p4' : 'p3', id: crypto.randomUUID() } }));
    await test.database.transaction((tx) => writeOutboxMany(tx as unknown as Db, { tables, service: 'finance', clock, event: noted, items, tenant: null }));
    // The same ids again write nothing twice.
    await test.database.transaction((tx) => writeOutboxMany(tx as unknown as Db, { tables, service: 'finance', clock, event: noted, items: items.slice(0, 10), tenant: null }));
    await relay.relay();
    const until = Date.now() + 10_000;
    const bulk = () => received.slice(before).filter((r) => r.practice === 'p3' || r.practice === 'p4');
    while (bulk().length < 2500 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    const got = bulk();
    expect(got).toHaveLength(2500);
    expect(got.filter((r) => r.practice === 'p3').map((r) => r.label)).toEqual(items.filter((_, i) => i % 2 === 0).map((i) => i.data.label));
    expect(got.filter((r) => r.practice === 'p4').map((r) => r.label)).toEqual(items.filter((_, i) => i % 2 === 1).map((i) => i.data.label));
  });

  it('after a publish that fails, publishes nothing later of the batch, and the next pass sends the rest in order', async () => {
    // The bus loses the second event of the first call, and so stores nothing after it (Bus.publishMany).
    let calls = 0;
    const flaky: Bus = {
      ...bus,
      publishMany: async (events) => {
        if (calls++ > 0) return bus.publishMany(events);
        const [first, ...rest] = events;
        const outcomes = await bus.publishMany(first ? [first] : []);
        return [...outcomes, ...rest.map(() => ({ error: new Error('connection lost') }))];
      },
    };
    const relay = new OutboxRelay({ db, tables, schema, bus: flaky, clock, log });
    const before = received.length;
    await test.database.transaction(async (tx) => {
      for (const label of ['f1', 'f2', 'f3']) await emit(tx, 'p5', label);
      await emit(tx, 'p6', 'g1');
    });
    await expect(relay.relay()).rejects.toThrow('connection lost');
    const unpublished = await test.database.db.select({ label: sql<string>`${tables.outbox.envelope}->'data'->>'label'` }).from(tables.outbox).where(isNull(tables.outbox.publishedAt)).orderBy(tables.outbox.seq);
    expect(unpublished.map((r) => r.label)).toEqual(['f2', 'f3', 'g1']);
    await relay.relay();
    const until = Date.now() + 5000;
    while (received.length < before + 4 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    expect(received.slice(before)).toEqual([
      { practice: 'p5', label: 'f1' },
      { practice: 'p5', label: 'f2' },
      { practice: 'p5', label: 'f3' },
      { practice: 'p6', label: 'g1' },
    ]);
    expect(await test.database.db.select().from(tables.outbox).where(isNull(tables.outbox.publishedAt))).toEqual([]);
  });

  it('takes the retentions from the environment, and refuses a malformed one', () => {
    expect(outboxOptionsFromEnv({})).toEqual({});
    expect(outboxOptionsFromEnv({ MSO_OUTBOX_RETENTION_MINUTES: '30', MSO_INBOX_RETENTION_DAYS: '2' })).toEqual({ retentionMs: 30 * 60_000, inboxRetentionMs: 2 * 24 * 60 * 60_000 });
    expect(() => outboxOptionsFromEnv({ MSO_INBOX_RETENTION_DAYS: 'a week' })).toThrow(/MSO_INBOX_RETENTION_DAYS must be a positive number/);
  });
});
