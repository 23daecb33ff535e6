import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Type from 'typebox';
import { sql } from 'drizzle-orm';
import { operation, type EventEnvelope } from '@mso/contracts';
import { agreementChanged, getPractice, practiceCreated, type Agreement, type Practice } from '@mso/contracts/tenancy';
import { connectNatsBus, deleteNatsNamespace, type Bus, type Served } from '@mso/bus';
import { createTestDatabase, type TestDatabase } from '@mso/db/testing';
import { createLogger } from '@mso/telemetry';
import { ManualClock } from './clock.js';
import { callOperation } from './call.js';
import { encodeJson } from './codec.js';
import { startHost, type Host } from './host.js';
import { defineService, handle } from './service.js';

// A service that declares `agreements`, on real NATS and PostgreSQL, with tenancy played by a
// responder that counts how often it is asked.
const readAgreement = operation({
  service: 'finance',
  name: 'agreement.read',
  summary: "the caller's practice's agreement, as the kit's view has it",
  http: { method: 'GET', path: '/v1/finance/agreement' },
  roles: ['practice-admin'],
  input: Type.Object({}, { additionalProperties: false }),
  output: Type.Object({ version: Type.Integer(), services: Type.Array(Type.String()), practices: Type.Integer() }),
  errors: ['not-found'],
});

const changes: { practiceId: string; from: number | null; to: number }[] = [];
const service = defineService({
  id: 'finance',
  version: '1.0.0',
  description: 'agreement view test',
  db: { schema: 'kit_agreements', migrationsFolder: fileURLToPath(new URL('../test/migrations', import.meta.url)) },
  operations: [readAgreement],
  handlers: [
    handle(readAgreement, async (_input, ctx) => {
      const agreement = await ctx.agreement;
      return { version: agreement.version, services: agreement.services, practices: (await ctx.agreements.list()).length };
    }),
  ],
  agreements: {
    onChange: async (previous, next) => {
      changes.push({ practiceId: next.practiceId, from: previous?.version ?? null, to: next.version });
    },
  },
});

const clock = new ManualClock('2026-03-02T10:00:00Z');
const known = new Map<string, Practice>();
const asked: string[] = [];
let db: TestDatabase;
let bus: Bus;
let host: Host;
let tenancy: Served;
const namespace = `ka${randomUUID().slice(0, 8)}`;
const servers = process.env.TEST_NATS_URL ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const logger = createLogger({ name: 'kit-agreements-test', level: 'silent' });

function practice(version = 1, services: Agreement['services'] = ['finance']): Practice {
  const id = randomUUID();
  const at = clock.now().toISOString();
  return {
    id,
    name: 'Lakeside Pediatrics',
    npi: '1234567893',
    taxId: '12-3456789',
    state: 'OH',
    createdAt: at,
    agreement: { id: randomUUID(), practiceId: id, version, model: 'third-party', services, fees: [], ownership: [], terms: {}, timeZone: 'America/New_York', state: 'OH', effectiveFrom: at.slice(0, 10), effectiveTo: null, warnings: [], createdAt: at },
  };
}

async function announce(type: typeof practiceCreated | typeof agreementChanged, practiceId: string, data: unknown): Promise<void> {
  const envelope: EventEnvelope = { specversion: '1.0', id: randomUUID(), source: 'mso/tenancy', type: type.type, time: clock.now().toISOString(), datacontenttype: 'application/json', dataschemaversion: 1, tenantid: practiceId, data };
  await bus.publish({ id: envelope.id, subject: type.subject, data: encodeJson(envelope) });
}
const changed = (p: Practice, version: number, services: Agreement['services']) =>
  announce(agreementChanged, p.id, { practiceId: p.id, agreement: { ...p.agreement, id: randomUUID(), version, services }, previousServices: p.agreement.services });

