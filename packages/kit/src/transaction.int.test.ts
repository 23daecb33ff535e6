import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Type from 'typebox';
import { and, eq, sql } from 'drizzle-orm';
import { bigint, pgSchema, primaryKey, text } from 'drizzle-orm/pg-core';
import { event, operation, ProblemError, serviceInfo } from '@mso/contracts';
import { connectNatsBus, deleteNatsNamespace, type Bus } from '@mso/bus';
import { createTestDatabase, type TestDatabase } from '@mso/db/testing';
import { createLogger } from '@mso/telemetry';
import { ManualClock } from './clock.js';
import { callOperation } from './call.js';
import { startHost, type Host } from './host.js';
import { defineService, handle, type Db } from './service.js';
import { runInTransaction } from './transaction.js';
import { kitTables } from './tables.js';

// A small ledger on the kit: transfers read both balances and write them back (the read-modify-write
// a ledger does), at SERIALIZABLE, through a real host on NATS and PostgreSQL.
const ledger = pgSchema('kit_ledger');
const accounts = ledger.table(
  'accounts',
  { practiceId: text('practice_id').notNull(), id: text('id').notNull(), balanceCents: bigint('balance_cents', { mode: 'number' }).notNull() },
  (t) => [primaryKey({ columns: [t.practiceId, t.id] })],
);
const transfers = ledger.table('transfers', {
  id: text('id').primaryKey(),
  practiceId: text('practice_id').notNull(),
  fromAccount: text('from_account').notNull(),
  toAccount: text('to_account').notNull(),
  cents: bigint('cents', { mode: 'number' }).notNull(),
});

