import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allOperations } from '@mso/contracts';
import { tenancy } from '@mso/service-tenancy';
import { natsUrl, startTestPlatform, type TestPlatform } from '@mso/testing';
// The test service lives with the kit's test fixtures (it needs drizzle and typebox, which the CLI does not).
import { countBatchLines, postBatch } from '../../../packages/kit/test/long-work/service.js';
import { waitForJob } from './job-wait.js';

// An async operation's job survives the death of the copy running it: the service runs in its own
// OS process (as `mso service` runs it), is SIGKILLed mid-job, and a new copy finishes the job from
// the start. The gateway and tenancy run in the test process, on the same NATS namespace and database.
const entry = fileURLToPath(new URL('../../../packages/kit/test/long-work/main.ts', import.meta.url));
let p: TestPlatform;
let practice: { id: string; key: string };
let other: { id: string; key: string };
const children = new Set<ChildProcess>();

function startCopy(): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=@mso/source', '--import', 'tsx', entry], {
    env: { ...process.env, NATS_URL: natsUrl(), NATS_NAMESPACE: p.namespace, DATABASE_URL: p.databaseUrl, LOG_LEVEL: 'error', MSO_JOB_LEASE_MS: '1500' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

async function until(predicate: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

const linesOf = (batch: string) => countBatchLines(p.runtime.database!.db as never, batch);

beforeAll(async () => {
  p = await startTestPlatform({ services: [tenancy], operations: [...allOperations, postBatch] });
  practice = await p.createPractice({ services: ['finance'] });
  other = await p.createPractice({ services: ['finance'] });
  await p.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await p?.close();
});

describe('async operations across processes', () => {
  it('answers 202 with the job, and a job whose copy is SIGKILLed mid-way is finished by the next copy, all effects once', async () => {
    const first = startCopy();
    await until(async () => (await p.request({ method: 'GET', url: '/v1/finance/info', key: practice.key })).status === 200, 30_000);

    const batch = `b-${randomUUID()}`;
    const submitted = await p.request({ method: 'POST', url: '/v1/finance/test-batches', key: practice.key, body: { batch, lines: 60, stepMs: 40 } });
    expect(submitted.status).toBe(202);
    expect(submitted.headers.location).toBe(`/v1/finance/jobs/${submitted.json.id}`);
    expect(submitted.json).toMatchObject({ kind: 'async', operation: 'finance.v1.test-batch.post', status: 'queued', progress: { done: 0, total: 0 } });
    const location = submitted.headers.location as string;
    const job = () => p.request({ method: 'GET', url: location, key: practice.key });

    // Mid-job: progress is visible while the job's transaction is still open.
    await until(async () => (await job()).json.progress.done >= 10, 20_000);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    expect((await job()).json.code).toBe('service-unavailable'); // no copy left to answer
    expect(await linesOf(batch)).toBe(0); // nothing of the dead copy's run was kept

    // `mso job wait` keeps polling through the outage, and the next copy picks the job up.
    startCopy();
    const drawn: string[] = [];
    const address = p.app.server.address() as AddressInfo;
    const finished = await waitForJob({
      url: location,
      baseUrl: `http://127.0.0.1:${address.port}`,
      key: practice.key,
      intervalMs: 100,
      progressTo: { write: (chunk: string) => drawn.push(chunk) > 0, isTTY: false } as unknown as NodeJS.WritableStream,
    });
    expect(finished).toMatchObject({ status: 'succeeded', result: { batch, lines: 60 }, progress: { done: 60, total: 60 }, attempts: 2 });
    expect(finished.finishedAt).not.toBeNull();
    expect(await linesOf(batch)).toBe(60);

    // What `mso job wait` drew: the bar filling up, then the outcome.
    const output = drawn.join('');
    expect(output).toMatch(/\[#+-+\] +\d+% \d+\/60 running\n/);
    expect(output.trimEnd().split('\n').at(-1)).toBe(`[${'#'.repeat(30)}] 100% 60/60 succeeded`);

    // Another practice cannot see the job: it is not found, as a missing one.
    expect((await p.request({ method: 'GET', url: location, key: other.key })).status).toBe(404);
    // The practice's job list has it; the scheduled list is for MSO roles.
    const listed = await p.request({ method: 'GET', url: '/v1/finance/jobs?kind=async', key: practice.key });
    expect(listed.status).toBe(200);
    expect(listed.json.items.map((j: { id: string }) => j.id)).toContain(finished.id);
    expect((await p.request({ method: 'GET', url: '/v1/finance/jobs', key: other.key })).json.items).toEqual([]);
    expect((await p.request({ method: 'GET', url: '/v1/finance/jobs?kind=scheduled', key: practice.key })).status).toBe(403);
    const scheduled = await p.request({ method: 'GET', url: '/v1/finance/jobs?kind=scheduled' });
    expect(scheduled.status).toBe(200);
    expect(scheduled.json.items.every((s: { kind: string }) => s.kind === 'scheduled')).toBe(true);

    // The API document says so too: the async route answers 202 with the job.
    const document = (await p.request({ method: 'GET', url: '/openapi.json' })).json;
    expect(document.paths['/v1/finance/test-batches'].post.responses['202']).toBeDefined();
    expect(document.paths['/v1/finance/jobs/{id}'].get.responses['200']).toBeDefined();
  }, 90_000);
});