async function until(predicate: () => Promise<boolean> | boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The version the view has committed (read directly, so that polling does not make it ask tenancy). */
async function stored(practiceId: string): Promise<number | undefined> {
  const rows = (await db.database.db.execute(sql`select version from kit_agreements.mso_agreements where practice_id = ${practiceId}`)) as unknown as { version: number }[];
  return rows[0]?.version;
}

const read = (practiceId: string) => callOperation(bus, readAgreement, {}, { principal: { id: 'k1', role: 'practice-admin', practiceId }, practiceId });

beforeAll(async () => {
  db = await createTestDatabase();
  bus = await connectNatsBus({ servers, namespace });
  await bus.ensureStream({ producer: 'tenancy' });
  tenancy = await bus.serve({
    service: 'tenancy',
    version: '1.0.0',
    subjects: [getPractice.subject],
    handler: async (request) => {
      const { practiceId } = JSON.parse(new TextDecoder().decode(request.data)) as { practiceId: string };
      asked.push(practiceId);
      await new Promise((r) => setTimeout(r, 50)); // long enough for concurrent readers to pile up
      const found = known.get(practiceId);
      if (!found) return { data: encodeJson({ type: 'x', title: 'Not found', status: 404, code: 'not-found' }), headers: { 'mso-status': '404' } };
      return { data: encodeJson(found), headers: { 'mso-status': '200' } };
    },
  });
  host = await startHost({ services: [service], bus, database: db.database, clock, logger, schedulerIntervalMs: 60_000, relayIntervalMs: 60_000 });
});
afterAll(async () => {
  await host?.stop();
  await tenancy?.stop();
  await bus?.close();
  await deleteNatsNamespace({ servers, namespace }).catch(() => {});
  await db?.drop();
});

describe('the agreement view', () => {
  it('follows tenancy events and ignores an older or repeated version arriving late', async () => {
    const p = practice(1, ['finance']);
    await announce(practiceCreated, p.id, { practice: p });
    // onChange runs before the view's transaction commits: wait for the hook, then for the commit.
    await until(() => changes.some((c) => c.practiceId === p.id && c.to === 1));
    await until(async () => (await stored(p.id)) === 1);
    await changed(p, 3, ['finance', 'billing']);
    await until(() => changes.some((c) => c.practiceId === p.id && c.to === 3));
    await changed(p, 2, ['finance']); // late
    await changed(p, 3, ['finance', 'billing']); // again
    // A marker event after them: once it is in, the two before it have been handled too (one consumer, in order).
    await changed(p, 4, ['finance', 'billing', 'hr']);
    await until(() => changes.some((c) => c.practiceId === p.id && c.to === 4));
    await until(async () => (await stored(p.id)) === 4);
    expect(await read(p.id)).toMatchObject({ version: 4, services: ['finance', 'billing', 'hr'] });
    expect(changes.filter((c) => c.practiceId === p.id)).toEqual([
      { practiceId: p.id, from: null, to: 1 },
      { practiceId: p.id, from: 1, to: 3 },
      { practiceId: p.id, from: 3, to: 4 },
    ]);
    expect(asked).not.toContain(p.id);
  });

  it('asks tenancy once about a practice it has not heard of, however many requests arrive at once', async () => {
    const p = practice(2, ['finance']);
    known.set(p.id, p);
    const replies = await Promise.all(Array.from({ length: 8 }, () => read(p.id)));
    expect(replies.map((r) => r.version)).toEqual(Array(8).fill(2));
    expect(await read(p.id)).toMatchObject({ version: 2 });
    expect(asked.filter((id) => id === p.id)).toHaveLength(1);
    // What tenancy said is kept: an older event arriving afterwards changes nothing.
    await announce(practiceCreated, p.id, { practice: { ...p, agreement: { ...p.agreement, version: 1, services: [] } } });
    await changed(p, 3, ['finance', 'collections']);
    await until(() => changes.some((c) => c.practiceId === p.id && c.to === 3));
    await until(async () => (await stored(p.id)) === 3);
    expect(changes.filter((c) => c.practiceId === p.id)).toEqual([{ practiceId: p.id, from: 2, to: 3 }]);
    expect((await read(p.id)).services).toEqual(['finance', 'collections']);
  });

  it('answers 404 for a practice tenancy does not know, and lists every practice it knows', async () => {
    const ghost = randomUUID();
    await expect(read(ghost)).rejects.toMatchObject({ code: 'not-found' });
    const p = practice(1);
    known.set(p.id, p);
    const { practices } = await read(p.id);
    expect(practices).toBe(3);
  });
});
