import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Type from 'typebox';
import { sql } from 'drizzle-orm';
import { event, operation, ProblemError } from '@mso/contracts';
import { connectNatsBus, deleteNatsNamespace, type Bus } from '@mso/bus';
import { openDatabase } from '@mso/db';
import { createTestDatabase, startPostgresProxy, type TestDatabase } from '@mso/db/testing';
import { createLogger } from '@mso/telemetry';
import { ManualClock } from './clock.js';
import { callOperation } from './call.js';
import { startHost, type Host } from './host.js';
import { defineService, handle, type Db } from './service.js';
import { isUniqueViolation } from './transaction.js';

// An event's outbox row leaves with the COMMIT of its transaction (transaction.ts, writeAtCommit), and
// so does a write sent with `tx.write`, on real PostgreSQL and NATS: what the request wrote and its
// events still commit together or not at all.
const schema = 'outbox_test';
const entryRecorded = event({ type: 'finance.entry.recorded', data: Type.Object({ n: Type.Integer(), label: Type.String() }) });
const recordEntry = operation({
  service: 'finance',
  name: 'entry.record',
  summary: 'record an entry and announce it; with `nested`, also emit in a savepoint that fails and in one that is released',
  http: { method: 'POST', path: '/v1/finance/entries', status: 201 },
  roles: ['practice-admin'],
  input: Type.Object({ label: Type.String(), nested: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
  output: Type.Object({ n: Type.Integer() }),
});
const sendEntry = operation({
  service: 'finance',
  name: 'entry.send',
  summary: "write the practice's counter without reading it back (tx.write) and announce it; 409 when it has one; with `nested`, write it again in a savepoint",
  http: { method: 'POST', path: '/v1/finance/entries/sent', status: 201 },
  roles: ['practice-admin'],
  input: Type.Object({ label: Type.String(), nested: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
  output: Type.Object({ nested: Type.Optional(Type.String()) }),
});

const batchEntry = operation({
  service: 'finance',
  name: 'entry.batch',
  summary: "write the practice's counter and announce it in a write batch; 409 when it has one; with `thenFail`, inside a transaction that fails after it",
  http: { method: 'POST', path: '/v1/finance/entries/batched', status: 201 },
  roles: ['practice-admin'],
  input: Type.Object({ label: Type.String(), thenFail: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
  output: Type.Object({}),
});

const service = defineService({
  id: 'finance',
  version: '1.0.0',
  description: 'commit writes test',
  db: { schema, migrationsFolder: fileURLToPath(new URL('../test/outbox-migrations', import.meta.url)) },
  emits: [entryRecorded],
  operations: [recordEntry, sendEntry, batchEntry],
  handlers: [
    handle(recordEntry, async (input, ctx) =>
      ctx.transaction(async (tx) => {
        const [row] = (await tx.db.execute(
          sql`insert into outbox_test.counters (practice_id, n) values (${ctx.practiceId}, 1)
              on conflict (practice_id) do update set n = outbox_test.counters.n + 1 returning n`,
        )) as unknown as { n: number }[];
        await tx.emit(entryRecorded, { n: row!.n, label: input.label });
        if (input.nested) {
          await ctx
            .transaction(async (inner) => {
              await inner.emit(entryRecorded, { n: row!.n, label: 'dropped with its savepoint' });
              throw new ProblemError('conflict', 'the nested part fails');
            })
            .catch(() => undefined);
          await ctx.transaction((inner) => inner.emit(entryRecorded, { n: row!.n, label: 'kept with its savepoint' }));
        }
        return { n: row!.n };
      }),
    ),
    handle(sendEntry, async (input, ctx) => {
      const insertCounter = (db: Db) => db.execute(sql`insert into outbox_test.counters (practice_id, n) values (${ctx.practiceId}, 1)`);
      try {
        return await ctx.transaction(async (tx) => {
          tx.write(insertCounter(tx.db));
          await tx.emit(entryRecorded, { n: 1, label: input.label });
          if (!input.nested) return {};
          // The same row again: the savepoint fails with the write's own error and rolls back alone.
          const nested = await ctx
            .transaction(async (inner) => {
              inner.write(insertCounter(inner.db));
              await inner.emit(entryRecorded, { n: 2, label: 'dropped with its savepoint' });
            })
            .then(
              () => 'released',
              (error: unknown) => (isUniqueViolation(error) ? 'unique violation' : String(error)),
            );
          return { nested };
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new ProblemError('conflict', 'the practice has its counter');
        throw error;
      }
    }),
    handle(batchEntry, async (input, ctx) => {
      const batch = () =>
        ctx.writeBatch((b) => {
          b.write(b.db.execute(sql`insert into outbox_test.counters (practice_id, n) values (${ctx.practiceId}, 1)`));
          b.emit(entryRecorded, { n: 1, label: input.label });
        });
      try {
        if (!input.thenFail) await batch();
        else
          await ctx.transaction(async () => {
            await batch(); // joins this transaction, and is rolled back with it
            throw new ProblemError('conflict', 'failing after the batch');
          });
      } catch (error) {
        if (isUniqueViolation(error)) throw new ProblemError('conflict', 'the practice has its counter');
        throw error;
      }
      return {};
    }),
  ],
});

const servers = process.env.TEST_NATS_URL ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const namespace = `w${randomUUID().slice(0, 8)}`;
let test: TestDatabase;
let bus: Bus;
let host: Host;

beforeAll(async () => {
  test = await createTestDatabase();
  bus = await connectNatsBus({ servers, namespace });
  const logger = createLogger({ name: 'commit-writes-test', level: 'silent' });
  host = await startHost({ services: [service], bus, database: test.database, clock: new ManualClock('2026-03-02T10:00:00Z'), logger, schedulerIntervalMs: 60_000, relayIntervalMs: 60_000 });
  // The outbox refuses one label, as a constraint would: the failure comes from the write sent with the COMMIT.
  await test.database.db.execute(sql.raw(`CREATE FUNCTION outbox_test.refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.envelope->'data'->>'label' = 'poison' THEN RAISE EXCEPTION 'poisoned event' USING ERRCODE = '23514'; END IF; RETURN NEW; END $$`));
  await test.database.db.execute(sql.raw('CREATE TRIGGER refuse_poison BEFORE INSERT ON outbox_test.mso_outbox FOR EACH ROW EXECUTE FUNCTION outbox_test.refuse_poison()'));
});
afterAll(async () => {
  await host?.stop();
  await bus?.close();
  await deleteNatsNamespace({ servers, namespace }).catch(() => {});
  await test?.drop();
});

const principalOf = (practiceId: string) => ({ id: 'k1', role: 'practice-admin' as const, practiceId });
const record = (practiceId: string, input: { label: string; nested?: boolean }) => callOperation(bus, recordEntry, input, { principal: principalOf(practiceId), practiceId });
const send = (practiceId: string, input: { label: string; nested?: boolean }, via: Bus = bus) => callOperation(via, sendEntry, input, { principal: principalOf(practiceId), practiceId });
const batched = (practiceId: string, input: { label: string; thenFail?: boolean }) => callOperation(bus, batchEntry, input, { principal: principalOf(practiceId), practiceId });
const counterOf = async (practiceId: string) =>
  ((await test.database.db.execute(sql`select n from outbox_test.counters where practice_id = ${practiceId}`)) as unknown as { n: number }[])[0]?.n;
const labelsOf = async (practiceId: string) =>
  ((await test.database.db.execute(sql`select envelope->'data'->>'label' as label from outbox_test.mso_outbox where practice_id = ${practiceId} order by seq`)) as unknown as { label: string }[]).map((r) => r.label);

describe('events written with the commit', () => {
  it('commits the change and its event together', async () => {
    const practice = `p-${randomUUID()}`;
    expect(await record(practice, { label: 'first' })).toEqual({ n: 1 });
    expect(await record(practice, { label: 'second' })).toEqual({ n: 2 });
    expect(await counterOf(practice)).toBe(2);
    expect(await labelsOf(practice)).toEqual(['first', 'second']);
  });

  it('fails the request and keeps nothing of it when the outbox refuses its event', async () => {
    const practice = `p-${randomUUID()}`;
    await expect(record(practice, { label: 'poison' })).rejects.toMatchObject({ status: 500 });
    expect(await counterOf(practice)).toBeUndefined();
    expect(await labelsOf(practice)).toEqual([]);
    // The service goes on: the next request of the practice commits.
    expect(await record(practice, { label: 'after' })).toEqual({ n: 1 });
    expect(await labelsOf(practice)).toEqual(['after']);
  });

  it('drops the events of a savepoint that rolled back and keeps those of one that was released', async () => {
    const practice = `p-${randomUUID()}`;
    expect(await record(practice, { label: 'outer', nested: true })).toEqual({ n: 1 });
    expect(await labelsOf(practice)).toEqual(['outer', 'kept with its savepoint']);
  });
});

describe('writes sent without waiting (tx.write)', () => {
  it('commits the write and its event together', async () => {
    const practice = `p-${randomUUID()}`;
    expect(await send(practice, { label: 'sent' })).toEqual({});
    expect(await counterOf(practice)).toBe(1);
    expect(await labelsOf(practice)).toEqual(['sent']);
  });

  it("fails the request with the write's own error and keeps nothing of it when the write fails", async () => {
    const practice = `p-${randomUUID()}`;
    await send(practice, { label: 'first' });
    // The row exists: the insert fails, and the handler sees a unique violation (409), not the
    // "transaction is aborted" of the outbox insert and COMMIT sent behind it.
    await expect(send(practice, { label: 'second' })).rejects.toMatchObject({ status: 409 });
    expect(await labelsOf(practice)).toEqual(['first']);
    // A poisoned event behind a good write: the write is rolled back with it.
    const other = `p-${randomUUID()}`;
    await expect(send(other, { label: 'poison' })).rejects.toMatchObject({ status: 500 });
    expect(await counterOf(other)).toBeUndefined();
  });

  it('rolls back only the savepoint whose sent write failed', async () => {
    const practice = `p-${randomUUID()}`;
    expect(await send(practice, { label: 'outer', nested: true })).toEqual({ nested: 'unique violation' });
    expect(await counterOf(practice)).toBe(1);
    expect(await labelsOf(practice)).toEqual(['outer']);
  });

  it('sends BEGIN, the write, its event and COMMIT before any reply is back: one round trip', async () => {
    // A second host on its own namespace, whose database connection goes through a proxy that can hold back the replies.
    const proxy = await startPostgresProxy(test.url);
    const database = await openDatabase({ url: proxy.url, maxConnections: 1 });
    const ns = `w${randomUUID().slice(0, 8)}`;
    const proxiedBus = await connectNatsBus({ servers, namespace: ns });
    const logger = createLogger({ name: 'commit-writes-test', level: 'silent' });
    const proxiedHost = await startHost({ services: [service], bus: proxiedBus, database, clock: new ManualClock('2026-03-02T10:00:00Z'), logger, schedulerIntervalMs: 60_000, relayIntervalMs: 60_000 });
    try {
      // A first request prepares the statements on the connection (a new statement's parameter types
      // are asked for first, a round trip of its own, once per connection).
      await send(`p-${randomUUID()}`, { label: 'prepares' }, proxiedBus);
      await proxiedHost.flushOutbox(); // its event published: the relay holds no connection now
      const practice = `p-${randomUUID()}`;
      proxy.mark();
      proxy.hold();
      const pending = send(practice, { label: 'one round trip' }, proxiedBus);
      pending.catch(() => undefined);
      try {
        // Behind the BEGIN: the tenant scope, the write, the event's outbox row and the COMMIT (a
        // prepared statement by now, so it goes out by name: counted, not searched for).
        await proxy.untilStatementsSent(4);
        expect(proxy.sent()).toMatch(new RegExp(`^Q[^]{4}begin [\\s\\S]*${practice}[\\s\\S]*one round trip`));
        expect(proxy.statementsSent()).toBe(4);
      } finally {
        proxy.release();
      }
      expect(await pending).toEqual({});
      expect(await counterOf(practice)).toBe(1);
      expect(await labelsOf(practice)).toEqual(['one round trip']);
    } finally {
      await proxiedHost.stop();
      await proxiedBus.close();
      await deleteNatsNamespace({ servers, namespace: ns }).catch(() => {});
      await database.close();
      await proxy.close();
    }
  });
});

describe('write batches (ctx.writeBatch)', () => {
  it('commits the write and its event together, and keeps neither when one of them fails', async () => {
    const practice = `p-${randomUUID()}`;
    expect(await batched(practice, { label: 'batched' })).toEqual({});
    expect(await counterOf(practice)).toBe(1);
    expect(await labelsOf(practice)).toEqual(['batched']);
    // The counter exists: the write fails with its own error (409 from the handler), the event goes with it.
    await expect(batched(practice, { label: 'again' })).rejects.toMatchObject({ status: 409 });
    expect(await labelsOf(practice)).toEqual(['batched']);
    // The outbox refuses the event: the write goes with it.
    const other = `p-${randomUUID()}`;
    await expect(batched(other, { label: 'poison' })).rejects.toMatchObject({ status: 500 });
    expect(await counterOf(other)).toBeUndefined();
    expect(await labelsOf(other)).toEqual([]);
  });

  it('joins the transaction it is called in, and is rolled back with it', async () => {
    const practice = `p-${randomUUID()}`;
    await expect(batched(practice, { label: 'rolled back', thenFail: true })).rejects.toMatchObject({ status: 409 });
    expect(await counterOf(practice)).toBeUndefined();
    expect(await labelsOf(practice)).toEqual([]);
  });
});
