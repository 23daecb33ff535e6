import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busHeaders, type AsyncJob } from '@mso/contracts';
import { getJob, listJobs } from '@mso/contracts/finance';
import { connectNatsBus, deleteNatsNamespace, type Bus } from '@mso/bus';
import { createTestDatabase, type TestDatabase } from '@mso/db/testing';
import { createLogger } from '@mso/telemetry';
import { callOperation, operationHeaders } from './call.js';
import { decodeJson, encodeJson } from './codec.js';
import { startHost, type Host } from './host.js';
import type { Db } from './service.js';
import { countBatchLines, longWork, postBatch } from '../test/long-work/service.js';

// Async operations in process, on real NATS and PostgreSQL: the 202 reply, a refused job's effects
// rolled back, idempotent submission, and the practice-scoped job list. (Crash and resume across
// processes: apps/cli/src/long-work.int.test.ts.)
const servers = process.env.TEST_NATS_URL ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const namespace = `j${randomUUID().slice(0, 8)}`;
const logger = createLogger({ name: 'jobs-test', level: 'silent' });
const practiceA = randomUUID();
const practiceB = randomUUID();
const admin = (practiceId: string) => ({ principal: { id: `key-${practiceId}`, role: 'practice-admin' as const, practiceId }, practiceId });

let db: TestDatabase;
let bus: Bus;
let host: Host;

beforeAll(async () => {
  db = await createTestDatabase();
  bus = await connectNatsBus({ servers, namespace });
  host = await startHost({ services: [longWork], bus, database: db.database, logger, asyncJobs: { pollMs: 100 } });
});
afterAll(async () => {
  await host?.stop();
  await bus?.close();
  await deleteNatsNamespace({ servers, namespace }).catch(() => {});
  await db?.drop();
});

async function submit(input: object, practiceId: string, idempotencyKey?: string) {
  const reply = await bus.request(postBatch.subject, encodeJson(input), { headers: operationHeaders({ ...admin(practiceId), ...(idempotencyKey ? { idempotencyKey } : {}) }), timeoutMs: 5000 });
  return { status: reply.headers?.[busHeaders.status], location: reply.headers?.[busHeaders.location], replayed: reply.headers?.[busHeaders.replayed], job: decodeJson<AsyncJob>(reply.data) };
}

async function settled(id: string, practiceId: string): Promise<AsyncJob> {
  for (let i = 0; i < 200; i++) {
    const job = await callOperation(bus, getJob, { id }, admin(practiceId));
    if (job.status === 'succeeded' || job.status === 'failed') return job;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`job ${id} did not finish`);
}

describe('async operations', () => {
  it('answers 202 with the queued job and its Location, then runs it to its result', async () => {
    const batch = `ok-${randomUUID()}`;
    const submitted = await submit({ batch, lines: 5, stepMs: 0 }, practiceA);
    expect(submitted).toMatchObject({ status: '202', location: `/v1/finance/jobs/${submitted.job.id}`, job: { status: 'queued', kind: 'async' } });
    expect(await settled(submitted.job.id, practiceA)).toMatchObject({ status: 'succeeded', result: { batch, lines: 5 }, progress: { done: 5, total: 5 }, attempts: 1 });
    expect(await countBatchLines(db.database.db as unknown as Db, batch)).toBe(5);
  });

  it("fails a job its handler refuses with the handler's problem, and keeps none of its effects", async () => {
    const batch = `refused-${randomUUID()}`;
    const { job } = await submit({ batch, lines: 5, stepMs: 0, refuseLine: 3 }, practiceA);
    const failed = await settled(job.id, practiceA);
    expect(failed).toMatchObject({ status: 'failed', problem: { status: 422, code: 'unprocessable', detail: 'line 3 does not balance' }, attempts: 1 });
    expect(failed.result).toBeUndefined();
    expect(await countBatchLines(db.database.db as unknown as Db, batch)).toBe(0);
  });

  it('submits once per Idempotency-Key: a retry gets the same job, replayed', async () => {
    const key = `idem-${randomUUID()}`;
    const input = { batch: `idem-${randomUUID()}`, lines: 2, stepMs: 0 };
    const first = await submit(input, practiceA, key);
    const again = await submit(input, practiceA, key);
    expect(again.job.id).toBe(first.job.id);
    expect(again).toMatchObject({ status: '202', location: first.location, replayed: 'true' });
    await settled(first.job.id, practiceA);
    expect(await countBatchLines(db.database.db as unknown as Db, input.batch)).toBe(2);
  });

  it("lists a practice's own jobs newest first in pages, and hides them from other practices", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await submit({ batch: `b-${randomUUID()}`, lines: 1, stepMs: 0 }, practiceB)).job.id);
    for (const id of ids) await settled(id, practiceB);
    const first = await callOperation(bus, listJobs, { kind: 'async', limit: 2 }, admin(practiceB));
    const second = await callOperation(bus, listJobs, { kind: 'async', limit: 2, cursor: first.nextCursor! }, admin(practiceB));
    expect([...first.items, ...second.items].map((j) => (j as AsyncJob).id)).toEqual([...ids].reverse());
    expect(second.nextCursor).toBeNull();
    await expect(callOperation(bus, getJob, { id: ids[0]! }, admin(practiceA))).rejects.toMatchObject({ code: 'not-found' });
    const seenByA = await callOperation(bus, listJobs, { kind: 'async', limit: 200 }, admin(practiceA));
    expect(seenByA.items.map((j) => (j as AsyncJob).id)).not.toContain(ids[0]);
  });
});
