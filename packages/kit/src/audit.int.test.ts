import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import type { AsyncJob } from '@mso/contracts';
import { getJob } from '@mso/contracts/finance';
import { connectNatsBus, deleteNatsNamespace, type Bus } from '@mso/bus';
import { createTestDatabase, type TestDatabase } from '@mso/db/testing';
import { createLogger } from '@mso/telemetry';
import { auditTable } from './audit.js';
import { callOperation } from './call.js';
import { startHost, type Host } from './host.js';
import { kitTables } from './tables.js';
import type { Db } from './service.js';
import { applyChartNote, countAllLines, longWork } from '../test/long-work/service.js';

// The kit's audit records beyond a request's own path, on real NATS and PostgreSQL: the outcome of an
// async PHI job that fails in the runner, and each use of the MSO-wide path (`ctx.acrossPractices`).
const servers = process.env.TEST_NATS_URL ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const namespace = `au${randomUUID().slice(0, 8)}`;
const logger = createLogger({ name: 'audit-test', level: 'silent' });
const practiceId = randomUUID();
const admin = { principal: { id: `key-${practiceId}`, role: 'practice-admin' as const, practiceId }, practiceId };
const staff = { principal: { id: `staff-${randomUUID()}`, role: 'mso-staff' as const } };
const audit = auditTable('cli_long_work');
const outbox = kitTables('cli_long_work').outbox;

let db: TestDatabase;
let bus: Bus;
let host: Host;
const root = () => db.database.db as unknown as Db;

beforeAll(async () => {
  db = await createTestDatabase();
  bus = await connectNatsBus({ servers, namespace });
  host = await startHost({ services: [longWork], bus, database: db.database, logger, asyncJobs: { pollMs: 100, maxAttempts: 2 } });
});
afterAll(async () => {
  await host?.stop();
  await bus?.close();
  await deleteNatsNamespace({ servers, namespace }).catch(() => {});
  await db?.drop();
});

async function settled(id: string): Promise<AsyncJob> {
  for (let i = 0; i < 400; i++) {
    const job = await callOperation(bus, getJob, { id }, admin);
    if (job.status === 'succeeded' || job.status === 'failed') return job;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`job ${id} did not finish`);
}

const recordsNaming = (resource: string) => root().select().from(audit).where(sql`${resource} = any(${audit.resourceIds})`);
const notesWritten = async (id: string) => (await root().execute(sql`select count(*)::int as n from cli_long_work.batch_lines where batch = ${`note-${id}`}`)) as unknown as { n: number }[];
const eventsOf = async (recordId: string) => root().select({ type: sql<string>`${outbox.envelope}->>'type'` }).from(outbox).where(eq(outbox.id, recordId));

describe('audit of failed async PHI jobs', () => {
  it("records a job its handler refuses as refused with the problem code, and keeps none of the run's effects or its ok record", async () => {
    const id = `note-${randomUUID()}`;
    const job = (await callOperation(bus, applyChartNote, { id, outcome: 'refuse' }, admin)) as unknown as AsyncJob;
    expect(await settled(job.id)).toMatchObject({ status: 'failed', problem: { code: 'unprocessable' } });
    const records = await recordsNaming(id);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ operation: applyChartNote.subject, access: 'write', outcome: 'refused', problemCode: 'unprocessable', principalId: admin.principal.id, practiceId });
    expect((await notesWritten(id))[0]!.n).toBe(0);
    // The record travels to tenancy like any other: its event is in the outbox.
    expect(await eventsOf(records[0]!.id)).toEqual([{ type: 'finance.audit.recorded' }]);
  });

  it('records a job that keeps breaking as failed (internal) once it is given up, not once per run', async () => {
    const id = `note-${randomUUID()}`;
    const job = (await callOperation(bus, applyChartNote, { id, outcome: 'crash' }, admin)) as unknown as AsyncJob;
    expect(await settled(job.id)).toMatchObject({ status: 'failed', attempts: 2, problem: { code: 'internal' } });
    expect((await recordsNaming(id)).map((r) => [r.outcome, r.problemCode])).toEqual([['failed', 'internal']]);
  });

  it('records a job that succeeds once, as ok, with its effect', async () => {
    const id = `note-${randomUUID()}`;
    const job = (await callOperation(bus, applyChartNote, { id, outcome: 'ok' }, admin)) as unknown as AsyncJob;
    expect(await settled(job.id)).toMatchObject({ status: 'succeeded' });
    expect((await recordsNaming(id)).map((r) => r.outcome)).toEqual(['ok']);
    expect((await notesWritten(id))[0]!.n).toBe(1);
  });
});

describe('audit of the MSO-wide path', () => {
  it('records who read across practices, why and through which operation, for no single practice', async () => {
    const before = new Date();
    await callOperation(bus, countAllLines, {}, staff);
    const records = await root().select().from(audit).where(eq(audit.principalId, staff.principal.id));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      operation: countAllLines.subject,
      access: 'across-practices',
      reason: 'test: batch lines of every practice',
      principalRole: 'mso-staff',
      practiceId: null,
      resourceIds: [],
      outcome: 'ok',
    });
    expect(records[0]!.at.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
    expect(await eventsOf(records[0]!.id)).toEqual([{ type: 'finance.audit.recorded' }]);
  });

  it('refuses the path to a practice key and records nothing for it', async () => {
    await expect(callOperation(bus, countAllLines, {}, admin)).rejects.toMatchObject({ status: 403 });
    const records = await root().select().from(audit).where(and(eq(audit.principalId, admin.principal.id), eq(audit.access, 'across-practices')));
    expect(records).toEqual([]);
  });
});
