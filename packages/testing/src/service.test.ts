import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import Type from 'typebox';
import { and, count, eq } from 'drizzle-orm';
import { integer, pgSchema, text, timestamp } from 'drizzle-orm/pg-core';
import { event, operation, Page, ProblemError } from '@mso/contracts';
import { consume, defineService, handle } from '@mso/kit';
import { testService, type TestService } from './service.js';

// A small service: notes per practice (a handler that emits), a consumer of another service's event,
// and a job that writes a digest per practice. Embedded: in-memory bus and a PGlite copy per test.
const schema = pgSchema('harness_test');
const notes = schema.table('notes', {
  id: text('id').primaryKey(),
  practiceId: text('practice_id').notNull(),
  body: text('body').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});
const digests = schema.table('digests', {
  practiceId: text('practice_id').notNull(),
  at: timestamp('at', { withTimezone: true }).notNull(),
  notes: integer('notes').notNull(),
});

const Note = Type.Object({ id: Type.String(), body: Type.String(), createdAt: Type.String() });
const noteAdded = event({ type: 'finance.note.added', data: Type.Object({ id: Type.String() }) });
const claimPaid = event({ type: 'billing.claim.paid', data: Type.Object({ claimId: Type.String(), amountCents: Type.Integer(), fail: Type.Optional(Type.Boolean()) }) });
const addNote = operation({
  service: 'finance',
  name: 'note.add',
  summary: 'add a note',
  http: { method: 'POST', path: '/v1/finance/notes', status: 201 },
  roles: ['practice-admin', 'mso-staff'],
  input: Type.Object({ body: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
  output: Note,
});
const listNotes = operation({
  service: 'finance',
  name: 'note.list',
  summary: 'list notes, oldest first',
  http: { method: 'GET', path: '/v1/finance/notes' },
  roles: ['practice-admin', 'practice-user', 'mso-staff'],
  input: Type.Object({}, { additionalProperties: false }),
  output: Page(Note),
});

const finance = defineService({
  id: 'finance',
  version: '1.0.0',
  description: 'harness test',
  db: { schema: 'harness_test', migrationsFolder: fileURLToPath(new URL('../test/migrations', import.meta.url)) },
  emits: [noteAdded],
  operations: [addNote, listNotes],
  agreements: true,
  handlers: [
    handle(addNote, async (input, ctx) => {
      const agreement = await ctx.agreement;
      if (!agreement.services.includes('finance')) throw new ProblemError('forbidden', 'finance is not in the agreement');
      return ctx.transaction(async (tx) => {
        const note = { id: randomUUID(), practiceId: ctx.practiceId, body: input.body, createdAt: ctx.clock.now() };
        await tx.db.insert(notes).values(note);
        await tx.emit(noteAdded, { id: note.id }, { subject: note.id });
        return { id: note.id, body: note.body, createdAt: note.createdAt.toISOString() };
      });
    }),
    handle(listNotes, async (_input, ctx) => {
      const rows = await ctx.db.select().from(notes).where(eq(notes.practiceId, ctx.practiceId)).orderBy(notes.createdAt);
      return { items: rows.map((r) => ({ id: r.id, body: r.body, createdAt: r.createdAt.toISOString() })), nextCursor: null };
    }),
  ],
  consumers: [
    consume(claimPaid, async (e, ctx) => {
      await ctx.db.insert(notes).values({ id: randomUUID(), practiceId: ctx.tenant!, body: `claim ${e.data.claimId} paid ${e.data.amountCents}`, createdAt: ctx.clock.now() });
      // The write above is rolled back with the failure: a consumer's effects commit all or none.
      if (e.data.fail) throw new Error('ledger refused the payment');
    }),
  ],
  jobs: [
    {
      name: 'digest',
      every: '1h',
      perPractice: true,
      run: async (ctx) => {
        const [row] = await ctx.db.select({ n: count() }).from(notes).where(eq(notes.practiceId, ctx.tenant!));
        if (row!.n > 2) throw new Error('too many notes for a digest');
        await ctx.transaction(async (tx) => {
          await tx.db.insert(digests).values({ practiceId: ctx.tenant!, at: ctx.tick, notes: row!.n });
        });
      },
    },
  ],
});

let t: TestService;
let practiceId: string;
let templateMs = 0;
afterEach(async () => {
  await t?.close();
});

describe('testService', () => {
  beforeAll(async () => {
    // The first harness of the file builds the migrated template; later ones copy it.
    const before = performance.now();
    const first = await testService(finance);
    templateMs = Math.round(performance.now() - before);
    await first.close();
  });

  const start = async () => {
    t = await testService(finance, { clock: '2026-03-02T14:00:00Z' });
    practiceId = await t.practice();
  };

  it('calls handlers as a principal of a practice, and problems come back thrown', async () => {
    await start();
    const note = await t.call(addNote, { body: 'Call the payer back' }, { practiceId, role: 'practice-admin' });
    expect(note).toMatchObject({ body: 'Call the payer back', createdAt: '2026-03-02T14:00:00.000Z' });
    expect((await t.call(listNotes, {}, { practiceId, role: 'practice-user' })).items.map((n) => n.id)).toEqual([note.id]);

    await expect(t.call(addNote, { body: 'x' }, { practiceId, role: 'practice-user' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(t.call(addNote, { body: '' }, { practiceId })).rejects.toMatchObject({ code: 'validation-failed', errors: [expect.objectContaining({ path: '/body' })] });
    await expect(t.call(listNotes, {}, { role: 'mso-staff' })).rejects.toBeInstanceOf(ProblemError);
    // Another practice sees none of it.
    const other = await t.practice();
    expect((await t.call(listNotes, {}, { practiceId: other })).items).toEqual([]);
  });

  it('keeps each test in its own copy of the database', async () => {
    await start();
    expect((await t.call(listNotes, {}, { practiceId })).items).toEqual([]);
    const rows = await t.database!.db.select().from(notes);
    expect(rows).toEqual([]);
  });

  it('seeds agreements the service reads, and announces agreement changes', async () => {
    await start();
    const billingOnly = await t.practice({ services: ['billing'] });
    await expect(t.call(addNote, { body: 'x' }, { practiceId: billingOnly })).rejects.toMatchObject({ code: 'forbidden', message: 'finance is not in the agreement' });
    await t.changeAgreement(billingOnly, { services: ['billing', 'finance'] });
    await expect(t.call(addNote, { body: 'now it may' }, { practiceId: billingOnly })).resolves.toMatchObject({ body: 'now it may' });
  });

  it('lists what the service emitted after publishing its outbox', async () => {
    await start();
    const a = await t.call(addNote, { body: 'one' }, { practiceId });
    t.clock.advance(60_000);
    const b = await t.call(addNote, { body: 'two' }, { practiceId });
    const emitted = await t.events(noteAdded);
    expect(emitted.map((e) => [e.subject, e.tenantid, e.data.id])).toEqual([
      [a.id, practiceId, a.id],
      [b.id, practiceId, b.id],
    ]);
    expect(emitted[1]!.time).toBe('2026-03-02T14:01:00.000Z');
    expect(await t.events('finance.other')).toEqual([]);
  });

  it("delivers another service's event and resolves once the consumer committed it; a failure rejects and writes nothing", async () => {
    await start();
    await t.deliver(claimPaid, { claimId: 'c-1', amountCents: 12_500 }, { practiceId });
    expect((await t.call(listNotes, {}, { practiceId })).items.map((n) => n.body)).toEqual(['claim c-1 paid 12500']);

    // The same event id again is one event to the inbox.
    const id = randomUUID();
    await t.deliver(claimPaid, { claimId: 'c-2', amountCents: 1 }, { practiceId, id });
    await t.deliver(claimPaid, { claimId: 'c-2', amountCents: 1 }, { practiceId, id });
    expect((await t.call(listNotes, {}, { practiceId })).items).toHaveLength(2);

    await expect(t.deliver(claimPaid, { claimId: 'c-3', amountCents: 5, fail: true }, { practiceId })).rejects.toThrow('ledger refused the payment');
    expect((await t.call(listNotes, {}, { practiceId })).items).toHaveLength(2);
    await expect(t.deliver(noteAdded, { id: 'x' })).rejects.toThrow('finance does not consume finance.note.added');
  });

  it('runs a named job now, once per call, for every practice, and surfaces a failed run', async () => {
    await start();
    const other = await t.practice();
    await t.call(addNote, { body: 'one' }, { practiceId });
    await t.runJob('digest');
    t.clock.advance(30_000);
    await t.runJob('digest');
    const rows = await t.database!.db.select().from(digests).where(and(eq(digests.practiceId, practiceId)));
    expect(rows.map((r) => [r.at.toISOString(), r.notes])).toEqual([
      ['2026-03-02T14:00:00.000Z', 1],
      ['2026-03-02T14:00:30.000Z', 1],
    ]);
    expect(await t.database!.db.select().from(digests).where(eq(digests.practiceId, other))).toHaveLength(2);

    for (const body of ['two', 'three']) await t.call(addNote, { body }, { practiceId });
    await expect(t.runJob('digest')).rejects.toThrow('too many notes for a digest');
    await expect(t.runJob('nightly')).rejects.toThrow(/"nightly"/);
  });
});

describe('speed', () => {
  let started = 0;
  let setUp = 0;
  afterAll(() => {
    // Reported, not asserted: the numbers depend on the machine.
    process.stdout.write(`testService: ${templateMs} ms for the first (template), ${setUp} ms for a copy; 20 handler calls in ${started} ms\n`);
  });

  it('answers 20 handler calls in a fraction of a second', async () => {
    const before = performance.now();
    t = await testService(finance);
    practiceId = await t.practice();
    setUp = Math.round(performance.now() - before);
    const from = performance.now();
    for (let i = 0; i < 10; i++) {
      await t.call(addNote, { body: `note ${i}` }, { practiceId });
      await t.call(listNotes, {}, { practiceId });
    }
    started = Math.round(performance.now() - from);
    expect((await t.call(listNotes, {}, { practiceId })).items).toHaveLength(10);
  });
});
