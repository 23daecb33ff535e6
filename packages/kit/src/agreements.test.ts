import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Type from 'typebox';
import { and, eq } from 'drizzle-orm';
import { busHeaders, operation, ProblemError, type EventDef, type EventEnvelope } from '@mso/contracts';
import { employeeHired } from '@mso/contracts/hr';
import { getPractice, practiceCreated, type Agreement, type Practice } from '@mso/contracts/tenancy';
import { createMemoryBus, type Bus } from '@mso/bus';
import { createPgliteTestDatabase, type PgliteTestDatabase } from '@mso/db/testing';
import { createLogger } from '@mso/telemetry';
import { ManualClock } from './clock.js';
import { callOperation } from './call.js';
import { decodeJson, encodeJson } from './codec.js';
import { startHost, type Host } from './host.js';
import { consume, defineService, handle } from './service.js';
import { kitTables } from './tables.js';

// The agreement view in embedded mode: PGlite has one connection, so a read outside the consumer's
// or handler's transaction would wait forever for the connection that transaction holds.
const SCHEMA = 'kit_agreements';
const readInTransaction = operation({
  service: 'finance',
  name: 'agreement.read-in-transaction',
  summary: "the caller's practice's agreement (and optionally another's), read inside a transaction",
  http: { method: 'GET', path: '/v1/finance/agreement-in-transaction' },
  roles: ['practice-admin'],
  input: Type.Object({ other: Type.Optional(Type.String()) }, { additionalProperties: false }),
  output: Type.Object({ version: Type.Integer(), practices: Type.Integer(), other: Type.Union([Type.Integer(), Type.Null()]) }),
  errors: ['not-found', 'service-unavailable'],
});

/** What the consumer read inside its transaction, by event id (the version, or null). */
const seen = new Map<string, number | null>();
const service = defineService({
  id: 'finance',
  version: '1.0.0',
  description: 'agreement view in embedded mode',
  db: { schema: SCHEMA, migrationsFolder: fileURLToPath(new URL('../test/migrations', import.meta.url)) },
  operations: [readInTransaction],
  handlers: [
    handle(readInTransaction, (input, ctx) =>
      ctx.transaction(async () => {
        const agreement = await ctx.agreement;
        const other = input.other ? await ctx.agreements.get(input.other) : null;
        return { version: agreement.version, practices: (await ctx.agreements.list()).length, other: other?.version ?? null };
      }),
    ),
  ],
  consumers: [consume(employeeHired, async (event, ctx) => void seen.set(event.id, (await ctx.agreements.get(event.data.practiceId))?.version ?? null))],
  agreements: true,
});

const clock = new ManualClock('2026-03-02T10:00:00Z');
const logger = createLogger({ name: 'kit-agreements-embedded-test', level: 'silent' });
const inbox = kitTables(SCHEMA).inbox;
/** Practices "tenancy" knows, and the practice ids it was asked about. */
const known = new Map<string, Practice>();
const asked: string[] = [];
let db: PgliteTestDatabase;
let bus: Bus;
let host: Host;

function practice(version = 1): Practice {
  const id = randomUUID();
  const at = clock.now().toISOString();
  const agreement: Agreement = { id: randomUUID(), practiceId: id, version, model: 'third-party', services: ['finance'], fees: [], ownership: [], terms: {}, timeZone: 'America/New_York', state: 'OH', effectiveFrom: at.slice(0, 10), effectiveTo: null, warnings: [], createdAt: at };
  return { id, name: 'Lakeside Pediatrics', npi: '1234567893', taxId: '12-3456789', state: 'OH', createdAt: at, agreement };
}

async function publish(event: EventDef, practiceId: string, data: unknown): Promise<string> {
  const envelope: EventEnvelope = { specversion: '1.0', id: randomUUID(), source: `mso/${event.producer}`, type: event.type, time: clock.now().toISOString(), datacontenttype: 'application/json', dataschemaversion: 1, tenantid: practiceId, data };
  await bus.publish({ id: envelope.id, subject: event.subject, data: encodeJson(envelope) });
  return envelope.id;
}

