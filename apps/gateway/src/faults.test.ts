import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { BusError, createMemoryBus, type Bus, type BusReply } from '@mso/bus';
import { busHeaders, operationsOf } from '@mso/contracts';
import { entitlementsBucket, kvKeys } from '@mso/contracts/tenancy';
import { encodeJson, hashApiKey } from '@mso/kit';
import { buildGateway, type GatewayOptions } from './app.js';

// A gateway over the in-memory bus, with helpdesk copies served by hand: a copy is killed by
// `abort()`, which drops its heartbeats and its reply exactly as a dead process does. The gateway's
// timeout is far longer than these tests may run, so only its giving up on a silent copy passes them.

const practiceKey = 'mso_practice_faults';
const practiceId = randomUUID();
const op = (name: string) => operationsOf('helpdesk').find((o) => o.name === name)!;
const info = op('info.get');
const createTicket = op('ticket.create');
const headers = { authorization: `Bearer ${practiceKey}` };
const ticket = { subject: 'Printer', description: 'It jams', priority: 'normal', category: 'hardware' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let app: FastifyInstance | undefined;
const releases: Array<() => void> = [];

afterEach(async () => {
  for (const release of releases.splice(0)) release();
  await app?.close();
  app = undefined;
});

// Tests allow 20 s, building the gateway included (seconds on a loaded machine): still short of the
// 30 s request timeout below, so an answer that waited for it fails them.
async function gateway(bus: Bus, options: Partial<GatewayOptions> = {}): Promise<FastifyInstance> {
  const kv = await bus.kv(entitlementsBucket);
  await kv.put(kvKeys.apiKey(hashApiKey(practiceKey)), encodeJson({ keyId: randomUUID(), role: 'practice-admin', practiceId, revoked: false }));
  await kv.put(kvKeys.practice(practiceId), encodeJson({ practiceId, services: ['helpdesk'], effectiveFrom: '2020-01-01', effectiveTo: null }));
  app = await buildGateway({ bus, env: {}, requestTimeoutMs: 30_000, ...options });
  return app;
}

/** A helpdesk copy whose handler signals `started` and then works until the test ends. */
async function hangingCopy(bus: Bus, subject: string) {
  let started!: () => void;
  const working = new Promise<void>((resolve) => (started = resolve));
  const hung = new Promise<void>((resolve) => releases.push(resolve));
  const copy = await bus.serve({
    service: 'helpdesk',
    version: '1.0.0',
    subjects: [subject],
    handler: async (): Promise<BusReply> => {
      started();
      await hung;
      return { data: encodeJson({ too: 'late' }) };
    },
  });
  return { copy, working };
}

describe('a service copy that dies while it handles a request', () => {
  it('answers a write with 503 service-unavailable and Retry-After, not at the gateway timeout', async () => {
    const bus = createMemoryBus();
    const gw = await gateway(bus);
    const { copy, working } = await hangingCopy(bus, createTicket.subject);
    const response = gw.inject({ method: 'POST', url: '/v1/helpdesk/tickets', headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': randomUUID() }, payload: JSON.stringify(ticket) });
    await working;
    await sleep(600); // it has been heard working by now
    copy.abort();
    const res = await response;
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json()).toMatchObject({ code: 'service-unavailable' });
    expect(res.json().detail).toContain('Idempotency-Key');
    await bus.close();
  }, 20_000);

  it('sends a read to another copy of the service, which answers it', async () => {
    const bus = createMemoryBus();
    const gw = await gateway(bus);
    const { copy, working } = await hangingCopy(bus, info.subject);
    // The second copy joins after the first took the request (round robin would give it the next).
    const response = gw.inject({ method: 'GET', url: '/v1/helpdesk/info', headers });
    await working;
    await bus.serve({
      service: 'helpdesk',
      version: '1.0.0',
      subjects: [info.subject],
      handler: async () => ({ data: encodeJson({ service: 'helpdesk', instance: 'second' }), headers: { [busHeaders.status]: '200' } }),
    });
    copy.abort();
    const res = await response;
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ instance: 'second' });
    await bus.close();
  }, 20_000);

  it('answers a read with 503 when no other copy is left', async () => {
    const bus = createMemoryBus();
    const gw = await gateway(bus);
    const { copy, working } = await hangingCopy(bus, info.subject);
    const response = gw.inject({ method: 'GET', url: '/v1/helpdesk/info', headers });
    await working;
    copy.abort();
    const res = await response;
    expect(res.statusCode).toBe(503);
    expect(res.json().code).toBe('service-unavailable');
    await bus.close();
  }, 20_000);
});

