import { fileURLToPath } from 'node:url';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Type from 'typebox';
import { eq } from 'drizzle-orm';
import { pgSchema, text } from 'drizzle-orm/pg-core';
import { busHeaders, operation, ProblemError, type Operation } from '@mso/contracts';
import { connectNatsBus, deleteNatsNamespace, type Bus } from '@mso/bus';
import { createTestDatabase, type TestDatabase } from '@mso/db/testing';
import { createLogger } from '@mso/telemetry';
import { ManualClock } from './clock.js';
import { operationHeaders } from './call.js';
import { decodeJson, encodeJson } from './codec.js';
import { startHost, type Host } from './host.js';
import { IdempotencyRecords, idempotencySettings } from './idempotency.js';
import { defineService, handle, type Db } from './service.js';
import { kitTables } from './tables.js';

// A service whose writes are counted, behind two copies of the host on NATS and PostgreSQL.
const notes = pgSchema('kit_idem').table('notes', { id: text('id').primaryKey(), practiceId: text('practice_id').notNull(), body: text('body').notNull() });
const records = kitTables('kit_idem').idempotency;

const addNote = operation({
  service: 'finance',
  name: 'note.add',
  summary: 'add a note',
  http: { method: 'POST', path: '/v1/finance/notes', status: 201 },
  roles: ['practice-admin'],
  input: Type.Object(
    { body: Type.String({ minLength: 1 }), slowMs: Type.Optional(Type.Integer()), refuse: Type.Optional(Type.Boolean()) },
    { additionalProperties: false },
  ),
  output: Type.Object({ id: Type.String(), body: Type.String() }),
});
const createInvoice = operation({
  service: 'finance',
  name: 'invoice.create',
  summary: 'create an invoice (creates money: the key is required)',
  http: { method: 'POST', path: '/v1/finance/invoices', status: 201 },
  roles: ['practice-admin'],
  idempotency: 'required',
  input: Type.Object({ cents: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
  output: Type.Object({ id: Type.String() }),
});
const addPatientNote = operation({
  service: 'finance',
  name: 'patient-note.add',
  summary: 'a note naming a patient (PHI)',
  http: { method: 'POST', path: '/v1/finance/patient-notes', status: 201 },
  roles: ['practice-admin'],
  phi: 'write',
  input: Type.Object({ patientName: Type.String() }, { additionalProperties: false }),
  output: Type.Object({ id: Type.String(), patientName: Type.String() }),
});

let executions = 0;
let crashNext = false;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const service = defineService({
  id: 'finance',
  version: '1.0.0',
  description: 'idempotency test',
  db: { schema: 'kit_idem', migrationsFolder: fileURLToPath(new URL('../test/idempotency-migrations', import.meta.url)) },
  operations: [addNote, createInvoice, addPatientNote],
  handlers: [
    handle(addNote, async (input, ctx) => {
      executions++;
      if (crashNext) {
        crashNext = false;
        throw new Error('the database went away');
      }
      return ctx.transaction(async (tx) => {
        const id = randomUUID();
        await tx.db.insert(notes).values({ id, practiceId: ctx.practiceId, body: input.body });
        if (input.slowMs) await pause(input.slowMs);
        if (input.refuse) throw new ProblemError('unprocessable', 'this note is refused');
        return { id, body: input.body };
      });
    }),
    handle(createInvoice, async (input, ctx) =>
      ctx.transaction(async (tx) => {
        const id = randomUUID();
        await tx.db.insert(notes).values({ id, practiceId: ctx.practiceId, body: `invoice ${input.cents}` });
        return { id };
      }),
    ),
    handle(addPatientNote, async (input, ctx) =>
      ctx.transaction(async (tx) => {
        const id = randomUUID();
        await tx.db.insert(notes).values({ id, practiceId: ctx.practiceId, body: 'patient note' });
        return { id, patientName: input.patientName };
      }),
    ),
  ],
});

let db: TestDatabase;
let bus: Bus;
let hosts: Host[] = [];
const clock = new ManualClock('2026-03-02T10:00:00Z');
const namespace = `i${randomUUID().slice(0, 8)}`;
const servers = process.env.TEST_NATS_URL ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const logger = createLogger({ name: 'kit-idem-test', level: 'silent' });
const encryptionKey = randomBytes(32).toString('base64');

beforeAll(async () => {
  db = await createTestDatabase();
  bus = await connectNatsBus({ servers, namespace });
  const options = { services: [service], bus, database: db.database, clock, logger, schedulerIntervalMs: 60_000, relayIntervalMs: 60_000, idempotency: { ttlHours: 2, encryptionKey } };
  hosts = [await startHost(options), await startHost(options)];
});
afterAll(async () => {
  for (const h of hosts) await h.stop();
  await bus?.close();
  await deleteNatsNamespace({ servers, namespace }).catch(() => {});
  await db?.drop();
});

interface Answer {
  status: number;
  body: Record<string, unknown>;
  replayed: string | undefined;
}

/** One request as the gateway sends it, with the reply's status and headers. */
async function send(op: Operation, input: object, options: { key?: string; practiceId?: string; role?: 'practice-admin' | 'practice-user' } = {}): Promise<Answer> {
  const practiceId = options.practiceId ?? 'p1';
  const principal = { id: 'k1', role: options.role ?? ('practice-admin' as const), practiceId };
  const reply = await bus.request(op.subject, encodeJson(input), {
    headers: operationHeaders({ principal, practiceId, ...(options.key ? { idempotencyKey: options.key } : {}) }),
    timeoutMs: 30_000,
  });
  return { status: Number(reply.headers?.[busHeaders.status]), body: decodeJson(reply.data), replayed: reply.headers?.[busHeaders.replayed] };
}

const notesWith = async (body: string) => db.database.db.select().from(notes).where(eq(notes.body, body));

describe('Idempotency-Key', () => {
  it('replays the first reply, marked as replayed, without running the operation again', async () => {
    const key = randomUUID();
    const before = executions;
    const first = await send(addNote, { body: 'once' }, { key });
    const second = await send(addNote, { body: 'once' }, { key });
    expect(first).toMatchObject({ status: 201, replayed: undefined });
    expect(second).toEqual({ status: 201, body: first.body, replayed: 'true' });
    expect(executions - before).toBe(1);
    expect(await notesWith('once')).toHaveLength(1);
  });

  it('refuses the key with a different request (body or operation) with 422, but not in another practice', async () => {
    const key = randomUUID();
    await send(addNote, { body: 'first body' }, { key });
    expect(await send(addNote, { body: 'second body' }, { key })).toMatchObject({ status: 422, body: { code: 'idempotency-key-reused' } });
    expect(await send(createInvoice, { cents: 100 }, { key })).toMatchObject({ status: 422, body: { code: 'idempotency-key-reused' } });
    expect(await notesWith('second body')).toHaveLength(0);
    // Keys belong to a practice: another practice's same key is another request.
    expect(await send(addNote, { body: 'second body' }, { key, practiceId: 'p2' })).toMatchObject({ status: 201, replayed: undefined });
  });

  it('runs 20 concurrent requests with one key once: the others get its reply or 409 in use', async () => {
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 20 }, () => send(addNote, { body: 'concurrent', slowMs: 300 }, { key })));
    expect(await notesWith('concurrent')).toHaveLength(1);
    const succeeded = answers.filter((a) => a.status === 201);
    const busy = answers.filter((a) => a.status === 409);
    expect(succeeded.length).toBeGreaterThanOrEqual(1);
    expect(succeeded.length + busy.length).toBe(20);
    expect(new Set(succeeded.map((a) => a.body.id)).size).toBe(1);
    for (const a of busy) expect(a.body).toMatchObject({ code: 'idempotency-key-in-use' });
    // Once settled, every retry gets the one reply.
    expect(await send(addNote, { body: 'concurrent', slowMs: 300 }, { key })).toEqual({ status: 201, body: succeeded[0]!.body, replayed: 'true' });
  });

  it('refuses a request without a key to an operation that requires one with 400, after the role check', async () => {
    expect(await send(createInvoice, { cents: 500 })).toMatchObject({ status: 400, body: { code: 'idempotency-key-required' } });
    expect(await send(createInvoice, { cents: 500 }, { role: 'practice-user' })).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect(await notesWith('invoice 500')).toHaveLength(0);
    expect(await send(createInvoice, { cents: 500 }, { key: randomUUID() })).toMatchObject({ status: 201 });
    expect(await notesWith('invoice 500')).toHaveLength(1);
  });

  it('stores a problem the handler answered, but not a failure that committed nothing (the retry runs)', async () => {
    const refusedKey = randomUUID();
    const before = executions;
    const refused = await send(addNote, { body: 'refused', refuse: true }, { key: refusedKey });
    expect(refused).toMatchObject({ status: 422, body: { code: 'unprocessable' } });
    expect(await send(addNote, { body: 'refused', refuse: true }, { key: refusedKey })).toEqual({ ...refused, replayed: 'true' });
    expect(executions - before).toBe(1);

    const crashKey = randomUUID();
    crashNext = true;
    expect(await send(addNote, { body: 'after a crash' }, { key: crashKey })).toMatchObject({ status: 500 });
    expect(await send(addNote, { body: 'after a crash' }, { key: crashKey })).toMatchObject({ status: 201, replayed: undefined });
    expect(await notesWith('after a crash')).toHaveLength(1);
  });

  it('keeps the reply of a PHI operation only sealed, and replays it', async () => {
    const key = randomUUID();
    const first = await send(addPatientNote, { patientName: 'Jane Roe' }, { key });
    expect(first).toMatchObject({ status: 201, body: { patientName: 'Jane Roe' } });
    expect(await send(addPatientNote, { patientName: 'Jane Roe' }, { key })).toEqual({ ...first, replayed: 'true' });
    const [record] = await db.database.db.select().from(records).where(eq(records.key, key));
    expect(record?.reply).toBeNull();
    expect(record?.sealedReply).toBeTruthy();
    expect(Buffer.from(record!.sealedReply!, 'base64').toString('latin1')).not.toContain('Jane');
  });

  it('without an encryption key keeps no PHI reply: a replay answers 409 naming the first status', async () => {
    const store = new IdempotencyRecords({ db: () => db.database.db as unknown as Db, table: records, clock, log: logger, settings: idempotencySettings({ encryptionKey: '', ttlHours: 2 }, {}) });
    const key = randomUUID();
    const reply = { data: encodeJson({ id: 'n1', patientName: 'Jane Roe' }), headers: { [busHeaders.status]: '201' } };
    const request = { op: addPatientNote, tenant: 'p1', key, input: { patientName: 'Jane Roe' } };
    expect(await store.run(request, async () => reply)).toBe(reply);
    await expect(store.run(request, async () => reply)).rejects.toMatchObject({ code: 'idempotency-key-in-use', message: expect.stringContaining('status 201') });
    const [record] = await db.database.db.select().from(records).where(eq(records.key, key));
    expect(record).toMatchObject({ status: 201, reply: null, sealedReply: null });
  });

  it('expires stored replies after the configured time, and the prune job deletes them', async () => {
    const key = randomUUID();
    const first = await send(addNote, { body: 'expiring' }, { key });
    clock.advance(3_600_000);
    expect(await send(addNote, { body: 'expiring' }, { key })).toMatchObject({ replayed: 'true', body: first.body });
    clock.advance(3_600_000);
    const after = await send(addNote, { body: 'expiring' }, { key });
    expect(after).toMatchObject({ status: 201, replayed: undefined });
    expect(after.body.id).not.toBe(first.body.id);

    clock.advance(2 * 3_600_000);
    expect((await db.database.db.select().from(records)).length).toBeGreaterThan(0);
    await hosts[0]!.runJob('mso-idempotency-prune');
    expect(await db.database.db.select().from(records)).toEqual([]);
  });
});
