import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import Type from 'typebox';
import { pgSchema, text, uuid } from 'drizzle-orm/pg-core';
import { and, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { operation } from '@mso/contracts';
import type { Bus } from '@mso/bus';
import { tablesMissingTenantWall, type Database } from '@mso/db';
import { createLogger } from '@mso/telemetry';
import { callOperation } from '../src/call.js';
import type { Host } from '../src/host.js';
import { defineService, handle } from '../src/service.js';
import { KIT_TABLES_OUTSIDE_WALL } from '../src/tenant-wall.js';
import { auditTable } from '../src/audit.js';

/**
 * A service whose queries forget their practice filter, for the tenant wall's cases. They run on
 * PostgreSQL and NATS (tenant-wall.int.test.ts) and in embedded mode: PGlite and the in-memory bus
 * (tenant-wall.test.ts).
 */
export const SCHEMA = 'kit_wall';
const records = pgSchema(SCHEMA).table('records', { id: uuid('id').primaryKey(), practiceId: uuid('practice_id').notNull(), body: text('body').notNull() });

const Bodies = Type.Object({ bodies: Type.Array(Type.String()) });
const addRecord = operation({
  service: 'finance',
  name: 'record.add',
  summary: 'add a record, for the context practice unless another is named',
  http: { method: 'POST', path: '/v1/finance/records', status: 201 },
  roles: ['practice-admin'],
  input: Type.Object({ body: Type.String(), practiceId: Type.Optional(Type.String()) }, { additionalProperties: false }),
  output: Type.Object({ id: Type.String() }),
});
const listRecords = operation({
  service: 'finance',
  name: 'record.list',
  summary: 'every record, without a practice filter',
  http: { method: 'GET', path: '/v1/finance/records' },
  roles: ['practice-admin'],
  input: Type.Object({ inTransaction: Type.Optional(Type.Boolean()) }),
  output: Bodies,
});
const listEveryPractice = operation({
  service: 'finance',
  name: 'record.list-every-practice',
  summary: 'every record of every practice, on the MSO-wide path',
  http: { method: 'GET', path: '/v1/finance/records/every-practice' },
  scope: 'platform',
  roles: ['mso-staff', 'practice-admin'],
  input: Type.Object({}),
  output: Bodies,
});

/** The hosts' log, kept to see that MSO-wide uses are recorded. */
export const logLines: string[] = [];
export const wallLogger = createLogger({ name: 'kit-wall-test', level: 'info' }, { write: (line: string) => void logLines.push(line) });

export const jobCounts: { walled: number; everyPractice: number }[] = [];

const bodiesOf = (rows: { body: string }[]) => ({ bodies: rows.map((r) => r.body).sort() });

export const wallService = defineService({
  id: 'finance',
  version: '1.0.0',
  description: 'tenant wall test',
  db: { schema: SCHEMA, migrationsFolder: fileURLToPath(new URL('./tenant-wall-migrations', import.meta.url)) },
  operations: [addRecord, listRecords, listEveryPractice],
  handlers: [
    handle(addRecord, (input, ctx) =>
      ctx.transaction(async (tx) => {
        const id = randomUUID();
        await tx.db.insert(records).values({ id, practiceId: input.practiceId ?? ctx.practiceId, body: input.body });
        return { id };
      }),
    ),
    // Both forget `where practice_id = ...` on purpose.
    handle(listRecords, async (input, ctx) =>
      bodiesOf(input.inTransaction ? await ctx.transaction((tx) => tx.db.select({ body: records.body }).from(records)) : await ctx.db.select({ body: records.body }).from(records)),
    ),
    handle(listEveryPractice, (_input, ctx) => ctx.acrossPractices('test: records of every practice', async (all) => bodiesOf(await all.db.select({ body: records.body }).from(records)))),
  ],
  jobs: [
    {
      name: 'count-records',
      every: '1h',
      run: async (ctx) => {
        const walled = (await ctx.db.select().from(records)).length;
        const everyPractice = await ctx.acrossPractices('test: count every practice', (all) => all.transaction(async (tx) => (await tx.db.select().from(records)).length));
        jobCounts.push({ walled, everyPractice });
      },
    },
  ],
});

const practiceA = '00000000-0000-4000-8000-0000000000a1';
const practiceB = '00000000-0000-4000-8000-0000000000b2';
const adminOf = (practiceId: string) => ({ principal: { id: `key-${practiceId}`, role: 'practice-admin' as const, practiceId }, practiceId });
const staff = { principal: { id: 'key-staff', role: 'mso-staff' as const }, practiceId: null };

export interface WallTestPlatform {
  bus: Bus;
  database: Database;
  host: Host;
}

export function tenantWallServiceCases(platform: () => WallTestPlatform): void {
  it('puts the wall on every tenant table: none of the service, kit or test tables lacks it', async () => {
    const outside = await tablesMissingTenantWall(platform().database.db, [SCHEMA], KIT_TABLES_OUTSIDE_WALL);
    expect(outside).toEqual([]);
  });

  it("a handler's query that forgets its practice filter returns only the practice's rows", async () => {
    const { bus } = platform();
    await callOperation(bus, addRecord, { body: 'a: first' }, adminOf(practiceA));
    await callOperation(bus, addRecord, { body: 'a: second' }, adminOf(practiceA));
    await callOperation(bus, addRecord, { body: 'b: only' }, adminOf(practiceB));
    expect(await callOperation(bus, listRecords, {}, adminOf(practiceA))).toEqual({ bodies: ['a: first', 'a: second'] });
    expect(await callOperation(bus, listRecords, { inTransaction: true }, adminOf(practiceA))).toEqual({ bodies: ['a: first', 'a: second'] });
    expect(await callOperation(bus, listRecords, {}, adminOf(practiceB))).toEqual({ bodies: ['b: only'] });
  });

  it('refuses to write a row for another practice, and keeps nothing of the attempt', async () => {
    const { bus, database } = platform();
    await expect(callOperation(bus, addRecord, { body: 'a: planted in b', practiceId: practiceB }, adminOf(practiceA))).rejects.toMatchObject({ code: 'internal' });
    const all = await database.db.select({ body: records.body }).from(records);
    expect(all.map((r) => r.body)).not.toContain('a: planted in b');
  });

  it('the MSO-wide path sees every practice; a practice key may not take it', async () => {
    const { bus } = platform();
    logLines.length = 0;
    expect(await callOperation(bus, listEveryPractice, {}, staff)).toEqual({ bodies: ['a: first', 'a: second', 'b: only'] });
    const recorded = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.event === 'tenant-wall.across-practices');
    expect(recorded).toEqual([expect.objectContaining({ service: 'finance', reason: 'test: records of every practice', principalId: 'key-staff', role: 'mso-staff' })]);
    // ... and kept in the kit's audit table, for no single practice.
    expect(await acrossPracticesRecords(platform().database, 'key-staff')).toEqual([
      expect.objectContaining({ operation: listEveryPractice.subject, reason: 'test: records of every practice', principalRole: 'mso-staff', practiceId: null, outcome: 'ok' }),
    ]);
    await expect(callOperation(bus, listEveryPractice, {}, adminOf(practiceA))).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('a job sees no practice on its own and every practice on the MSO-wide path', async () => {
    jobCounts.length = 0;
    await platform().host.runJob('count-records');
    expect(jobCounts).toEqual([{ walled: 0, everyPractice: 3 }]);
    // Recorded under the job's name, in the transaction the job opened on the path.
    expect(await acrossPracticesRecords(platform().database, 'system:finance')).toEqual([
      expect.objectContaining({ operation: 'job:count-records', reason: 'test: count every practice', principalRole: 'system', practiceId: null }),
    ]);
  });
}

/** The kit's audit records of MSO-wide path uses by one principal. */
function acrossPracticesRecords(database: Database, principalId: string) {
  const audit = auditTable(SCHEMA);
  return database.db.select().from(audit).where(and(eq(audit.principalId, principalId), eq(audit.access, 'across-practices')));
}
