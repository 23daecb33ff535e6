import { randomUUID } from 'node:crypto';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Objm } from '@nats-io/obj';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeBusConformance, startPrivateNats, type PrivateNats } from './conformance.js';
import { createBusFromEnv } from './env.js';
import { connectNatsBus, deleteNatsNamespace } from './nats.js';
import { BusError, BusHeaders, type Bus, type DeliveredEvent } from './types.js';

const servers = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const newNamespace = (): string => `t${randomUUID().replaceAll('-', '').slice(0, 12)}`;
const te = new TextEncoder();

describeBusConformance('nats', async () => {
  // Every test gets its own streams, event subjects and buckets.
  const namespace = newNamespace();
  const bus = await connectNatsBus({ servers, namespace, name: `bus-conformance-${namespace}` });
  return {
    bus,
    async cleanup() {
      await bus.close();
      await deleteNatsNamespace({ servers, namespace });
    },
  };
});

describe('NATS transport specifics', () => {
  let nc: NatsConnection;
  let namespace: string;
  let bus: Bus | undefined;

  beforeAll(async () => {
    nc = await connect({ servers, noAsyncTraces: true });
  });

  afterAll(async () => {
    await nc.close();
  });

  afterEach(async () => {
    await bus?.close();
    bus = undefined;
    await deleteNatsNamespace({ servers, namespace });
  });

  async function open(): Promise<Bus> {
    namespace = newNamespace();
    bus = await connectNatsBus({ servers, namespace });
    return bus;
  }

  it('forgets an answered request (the JetStream publish path): nothing of it stays in the reply mux', async () => {
    // nats-core is patched here (patches/README.md): an answered request leaves the mux without
    // building the "cancelled" error for its settled promise.
    namespace = newNamespace();
    const subject = `mux.${namespace}`;
    const responder = nc.subscribe(subject, { callback: (_error, msg) => void msg.respond(te.encode('ok')) });
    const replies = await Promise.all(Array.from({ length: 5 }, () => nc.request(subject, undefined, { timeout: 2_000 })));
    expect(replies.map((m) => new TextDecoder().decode(m.data))).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect((nc as unknown as { protocol: { muxSubscriptions: { size(): number } } }).protocol.muxSubscriptions.size()).toBe(0);
    responder.unsubscribe();
  });

  it('names streams, subjects and buckets after the namespace, and deleteNatsNamespace removes them', async () => {
    const b = await open();
    await b.ensureStream({ producer: 'billing', duplicateWindowMs: 30_000 });
    await b.consume({ producer: 'billing', durable: 'audit', handler: async () => undefined });
    await (await b.kv('sessions')).put('k', te.encode('v'));
    const jsm = await jetstreamManager(nc);
    const NS = namespace.toUpperCase();
    const events = await jsm.streams.info(`${NS}_EVT_BILLING`);
    expect(events.config.subjects).toEqual([`${namespace}.evt.billing.>`]);
    expect(events.config.duplicate_window).toBe(30_000 * 1_000_000);
    await b.ensureStream({ producer: 'billing' });
    expect((await jsm.streams.info(`${NS}_EVT_BILLING`)).config.duplicate_window).toBe(30_000 * 1_000_000);
    const dlq = await jsm.streams.info(`${NS}_DLQ`);
    expect(dlq.config.subjects).toEqual([`${namespace}.dlq.>`]);
    const consumer = await jsm.consumers.info(`${NS}_EVT_BILLING`, 'audit');
    expect(consumer.config.ack_policy).toBe('explicit');
    expect(consumer.config.filter_subject).toBe(`${namespace}.evt.billing.>`);
    await jsm.streams.info(`KV_${namespace}_sessions`);

    await b.close();
    bus = undefined;
    const deleted = await deleteNatsNamespace({ servers, namespace });
    expect(deleted.sort()).toEqual([`${NS}_DLQ`, `${NS}_EVT_BILLING`, `KV_${namespace}_sessions`].sort());
  });

  it('registers endpoints with the NATS micro protocol ($SRV.INFO) in the service queue group, namespaced', async () => {
    const b = await open();
    const service = 'micro';
    await b.serve({
      service,
      version: '2.0.0',
      description: 'test service',
      subjects: [`${namespace}.v1.thing.get`],
      handler: async () => ({ data: new Uint8Array() }),
    });
    // On the wire the service and its subjects carry the namespace, so other runs never answer them.
    const reply = await nc.request(`$SRV.INFO.${namespace}-${service}`, undefined, { timeout: 2_000 });
    const info = reply.json<{ name: string; version: string; description: string; endpoints: Array<{ subject: string; queue_group?: string }> }>();
    expect(info.name).toBe(`${namespace}-${service}`);
    expect(info.version).toBe('2.0.0');
    expect(info.description).toBe('test service');
    expect(info.endpoints).toEqual([expect.objectContaining({ subject: `${namespace}.${namespace}.v1.thing.get`, queue_group: service })]);
    // ping() lists it under its own name, and only this namespace's services.
    expect((await b.ping()).map((s) => s.name)).toEqual([service]);
  });

  it('answers $SRV.STATS and the NATS micro client with the requests and errors each endpoint handled', async () => {
    const b = await open();
    const service = 'counted';
    const subject = `${namespace}.v1.thing.count`;
    await b.serve({
      service,
      version: '1.0.0',
      subjects: [subject],
      handler: async (request) => {
        if (new TextDecoder().decode(request.data) === 'fail') throw new Error('refused');
        return { data: te.encode('ok') };
      },
    });
    await b.request(subject, te.encode('one'));
    await b.request(subject, te.encode('two'));
    await expect(b.request(subject, te.encode('fail'))).rejects.toMatchObject({ code: 'remote', message: 'refused' });

    const reply = await nc.request(`$SRV.STATS.${namespace}-${service}`, undefined, { timeout: 2_000 });
    const stats = reply.json<{ type: string; name: string; endpoints: Array<{ subject: string; num_requests: number; num_errors: number; last_error?: string }> }>();
    expect(stats.type).toBe('io.nats.micro.v1.stats_response');
    expect(stats.endpoints).toEqual([expect.objectContaining({ subject: `${namespace}.${subject}`, num_requests: 3, num_errors: 1, last_error: 'refused' })]);

    // The NATS micro library's own client sees the service as it sees its own.
    const { Svcm } = await import('@nats-io/services');
    const infos = [];
    for await (const info of await new Svcm(nc).client({ strategy: 'timer', maxWait: 500 }).info(`${namespace}-${service}`)) infos.push(info);
    expect(infos).toEqual([expect.objectContaining({ name: `${namespace}-${service}`, version: '1.0.0', endpoints: [expect.objectContaining({ subject: `${namespace}.${subject}` })] })]);
  });

  it('stores large event payloads in the object store and keeps only a reference in the stream', async () => {
    const b = await open();
    const big = new Uint8Array(1_200_000).fill(42);
    await b.publish({ id: 'big-1', subject: 'evt.files.file.received', data: big });
    // Re-publishing the same id with other bytes changes neither the stream nor the stored payload.
    await b.publish({ id: 'big-1', subject: 'evt.files.file.received', data: new Uint8Array(1_200_000).fill(7) });
    const jsm = await jetstreamManager(nc);
    const stream = `${namespace.toUpperCase()}_EVT_FILES`;
    expect((await jsm.streams.info(stream)).state.messages).toBe(1);
    const stored = await jsm.streams.getMessage(stream, { seq: 1 });
    expect(stored?.data.byteLength).toBe(0);
    expect(stored?.header.get(BusHeaders.payloadRef)).toBe(`${namespace}_mso-payloads/evt-files-big-1`);
    const got: DeliveredEvent[] = [];
    await b.consume({ producer: 'files', durable: 'reader', handler: async (e) => void got.push(e) });
    await expect.poll(() => got.length, { timeout: 5_000 }).toBe(1);
    expect(got[0]!.data.every((x) => x === 42)).toBe(true);
  });

  it('moves large request and reply payloads through the object store and deletes both once the reply is read', async () => {
    const b = await open();
    const bucket = `${namespace}_mso-payloads-rpc`;
    let storedDuringRequest = -1;
    await b.serve({
      service: 'files',
      version: '1.0.0',
      subjects: ['files.v1.echo'],
      handler: async (request) => {
        storedDuringRequest = (await (await new Objm(nc).open(bucket)).list()).length;
        return { data: request.data };
      },
    });
    const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251);
    const reply = await b.request('files.v1.echo', big, { timeoutMs: 20_000 });
    expect(Buffer.compare(Buffer.from(reply.data), Buffer.from(big))).toBe(0);
    expect(Object.keys(reply.headers ?? {})).not.toContain(BusHeaders.payloadRef);
    expect(storedDuringRequest).toBe(1); // the request body, by reference
    const store = await new Objm(nc).open(bucket);
    await expect.poll(async () => (await store.list()).length, { timeout: 5_000 }).toBe(0);
    // Deleted means the chunks are gone too, not just hidden.
    const jsm = await jetstreamManager(nc);
    expect((await jsm.streams.info(`OBJ_${bucket}`)).state.bytes).toBeLessThan(64 * 1024);
  });

  it('publish re-creates a producer stream deleted after it was ensured', async () => {
    const b = await open();
    await b.publish({ id: randomUUID(), subject: 'evt.gone.x.y', data: te.encode('1') });
    const jsm = await jetstreamManager(nc);
    const stream = `${namespace.toUpperCase()}_EVT_GONE`;
    await jsm.streams.delete(stream);
    await b.publish({ id: randomUUID(), subject: 'evt.gone.x.y', data: te.encode('2') });
    expect((await jsm.streams.info(stream)).state.messages).toBe(1);
  });

  it('createBusFromEnv connects to NATS when NATS_URL is set', async () => {
    namespace = newNamespace();
    bus = await createBusFromEnv({ env: { NATS_URL: servers, NATS_NAMESPACE: namespace } });
    expect(bus.kind).toBe('nats');
    await bus.publish({ id: randomUUID(), subject: 'evt.envcheck.x.y', data: te.encode('1') });
    const jsm = await jetstreamManager(nc);
    expect((await jsm.streams.info(`${namespace.toUpperCase()}_EVT_ENVCHECK`)).state.messages).toBe(1);
  });
});

