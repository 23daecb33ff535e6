import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Type from 'typebox';
import { sql } from 'drizzle-orm';
import { event, type EventDef, type EventEnvelope } from '@mso/contracts';
import { connectNatsBus, type Bus } from '@mso/bus';
import { createTestDatabase, type TestDatabase } from '@mso/db/testing';
import { createLogger } from '@mso/telemetry';
import { ManualClock } from './clock.js';
import { encodeJson } from './codec.js';
import { startHost, type Host } from './host.js';
import { consume, defineService, type ConsumerContext } from './service.js';
import { servers, tearDown, waitFor } from '../test/nats.js';

// One consumer for several events of a producer, on PostgreSQL and NATS: one durable, the producer's
// stream order across the event types, the producer's other events acknowledged without a handler.
const SCHEMA = 'kit_batch';
const Data = Type.Object({ label: Type.String() });
const opened = event({ type: 'billing.many-item.opened', data: Data });
const closed = event({ type: 'billing.many-item.closed', data: Type.Object({ label: Type.String(), closedOn: Type.String() }) });
const other = event({ type: 'billing.many-other.noted', data: Data });

const handled: { type: string; label: string; tenant: string | null }[] = [];
const durables = new Set<string>();
async function record(e: EventEnvelope<{ label: string }>, ctx: ConsumerContext): Promise<void> {
  handled.push({ type: e.type, label: e.data.label, tenant: ctx.tenant });
  await ctx.db.execute(sql`insert into kit_batch.entries (event_id, practice_id, label) values (${e.id}, ${e.tenantid ?? null}::uuid, ${e.data.label})`);
}

const batchedService = defineService({
  id: 'finance',
  version: '1.0.0',
  description: 'one consumer for several events',
  db: { schema: SCHEMA, migrationsFolder: fileURLToPath(new URL('../test/batch-migrations', import.meta.url)) },
  handlers: [],
  operations: [],
  consumers: [consume([opened, closed], record as never, { batch: { maxEvents: 20, maxWaitMs: 200 } })],
});

const clock = new ManualClock('2026-03-02T10:00:00Z');
const logger = createLogger({ name: 'consume-many-test', level: 'silent' });
const namespace = `m${randomUUID().slice(0, 8)}`;
const p1 = randomUUID();
const p2 = randomUUID();
let db: TestDatabase;
let bus: Bus;
let host: Host;

async function publish(e: EventDef, data: unknown, practiceId: string, id: string = randomUUID()): Promise<void> {
  const envelope: EventEnvelope = { specversion: '1.0', id, source: 'mso/billing', type: e.type, time: clock.now().toISOString(), datacontenttype: 'application/json', dataschemaversion: 1, tenantid: practiceId, data };
  await bus.publish({ id: randomUUID(), subject: e.subject, data: encodeJson(envelope) });
}

beforeAll(async () => {
  db = await createTestDatabase();
  const nats = await connectNatsBus({ servers, namespace });
  await nats.ensureStream({ producer: 'billing' });
  bus = { ...nats, consume: (options) => (durables.add(options.durable), nats.consume(options)) };
  const repeated = randomUUID();
  await publish(opened, { label: 'a-opened' }, p1, repeated);
  await publish(other, { label: 'noise-1' }, p1);
  await publish(closed, { label: 'a-closed', closedOn: '2026-03-01' }, p1);
  await publish(opened, { label: 'b-opened' }, p2);
  await publish(opened, { label: 'a-opened' }, p1, repeated);
  await publish(closed, { label: 'b-closed' }, p2); // not a valid `closed`: refused alone
  await publish(other, { label: 'noise-2' }, p2);
  await publish(closed, { label: 'b-closed-again', closedOn: '2026-03-02' }, p2);
  host = await startHost({ services: [batchedService], bus, database: db.database, clock, logger, schedulerIntervalMs: 60_000, relayIntervalMs: 60_000 });
});

afterAll(() => tearDown({ hosts: [host], bus, namespace, db }));

describe('one consumer for several events of a producer', () => {
  it('hands them over in the stream order across types, once per id, and skips the producer\'s other events', async () => {
    await waitFor(() => handled.some((h) => h.label === 'b-closed-again'));
    await new Promise((r) => setTimeout(r, 300));
    expect([...durables]).toEqual(['finance__billing']);
    expect(handled).toEqual([
      { type: opened.type, label: 'a-opened', tenant: p1 },
      { type: closed.type, label: 'a-closed', tenant: p1 },
      { type: opened.type, label: 'b-opened', tenant: p2 },
      { type: closed.type, label: 'b-closed-again', tenant: p2 },
    ]);
    const inbox = (await db.database.db.execute(sql`select consumer, count(*)::int as n from kit_batch.mso_inbox group by consumer`)) as unknown as { consumer: string; n: number }[];
    expect(inbox).toEqual([{ consumer: 'finance__billing', n: 4 }]);
  });

  it('refuses a binding of events from two producers', () => {
    const elsewhere = event({ type: 'helpdesk.many-item.opened', data: Data });
    expect(() => consume([opened, elsewhere], record as never)).toThrow(/one producer/);
  });
});
