import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { getJob } from '@mso/contracts/finance';
import type { AsyncJob } from '@mso/contracts';
import { createMemoryBus, type Bus } from '@mso/bus';
import { createPgliteTestDatabase } from '@mso/db/testing';
import { createLogger } from '@mso/telemetry';
import { callOperation, callOperationForReply } from './call.js';
import { startHost, type Host } from './host.js';
import type { Db } from './service.js';
import { jobTables } from './job-tables.js';
import { countBatchLines, fileReceipt, importStatement, longWork, postBatch } from '../test/long-work/service.js';

// Embedded mode (in-memory bus, PGlite with its one connection): async jobs run the same way.
let host: Host;
let bus: Bus;
let db: Awaited<ReturnType<typeof createPgliteTestDatabase>>;
const as = { principal: { id: 'k', role: 'practice-admin' as const, practiceId: randomUUID() }, practiceId: '' };
as.practiceId = as.principal.practiceId;

beforeAll(async () => {
  db = await createPgliteTestDatabase();
  bus = createMemoryBus();
  host = await startHost({ services: [longWork], bus, database: db.database, logger: createLogger({ name: 'jobs-embedded', level: 'silent' }), asyncJobs: { pollMs: 50 } });
});
afterAll(async () => {
  await host?.stop();
  await bus?.close();
  await db?.drop();
});

describe('async operations, embedded', () => {
  it('runs a job to its result with its progress and effects on PGlite', async () => {
    const batch = `e-${randomUUID()}`;
    const submitted = (await callOperation(bus, postBatch, { batch, lines: 20, stepMs: 1 }, as)) as unknown as AsyncJob;
    expect(submitted.status).toBe('queued');
    let job = submitted;
    for (let i = 0; i < 200 && job.status !== 'succeeded' && job.status !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 25));
      job = await callOperation(bus, getJob, { id: submitted.id }, as);
    }
    expect(job).toMatchObject({ status: 'succeeded', result: { batch, lines: 20 }, progress: { done: 20, total: 20 } });
    expect(await countBatchLines(db.database.db as unknown as Db, batch)).toBe(20);
  }, 30_000);

  it('keeps a raw body with its job on PGlite, hands it to the handler, and clears it when the job ends', async () => {
    const bytes = new Uint8Array(randomBytes(2 * 1024 * 1024 + 17));
    const submitted = (await callOperation(bus, importStatement, {}, { ...as, body: { mediaType: 'text/plain; charset=utf-8', bytes } })) as unknown as AsyncJob;
    let job = submitted;
    for (let i = 0; i < 200 && job.status !== 'succeeded' && job.status !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 25));
      job = await callOperation(bus, getJob, { id: submitted.id }, as);
    }
    expect(job).toMatchObject({ status: 'succeeded', result: { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.byteLength, mediaType: 'text/plain; charset=utf-8' }, progress: { done: 3, total: 3 } });
    const jobs = jobTables('cli_long_work').asyncJobs;
    const [row] = await (db.database.db as unknown as Db).select({ body: jobs.body }).from(jobs).where(eq(jobs.id, submitted.id));
    expect(row).toEqual({ body: null });
  }, 30_000);

  it('answers a small body at once (201, then 200 for the same bytes) and makes a job of a large one', async () => {
    const small = { mediaType: 'text/plain', bytes: new Uint8Array(randomBytes(1000)) };
    const first = await callOperationForReply(bus, fileReceipt, {}, { ...as, body: small });
    expect(first).toMatchObject({ status: 201, output: { first: true } });
    expect(await callOperationForReply(bus, fileReceipt, {}, { ...as, body: small })).toEqual({ status: 200, output: { sha256: first.output.sha256, first: false } });
    const large = await callOperationForReply(bus, fileReceipt, {}, { ...as, body: { mediaType: 'text/plain', bytes: new Uint8Array(randomBytes(64 * 1024 + 1)) } });
    expect(large.status).toBe(202);
    let job = large.output as unknown as AsyncJob;
    for (let i = 0; i < 200 && job.status !== 'succeeded' && job.status !== 'failed'; i++) {
      await new Promise((r) => setTimeout(r, 25));
      job = await callOperation(bus, getJob, { id: job.id }, as);
    }
    expect(job).toMatchObject({ status: 'succeeded', result: { first: true } });
  }, 30_000);
});