/** Resolves once the consumer of `type` committed the event (its inbox row is there); a hung consumer times out. */
async function committed(type: string, eventId: string, ms = 5000): Promise<void> {
  const consumer = `finance__${type.replace(/\./g, '_')}`;
  const end = Date.now() + ms;
  for (;;) {
    const rows = await db.database.db.select().from(inbox).where(and(eq(inbox.consumer, consumer), eq(inbox.eventId, eventId)));
    if (rows.length) return;
    if (Date.now() > end) throw new Error(`${consumer} did not commit event ${eventId} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const hire = (practiceId: string) => publish(employeeHired, practiceId, { employeeId: randomUUID(), practiceId, displayName: 'Alex Rivera', jobTitle: 'Biller', startDate: '2026-03-16', systems: [] });
const read = (practiceId: string, other?: string) => callOperation(bus, readInTransaction, other ? { other } : {}, { principal: { id: 'k1', role: 'practice-admin', practiceId }, practiceId });

beforeAll(async () => {
  db = await createPgliteTestDatabase();
  bus = createMemoryBus();
  await bus.serve({
    service: 'tenancy',
    version: '1.0.0',
    subjects: [getPractice.subject],
    handler: async (request) => {
      const { practiceId } = decodeJson<{ practiceId: string }>(request.data);
      asked.push(practiceId);
      const found = known.get(practiceId);
      if (!found) return { data: encodeJson(new ProblemError('not-found', 'no such practice').toProblem()), headers: { [busHeaders.status]: '404' } };
      return { data: encodeJson(found), headers: { [busHeaders.status]: '200' } };
    },
  });
  host = await startHost({ services: [service], bus, database: db.database, clock, logger, schedulerIntervalMs: 60_000, relayIntervalMs: 60_000 });
}, 60_000);
afterAll(async () => {
  await host?.stop();
  await bus?.close();
  await db?.drop();
});

describe('the agreement view inside a transaction (PGlite, embedded mode)', () => {
  it("lets a consumer read a known practice's agreement inside its transaction and commit", async () => {
    const p = practice(2);
    await committed(practiceCreated.type, await publish(practiceCreated, p.id, { practice: p }));
    const eventId = await hire(p.id);
    await committed(employeeHired.type, eventId);
    expect(seen.get(eventId)).toBe(2);
    expect(asked).not.toContain(p.id);
  });

  it('asks tenancy, once and before the transaction, about the practice of an event it has not heard of', async () => {
    const p = practice(3);
    known.set(p.id, p);
    const first = await hire(p.id);
    await committed(employeeHired.type, first);
    const second = await hire(p.id);
    await committed(employeeHired.type, second);
    expect([seen.get(first), seen.get(second)]).toEqual([3, 3]);
    expect(asked.filter((id) => id === p.id)).toHaveLength(1);
  });

  it('gives a consumer null, and completes, for a practice tenancy does not know either', async () => {
    const ghost = randomUUID();
    const eventId = await hire(ghost);
    await committed(employeeHired.type, eventId);
    expect(seen.get(eventId)).toBeNull();
  });

  it("reads the request's agreement inside ctx.transaction, asking tenancy first when it is unknown", async () => {
    const p = practice(4);
    known.set(p.id, p);
    const reply = await read(p.id);
    expect(reply).toMatchObject({ version: 4, other: null });
    expect(reply.practices).toBeGreaterThanOrEqual(2);
    expect(asked.filter((id) => id === p.id)).toHaveLength(1);
  });

  it('answers 503 for another practice unknown inside a transaction, where tenancy cannot be asked', async () => {
    const p = practice(1);
    known.set(p.id, p);
    const other = practice(5);
    known.set(other.id, other);
    await expect(read(p.id, other.id)).rejects.toMatchObject({ code: 'service-unavailable' });
    expect(asked).not.toContain(other.id);
    // Once the view knows it (read outside a transaction, as the retry's warm-up would), the same read succeeds.
    await committed(practiceCreated.type, await publish(practiceCreated, other.id, { practice: other }));
    expect(await read(p.id, other.id)).toMatchObject({ version: 1, other: 5 });
  });
});
