import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Type from 'typebox';
import { sql } from 'drizzle-orm';
import { operation, type DataOf, type EventEnvelope } from '@mso/contracts';
import { staffMemberChanged } from '@mso/contracts/hr';
import { connectNatsBus, type Bus } from '@mso/bus';
import { createTestDatabase, type TestDatabase } from '@mso/db/testing';
import { createLogger } from '@mso/telemetry';
import { ManualClock } from './clock.js';
import { callOperation } from './call.js';
import { encodeJson } from './codec.js';
import { startHost, type Host } from './host.js';
import { defineService, handle } from './service.js';
import { servers, tearDown, waitFor } from '../test/nats.js';

// The staff directory on real NATS and PostgreSQL, kept by two copies of a service that share HR's
// stream: announcements of one person, published out of order and handled concurrently, leave the
// latest; the practice's assignable staff come from the view.
const SCHEMA = 'kit_staff';
const listAssignable = operation({
  service: 'finance',
  name: 'staff.assignable',
  summary: 'who may work for the practice on a day',
  http: { method: 'GET', path: '/v1/finance/assignable' },
  roles: ['mso-staff'],
  input: Type.Object({ on: Type.String() }, { additionalProperties: false }),
  output: Type.Object({ items: Type.Array(Type.Object({ personId: Type.String(), displayName: Type.String() })) }),
});
const service = defineService({
  id: 'finance',
  version: '1.0.0',
  description: 'staff directory test',
  db: { schema: SCHEMA, migrationsFolder: fileURLToPath(new URL('../test/migrations', import.meta.url)) },
  operations: [listAssignable],
  handlers: [handle(listAssignable, async (input, ctx) => ({ items: (await ctx.staff.assignable(ctx.practiceId, input.on)).map(({ personId, displayName }) => ({ personId, displayName })) }))],
  staffDirectory: true,
});

const clock = new ManualClock('2026-06-01T15:00:00Z');
const namespace = `ks${randomUUID().slice(0, 8)}`;
const logger = createLogger({ name: 'kit-staff-directory-test', level: 'silent' });
const practiceId = randomUUID();
let db: TestDatabase;
let bus: Bus;
const hosts: Host[] = [];

type Announcement = DataOf<typeof staffMemberChanged>;
async function publish(data: Announcement, time: string): Promise<void> {
  const id = randomUUID();
  const envelope: EventEnvelope = { specversion: '1.0', id, source: 'mso/hr', type: staffMemberChanged.type, time, subject: data.personId, datacontenttype: 'application/json', dataschemaversion: 1, data };
  await bus.publish({ id, subject: staffMemberChanged.subject, data: encodeJson(envelope) });
}
const handled = async () => Number(((await db.database.db.execute(sql`select count(*)::int as n from kit_staff.mso_inbox`)) as unknown as { n: number }[])[0]!.n);

beforeAll(async () => {
  db = await createTestDatabase();
  bus = await connectNatsBus({ servers, namespace });
  await bus.ensureStream({ producer: 'hr' });
  for (let copy = 0; copy < 2; copy++) hosts.push(await startHost({ services: [service], bus, database: db.database, clock, logger, schedulerIntervalMs: 60_000, relayIntervalMs: 60_000 }));
});
afterAll(() => tearDown({ hosts, bus, namespace, db }));

describe('the staff directory (PostgreSQL, two copies)', () => {
  it('keeps the latest of announcements handled out of order, and lists the practice’s staff from it', async () => {
    const people = [randomUUID(), randomUUID(), randomUUID()];
    // Each person's announcements at minutes 0..9, published in shuffled order; the one at minute 9
    // names the person "<n> final" and keeps an MSO employment open, the others ended it in 2025.
    const announcements = people.flatMap((personId, n) =>
      Array.from({ length: 10 }, (_, minute) => ({
        time: new Date(Date.UTC(2026, 5, 1, 14, minute)).toISOString(),
        data: {
          personId,
          displayName: minute === 9 ? `${n} final` : `${n} at ${minute}`,
          employments: [{ employmentId: randomUUID(), employer: minute % 2 ? 'mso' : practiceId, title: 'Biller', department: 'Revenue cycle', startDate: '2025-01-06', endDate: minute === 9 ? null : '2025-12-31' }],
        },
      })),
    );
    const order = announcements.map((a, i) => ({ a, key: (i * 7919) % announcements.length })).sort((x, y) => x.key - y.key);
    await Promise.all(order.map(({ a }) => publish(a.data, a.time)));
    await waitFor(async () => (await handled()) === announcements.length);

    const rows = (await db.database.db.execute(sql`select display_name as name, changed_at from kit_staff.mso_staff_members order by display_name`)) as unknown as { name: string; changed_at: Date }[];
    expect(rows.map((r) => r.name)).toEqual(['0 final', '1 final', '2 final']);
    const items = (await callOperation(bus, listAssignable, { on: '2026-06-01' }, { principal: { id: 'k1', role: 'mso-staff' }, practiceId })).items;
    expect(items.map((m) => m.displayName)).toEqual(['0 final', '1 final', '2 final']);
    expect(items.map((m) => m.personId).sort()).toEqual([...people].sort());
  });
});
