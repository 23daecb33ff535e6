import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Type from 'typebox';
import { sql } from 'drizzle-orm';
import { event, operation, ProblemError } from '@mso/contracts';
import { connectNatsBus, deleteNatsNamespace, type Bus } from '@mso/bus';
import { createTestDatabase, type TestDatabase } from '@mso/db/testing';
import { createLogger } from '@mso/telemetry';
import { ManualClock } from './clock.js';
import { callOperation } from './call.js';
import { startHost, type Host } from './host.js';
import { defineService, handle } from './service.js';

// An event's outbox row leaves with the COMMIT of its transaction (transaction.ts, writeAtCommit), on
// real PostgreSQL and NATS: what the request wrote and its events still commit together or not at all.
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

const service = defineService({
  id: 'finance',
  version: '1.0.0',
  description: 'commit writes test',
  db: { schema, migrationsFolder: fileURLToPath(new URL('../test/outbox-migrations', import.meta.url)) },
  emits: [entryRecorded],
  operations: [recordEntry],
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
