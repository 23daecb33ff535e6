import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivateNats, type PrivateNats } from '@mso/bus/conformance';
import type { Database } from '@mso/db';
import { tenancy } from '@mso/service-tenancy';
import { natsUrl, startTestPlatform, type TestPlatform, type TestResponse } from '@mso/testing';

// The gateway under faults: helpdesk copies in their own processes (`mso service helpdesk`) on a
// nats-server of this file's own (it is killed here; the shared one is not), the gateway and tenancy
// in the test process. A request is held inside the service by a lock this test takes on the tickets
// table, so a copy can be killed while it works on one. The gateway waits up to 60 s for a reply, and
// every test's time limit is far below that: only giving up on the dead copy (or the lost
// connection) in time lets a test pass.
const GATEWAY_TIMEOUT_MS = 60_000;
const main = fileURLToPath(new URL('./main.ts', import.meta.url));
let nats: PrivateNats;
let p: TestPlatform;
let database: Database;
let practice: { id: string; key: string };
const children = new Set<ChildProcess>();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function startHelpdeskProcess(): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=@mso/source', '--import', 'tsx', main, 'service', 'helpdesk'], {
    env: { ...process.env, NATS_URL: natsUrl(), NATS_NAMESPACE: p.namespace, DATABASE_URL: p.databaseUrl, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

async function until(predicate: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(50);
  }
}

const listTickets = (): Promise<TestResponse> => p.request({ method: 'GET', url: '/v1/helpdesk/tickets', key: practice.key });
const helpdeskCopies = async (): Promise<number> => (await p.runtime.bus.ping(300).catch(() => [])).filter((s) => s.name === 'helpdesk').length;

/** Holds an exclusive lock on helpdesk's tickets until `release()`: every request that reads or writes them waits. */
async function lockTickets(): Promise<{ release(): Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const holding = new Promise<void>((resolve) => (locked = resolve));
  const done = database.transaction(async (tx) => {
    await tx.execute('LOCK TABLE helpdesk.tickets IN ACCESS EXCLUSIVE MODE');
    locked();
    await released;
  });
  await holding;
  return {
    async release() {
      release();
      await done;
    },
  };
}

/** Sessions of this test's database waiting for a lock: the requests held inside a service. */
async function waitingOnLock(): Promise<number> {
  const result = await database.db.execute<{ n: number }>("select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'");
  const rows = ((result as { rows?: { n: number }[] }).rows ?? result) as { n: number }[];
  return rows[0]?.n ?? 0;
}

beforeAll(async () => {
  nats = await startPrivateNats();
  process.env.TEST_NATS_URL = nats.url;
  process.env.MSO_REQUEST_TIMEOUT_MS = String(GATEWAY_TIMEOUT_MS);
  p = await startTestPlatform({ services: [tenancy] });
  database = p.runtime.database!;
  practice = await p.createPractice({ services: ['helpdesk'] });
  startHelpdeskProcess();
  await until(async () => (await listTickets()).status === 200, 40_000);
}, 90_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await p?.close();
  await nats?.close();
  delete process.env.TEST_NATS_URL;
  delete process.env.MSO_REQUEST_TIMEOUT_MS;
});

describe('a service copy killed while it handles a request', () => {
  it('answers a write 503 service-unavailable with Retry-After, long before the gateway timeout', async () => {
    const [copy] = [...children];
    const lock = await lockTickets();
    try {
      const response = p.request({
        method: 'POST',
        url: '/v1/helpdesk/tickets',
        key: practice.key,
        headers: { 'idempotency-key': randomUUID() },
        body: { subject: 'Printer', description: 'It jams', priority: 'normal', category: 'hardware' },
      });
      await until(async () => (await waitingOnLock()) > 0, 10_000);
      await kill(copy!);
      const res = await response;
      expect(res.status).toBe(503);
      expect(res.json.code).toBe('service-unavailable');
      expect(res.headers['retry-after']).toBe('1');
    } finally {
      await lock.release();
    }
  }, 20_000);

  it('answers a read from another copy of the service, once the first is killed', async () => {
    // One copy takes the read: the only one running.
    for (const c of [...children]) await kill(c);
    const first = startHelpdeskProcess();
    await until(async () => (await listTickets()).status === 200 && (await helpdeskCopies()) === 1, 40_000);
    const lock = await lockTickets();
    try {
      const response = listTickets();
      await until(async () => (await waitingOnLock()) > 0, 10_000);
      startHelpdeskProcess();
      await until(async () => (await helpdeskCopies()) === 2, 40_000);
      await kill(first);
      // The read went to the second copy, which waits for the lock like the first did: heartbeats
      // keep it going past the gateway's silence limit.
      await until(async () => (await waitingOnLock()) > 1, 10_000);
      await sleep(1_500);
      await lock.release();
      const res = await response;
      expect(res.status).toBe(200);
      expect(Array.isArray(res.json.items)).toBe(true);
    } finally {
      await lock.release();
    }
  }, 60_000);
});

describe('the bus down', () => {
  it('answers 503 at once and /readyz 503 while nats-server is down, and serves again once it is back', async () => {
    await until(async () => (await helpdeskCopies()) >= 1, 20_000);
    const lock = await lockTickets();
    let waiting: Promise<TestResponse>;
    try {
      waiting = listTickets();
      await until(async () => (await waitingOnLock()) > 0, 10_000);
      await nats.kill();
      const inFlight = await waiting;
      expect(inFlight.status).toBe(503);
      expect(inFlight.json.code).toBe('service-unavailable');

      const fresh = await listTickets();
      expect(fresh.status).toBe(503);
      expect(fresh.headers['retry-after']).toBe('1');
      const ready = await p.request({ method: 'GET', url: '/readyz' });
      expect(ready.status).toBe(503);
      expect(ready.json.checks.bus).toContain('connection');
      expect(ready.json.checks.database).toBe('ok');
    } finally {
      await lock.release();
    }

    await nats.start();
    await until(async () => (await p.request({ method: 'GET', url: '/readyz' })).status === 200, 20_000);
    await until(async () => (await listTickets()).status === 200, 20_000);
  }, 45_000);
});
