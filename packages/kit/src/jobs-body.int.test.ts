import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { AsyncJob } from '@mso/contracts';
import { getJob } from '@mso/contracts/finance';
import { connectNatsBus, deleteNatsNamespace, type Bus } from '@mso/bus';
import { createTestDatabase, type TestDatabase } from '@mso/db/testing';
import { createLogger } from '@mso/telemetry';
import { callOperation } from './call.js';
import { startHost, type Host } from './host.js';
import { jobTables } from './job-tables.js';
import type { Db } from './service.js';
import { importStatement, longWork, statementRuns } from '../test/long-work/service.js';

// Async operations with a raw body, on real NATS and PostgreSQL: the bytes (3 MiB: over the NATS
// payload limit, so the request travels through the object store, whose object is gone after the
// submit) are kept with the job, reach the handler of whichever copy runs it, and are cleared when
// the job ends.
const servers = process.env.TEST_NATS_URL ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const namespace = `jb${randomUUID().slice(0, 8)}`;
const logger = createLogger({ name: 'jobs-body-test', level: 'silent' });
const practiceId = randomUUID();
const as = { principal: { id: `key-${practiceId}`, role: 'practice-admin' as const, practiceId }, practiceId };
const jobs = jobTables('cli_long_work').asyncJobs;

let db: TestDatabase;
let bus: Bus;
const hosts: Host[] = [];
let current: Host | undefined;

const start = async () => {
  const host = await startHost({ services: [longWork], bus, database: db.database, logger, asyncJobs: { pollMs: 100 } });
  hosts.push(host);
  current = host;
  return host;
};

beforeAll(async () => {
  db = await createTestDatabase();
  bus = await connectNatsBus({ servers, namespace });
});
afterAll(async () => {
  for (const host of hosts) await host.stop();
  await bus?.close();
  await deleteNatsNamespace({ servers, namespace }).catch(() => {});
  await db?.drop();
});

const statement = (size: number) => ({ mediaType: 'application/edi-x12', bytes: new Uint8Array(randomBytes(size)) });
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const submit = (body: { mediaType: string; bytes: Uint8Array }, idempotencyKey?: string) =>
  callOperation(bus, importStatement, {}, { ...as, body, ...(idempotencyKey ? { idempotencyKey } : {}) }) as unknown as Promise<AsyncJob>;

async function settled(id: string): Promise<AsyncJob> {
  for (let i = 0; i < 400; i++) {
    const job = await callOperation(bus, getJob, { id }, as);
    if (job.status === 'succeeded' || job.status === 'failed') return job;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`job ${id} did not finish`);
}

const storedBody = async (id: string) => (await (db.database.db as unknown as Db).select({ body: jobs.body, mediaType: jobs.bodyMediaType, status: jobs.status, attempts: jobs.attempts }).from(jobs).where(eq(jobs.id, id)))[0]!;

describe('async operations with a raw body', () => {
  it('hands the same bytes to the copy that resumes the job after the first went down, and clears them when it ends', async () => {
    const first = await start();
    const file = statement(3 * 1024 * 1024);
    let entered!: () => void;
    let release!: () => void;
    const running = new Promise<void>((resolve) => (entered = resolve));
    statementRuns.hold = { entered: () => entered(), release: new Promise<void>((resolve) => (release = resolve)) };

    const submitted = await submit(file);
    expect(submitted).toMatchObject({ status: 'queued', operation: importStatement.subject });
    await running;
    // The first copy stops while its run is mid-way; the run fails as a dying copy's would, and the job waits.
    current = undefined;
    const stopped = first.stop();
    release();
    await stopped;
    const waiting = await storedBody(submitted.id);
    expect(waiting).toMatchObject({ status: 'queued', attempts: 1, mediaType: 'application/edi-x12' });
    expect(sha256(new Uint8Array(waiting.body!))).toBe(sha256(file.bytes));

    // A new copy finds the body in the job row: the request and its object-store copy are long gone.
    await start();
    const done = await settled(submitted.id);
    expect(done).toMatchObject({ status: 'succeeded', attempts: 2, result: { sha256: sha256(file.bytes), bytes: file.bytes.byteLength, mediaType: 'application/edi-x12' }, progress: { done: 3, total: 3 } });
    expect(await storedBody(submitted.id)).toMatchObject({ body: null, mediaType: null });
  }, 60_000);

  it('fingerprints the body for Idempotency-Key: the same file replays its job, another file with the key is 422', async () => {
    // The copy the first case started, or a new one when this case runs alone.
    if (!current) await start();
    const key = `stmt-${randomUUID()}`;
    const file = statement(200_000);
    const job = await submit(file, key);
    expect((await submit({ ...file, bytes: new Uint8Array(file.bytes) }, key)).id).toBe(job.id);
    const other = new Uint8Array(file.bytes);
    other[0] = (other[0]! + 1) % 256;
    await expect(submit({ ...file, bytes: other }, key)).rejects.toMatchObject({ code: 'idempotency-key-reused', status: 422 });
    expect(await settled(job.id)).toMatchObject({ status: 'succeeded', result: { sha256: sha256(file.bytes) } });
  }, 30_000);
});
