/**
 * The outbox relay alone (`node --conditions=@mso/source --import tsx packages/kit/bench/outbox-relay.ts`), on
 * PostgreSQL and NATS: BENCH_RELAY_EVENTS outbox rows (default 20,000, about 1 KB each, as many as a
 * 10,000-claim ERA writes) of BENCH_RELAY_PRACTICES practices (default 1: an ERA is one practice's)
 * are committed, then timed until the relay has published and marked them all. Then every event is
 * read back from the stream to check that each practice's events are there once each, in `seq` order.
 * BENCH_RELAY_ROUNDS (default 3) repeats it on a fresh schema and stream.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import Type from 'typebox';
import { event } from '@mso/contracts';
import { connectNatsBus, deleteNatsNamespace } from '@mso/bus';
import { createTestDatabase } from '@mso/db/testing';
import { createLogger } from '@mso/telemetry';
import { ManualClock } from '../src/clock.js';
import { OutboxRelay, writeOutboxMany } from '../src/outbox.js';
import type { Db } from '../src/service.js';
import { kitTables, migrateKitTables } from '../src/tables.js';

const events = Number(process.env.BENCH_RELAY_EVENTS ?? 20_000);
const practices = Number(process.env.BENCH_RELAY_PRACTICES ?? 1);
const rounds = Number(process.env.BENCH_RELAY_ROUNDS ?? 3);
const servers = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const noted = event({
  type: 'bench.claim.adjudicated',
  data: Type.Object({ round: Type.Integer(), n: Type.Integer(), claimId: Type.String(), lines: Type.Array(Type.Object({ code: Type.String(), paidCents: Type.Integer(), adjustments: Type.String() })) }),
});
const clock = new ManualClock('2026-03-02T10:00:00Z');
const log = createLogger({ name: 'relay-bench', level: 'silent' });
const test = await createTestDatabase({ maxConnections: 4 });
const namespace = `rb${randomUUID().slice(0, 8)}`;
const bus = await connectNatsBus({ servers, namespace });
const results: { round: number; ms: number; eventsPerSecond: number }[] = [];
try {
  await bus.ensureStream({ producer: 'bench' });
  for (let round = 1; round <= rounds; round++) {
    const schema = `relay_bench_${round}`;
    await migrateKitTables(test.database, schema);
    const tables = kitTables(schema);
    const practiceOf = (i: number) => `practice-${i % practices}`;
    const items = Array.from({ length: events }, (_, n) => ({
      data: { round, n, claimId: randomUUID(), lines: Array.from({ length: 4 }, (_, l) => ({ code: `9921${l}`, paidCents: 7_000 + l, adjustments: `CO-45 ${1_000 + l}; PR-2 ${500 + l}; ${'x'.repeat(120)}` })) },
      options: { practiceId: practiceOf(n) },
    }));
    await test.database.transaction((tx) => writeOutboxMany(tx as unknown as Db, { tables, service: 'bench', clock, event: noted, items, tenant: null }));
    const relay = new OutboxRelay({ db: () => test.database.db as unknown as Db, tables, schema, bus, clock, log });

    const t0 = performance.now();
    await relay.relay();
    const ms = performance.now() - t0;
    const [left] = (await test.database.db.execute(sql`select count(*)::int as n from ${tables.outbox} where published_at is null`)) as unknown as { n: number }[];
    if (left!.n !== 0) throw new Error(`${left!.n} rows left unpublished`);

    // Read the round's events back: once each, every practice in `seq` (here: n) order.
    const seen = new Map<string, number>();
    let count = 0;
    let done!: () => void;
    const all = new Promise<void>((r) => (done = r));
    const failures: string[] = [];
    const reader = await bus.consume({
      producer: 'bench',
      durable: `reader_${round}`,
      batch: {
        maxEvents: 500,
        maxWaitMs: 5,
        handler: async (delivered) => {
          for (const d of delivered) {
            const envelope = JSON.parse(new TextDecoder().decode(d.data)) as { tenantid: string; data: { round: number; n: number } };
            if (envelope.data.round !== round) continue;
            const last = seen.get(envelope.tenantid) ?? -1;
            if (envelope.data.n <= last) failures.push(`${envelope.tenantid}: ${envelope.data.n} after ${last}`);
            seen.set(envelope.tenantid, envelope.data.n);
            count++;
          }
          if (count >= events) done();
        },
      },
    });
    await all;
    await reader.stop();
    if (failures.length) throw new Error(`out of order: ${failures.slice(0, 5).join(', ')}`);
    results.push({ round, ms: Math.round(ms), eventsPerSecond: Math.round((events / ms) * 1000) });
    console.log(JSON.stringify(results.at(-1)));
  }
  console.log(JSON.stringify({ events, practices, rounds: results }));
} finally {
  await bus.close();
  await deleteNatsNamespace({ servers, namespace }).catch(() => {});
  await test.drop();
}
