import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Type from 'typebox';
import { and, eq, sql } from 'drizzle-orm';
import { operation, type DataOf, type EventEnvelope } from '@mso/contracts';
import { staffMemberChanged } from '@mso/contracts/hr';
import { createMemoryBus, type Bus } from '@mso/bus';
import { createPgliteTestDatabase, type PgliteTestDatabase } from '@mso/db/testing';
import { createLogger } from '@mso/telemetry';
import { ManualClock } from './clock.js';
import { callOperation } from './call.js';
import { encodeJson } from './codec.js';
import { startHost, type Host } from './host.js';
import { consume, defineService, handle } from './service.js';
import { kitTables } from './tables.js';

// The staff directory on the in-memory bus and PGlite (one connection: reads inside a handler's
// transaction must go through it). Who may work for a practice, and a person assigned, are what a
// service reads; HR's announcements are what keeps it.
const SCHEMA = 'kit_staff';
const Member = Type.Object({ personId: Type.String(), displayName: Type.String(), employers: Type.Array(Type.String()) });
const listAssignable = operation({
  service: 'finance',
  name: 'staff.assignable',
  summary: 'who may work for the practice on a day',
  http: { method: 'GET', path: '/v1/finance/assignable' },
  roles: ['mso-staff'],
  input: Type.Object({ on: Type.String() }, { additionalProperties: false }),
  output: Type.Object({ items: Type.Array(Member) }),
});
const assign = operation({
  service: 'finance',
  name: 'staff.assign',
  summary: 'checks an assignee inside a transaction, as an update would',
  http: { method: 'POST', path: '/v1/finance/assign' },
  roles: ['mso-staff'],
  input: Type.Object({ assignee: Type.String(), on: Type.String() }, { additionalProperties: false }),
  output: Type.Object({ displayName: Type.String(), names: Type.Integer() }),
  errors: ['unprocessable'],
});

const service = defineService({
  id: 'finance',
  version: '1.0.0',
  description: 'staff directory in embedded mode',
  db: { schema: SCHEMA, migrationsFolder: fileURLToPath(new URL('../test/migrations', import.meta.url)) },
  operations: [listAssignable, assign],
  handlers: [
    handle(listAssignable, async (input, ctx) => ({
      items: (await ctx.staff.assignable(ctx.practiceId, input.on)).map((m) => ({ personId: m.personId, displayName: m.displayName, employers: m.employments.map((e) => e.employer) })),
    })),
    handle(assign, (input, ctx) =>
      ctx.transaction(async () => {
        const member = await ctx.staff.requireAssignable(input.assignee, ctx.practiceId, input.on);
        return { displayName: member.displayName, names: (await ctx.staff.names([member.personId, null, 'not-an-id', randomUUID()])).size };
      }),
    ),
  ],
  staffDirectory: true,
});

const clock = new ManualClock('2026-06-01T15:00:00Z');
const logger = createLogger({ name: 'kit-staff-directory-test', level: 'silent' });
const inbox = kitTables(SCHEMA).inbox;
const CONSUMER = 'finance__hr_staff-member_changed';
const practiceId = randomUUID();
const otherPractice = randomUUID();
let db: PgliteTestDatabase;
let bus: Bus;
let host: Host;

type Announcement = DataOf<typeof staffMemberChanged>;
const employment = (e: Partial<Announcement['employments'][number]> = {}) => ({ employmentId: randomUUID(), employer: 'mso', title: 'Biller', department: 'Revenue cycle', startDate: '2025-01-06', endDate: null, ...e });

