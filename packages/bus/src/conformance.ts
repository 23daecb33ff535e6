import { randomUUID } from 'node:crypto';
import { context, propagation, ROOT_CONTEXT, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  TracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { withEventSpan } from './tracing.js';
import { BusError, BusHeaders, type Bus, type DeliveredEvent, type EventOutcome, type KvEntry } from './types.js';

export { startPrivateNats, type PrivateNats } from './private-nats.js';

/**
 * The behaviour every `Bus` transport must show. Run it from a test file:
 *
 *   describeBusConformance('memory', async () => { const bus = createMemoryBus(); return { bus, cleanup: () => bus.close() }; });
 *
 * `makeBus` is called once per test and must return a bus isolated from other tests and runs (for
 * NATS: a random namespace); `cleanup` closes it and deletes what it created.
 */
export interface BusFixture {
  bus: Bus;
  cleanup(): Promise<void>;
}

const EXPORTER = Symbol.for('@mso/bus/conformance-exporter');

/**
 * Registers an in-memory span exporter, the W3C propagator and an async-hooks context manager as
 * the global OpenTelemetry setup (once per process) and returns the exporter.
 */
export function installTestTracing(): InMemorySpanExporter {
  const g = globalThis as { [EXPORTER]?: InMemorySpanExporter };
  const existing = g[EXPORTER];
  if (existing) return existing;
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  if (!trace.setGlobalTracerProvider(provider)) throw new Error('a global tracer provider is already registered');
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  g[EXPORTER] = exporter;
  return exporter;
}

const te = new TextEncoder();
const td = new TextDecoder();
const text = (data: Uint8Array): string => td.decode(data);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const uid = (): string => randomUUID().replaceAll('-', '').slice(0, 10);

async function waitFor<T>(check: () => T | undefined | false, timeoutMs = 5_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

async function expectBusError(promise: Promise<unknown>, code: BusError['code']): Promise<BusError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BusError);
  expect((err as BusError).code).toBe(code);
  return err as BusError;
}

function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