const transferMade = event({ type: 'finance.transfer.made', data: Type.Object({ id: Type.String() }) });
const makeTransfer = operation({
  service: 'finance',
  name: 'transfer.create',
  summary: 'move cents between two accounts',
  http: { method: 'POST', path: '/v1/finance/transfers', status: 201 },
  roles: ['practice-admin'],
  input: Type.Object({ from: Type.String(), to: Type.String(), cents: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
  output: Type.Object({ id: Type.String() }),
});
const openAccounts = operation({
  service: 'finance',
  name: 'account.open',
  summary: 'open an account, and try a second one in a nested transaction that fails',
  http: { method: 'POST', path: '/v1/finance/accounts', status: 201 },
  roles: ['practice-admin'],
  input: Type.Object({ id: Type.String(), failing: Type.String() }, { additionalProperties: false }),
  output: Type.Object({ nestedProblem: Type.String() }),
});
const callInside = operation({
  service: 'finance',
  name: 'account.check',
  summary: 'call another operation inside and then outside a transaction',
  http: { method: 'POST', path: '/v1/finance/accounts/check' },
  roles: ['practice-admin'],
  input: Type.Object({}, { additionalProperties: false }),
  output: Type.Object({ refusal: Type.String(), afterwards: Type.String() }),
});
const info = serviceInfo('finance');

let attempts = 0;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function balanceOf(db: Db, practiceId: string, id: string): Promise<number> {
  const [row] = await db.select().from(accounts).where(and(eq(accounts.practiceId, practiceId), eq(accounts.id, id)));
  if (!row) throw new ProblemError('not-found', `no account ${id}`);
  return row.balanceCents;
}

const service = defineService({
  id: 'finance',
  version: '1.0.0',
  description: 'ledger test',
  db: { schema: 'kit_ledger', migrationsFolder: fileURLToPath(new URL('../test/ledger-migrations', import.meta.url)) },
  emits: [transferMade],
  operations: [makeTransfer, openAccounts, callInside],
  handlers: [
    handle(makeTransfer, async (input, ctx) =>
      ctx.transaction(
        async (tx) => {
          attempts++;
          const from = await balanceOf(tx.db, ctx.practiceId, input.from);
          const to = await balanceOf(tx.db, ctx.practiceId, input.to);
          await pause(2); // widen the window between read and write, as real work would
          await tx.db.update(accounts).set({ balanceCents: from - input.cents }).where(and(eq(accounts.practiceId, ctx.practiceId), eq(accounts.id, input.from)));
          await tx.db.update(accounts).set({ balanceCents: to + input.cents }).where(and(eq(accounts.practiceId, ctx.practiceId), eq(accounts.id, input.to)));
          const id = randomUUID();
          await tx.db.insert(transfers).values({ id, practiceId: ctx.practiceId, fromAccount: input.from, toAccount: input.to, cents: input.cents });
          await tx.emit(transferMade, { id });
          return { id };
        },
        // Every pair of these transfers shares an account, so 50 at once is a worst case beyond the
        // default: the last of them needs about a dozen re-runs.
        { isolation: 'serializable', retries: 20 },
      ),
    ),
    handle(openAccounts, async (input, ctx) =>
      ctx.transaction(async (tx) => {
        await tx.db.insert(accounts).values({ practiceId: ctx.practiceId, id: input.id, balanceCents: 0 });
        let nestedProblem = '';
        try {
          await ctx.transaction(async (inner) => {
            await inner.db.insert(accounts).values({ practiceId: ctx.practiceId, id: input.failing, balanceCents: 0 });
            throw new ProblemError('conflict', 'the nested part fails');
          });
        } catch (error) {
          nestedProblem = (error as Error).message;
        }
        // The outer transaction goes on after its savepoint rolled back, and commits.
        await tx.db.update(accounts).set({ balanceCents: 100 }).where(and(eq(accounts.practiceId, ctx.practiceId), eq(accounts.id, input.id)));
        return { nestedProblem };
      }),
    ),
    handle(callInside, async (_input, ctx) => {
      const refusal = await ctx
        .transaction(async () => {
          await ctx.call(info, {});
          return 'not refused';
        })
        .catch((error: unknown) => (error as Error).message);
      const afterwards = await ctx.call(info, {});
      return { refusal, afterwards: afterwards.service };
    }),
  ],
});

let db: TestDatabase;
let bus: Bus;
let hosts: Host[] = [];
const namespace = `t${randomUUID().slice(0, 8)}`;
const servers = process.env.TEST_NATS_URL ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const logger = createLogger({ name: 'kit-tx-test', level: 'silent' });
const principal = { id: 'k1', role: 'practice-admin' as const, practiceId: 'p1' };

beforeAll(async () => {
  db = await createTestDatabase({ maxConnections: 8 });
  bus = await connectNatsBus({ servers, namespace });
  const clock = new ManualClock('2026-03-02T10:00:00Z');
  const options = { services: [service], bus, database: db.database, clock, logger, schedulerIntervalMs: 60_000, relayIntervalMs: 60_000 };
  // Two copies share the requests, as two processes of a service would.
  hosts = [await startHost(options), await startHost(options)];
});
afterAll(async () => {
  for (const h of hosts) await h.stop();
  await bus?.close();
  await deleteNatsNamespace({ servers, namespace }).catch(() => {});
  await db?.drop();
});

describe('ctx.transaction', () => {
  it('runs 50 concurrent serializable transfers without losing an update or surfacing a serialization failure', async () => {
    const names = ['a', 'b', 'c'];
    const start = 10_000;
    await db.database.db.insert(accounts).values(names.map((id) => ({ practiceId: 'p1', id, balanceCents: start })));
    const planned = Array.from({ length: 50 }, (_, i) => ({ from: names[i % 3]!, to: names[(i + 1 + (i % 2)) % 3]!, cents: 1 + (i % 7) }));

    const results = await Promise.allSettled(planned.map((t) => callOperation(bus, makeTransfer, t, { principal, practiceId: 'p1', timeoutMs: 60_000 })));

    const failures = results.filter((r) => r.status === 'rejected');
    expect(failures).toEqual([]);
    const rows = await db.database.db.select().from(accounts).where(eq(accounts.practiceId, 'p1'));
    const balance = Object.fromEntries(rows.map((r) => [r.id, r.balanceCents]));
    expect(Object.values(balance).reduce((a, b) => a + b, 0)).toBe(start * 3);
    // No update lost: every account moved by exactly what the 50 transfers say.
    for (const id of names) {
      const expected = start + planned.reduce((sum, t) => sum + (t.to === id ? t.cents : 0) - (t.from === id ? t.cents : 0), 0);
      expect(balance[id]).toBe(expected);
    }
    expect(await db.database.db.select().from(transfers)).toHaveLength(50);
    // Colliding transactions were re-run, and their re-runs left exactly one event per transfer.
    expect(attempts).toBeGreaterThan(50);
    const outbox = await db.database.db.select({ envelope: kitTables('kit_ledger').outbox.envelope }).from(kitTables('kit_ledger').outbox);
    expect(outbox.filter((row) => (row.envelope as { type: string }).type === transferMade.type)).toHaveLength(50);
  }, 120_000); // every pair of these transfers collides: they commit one at a time, the others re-run

  it('rolls back a failing nested transaction to its savepoint and commits the outer one', async () => {
    const reply = await callOperation(bus, openAccounts, { id: 'outer', failing: 'inner' }, { principal, practiceId: 'p1' });
    expect(reply.nestedProblem).toBe('the nested part fails');
    const rows = await db.database.db.select().from(accounts).where(eq(accounts.practiceId, 'p1'));
    expect(rows.find((r) => r.id === 'outer')?.balanceCents).toBe(100);
    expect(rows.find((r) => r.id === 'inner')).toBeUndefined();
  });

  it('refuses ctx.call inside a transaction, naming the operation, and allows it outside', async () => {
    const reply = await callOperation(bus, callInside, {}, { principal, practiceId: 'p1' });
    expect(reply.refusal).toContain('ctx.call(finance.v1.info.get) was called inside a transaction');
    expect(reply.afterwards).toBe('finance');
  });
});

describe('runInTransaction', () => {
  const failWith = (state: string) => sql.raw(`DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '${state}'; END $$`);

  it('re-runs the transaction after serialization failures and deadlocks, and returns its result', async () => {
    let runs = 0;
    const result = await runInTransaction(db.database.db as unknown as Db, { tenant: 'p1', isolation: 'serializable' }, async (tx) => {
      runs++;
      if (runs === 1) await tx.execute(failWith('40001'));
      if (runs === 2) await tx.execute(failWith('40P01'));
      return 'done';
    });
    expect(result).toBe('done');
    expect(runs).toBe(3);
  });

  it('gives up after the bounded number of retries and does not retry other errors', async () => {
    let runs = 0;
    await expect(
      runInTransaction(db.database.db as unknown as Db, { tenant: 'p1', retries: 2 }, async (tx) => {
        runs++;
        await tx.execute(failWith('40001'));
      }),
    ).rejects.toThrow();
    expect(runs).toBe(3);
    runs = 0;
    await expect(
      runInTransaction(db.database.db as unknown as Db, { tenant: 'p1' }, async (tx) => {
        runs++;
        await tx.execute(failWith('23505'));
      }),
    ).rejects.toThrow();
    expect(runs).toBe(1);
  });
});