/** HR's relay publishing an announcement (no practice: a person spans employers); resolves once the view committed it. */
async function announce(data: Announcement, options: { id?: string; time?: string } = {}): Promise<string> {
  const id = options.id ?? randomUUID();
  const envelope: EventEnvelope = { specversion: '1.0', id, source: 'mso/hr', type: staffMemberChanged.type, time: options.time ?? clock.now().toISOString(), subject: data.personId, datacontenttype: 'application/json', dataschemaversion: 1, data };
  await bus.publish({ id: randomUUID(), subject: staffMemberChanged.subject, data: encodeJson(envelope) });
  const end = Date.now() + 5000;
  for (;;) {
    const rows = await db.database.db.select().from(inbox).where(and(eq(inbox.consumer, CONSUMER), eq(inbox.eventId, id)));
    if (rows.length) return id;
    if (Date.now() > end) throw new Error(`the staff directory did not commit event ${id}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const staffOf = (practice = practiceId) => ({ principal: { id: 'k1', role: 'mso-staff' as const }, practiceId: practice });
const assignable = async (on: string, practice = practiceId) => (await callOperation(bus, listAssignable, { on }, staffOf(practice))).items;
const rowsOf = async (personId: string) => [...((await db.database.db.execute(sql`select display_name, changed_at from ${sql.identifier(SCHEMA)}.mso_staff_members where person_id = ${personId}`)) as unknown as { rows: unknown[] }).rows];

beforeAll(async () => {
  db = await createPgliteTestDatabase();
  bus = createMemoryBus();
  host = await startHost({ services: [service], bus, database: db.database, clock, logger, schedulerIntervalMs: 60_000, relayIntervalMs: 60_000 });
}, 60_000);
afterAll(async () => {
  await host?.stop();
  await bus?.close();
  await db?.drop();
});

const pat = randomUUID();
const sam = randomUUID();
const robin = randomUUID();

describe('the staff directory (ctx.staff)', () => {
  it("lists who may work for the practice on the day: MSO staff and its own, by name, with those employments only", async () => {
    await announce({ personId: pat, displayName: 'Pat Morgan', employments: [employment(), employment({ employer: otherPractice, endDate: '2025-12-31' })] });
    await announce({ personId: sam, displayName: 'Sam Patel', employments: [employment({ employer: practiceId.toUpperCase(), title: 'Office manager', startDate: '2026-06-02' })] });
    await announce({ personId: robin, displayName: 'Robin Hale', employments: [employment({ employer: otherPractice })] });
    expect(await assignable('2026-06-01')).toEqual([{ personId: pat, displayName: 'Pat Morgan', employers: ['mso'] }]);
    // Sam's employment starts the next day; ids are kept in lower case, as the practice's id is asked.
    expect((await assignable('2026-06-02')).map((m) => [m.displayName, m.employers])).toEqual([
      ['Pat Morgan', ['mso']],
      ['Sam Patel', [practiceId]],
    ]);
    expect((await assignable('2026-06-02', otherPractice)).map((m) => m.displayName)).toEqual(['Pat Morgan', 'Robin Hale']);
  });

  it('keeps the latest announcement of a person: a repeated event id once, an older one arriving late not at all', async () => {
    const kim = randomUUID();
    const first = await announce({ personId: kim, displayName: 'Kim Ortiz', employments: [employment()] });
    await announce({ personId: kim, displayName: 'Kim Ortiz (again)', employments: [employment()] }, { id: first });
    expect(await rowsOf(kim)).toEqual([expect.objectContaining({ display_name: 'Kim Ortiz' })]);
    clock.set('2026-06-01T15:05:00Z');
    await announce({ personId: kim, displayName: 'Kim Ortiz-Reyes', employments: [employment({ endDate: '2026-05-31' })] });
    await announce({ personId: kim, displayName: 'Kim Ortiz', employments: [employment()] }, { time: '2026-06-01T15:01:00Z' });
    expect(await rowsOf(kim)).toEqual([expect.objectContaining({ display_name: 'Kim Ortiz-Reyes' })]);
    expect((await assignable('2026-06-01')).map((m) => m.personId)).not.toContain(kim);
  });

  it('checks an assignee inside a transaction, and refuses with 422 naming the field', async () => {
    expect(await callOperation(bus, assign, { assignee: pat.toUpperCase(), on: '2026-06-01' }, staffOf())).toEqual({ displayName: 'Pat Morgan', names: 1 });
    for (const assignee of [randomUUID(), robin, sam, 'pat@mso.example']) {
      await expect(callOperation(bus, assign, { assignee, on: '2026-06-01' }, staffOf())).rejects.toMatchObject({ code: 'unprocessable', errors: [expect.objectContaining({ path: '/assignee' })] });
    }
    await expect(callOperation(bus, assign, { assignee: robin, on: '2026-06-01' }, staffOf())).rejects.toMatchObject({
      errors: [{ path: '/assignee', message: 'no employment at the MSO or at this practice on 2026-06-01' }],
    });
  });
});

describe('declaring the staff directory', () => {
  const base = { version: '1.0.0', description: 'x', handlers: [] } as const;
  it('needs a database, and leaves HR’s event to the kit', () => {
    expect(() => defineService({ ...base, id: 'finance', staffDirectory: true })).toThrow(/needs a database/);
    expect(() =>
      defineService({ ...base, id: 'finance', db: { schema: 's', migrationsFolder: '/x' }, staffDirectory: true, consumers: [consume(staffMemberChanged, async () => {})] }),
    ).toThrow(/the kit consumes hr.staff-member.changed/);
  });

  it('says how to get it to a service that did not declare it', async () => {
    const plain = defineService({ ...base, id: 'finance', operations: [] });
    const memory = createMemoryBus();
    let seen: unknown;
    const other = await startHost({ services: [{ ...plain, init: async (ctx) => void (seen = await ctx.staff.get(pat).catch((e: Error) => e.message)) }], bus: memory, clock, logger });
    await other.stop();
    await memory.close();
    expect(seen).toMatch(/declare `staffDirectory: true`/);
  });
});