export function describeBusConformance(name: string, makeBus: () => Promise<BusFixture>): void {
  describe(`Bus conformance: ${name}`, () => {
    let exporter: InMemorySpanExporter;
    let fixture: BusFixture | undefined;
    let bus: Bus;

    beforeAll(() => {
      exporter = installTestTracing();
    });

    beforeEach(async () => {
      fixture = await makeBus();
      bus = fixture.bus;
    });

    afterEach(async () => {
      await fixture?.cleanup();
      fixture = undefined;
    });

    // ------------------------------------------------------------ request/reply

    describe('request/reply', () => {
      it('returns the reply data and headers, and passes request headers to the handler', async () => {
        const subject = `conf${uid()}.echo`;
        const seen: Array<{ subject: string; header: string | undefined }> = [];
        await bus.serve({
          service: `echo-${uid()}`,
          version: '1.0.0',
          subjects: [subject],
          handler: async (req) => {
            seen.push({ subject: req.subject, header: req.headers['x-tenant'] });
            return { data: te.encode(`echo:${text(req.data)}`), headers: { 'x-served': 'yes' } };
          },
        });
        const reply = await bus.request(subject, te.encode('hello'), { headers: { 'x-tenant': 't1' } });
        expect(text(reply.data)).toBe('echo:hello');
        expect(reply.headers?.['x-served']).toBe('yes');
        expect(seen).toEqual([{ subject, header: 't1' }]);
      });

      it('serves several subjects from one service', async () => {
        const base = `conf${uid()}`;
        await bus.serve({
          service: `multi-${uid()}`,
          version: '1.0.0',
          subjects: [`${base}.a`, `${base}.b`],
          handler: async (req) => ({ data: te.encode(req.subject) }),
        });
        expect(text((await bus.request(`${base}.a`, new Uint8Array())).data)).toBe(`${base}.a`);
        expect(text((await bus.request(`${base}.b`, new Uint8Array())).data)).toBe(`${base}.b`);
      });

      it('reports a handler error to the requester as BusError remote', async () => {
        const subject = `conf${uid()}.fail`;
        await bus.serve({
          service: `fail-${uid()}`,
          version: '1.0.0',
          subjects: [subject],
          handler: async () => {
            throw new Error('cannot do that');
          },
        });
        const err = await expectBusError(bus.request(subject, new Uint8Array()), 'remote');
        expect(err.message).toContain('cannot do that');
      });

      it('fails with timeout when no reply comes in time', async () => {
        const subject = `conf${uid()}.slow`;
        await bus.serve({
          service: `slow-${uid()}`,
          version: '1.0.0',
          subjects: [subject],
          handler: async () => {
            await sleep(400);
            return { data: new Uint8Array() };
          },
        });
        const started = Date.now();
        await expectBusError(bus.request(subject, new Uint8Array(), { timeoutMs: 150 }), 'timeout');
        const elapsed = Date.now() - started;
        expect(elapsed).toBeGreaterThanOrEqual(140);
        expect(elapsed).toBeLessThan(1_000);
      });

      it('fails fast with no-responders when nobody serves the subject', async () => {
        const started = Date.now();
        await expectBusError(
          bus.request(`conf${uid()}.nobody`, new Uint8Array(), { timeoutMs: 5_000 }),
          'no-responders',
        );
        expect(Date.now() - started).toBeLessThan(1_000);
      });

      it('shares requests between two servers of one service (queue group)', async () => {
        const subject = `conf${uid()}.shared`;
        const service = `shared-${uid()}`;
        const counts = [0, 0];
        for (const i of [0, 1]) {
          await bus.serve({
            service,
            version: '1.0.0',
            subjects: [subject],
            handler: async () => {
              counts[i] = (counts[i] ?? 0) + 1;
              return { data: te.encode(String(i)) };
            },
          });
        }
        for (let n = 0; n < 40; n++) await bus.request(subject, new Uint8Array());
        expect((counts[0] ?? 0) + (counts[1] ?? 0)).toBe(40);
        expect(counts[0]).toBeGreaterThan(0);
        expect(counts[1]).toBeGreaterThan(0);
      });

      it('stop() waits for in-flight requests, then the subject has no responders', async () => {
        const subject = `conf${uid()}.stop`;
        let finished = false;
        const served = await bus.serve({
          service: `stop-${uid()}`,
          version: '1.0.0',
          subjects: [subject],
          handler: async () => {
            await sleep(150);
            finished = true;
            return { data: te.encode('done') };
          },
        });
        const pending = bus.request(subject, new Uint8Array());
        await sleep(50);
        await served.stop();
        expect(finished).toBe(true);
        expect(text((await pending).data)).toBe('done');
        await expectBusError(bus.request(subject, new Uint8Array(), { timeoutMs: 2_000 }), 'no-responders');
      });

      it('keeps a slow request alive past its silence limit while the handler works, and passes only the reply on', async () => {
        const subject = `conf${uid()}.long`;
        await bus.serve({
          service: `long-${uid()}`,
          version: '1.0.0',
          subjects: [subject],
          handler: async () => {
            await sleep(1_300);
            return { data: te.encode('finally'), headers: { 'x-served': 'yes' } };
          },
        });
        const reply = await bus.request(subject, new Uint8Array(), { timeoutMs: 10_000, silenceMs: 800 });
        expect(text(reply.data)).toBe('finally');
        expect(reply.headers?.['x-served']).toBe('yes');
        expect(reply.headers?.[BusHeaders.heartbeat]).toBeUndefined();
      });

      it('does not give up on a copy for a silence of its own process standing still', async () => {
        const subject = `conf${uid()}.stall`;
        await bus.serve({
          service: `stall-${uid()}`,
          version: '1.0.0',
          subjects: [subject],
          handler: async () => {
            await sleep(100);
            const until = Date.now() + 1_300;
            while (Date.now() < until) {
              // a blocked event loop: no timer, no I/O, here or in the requester sharing the process
            }
            await sleep(100);
            return { data: te.encode('after the stall') };
          },
        });
        const reply = await bus.request(subject, new Uint8Array(), { timeoutMs: 10_000, silenceMs: 800 });
        expect(text(reply.data)).toBe('after the stall');
      });

      // The test's own time limit is well below the request's timeout: only giving up on the silent
      // copy can pass it.
      it('fails with lost, long before its timeout, when the copy serving it dies mid-request', async () => {
        const subject = `conf${uid()}.dies`;
        const service = `dies-${uid()}`;
        let started!: () => void;
        const working = new Promise<void>((resolve) => (started = resolve));
        let release!: () => void;
        const hung = new Promise<void>((resolve) => (release = resolve));
        const copy = await bus.serve({
          service,
          version: '1.0.0',
          subjects: [subject],
          handler: async () => {
            started();
            await hung;
            return { data: te.encode('too late') };
          },
        });
        try {
          const pending = bus.request(subject, new Uint8Array(), { timeoutMs: 60_000 });
          await working;
          await sleep(600); // past the first heartbeat
          copy.abort();
          const err = await expectBusError(pending, 'lost');
          expect(err.message).toContain(subject);
          // The copy is gone: nobody serves the subject any more.
          await expectBusError(bus.request(subject, new Uint8Array(), { timeoutMs: 2_000 }), 'no-responders');
        } finally {
          release();
        }
      }, 8_000);

      it('rejects invalid subjects and service names', async () => {
        await expectBusError(bus.request('bad subject', new Uint8Array()), 'invalid');
        await expectBusError(bus.request('wild.*', new Uint8Array()), 'invalid');
        await expectBusError(
          bus.serve({ service: 'no.dots', version: '1.0.0', subjects: ['a.b'], handler: async () => ({ data: new Uint8Array() }) }),
          'invalid',
        );
      });
    });

    // ------------------------------------------------------------ events

    describe('events', () => {
      const fast = { ackWaitMs: 2_000, backoffMs: [50] };

      it('fans every event out to each durable consumer group', async () => {
        const producer = `p${uid()}`;
        await bus.ensureStream({ producer });
        const got: Record<string, string[]> = { billing: [], audit: [] };
        for (const durable of ['billing', 'audit']) {
          await bus.consume({
            producer,
            durable,
            ...fast,
            handler: async (e) => {
              got[durable]?.push(text(e.data));
            },
          });
        }
        for (const n of [1, 2, 3]) {
          await bus.publish({ id: randomUUID(), subject: `evt.${producer}.thing.created`, data: te.encode(`e${n}`) });
        }
        await waitFor(() => got.billing?.length === 3 && got.audit?.length === 3, 5_000, 'fan-out');
        expect(got).toEqual({ billing: ['e1', 'e2', 'e3'], audit: ['e1', 'e2', 'e3'] });
      });

      it('reports consumer lag: events not yet handled by each durable, until they are', async () => {
        const producer = `p${uid()}`;
        await bus.ensureStream({ producer });
        let release!: () => void;
        const gate = new Promise<void>((r) => (release = r));
        let handled = 0;
        await bus.consume({
          producer,
          durable: 'slow',
          ...fast,
          handler: async () => {
            await gate;
            handled++;
          },
        });
        for (const n of [1, 2, 3]) {
          await bus.publish({ id: randomUUID(), subject: `evt.${producer}.thing.created`, data: te.encode(`e${n}`) });
        }
        const lagOf = async () => (await bus.consumerLag()).find((l) => l.producer === producer && l.durable === 'slow')?.pending;
        const settle = async (want: number) => {
          const deadline = Date.now() + 5_000;
          while ((await lagOf()) !== want) {
            if (Date.now() > deadline) throw new Error(`lag never reached ${want}: ${await lagOf()}`);
            await sleep(20);
          }
        };
        await settle(3);
        release();
        await waitFor(() => handled === 3, 5_000, 'handled');
        await settle(0);
      });

      it('delivers id, subject, headers, sequence and delivery count; filters by subject', async () => {
        const producer = `p${uid()}`;
        const got: DeliveredEvent[] = [];
        await bus.consume({
          producer,
          durable: 'created-only',
          filter: `evt.${producer}.thing.created`,
          ...fast,
          handler: async (e) => {
            got.push(e);
          },
        });
        const id = randomUUID();
        await bus.publish({ id: randomUUID(), subject: `evt.${producer}.thing.deleted`, data: te.encode('no') });
        await bus.publish({ id, subject: `evt.${producer}.thing.created`, data: te.encode('yes'), headers: { 'x-tenant': 't9' } });
        await waitFor(() => got.length === 1, 5_000, 'filtered event');
        await sleep(100);
        expect(got).toHaveLength(1);
        const e = got[0]!;
        expect(e.id).toBe(id);
        expect(e.subject).toBe(`evt.${producer}.thing.created`);
        expect(text(e.data)).toBe('yes');
        expect(e.headers?.['x-tenant']).toBe('t9');
        expect(e.deliveryCount).toBe(1);
        expect(e.sequence).toBe(2);
      });

      it('redelivers an event whose handler throws', async () => {
        const producer = `p${uid()}`;
        const deliveries: number[] = [];
        await bus.consume({
          producer,
          durable: 'flaky',
          maxDeliver: 5,
          ...fast,
          handler: async (e) => {
            deliveries.push(e.deliveryCount);
            if (e.deliveryCount < 3) throw new Error('transient');
          },
        });
        await bus.publish({ id: randomUUID(), subject: `evt.${producer}.x.y`, data: te.encode('1') });
        await waitFor(() => deliveries.length === 3, 5_000, 'three deliveries');
        await sleep(200);
        expect(deliveries).toEqual([1, 2, 3]);
      });

      it('redelivers to another instance of the durable when a delivery is not acked within ackWait', async () => {
        const producer = `p${uid()}`;
        const log: string[] = [];
        let release!: () => void;
        const hang = new Promise<void>((resolve) => {
          release = resolve;
        });
        const options = {
          producer,
          durable: 'worker',
          maxDeliver: 5,
          ackWaitMs: 300,
          backoffMs: [50],
          handler: async (e: DeliveredEvent) => {
            log.push(`start${e.deliveryCount}`);
            if (e.deliveryCount === 1) await hang;
            log.push(`end${e.deliveryCount}`);
          },
        };
        await bus.consume(options);
        await bus.consume(options);
        const started = Date.now();
        await bus.publish({ id: randomUUID(), subject: `evt.${producer}.job.queued`, data: te.encode('job') });
        await waitFor(() => log.includes('end2'), 5_000, 'redelivery to the other instance');
        expect(Date.now() - started).toBeGreaterThanOrEqual(250);
        expect(log).toEqual(['start1', 'start2', 'end2']);
        release();
        await waitFor(() => log.includes('end1'), 5_000, 'slow handler to finish');
      });

      it('keeps the position of a durable across restarts', async () => {
        const producer = `p${uid()}`;
        const subject = `evt.${producer}.n.added`;
        const got: string[] = [];
        const handler = async (e: DeliveredEvent): Promise<void> => {
          got.push(text(e.data));
        };
        const c1 = await bus.consume({ producer, durable: 'counter', ...fast, handler });
        await bus.publish({ id: randomUUID(), subject, data: te.encode('1') });
        await waitFor(() => got.length === 1, 5_000, 'first event');
        await c1.stop();
        await bus.publish({ id: randomUUID(), subject, data: te.encode('2') });
        await bus.consume({ producer, durable: 'counter', ...fast, handler });
        await waitFor(() => got.length === 2, 5_000, 'second event');
        await sleep(100);
        expect(got).toEqual(['1', '2']);
      });

      it('moves an event to the dead-letter stream after maxDeliver failed deliveries', async () => {
        const producer = `p${uid()}`;
        let calls = 0;
        await bus.consume({
          producer,
          durable: 'doomed',
          maxDeliver: 3,
          ...fast,
          handler: async () => {
            calls++;
            throw new Error('always fails');
          },
        });
        const dead: DeliveredEvent[] = [];
        await bus.consume({
          producer,
          deadLetters: true,
          durable: 'dlq-reader',
          filter: 'dlq.doomed.>',
          ...fast,
          handler: async (e) => {
            dead.push(e);
          },
        });
        const id = randomUUID();
        await bus.publish({ id, subject: `evt.${producer}.order.placed`, data: te.encode('order-1') });
        await waitFor(() => dead.length === 1, 5_000, 'dead letter');
        await sleep(200);
        expect(calls).toBe(3);
        expect(dead).toHaveLength(1);
        const d = dead[0]!;
        expect(d.subject).toBe(`dlq.doomed.evt.${producer}.order.placed`);
        expect(d.id).toBe(id);
        expect(text(d.data)).toBe('order-1');
        expect(d.headers?.[BusHeaders.dlqDeliveries]).toBe('3');
        expect(d.headers?.[BusHeaders.dlqError]).toBe('always fails');
      });

      it('dead-letters an event whose last delivery is not acked in time', async () => {
        const producer = `p${uid()}`;
        let calls = 0;
        const options = {
          producer,
          durable: 'stuck',
          maxDeliver: 1,
          ackWaitMs: 250,
          backoffMs: [50],
          handler: async () => {
            calls++;
            await sleep(600);
          },
        };
        // Two instances: while one holds the event past ackWait, the other takes the redelivery.
        await bus.consume(options);
        await bus.consume(options);
        const dead: DeliveredEvent[] = [];
        await bus.consume({
          producer,
          deadLetters: true,
          durable: 'dlq-reader',
          ...fast,
          handler: async (e) => {
            dead.push(e);
          },
        });
        await bus.publish({ id: randomUUID(), subject: `evt.${producer}.x.y`, data: te.encode('late') });
        await waitFor(() => dead.length === 1, 5_000, 'dead letter');
        expect(calls).toBe(1);
        expect(dead[0]!.subject).toBe(`dlq.stuck.evt.${producer}.x.y`);
        expect(dead[0]!.headers?.[BusHeaders.dlqError]).toBe('ack wait exceeded');
        expect(dead[0]!.headers?.[BusHeaders.dlqDeliveries]).toBe('1');
      });

      it('stores an event id once within the dedupe window', async () => {
        const producer = `p${uid()}`;
        await bus.ensureStream({ producer, duplicateWindowMs: 60_000 });
        const got: string[] = [];
        await bus.consume({
          producer,
          durable: 'dedupe',
          ...fast,
          handler: async (e) => {
            got.push(`${e.sequence}:${text(e.data)}`);
          },
        });
        const id = randomUUID();
        const subject = `evt.${producer}.x.y`;
        await bus.publish({ id, subject, data: te.encode('first') });
        await bus.publish({ id, subject, data: te.encode('second') });
        await bus.publish({ id: randomUUID(), subject, data: te.encode('marker') });
        await waitFor(() => got.length === 2, 5_000, 'two events');
        await sleep(100);
        expect(got).toEqual(['1:first', '2:marker']);
      });

      it('stores a repeated event id again once the dedupe window has passed', async () => {
        const producer = `p${uid()}`;
        await bus.ensureStream({ producer, duplicateWindowMs: 300 });
        // A later ensureStream without settings keeps the producer's window.
        await bus.ensureStream({ producer });
        const got: string[] = [];
        await bus.consume({
          producer,
          durable: 'window',
          ...fast,
          handler: async (e) => {
            got.push(text(e.data));
          },
        });
        const id = randomUUID();
        const subject = `evt.${producer}.x.y`;
        await bus.publish({ id, subject, data: te.encode('first') });
        await bus.publish({ id, subject, data: te.encode('dup') });
        await sleep(500);
        await bus.publish({ id, subject, data: te.encode('after-window') });
        await waitFor(() => got.length === 2, 5_000, 'two events');
        expect(got).toEqual(['first', 'after-window']);
      });

      it('delivers events on one subject in publish order', async () => {
        const producer = `p${uid()}`;
        const subject = `evt.${producer}.counter.incremented`;
        const got: number[] = [];
        const sequences: number[] = [];
        for (let n = 0; n < 30; n++) await bus.publish({ id: randomUUID(), subject, data: te.encode(String(n)) });
        await bus.consume({
          producer,
          durable: 'ordered',
          ...fast,
          handler: async (e) => {
            if (got.length % 7 === 3) await sleep(5);
            got.push(Number(text(e.data)));
            sequences.push(e.sequence);
          },
        });
        for (let n = 30; n < 40; n++) await bus.publish({ id: randomUUID(), subject, data: te.encode(String(n)) });
        await waitFor(() => got.length === 40, 5_000, 'forty events');
        expect(got).toEqual(Array.from({ length: 40 }, (_, i) => i));
        expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
      });

      it('with maxAckPending 1 holds later events back until a failed one succeeds', async () => {
        const producer = `p${uid()}`;
        const subject = `evt.${producer}.x.y`;
        const got: string[] = [];
        await bus.consume({
          producer,
          durable: 'strict',
          maxAckPending: 1,
          maxDeliver: 5,
          ...fast,
          handler: async (e) => {
            got.push(`${text(e.data)}#${e.deliveryCount}`);
            if (text(e.data) === 'a' && e.deliveryCount === 1) throw new Error('retry me');
          },
        });
        for (const d of ['a', 'b', 'c']) await bus.publish({ id: randomUUID(), subject, data: te.encode(d) });
        await waitFor(() => got.length === 4, 5_000, 'four deliveries');
        expect(got).toEqual(['a#1', 'a#2', 'b#1', 'c#1']);
      });

      it('publishMany stores many events in their order, a repeated id once, and acks each', async () => {
        const producer = `p${uid()}`;
        const subject = `evt.${producer}.counter.incremented`;
        const got: string[] = [];
        await bus.consume({ producer, durable: 'many', ...fast, handler: async (e) => void got.push(text(e.data)) });
        const before = randomUUID();
        await bus.publish({ id: before, subject, data: te.encode('before') });
        const events = Array.from({ length: 300 }, (_, n) => ({ id: randomUUID(), subject, data: te.encode(String(n)) }));
        // An id stored before and an id twice in the list are stored once, and still acked.
        const list = [...events.slice(0, 100), { id: before, subject, data: te.encode('again') }, ...events.slice(100, 200), events[150]!, ...events.slice(200)];
        const outcomes = await bus.publishMany(list);
        expect(outcomes).toEqual(list.map(() => 'ack'));
        await waitFor(() => got.length === 301, 10_000, 'every event');
        await sleep(100);
        expect(got).toEqual(['before', ...events.map((e) => text(e.data))]);
      });

      it('publishMany stores nothing after an event that is not stored', async () => {
        const producer = `p${uid()}`;
        const subject = `evt.${producer}.x.y`;
        const got: string[] = [];
        await bus.consume({ producer, durable: 'gap', ...fast, handler: async (e) => void got.push(text(e.data)) });
        const outcomes = await bus.publishMany([
          { id: randomUUID(), subject, data: te.encode('a') },
          { id: randomUUID(), subject: `evt.${producer}`, data: te.encode('bad subject') },
          { id: randomUUID(), subject, data: te.encode('b') },
        ]);
        expect(outcomes[0]).toBe('ack');
        expect(outcomes[1]).toEqual({ error: expect.any(BusError) });
        expect(outcomes[2]).toEqual({ error: expect.any(Error) });
        await bus.publish({ id: randomUUID(), subject, data: te.encode('marker') });
        await waitFor(() => got.length === 2, 5_000, 'two events');
        await sleep(100);
        expect(got).toEqual(['a', 'marker']);
      });

      it('refuses to reuse a durable name with another filter', async () => {
        const producer = `p${uid()}`;
        const handler = async (): Promise<void> => undefined;
        await bus.consume({ producer, durable: 'one', filter: `evt.${producer}.a.*`, handler });
        await expectBusError(bus.consume({ producer, durable: 'one', filter: `evt.${producer}.b.*`, handler }), 'invalid');
      });

      describe('batches', () => {
        const publishAll = async (subject: string, items: readonly string[]): Promise<void> => {
          for (const d of items) await bus.publish({ id: randomUUID(), subject, data: te.encode(d) });
        };
        const range = (n: number): string[] => Array.from({ length: n }, (_, i) => `e${i}`);

        it('hands batches of up to maxEvents in stream order, one at a time', async () => {
          const producer = `p${uid()}`;
          const subject = `evt.${producer}.counter.incremented`;
          await bus.ensureStream({ producer });
          await publishAll(subject, range(25));
          const batches: string[][] = [];
          let active = 0;
          let overlapped = false;
          await bus.consume({
            producer,
            durable: 'batched',
            ...fast,
            batch: {
              maxEvents: 10,
              maxWaitMs: 50,
              handler: async (events) => {
                if (++active > 1) overlapped = true;
                batches.push(events.map((e) => text(e.data)));
                await sleep(20);
                active--;
              },
            },
          });
          await publishAll(subject, range(40).slice(25));
          await waitFor(() => batches.flat().length >= 40, 5_000, 'forty events');
          await sleep(100);
          expect(batches.flat()).toEqual(range(40));
          expect(overlapped).toBe(false);
          expect(Math.max(...batches.map((b) => b.length))).toBe(10);
          expect(batches.length).toBeLessThan(40);
        });

        it('hands a lone event over after maxWaitMs', async () => {
          const producer = `p${uid()}`;
          const got: number[] = [];
          await bus.consume({
            producer,
            durable: 'lone',
            ...fast,
            batch: { maxEvents: 100, maxWaitMs: 50, handler: async (events) => void got.push(events.length) },
          });
          const started = Date.now();
          await bus.publish({ id: randomUUID(), subject: `evt.${producer}.x.y`, data: te.encode('only') });
          await waitFor(() => got.length === 1, 5_000, 'the batch');
          expect(got).toEqual([1]);
          expect(Date.now() - started).toBeLessThan(2_000);
        });

        it('redelivers a nak\'d event alone, after the events already on their way; acks the rest', async () => {
          const producer = `p${uid()}`;
          const subject = `evt.${producer}.x.y`;
          await bus.ensureStream({ producer });
          await publishAll(subject, ['a', 'b', 'c', 'd']);
          const batches: string[][] = [];
          await bus.consume({
            producer,
            durable: 'partial',
            maxDeliver: 5,
            ...fast,
            batch: {
              maxEvents: 10,
              maxWaitMs: 50,
              handler: async (events) => {
                batches.push(events.map((e) => `${text(e.data)}#${e.deliveryCount}`));
                return events.map((e): EventOutcome => (text(e.data) === 'b' && e.deliveryCount === 1 ? { error: new Error('retry b') } : 'ack'));
              },
            },
          });
          await waitFor(() => batches.flat().includes('b#2'), 5_000, 'redelivery of b');
          await sleep(200);
          expect(batches.flat()).toEqual(['a#1', 'b#1', 'c#1', 'd#1', 'b#2']);
          expect(batches.at(-1)).toEqual(['b#2']);
        });

        it('redelivers every event of a batch whose handler throws (at least once)', async () => {
          const producer = `p${uid()}`;
          const subject = `evt.${producer}.x.y`;
          await bus.ensureStream({ producer });
          await publishAll(subject, ['a', 'b', 'c']);
          const seen: string[] = [];
          let calls = 0;
          await bus.consume({
            producer,
            durable: 'throwing',
            maxDeliver: 5,
            ...fast,
            batch: {
              maxEvents: 10,
              maxWaitMs: 50,
              handler: async (events) => {
                seen.push(...events.map((e) => `${text(e.data)}#${e.deliveryCount}`));
                if (++calls === 1) throw new Error('transient');
              },
            },
          });
          await waitFor(() => seen.filter((x) => x.endsWith('#2')).length === 3, 5_000, 'redeliveries');
          await sleep(200);
          expect(seen.filter((x) => x.endsWith('#1')).sort()).toEqual(['a#1', 'b#1', 'c#1']);
          expect(seen.filter((x) => x.endsWith('#2')).sort()).toEqual(['a#2', 'b#2', 'c#2']);
          expect(seen).toHaveLength(6);
        });

        it('dead-letters a batch event after maxDeliver failed deliveries; the others are acked once', async () => {
          const producer = `p${uid()}`;
          const subject = `evt.${producer}.order.placed`;
          await bus.ensureStream({ producer });
          await publishAll(subject, ['ok1', 'bad', 'ok2']);
          const seen: string[] = [];
          await bus.consume({
            producer,
            durable: 'doomed-batch',
            maxDeliver: 3,
            ...fast,
            batch: {
              maxEvents: 10,
              maxWaitMs: 50,
              handler: async (events) => {
                seen.push(...events.map((e) => text(e.data)));
                return events.map((e): EventOutcome => (text(e.data) === 'bad' ? { error: new Error('always fails') } : 'ack'));
              },
            },
          });
          const dead: DeliveredEvent[] = [];
          await bus.consume({
            producer,
            deadLetters: true,
            durable: 'dlq-reader',
            filter: 'dlq.doomed-batch.>',
            ...fast,
            handler: async (e) => void dead.push(e),
          });
          await waitFor(() => dead.length === 1, 5_000, 'dead letter');
          await sleep(200);
          expect(seen.filter((x) => x === 'bad')).toHaveLength(3);
          expect(seen.filter((x) => x !== 'bad').sort()).toEqual(['ok1', 'ok2']);
          expect(text(dead[0]!.data)).toBe('bad');
          expect(dead[0]!.subject).toBe(`dlq.doomed-batch.${subject}`);
          expect(dead[0]!.headers?.[BusHeaders.dlqDeliveries]).toBe('3');
          expect(dead[0]!.headers?.[BusHeaders.dlqError]).toBe('always fails');
        });

        it('traces a batch in one span linked to each producer span; withEventSpan continues an event\'s trace', async () => {
          const producer = `p${uid()}`;
          const subject = `evt.${producer}.visit.recorded`;
          await bus.ensureStream({ producer });
          const tracer = trace.getTracer('bus-conformance');
          const traceIds: string[] = [];
          for (const n of [1, 2]) {
            await tracer.startActiveSpan(`root${n}`, async (root) => {
              await bus.publish({ id: randomUUID(), subject, data: te.encode('patient-name-Jane-Doe') });
              root.end();
              traceIds.push(root.spanContext().traceId);
            });
          }
          let done = 0;
          await bus.consume({
            producer,
            durable: 'traced-batch',
            ...fast,
            batch: {
              maxEvents: 10,
              maxWaitMs: 50,
              handler: async (events) => {
                for (const e of events) await withEventSpan(e, 'traced-batch', async () => tracer.startSpan('event-work').end());
                done += events.length;
              },
            },
          });
          await waitFor(() => done === 2, 5_000, 'two events');
          const spans = await waitFor(() => {
            const all = exporter.getFinishedSpans();
            const batch = all.find((s) => s.kind === SpanKind.CONSUMER && s.name === `process evt.${producer}.>`);
            return batch ? { all, batch } : undefined;
          }, 5_000, 'batch span');
          const { all, batch } = spans;
          expect(batch.attributes['messaging.batch.message_count']).toBe(2);
          expect(batch.links.map((l) => l.context.traceId).sort()).toEqual([...traceIds].sort());
          for (const traceId of traceIds) {
            const mine = all.filter((s) => s.spanContext().traceId === traceId);
            const producerSpan = mine.find((s) => s.kind === SpanKind.PRODUCER)!;
            const eventSpan = mine.find((s) => s.kind === SpanKind.CONSUMER)!;
            const work = mine.find((s) => s.name === 'event-work')!;
            expect(parentOf(eventSpan)).toBe(producerSpan.spanContext().spanId);
            expect(parentOf(work)).toBe(eventSpan.spanContext().spanId);
            expect(eventSpan.links.map((l) => l.context.spanId)).toEqual([batch.spanContext().spanId]);
          }
          for (const s of all) for (const v of Object.values(s.attributes)) expect(String(v)).not.toContain('Jane-Doe');
        });

        it('rejects a batch without room for an event', async () => {
          const handler = async (): Promise<void> => undefined;
          await expectBusError(bus.consume({ producer: `p${uid()}`, durable: 'none', batch: { maxEvents: 0, maxWaitMs: 10, handler } }), 'invalid');
          await expectBusError(bus.consume({ producer: `p${uid()}`, durable: 'none', batch: { maxEvents: 5, maxWaitMs: -1, handler } }), 'invalid');
        });
      });

      it('rejects event subjects outside evt.<producer>.<type>', async () => {
        await expectBusError(bus.publish({ id: '1', subject: 'billing.created', data: new Uint8Array() }), 'invalid');
        await expectBusError(bus.publish({ id: '1', subject: 'evt.billing', data: new Uint8Array() }), 'invalid');
      });
    });

    // ------------------------------------------------------------ KV

    describe('KV', () => {
      it('gets, puts, updates by revision and deletes', async () => {
        const kv = await bus.kv(`kv${uid()}`);
        expect(await kv.get('missing')).toBeNull();
        const r1 = await kv.put('tenant.t1', te.encode('v1'));
        expect(r1).toBeGreaterThan(0);
        const e1 = await kv.get('tenant.t1');
        expect(e1?.revision).toBe(r1);
        expect(text(e1!.value!)).toBe('v1');

        const r2 = await kv.update('tenant.t1', te.encode('v2'), r1);
        expect(r2).not.toBeNull();
        expect(r2!).toBeGreaterThan(r1);
        expect(await kv.update('tenant.t1', te.encode('stale'), r1)).toBeNull();
        expect(await kv.update('tenant.t1', te.encode('exists'), 0)).toBeNull();
        expect(text((await kv.get('tenant.t1'))!.value!)).toBe('v2');

        const r3 = await kv.update('tenant.t2', te.encode('new'), 0);
        expect(r3).toBeGreaterThan(r2!);
        expect((await kv.keys()).sort()).toEqual(['tenant.t1', 'tenant.t2']);

        await kv.delete('tenant.t1');
        const gone = await kv.get('tenant.t1');
        expect(gone?.value).toBeNull();
        expect(await kv.keys()).toEqual(['tenant.t2']);
        // A deleted key can be created again.
        expect(await kv.update('tenant.t1', te.encode('again'), 0)).not.toBeNull();
      });

      it('keeps buckets apart', async () => {
        const a = await bus.kv(`kva${uid()}`);
        const b = await bus.kv(`kvb${uid()}`);
        await a.put('k', te.encode('a'));
        expect(await b.get('k')).toBeNull();
      });

      it('watch delivers current values, then every change, until stopped', async () => {
        const kv = await bus.kv(`kv${uid()}`);
        await kv.put('a', te.encode('1'));
        await kv.put('b', te.encode('2'));
        await kv.delete('b');
        const seen: Array<string> = [];
        const revisions: number[] = [];
        let readyAt = -1;
        const onEntry = (e: KvEntry): void => {
          seen.push(`${e.key}=${e.value ? text(e.value) : 'null'}`);
          revisions.push(e.revision);
        };
        const watcher = await kv.watch(onEntry, () => {
          readyAt = seen.length;
        });
        await waitFor(() => readyAt >= 0, 5_000, 'watch ready');
        expect(seen).toEqual(['a=1']);
        await kv.put('c', te.encode('3'));
        await kv.delete('a');
        await waitFor(() => seen.length === 3, 5_000, 'watched changes');
        expect(seen).toEqual(['a=1', 'c=3', 'a=null']);
        expect(revisions).toEqual([...revisions].sort((x, y) => x - y));
        await watcher.stop();
        await kv.put('d', te.encode('4'));
        await sleep(100);
        expect(seen).toHaveLength(3);
      });

      it('watch on an empty bucket is ready at once', async () => {
        const kv = await bus.kv(`kv${uid()}`);
        let ready = false;
        const seen: string[] = [];
        const w = await kv.watch(
          (e) => seen.push(e.key),
          () => {
            ready = true;
          },
        );
        await waitFor(() => ready, 5_000, 'ready');
        expect(seen).toEqual([]);
        await kv.put('x', te.encode('1'));
        await waitFor(() => seen.length === 1, 5_000, 'change');
        await w.stop();
      });
    });

    // ------------------------------------------------------------ ping

    it('ping lists the running service instances', async () => {
      const name = `pinged-${uid()}`;
      const other = `other-${uid()}`;
      const handler = async (): Promise<{ data: Uint8Array }> => ({ data: new Uint8Array() });
      await bus.serve({ service: name, version: '1.2.3', subjects: [`conf${uid()}.p`], handler });
      await bus.serve({ service: name, version: '1.2.3', subjects: [`conf${uid()}.p`], handler });
      const otherServed = await bus.serve({ service: other, version: '0.1.0', subjects: [`conf${uid()}.o`], handler });
      const mine = (await bus.ping()).filter((s) => s.name === name || s.name === other);
      expect(mine.filter((s) => s.name === name)).toHaveLength(2);
      expect(new Set(mine.map((s) => s.id)).size).toBe(3);
      expect(mine.find((s) => s.name === other)?.version).toBe('0.1.0');
      await otherServed.stop();
      const after = (await bus.ping()).filter((s) => s.name === name || s.name === other);
      expect(after.map((s) => s.name)).toEqual([name, name]);
    });

    // ------------------------------------------------------------ tracing

    describe('trace context', () => {
      const tracer = () => trace.getTracer('bus-conformance');
      const secret = 'patient-name-Jane-Doe';

      function spansOf(traceId: string): ReadableSpan[] {
        return exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
      }

      function assertNoPayload(spans: ReadableSpan[]): void {
        for (const s of spans) {
          for (const v of Object.values(s.attributes)) expect(String(v)).not.toContain(secret);
        }
      }

      it('propagates through a request, and the handler continues the trace', async () => {
        const outer = `conf${uid()}.outer`;
        const inner = `conf${uid()}.inner`;
        await bus.serve({
          service: `inner-${uid()}`,
          version: '1.0.0',
          subjects: [inner],
          handler: async (req) => ({ data: req.data }),
        });
        await bus.serve({
          service: `outer-${uid()}`,
          version: '1.0.0',
          subjects: [outer],
          handler: async (req) => {
            tracer().startSpan('outer-work').end();
            return bus.request(inner, req.data);
          },
        });
        const traceId = await tracer().startActiveSpan('root', async (root) => {
          await bus.request(outer, te.encode(secret));
          root.end();
          return root.spanContext().traceId;
        });
        const spans = await waitFor(() => {
          const s = spansOf(traceId);
          return s.length >= 6 ? s : undefined;
        }, 5_000, 'six spans');
        const one = (kind: SpanKind, name: string): ReadableSpan => {
          const found = spans.filter((s) => s.kind === kind && s.name === name);
          expect(found, `${SpanKind[kind]} ${name}`).toHaveLength(1);
          return found[0]!;
        };
        const root = one(SpanKind.INTERNAL, 'root');
        const clientOuter = one(SpanKind.CLIENT, `send ${outer}`);
        const serverOuter = one(SpanKind.SERVER, `process ${outer}`);
        const work = one(SpanKind.INTERNAL, 'outer-work');
        const clientInner = one(SpanKind.CLIENT, `send ${inner}`);
        const serverInner = one(SpanKind.SERVER, `process ${inner}`);
        expect(parentOf(clientOuter)).toBe(root.spanContext().spanId);
        expect(parentOf(serverOuter)).toBe(clientOuter.spanContext().spanId);
        expect(parentOf(work)).toBe(serverOuter.spanContext().spanId);
        expect(parentOf(clientInner)).toBe(serverOuter.spanContext().spanId);
        expect(parentOf(serverInner)).toBe(clientInner.spanContext().spanId);
        expect(clientOuter.attributes).toMatchObject({
          'messaging.system': 'nats',
          'messaging.destination.name': outer,
          'messaging.operation.type': 'send',
        });
        expect(serverOuter.attributes).toMatchObject({
          'messaging.system': 'nats',
          'messaging.destination.name': outer,
          'messaging.operation.type': 'process',
        });
        assertNoPayload(spans);
      });

      it('propagates through an event to the consumer and its own work', async () => {
        const producer = `p${uid()}`;
        const subject = `evt.${producer}.visit.recorded`;
        await bus.consume({
          producer,
          durable: 'traced',
          ackWaitMs: 2_000,
          backoffMs: [50],
          handler: async () => {
            tracer().startSpan('consumer-work').end();
          },
        });
        const id = randomUUID();
        const traceId = await tracer().startActiveSpan('root', async (root) => {
          await bus.publish({ id, subject, data: te.encode(secret) });
          root.end();
          return root.spanContext().traceId;
        });
        const spans = await waitFor(() => {
          const s = spansOf(traceId);
          return s.length >= 4 ? s : undefined;
        }, 5_000, 'four spans');
        const find = (kind: SpanKind): ReadableSpan => {
          const found = spans.find((s) => s.kind === kind && s.name !== 'root' && s.name !== 'consumer-work');
          expect(found, SpanKind[kind]).toBeDefined();
          return found!;
        };
        const root = spans.find((s) => s.name === 'root')!;
        const producerSpan = find(SpanKind.PRODUCER);
        const consumerSpan = find(SpanKind.CONSUMER);
        const work = spans.find((s) => s.name === 'consumer-work')!;
        expect(parentOf(producerSpan)).toBe(root.spanContext().spanId);
        expect(parentOf(consumerSpan)).toBe(producerSpan.spanContext().spanId);
        expect(parentOf(work)).toBe(consumerSpan.spanContext().spanId);
        expect(producerSpan.attributes).toMatchObject({
          'messaging.system': 'nats',
          'messaging.destination.name': subject,
          'messaging.operation.type': 'send',
          'messaging.message.id': id,
        });
        expect(consumerSpan.attributes).toMatchObject({
          'messaging.system': 'nats',
          'messaging.destination.name': subject,
          'messaging.operation.type': 'process',
          'messaging.consumer.group.name': 'traced',
        });
        assertNoPayload(spans);
      });

      it('publishMany gives each event a PRODUCER span, a child of the trace context in its headers', async () => {
        const producer = `p${uid()}`;
        const subject = `evt.${producer}.visit.recorded`;
        const emitted = ['one', 'two'].map((name) =>
          tracer().startActiveSpan(name, (span) => {
            const headers: Record<string, string> = {};
            propagation.inject(context.active(), headers);
            span.end();
            return { span, headers };
          }),
        );
        const ids = emitted.map(() => randomUUID());
        expect(await bus.publishMany(emitted.map((e, i) => ({ id: ids[i]!, subject, data: te.encode(secret), headers: e.headers })))).toEqual(['ack', 'ack']);
        for (const [i, { span }] of emitted.entries()) {
          const spans = await waitFor(() => {
            const s = spansOf(span.spanContext().traceId).filter((x) => x.kind === SpanKind.PRODUCER);
            return s.length === 1 ? s : undefined;
          }, 5_000, 'a producer span');
          expect(parentOf(spans[0]!)).toBe(span.spanContext().spanId);
          expect(spans[0]!.attributes).toMatchObject({ 'messaging.destination.name': subject, 'messaging.message.id': ids[i] });
          assertNoPayload(spans);
        }
      });

      it('carries a sampled-out trace on through a request and what its handler calls and emits, recording no span', async () => {
        const outer = `conf${uid()}.outer`;
        const inner = `conf${uid()}.inner`;
        const producer = `p${uid()}`;
        const seen: Record<string, string | undefined> = {};
        await bus.consume({
          producer,
          durable: 'sampled-out',
          handler: async (event) => {
            seen.event = event.headers?.traceparent;
            seen.consumerTrace = trace.getSpanContext(context.active())?.traceId;
          },
        });
        await bus.serve({
          service: `inner-${uid()}`,
          version: '1.0.0',
          subjects: [inner],
          handler: async (req) => {
            seen.inner = req.headers.traceparent;
            return { data: req.data };
          },
        });
        await bus.serve({
          service: `outer-${uid()}`,
          version: '1.0.0',
          subjects: [outer],
          handler: async (req) => {
            seen.outer = req.headers.traceparent;
            // The handler's own work and calls continue the caller's (unsampled) trace.
            seen.handlerTrace = trace.getSpanContext(context.active())?.traceId;
            tracer().startSpan('outer-work').end();
            await bus.publish({ id: randomUUID(), subject: `evt.${producer}.visit.recorded`, data: req.data });
            return bus.request(inner, req.data);
          },
        });
        // A caller whose trace the sampler left out (trace flags 00), as most production requests are.
        const traceId = randomUUID().replaceAll('-', '');
        const spanId = traceId.slice(0, 16);
        const unsampled = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.NONE, isRemote: true });
        await context.with(unsampled, () => bus.request(outer, te.encode(secret)));
        await waitFor(() => seen.event, 5_000, 'the event');

        const sampledOut = new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`);
        expect(seen.outer).toMatch(sampledOut);
        expect(seen.inner).toMatch(sampledOut);
        expect(seen.event).toMatch(sampledOut);
        expect(seen.handlerTrace).toBe(traceId);
        expect(seen.consumerTrace).toBe(traceId);
        expect(spansOf(traceId)).toEqual([]);
      });
    });

    // ------------------------------------------------------------ large payloads, lifecycle

    it('carries payloads larger than the NATS max_payload (request, reply and event)', async () => {
      const big = new Uint8Array(1_500_000).map((_, i) => (i * 7) % 251);
      const subject = `conf${uid()}.big`;
      await bus.serve({
        service: `big-${uid()}`,
        version: '1.0.0',
        subjects: [subject],
        handler: async (req) => {
          const reversed = req.data.slice().reverse();
          return { data: reversed, headers: { 'x-len': String(req.data.byteLength) } };
        },
      });
      const reply = await bus.request(subject, big, { timeoutMs: 10_000 });
      expect(reply.headers?.['x-len']).toBe(String(big.byteLength));
      expect(Buffer.from(reply.data).equals(Buffer.from(big.slice().reverse()))).toBe(true);

      const producer = `p${uid()}`;
      const got: DeliveredEvent[] = [];
      await bus.consume({
        producer,
        durable: 'big',
        ackWaitMs: 5_000,
        backoffMs: [50],
        handler: async (e) => {
          got.push(e);
        },
      });
      await bus.publish({ id: randomUUID(), subject: `evt.${producer}.file.received`, data: big });
      await waitFor(() => got.length === 1, 10_000, 'large event');
      expect(Buffer.from(got[0]!.data).equals(Buffer.from(big))).toBe(true);
      expect(Object.keys(got[0]!.headers ?? {})).not.toContain(BusHeaders.payloadRef);
    });

    it('close() stops consumers and services and rejects further use', async () => {
      const producer = `p${uid()}`;
      const got: string[] = [];
      await bus.consume({
        producer,
        durable: 'closing',
        ackWaitMs: 2_000,
        handler: async (e) => {
          got.push(text(e.data));
        },
      });
      await bus.publish({ id: randomUUID(), subject: `evt.${producer}.x.y`, data: te.encode('1') });
      await waitFor(() => got.length === 1, 5_000, 'event before close');
      await bus.close();
      await expectBusError(bus.request('conf.closed', new Uint8Array()), 'closed');
      await expectBusError(
        bus.publish({ id: randomUUID(), subject: `evt.${producer}.x.y`, data: new Uint8Array() }),
        'closed',
      );
      await expectBusError(bus.kv('closed'), 'closed');
    });
  });
}