// A broker of the test's own, killed and restarted; the test's time limit is far below the
// requests' timeouts, so only failing at once passes it.
describe('NATS connection loss', () => {
  let nats: PrivateNats;
  const buses: Bus[] = [];

  beforeAll(async () => {
    nats = await startPrivateNats();
  });

  afterAll(async () => {
    await Promise.allSettled(buses.map((b) => b.close()));
    await nats?.close();
  });

  it('fails requests in flight and new ones with disconnected while the server is down, and serves again once it is back', async () => {
    const namespace = newNamespace();
    const server = await connectNatsBus({ servers: nats.url, namespace });
    const client = await connectNatsBus({ servers: nats.url, namespace });
    buses.push(server, client);
    let slow = true;
    await server.serve({
      service: 'echo',
      version: '1.0.0',
      subjects: ['echo.v1.say'],
      handler: async (request) => {
        if (slow) await new Promise((resolve) => setTimeout(resolve, 3_000));
        return { data: request.data };
      },
    });
    const inFlight = client.request('echo.v1.say', te.encode('one'), { timeoutMs: 60_000 }).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await nats.kill();

    expect(await inFlight).toMatchObject({ code: 'disconnected' });
    const refused = await client.request('echo.v1.say', te.encode('two'), { timeoutMs: 60_000 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BusError);
    expect(refused).toMatchObject({ code: 'disconnected' });
    await expect(client.ping()).rejects.toMatchObject({ code: 'disconnected' });

    slow = false;
    await nats.start();
    await expect
      .poll(async () => client.request('echo.v1.say', te.encode('three'), { timeoutMs: 1_000 }).then((r) => new TextDecoder().decode(r.data), (e: unknown) => (e as BusError).code), { timeout: 15_000, interval: 200 })
      .toBe('three');
  }, 25_000);
});
