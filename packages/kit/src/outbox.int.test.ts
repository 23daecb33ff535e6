import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Type from 'typebox';
import { sql } from 'drizzle-orm';
import { event, operation } from '@mso/contracts';
import { connectNatsBus, deleteNatsNamespace, type Bus, type Consumer } from '@mso/bus';
import { openDatabase, type Database } from '@mso/db';
import { createTestDatabase, type TestDatabase } from '@mso/db/testing';
import { createLogger } from '@mso/telemetry';
import { ManualClock } from './clock.js';
import { callOperation } from './call.js';
import { startHost, type Host } from './host.js';
import { OutboxRelay, writeOutbox } from './outbox.js';
import { consume, defineService, handle, type Db } from './service.js';
import { kitTables, migrateKitTables } from './tables.js';
import { runInTransaction } from './transaction.js';

// The outbox on real PostgreSQL and NATS: commit order per practice, and pruning on the clock.
const schema = 'outbox_test';
const tables = kitTables(schema);
const entryRecorded = event({ type: 'finance.entry.recorded', data: Type.Object({ n: Type.Integer(), label: Type.String() }) });
const recordEntry = operation({
  service: 'finance',
  name: 'entry.record',
  summary: 'record an entry',
  http: { method: 'POST', path: '/v1/finance/entries', status: 201 },
  roles: ['practice-admin'],
  input: Type.Object({}, { additionalProperties: false }),
  output: Type.Object({ n: Type.Integer() }),
});

const clock = new ManualClock('2026-03-02T10:00:00Z');
const logger = createLogger({ name: 'outbox-test', level: 'silent' });
const servers = process.env.TEST_NATS_URL ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const namespace = `o${randomUUID().slice(0, 8)}`;

// Each entry takes the next number of its practice's counter under the counter's row lock, so the
// numbers of one practice are the order in which their transactions committed.
const service = defineService({
  id: 'finance',
  version: '1.0.0',
  description: 'outbox test',
  db: { schema, migrationsFolder: fileURLToPath(new URL('../test/outbox-migrations', import.meta.url)) },
  emits: [entryRecorded],
  operations: [recordEntry],
  handlers: [
    handle(recordEntry, async (_input, ctx) =>
      ctx.transaction(async (tx) => {
        const [row] = (await tx.db.execute(
          sql`insert into outbox_test.counters (practice_id, n) values (${ctx.practiceId}, 1)
              on conflict (practice_id) do update set n = outbox_test.counters.n + 1 returning n`,
        )) as unknown as { n: number }[];
        await tx.emit(entryRecorded, { n: row!.n, label: 'entry' });
        return { n: row!.n };
      }),
    ),
  ],
  consumers: [consume(entryRecorded, async () => {})],
});

let test: TestDatabase;
let bus: Bus;
let reader: Consumer;
const received: { sequence: number; practiceId: string; n: number; label: string }[] = [];

beforeAll(async () => {
  test = await createTestDatabase({ maxConnections: 8 });
  await migrateKitTables(test.database, schema);
  bus = await connectNatsBus({ servers, namespace });
  await bus.ensureStream({ producer: 'finance' });
  reader = await bus.consume({
    producer: 'finance',
    durable: 'outbox_test_reader',
    filter: entryRecorded.subject,
    handler: async (delivered) => {
      const envelope = JSON.parse(new TextDecoder().decode(delivered.data)) as { tenantid: string; data: { n: number; label: string } };
      received.push({ sequence: delivered.sequence, practiceId: envelope.tenantid, ...envelope.data });
    },
  });
});
afterAll(async () => {
  await reader?.stop();
  await bus?.close();
  await deleteNatsNamespace({ servers, namespace }).catch(() => {});
  await test?.drop();
});