describe('slow work', () => {
  it('keeps waiting for a copy that takes longer than the silence limit but keeps working', async () => {
    const bus = createMemoryBus();
    const gw = await gateway(bus, { requestSilenceMs: 700 });
    await bus.serve({
      service: 'helpdesk',
      version: '1.0.0',
      subjects: [info.subject],
      handler: async () => {
        await sleep(1_800);
        return { data: encodeJson({ service: 'helpdesk', instance: 'slow' }) };
      },
    });
    const res = await gw.inject({ method: 'GET', url: '/v1/helpdesk/info', headers });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ instance: 'slow' });
    await bus.close();
  });

  it('reads the timeout and silence limit from the environment, refusing a value that is not a number', async () => {
    const bus = createMemoryBus();
    await expect(buildGateway({ bus, env: { MSO_REQUEST_SILENCE_MS: 'soon' } })).rejects.toThrow(/MSO_REQUEST_SILENCE_MS/);
    await expect(buildGateway({ bus, env: { MSO_REQUEST_TIMEOUT_MS: '-1' } })).rejects.toThrow(/MSO_REQUEST_TIMEOUT_MS/);
    // A 300 ms timeout from the environment: a request to a copy that never answers gives up then.
    const gw = await gateway(bus, { env: { MSO_REQUEST_TIMEOUT_MS: '300' }, requestTimeoutMs: undefined });
    const { copy } = await hangingCopy(bus, info.subject);
    const res = await gw.inject({ method: 'GET', url: '/v1/helpdesk/info', headers });
    expect(res.statusCode).toBe(503);
    expect(res.json().detail).toContain('did not answer in time');
    copy.abort();
    await bus.close();
  }, 20_000);
});

describe('without a bus connection', () => {
  /** The in-memory bus, as a NATS bus is while its connection is down: nothing can be sent. */
  function disconnected(bus: Bus): Bus {
    const down = () => Promise.reject(new BusError('disconnected', 'no connection to NATS (reconnecting)'));
    return { ...bus, request: down, ping: down };
  }

  it('answers requests 503 at once, and /readyz 503 naming the bus', async () => {
    const bus = createMemoryBus();
    const gw = await gateway(disconnected(bus));
    // "At once": long before the 30 s request timeout, counted from the request, not from the
    // gateway's build (which takes seconds of its own on a loaded machine).
    const started = Date.now();
    const res = await gw.inject({ method: 'GET', url: '/v1/helpdesk/info', headers });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json()).toMatchObject({ code: 'service-unavailable', detail: expect.stringContaining('no connection to the bus') });
    const ready = await gw.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().checks.bus).toContain('no connection');
    await bus.close();
  }, 20_000);
});

describe('/readyz', () => {
  it('counts a check that does not answer as failed, without waiting for it', async () => {
    const bus = createMemoryBus();
    await bus.serve({ service: 'tenancy', version: '1.0.0', subjects: ['tenancy.v1.ready.probe'], handler: async () => ({ data: new Uint8Array() }) });
    const never = new Promise<void>(() => undefined);
    const gw = await gateway(bus, { readinessChecks: { database: () => never, other: async () => undefined } });
    // The answer is due once the check's own limit (1 s) has passed; the deadline starts after the
    // gateway is built, which takes seconds of its own on a loaded machine, and leaves room for a
    // loop that other processes keep from its timers (an unbounded check would never answer).
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('/readyz waited for a check that never answers')), 8_000)));
    const res = await Promise.race([gw.inject({ method: 'GET', url: '/readyz' }), deadline]).finally(() => clearTimeout(timer));
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'not-ready', checks: { bus: 'ok', other: 'ok', database: expect.stringContaining('no answer') }, services: ['tenancy'] });
    await bus.close();
  }, 20_000);
});
