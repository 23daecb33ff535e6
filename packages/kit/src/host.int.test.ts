import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Type from 'typebox';
import { eq } from 'drizzle-orm';
import { pgSchema, text } from 'drizzle-orm/pg-core';
import { event, operation, ProblemError } from '@mso/contracts';
import { connectNatsBus, deleteNatsNamespace, type Bus } from '@mso/bus';
import { createTestDatabase, type TestDatabase } from '@mso/db/testing';
import { createLogger } from '@mso/telemetry';
import { ManualClock } from './clock.js';
import { callOperation } from './call.js';
import { startHost, type Host } from './host.js';
import { consume, defineService, handle } from './service.js';

// A small service exercising the kit: it writes notes, emits an event per note, consumes its own
// events into a counter, and runs a job. Real NATS and a fresh Postgres database.
const notes = pgSchema('kit_test').table('notes', { id: text('id').primaryKey(), practiceId: text('practice_id').notNull(), body: text('body').notNull() });
const noteAdded = event({ type: 'finance.note.added', data: Type.Object({ id: Type.String() }) });
const addNote = operation({
  service: 'finance',
  name: 'note.add',
  summary: 'add a note',
  http: { method: 'POST', path: '/v1/finance/notes', status: 201 },
  roles: ['practice-admin'],
  input: Type.Object({ body: Type.String({ minLength: 1 }), failAfterEmit: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
  output: Type.Object({ id: Type.String() }),
});

const handled: string[] = [];
const ticks: string[] = [];
const principal = { id: 'k1', role: 'practice-admin' as const, practiceId: 'p1' };
const clock = new ManualClock('2026-03-02T10:00:30Z');

const service = defineService({
  id: 'finance',
  version: '1.0.0',
  description: 'kit test',
  db: { schema: 'kit_test', migrationsFolder: fileURLToPath(new URL('../test/migrations', import.meta.url)) },
  emits: [noteAdded],
  operations: [addNote],
  handlers: [
    handle(addNote, async (input, ctx) =>
      ctx.transaction(async (tx) => {
        const id = randomUUID();
        await tx.db.insert(notes).values({ id, practiceId: ctx.practiceId, body: input.body });
        await tx.emit(noteAdded, { id });
        if (input.failAfterEmit) throw new ProblemError('conflict', 'refused after writing');
        return { id };
      }),
    ),
  ],
  consumers: [
    consume(noteAdded, async (e) => {
      handled.push(e.data.id);
    }),
  ],
  jobs: [{ name: 'minute', every: '1m', run: async (ctx) => void ticks.push(ctx.tick.toISOString()) }],
});

let db: TestDatabase;
let bus: Bus;
let hosts: Host[] = [];
const namespace = `k${randomUUID().slice(0, 8)}`;
const servers = process.env.TEST_NATS_URL ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const logger = createLogger({ name: 'kit-test', level: 'silent' });

beforeAll(async () => {
  db = await createTestDatabase();
  bus = await connectNatsBus({ servers, namespace });
  hosts = [
    await startHost({ services: [service], bus, database: db.database, clock, logger, schedulerIntervalMs: 60_000, relayIntervalMs: 60_000 }),
    await startHost({ services: [service], bus, database: db.database, clock, logger, schedulerIntervalMs: 60_000, relayIntervalMs: 60_000 }),
  ];
});
afterAll(async () => {
  for (const h of hosts) await h.stop();
  await bus?.close();
  await deleteNatsNamespace({ servers, namespace }).catch(() => {});
  await db?.drop();
});

async function waitFor(predicate: () => boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!predicate() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

describe('service host', () => {
  it('commits the state change and its event together, and each copy-shared consumer handles it once', async () => {
    const { id } = await callOperation(bus, addNote, { body: 'hello' }, { principal, practiceId: 'p1' });
    for (const h of hosts) await h.flushOutbox();
    await waitFor(() => handled.includes(id));
    await new Promise((r) => setTimeout(r, 300));
    expect(handled.filter((x) => x === id)).toHaveLength(1);
    const rows = await db.database.db.select().from(notes).where(eq(notes.id, id));
    expect(rows).toHaveLength(1);
  });

  it('publishes nothing and stores nothing when the handler fails after emitting', async () => {
    const before = handled.length;
    await expect(callOperation(bus, addNote, { body: 'nope', failAfterEmit: true }, { principal, practiceId: 'p1' })).rejects.toMatchObject({ code: 'conflict' });
    for (const h of hosts) await h.flushOutbox();
    await new Promise((r) => setTimeout(r, 300));
    expect(handled.length).toBe(before);
    expect(await db.database.db.select().from(notes).where(eq(notes.body, 'nope'))).toHaveLength(0);
  });

  it('skips an event id the consumer has already handled (inbox)', async () => {
    const id = randomUUID();
    const envelope = { specversion: '1.0', id: `dup-${id}`, source: 'mso/finance', type: noteAdded.type, time: clock.now().toISOString(), datacontenttype: 'application/json', dataschemaversion: 1, tenantid: 'p1', data: { id } };
    // The same event twice with different transport ids: only the inbox can tell they are one.
    await bus.publish({ id: `a-${id}`, subject: noteAdded.subject, data: new TextEncoder().encode(JSON.stringify(envelope)) });
    await bus.publish({ id: `b-${id}`, subject: noteAdded.subject, data: new TextEncoder().encode(JSON.stringify(envelope)) });
    await waitFor(() => handled.includes(id));
    await new Promise((r) => setTimeout(r, 500));
    expect(handled.filter((x) => x === id)).toHaveLength(1);
  });

  it('replays the stored reply for a repeated idempotency key instead of writing twice', async () => {
    const key = `idem-${randomUUID()}`;
    const first = await callOperation(bus, addNote, { body: 'once' }, { principal, practiceId: 'p1', idempotencyKey: key });
    const second = await callOperation(bus, addNote, { body: 'once' }, { principal, practiceId: 'p1', idempotencyKey: key });
    expect(second.id).toBe(first.id);
    expect(await db.database.db.select().from(notes).where(eq(notes.body, 'once'))).toHaveLength(1);
  });

  it('rejects invalid input with every violation and a wrong role with forbidden, on the service side too', async () => {
    await expect(callOperation(bus, addNote, { body: '', extra: 1 } as never, { principal, practiceId: 'p1' })).rejects.toMatchObject({
      code: 'validation-failed',
      errors: expect.arrayContaining([expect.objectContaining({ path: '/body' }), expect.objectContaining({ path: '/extra' })]),
    });
    await expect(callOperation(bus, addNote, { body: 'x' }, { principal: { id: 'k2', role: 'practice-user', practiceId: 'p1' }, practiceId: 'p1' })).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('runs a job once per tick of the injected clock across two copies, and not again for the same tick', async () => {
    await Promise.all(hosts.map((h) => h.runDueJobs()));
    expect(ticks).toEqual(['2026-03-02T10:00:00.000Z']);
    await Promise.all(hosts.map((h) => h.runDueJobs()));
    expect(ticks).toHaveLength(1);
    clock.advance(60_000);
    await Promise.all(hosts.map((h) => h.runDueJobs()));
    expect(ticks).toEqual(['2026-03-02T10:00:00.000Z', '2026-03-02T10:01:00.000Z']);
  });
});