const db = (): Db => test.database.db as unknown as Db;
const relayFor = (options = {}) => new OutboxRelay({ db, tables, schema, bus, clock, log: logger, options });
const emit = (tx: unknown, practiceId: string, label: string) =>
  writeOutbox(tx as Db, { tables, service: 'finance', clock, event: entryRecorded, data: { n: 0, label }, tenant: practiceId });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(predicate: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
const labelsOf = (practiceId: string) => received.filter((r) => r.practiceId === practiceId).sort((a, b) => a.sequence - b.sequence).map((r) => r.label);

/** A transaction that emits and then stays open until `commit()`. */
function openTransaction(practiceId: string, label: string) {
  let commit!: () => void;
  const gate = new Promise<void>((r) => (commit = r));
  let wrote!: () => void;
  const written = new Promise<void>((r) => (wrote = r));
  const done = test.database.transaction(async (tx) => {
    await emit(tx, practiceId, label);
    wrote();
    await gate;
  });
  return { written, commit, done };
}

describe('outbox relay', () => {
  it('publishes two transactions that commit in the opposite order of their seq in commit order, skipping neither', async () => {
    const relay = relayFor();
    const first = openTransaction('p-a', 'wrote first, committed last');
    await first.written;
    await test.database.transaction((tx) => emit(tx, 'p-b', 'wrote second, committed first'));
    await relay.relay();
    first.commit();
    await first.done;
    await relay.relay();
    const seqs = await test.database.db.select({ seq: tables.outbox.seq, label: sql<string>`${tables.outbox.envelope}->'data'->>'label'` }).from(tables.outbox).orderBy(tables.outbox.seq);
    expect(seqs.map((r) => r.label)).toEqual(['wrote first, committed last', 'wrote second, committed first']);
    await until(() => labelsOf('p-a').length + labelsOf('p-b').length === 2, 'both events');
    const order = received.filter((r) => r.practiceId === 'p-a' || r.practiceId === 'p-b').sort((a, b) => a.sequence - b.sequence);
    expect(order.map((r) => r.label)).toEqual(['wrote second, committed first', 'wrote first, committed last']);
  });

  it('makes a second emitter of the same practice wait for the first to commit, so publish order is commit order', async () => {
    const relay = relayFor();
    const committed: string[] = [];
    const first = openTransaction('p-c', 'first');
    await first.written;
    const second = test.database.transaction((tx) => emit(tx, 'p-c', 'second')).then(() => committed.push('second'));
    await sleep(300);
    // Without the practice's turn the second would have committed by now, ahead of the first.
    expect(committed).toEqual([]);
    first.commit();
    await first.done.then(() => committed.push('first'));
    await second;
    expect(committed).toEqual(['first', 'second']);
    await relay.relay();
    await until(() => labelsOf('p-c').length === 2, 'both events');
    expect(labelsOf('p-c')).toEqual(['first', 'second']);
  });

  it('lets a serializable second emitter of a practice wait its turn and commit without a serialization failure', async () => {
    const relay = relayFor();
    const serializable = <T>(fn: (tx: Db) => Promise<T>) => runInTransaction(db(), { tenant: null, isolation: 'serializable', retries: 0 }, fn);
    let commit!: () => void;
    const gate = new Promise<void>((r) => (commit = r));
    let wrote!: () => void;
    const written = new Promise<void>((r) => (wrote = r));
    const first = serializable(async (tx) => {
      await emit(tx, 'p-s', 'first');
      wrote();
      await gate;
    });
    await written;
    // The second's snapshot is older than the first's commit; with no retries allowed, a 40001 would fail it.
    const second = serializable(async (tx) => {
      await tx.execute(sql`select 1`);
      await emit(tx, 'p-s', 'second');
    });
    await sleep(200);
    commit();
    await first;
    await second;
    const rows = await test.database.db.select({ label: sql<string>`${tables.outbox.envelope}->'data'->>'label'` }).from(tables.outbox).where(sql`${tables.outbox.practiceId} = 'p-s'`).orderBy(tables.outbox.seq);
    expect(rows.map((r) => r.label)).toEqual(['first', 'second']);
    await relay.relay();
    await until(() => labelsOf('p-s').length === 2, 'both events');
    expect(labelsOf('p-s')).toEqual(['first', 'second']);
  });

  it('lets the next emitter of a practice go ahead when the first rolls back, and publishes only what committed', async () => {
    const relay = relayFor();
    const failed = test.database.transaction(async (tx) => {
      await emit(tx, 'p-d', 'rolled back');
      await sleep(100);
      throw new Error('refused');
    }).catch((error: Error) => error.message);
    await sleep(20);
    await test.database.transaction((tx) => emit(tx, 'p-d', 'committed'));
    expect(await failed).toBe('refused');
    await relay.relay();
    await until(() => labelsOf('p-d').length === 1, 'the committed event');
    await sleep(200);
    expect(labelsOf('p-d')).toEqual(['committed']);
  });
});

describe('two copies under concurrent load', () => {
  let databases: Database[] = [];
  let hosts: Host[] = [];
  const principal = (practiceId: string) => ({ id: `k-${practiceId}`, role: 'practice-admin' as const, practiceId });

  beforeAll(async () => {
    // Two processes: each its own connections and its own relay, racing for the same outbox.
    databases = await Promise.all([openDatabase({ url: test.url, maxConnections: 6 }), openDatabase({ url: test.url, maxConnections: 6 })]);
    hosts = await Promise.all(
      databases.map((database) =>
        startHost({ services: [service], bus, database, clock, logger, relayIntervalMs: 50, outbox: { retentionMs: 60 * 60_000, inboxRetentionMs: 60 * 60_000 } }),
      ),
    );
  });
  afterAll(async () => {
    for (const h of hosts) await h.stop();
    await Promise.all(databases.map((d) => d.close()));
  });

  it('delivers the events of each practice in the order their transactions committed', async () => {
    const practices = ['q1', 'q2', 'q3', 'q4'];
    const perPractice = 30;
    const calls = practices.flatMap((p) => Array.from({ length: perPractice }, () => callOperation(bus, recordEntry, {}, { principal: principal(p), practiceId: p })));
    await Promise.all(calls);
    await until(() => practices.every((p) => labelsOf(p).length === perPractice), 'every event', 20_000);
    for (const p of practices) {
      const numbers = received.filter((r) => r.practiceId === p).sort((a, b) => a.sequence - b.sequence).map((r) => r.n);
      expect(numbers).toEqual(Array.from({ length: perPractice }, (_, i) => i + 1));
    }
  });

  it('prunes published rows and handled inbox ids on the clock, with no call from the service', async () => {
    const inbox = async () => (await test.database.db.select({ id: tables.inbox.eventId }).from(tables.inbox)).length;
    for (const h of hosts) await h.flushOutbox();
    const published = await test.database.db.select({ seq: tables.outbox.seq }).from(tables.outbox).where(sql`${tables.outbox.practiceId} like 'q%'`);
    expect(published.length).toBe(120);
    // The copies' own consumer handled every event of the outbox (inbox rows at the clock's time).
    const events = (await test.database.db.select({ seq: tables.outbox.seq }).from(tables.outbox)).length;
    const end = Date.now() + 10_000;
    while ((await inbox()) < events && Date.now() < end) await sleep(50);
    expect(await inbox()).toBe(events);

    clock.advance(2 * 60 * 60_000);
    // The relay's periodic pass (every 50 ms here) sees that a prune is due by the clock.
    const deadline = Date.now() + 10_000;
    const left = async () => (await test.database.db.select({ seq: tables.outbox.seq }).from(tables.outbox).where(sql`${tables.outbox.practiceId} like 'q%'`)).length;
    while (((await left()) > 0 || (await inbox()) > 0) && Date.now() < deadline) await sleep(50);
    expect(await left()).toBe(0);
    expect(await inbox()).toBe(0);
  });
});

describe('pruning', () => {
  it('deletes published rows past the retention and old inbox ids, and keeps unpublished rows and recent ids', async () => {
    const pruneSchema = 'prune_test';
    await migrateKitTables(test.database, pruneSchema);
    const t = kitTables(pruneSchema);
    const now = clock.now().getTime();
    const at = (msAgo: number) => new Date(now - msAgo);
    const row = (label: string, createdAgo: number, publishedAgo: number | null) => ({
      id: randomUUID(),
      subject: entryRecorded.subject,
      envelope: { label },
      headers: {},
      createdAt: at(createdAgo),
      publishedAt: publishedAgo === null ? null : at(publishedAgo),
      practiceId: 'p1',
    });
    await test.database.db.insert(t.outbox).values([
      row('published 2 h ago', 3 * 60 * 60_000, 2 * 60 * 60_000),
      row('published 10 min ago', 2 * 60 * 60_000, 10 * 60_000),
      row('never published', 3 * 60 * 60_000, null),
    ]);
    await test.database.db.insert(t.inbox).values([
      { consumer: 'c', eventId: 'eight-days-old', handledAt: at(8 * 24 * 60 * 60_000) },
      { consumer: 'c', eventId: 'one-day-old', handledAt: at(24 * 60 * 60_000) },
    ]);
    const relay = new OutboxRelay({ db, tables: t, schema: pruneSchema, bus, clock, log: logger });
    expect(await relay.prune()).toEqual({ outbox: 1, inbox: 1 });
    const kept = await test.database.db.select({ envelope: t.outbox.envelope }).from(t.outbox).orderBy(t.outbox.seq);
    expect(kept.map((r) => (r.envelope as { label: string }).label)).toEqual(['published 10 min ago', 'never published']);
    expect((await test.database.db.select().from(t.inbox)).map((r) => r.eventId)).toEqual(['one-day-old']);
  });

  it('refuses an inbox retention too short to outlast redelivery', () => {
    expect(() => relayFor({ inboxRetentionMs: 60_000 })).toThrow(/inboxRetentionMs must be at least/);
  });
});
