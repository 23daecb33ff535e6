import { randomUUID } from 'node:crypto';
import { context, propagation } from '@opentelemetry/api';
import { withBatchSpan, withIncomingSpan, withOutgoingSpan } from './tracing.js';
import {
  BusError,
  BusHeaders,
  type Bus,
  type ConsumerLag,
  type BusEvent,
  type BusLogger,
  type BusReply,
  type ConsumeBatch,
  type ConsumeOptions,
  type Consumer,
  type DeliveredEvent,
  type Headers,
  type KeyValue,
  type PublishOutcome,
  type KvEntry,
  type RequestOptions,
  type ServeOptions,
  type Served,
  type ServiceStatus,
  type StreamOptions,
} from './types.js';
import {
  DEFAULT_DUPLICATE_WINDOW_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  assertFilter,
  assertName,
  assertSubject,
  assertVersion,
  backoffFor,
  batchOutcomes,
  consumeDefaults,
  errorMessage,
  producerOf,
  subjectMatches,
  type ConsumeDefaults,
} from './util.js';

/**
 * In-process bus for embedded mode (one process runs every service). It keeps the NATS transport's
 * semantics: queue groups with round-robin, no-responders and timeouts for requests; durable,
 * at-least-once events with ack wait, backoff, max deliveries and a dead-letter stream; dedupe by
 * event id; KV with revisions, compare-and-set and watch. Payloads are copied on the way in and
 * out, as if they had crossed the wire.
 */
export interface MemoryBusOptions {
  logger?: BusLogger;
  /** Oldest events are dropped beyond this many per stream. Default 100 000. */
  maxEventsPerStream?: number;
}

interface ServerInstance {
  id: string;
  options: ServeOptions;
  inflight: Set<Promise<unknown>>;
}

interface StoredEvent {
  seq: number;
  id: string;
  subject: string;
  data: Uint8Array;
  headers: Headers;
  time: number;
}

interface MemStream {
  name: string;
  subjectFilter: string;
  duplicateWindowMs: number;
  maxAgeMs: number | undefined;
  messages: StoredEvent[];
  lastSeq: number;
  dedupe: Map<string, number>;
  durables: Map<string, Durable>;
}

interface PendingState {
  deliveries: number;
  timer: NodeJS.Timeout | undefined;
}

interface Delivery {
  seq: number;
  deliveryCount: number;
}

interface Instance {
  handler: ((event: DeliveredEvent) => Promise<void>) | undefined;
  batch: ConsumeBatch | undefined;
  /** Deliveries it takes before it is handed no more: 1, or a batch's `maxEvents`. */
  capacity: number;
  /** When the first delivery of the batch being gathered arrived. */
  firstAt: number;
  buffer: Delivery[];
  busy: boolean;
  stopped: boolean;
  wake: (() => void) | undefined;
  done: Promise<void>;
}

interface Durable {
  stream: MemStream;
  name: string;
  filter: string;
  config: ConsumeDefaults;
  nextSeq: number;
  pending: Map<number, PendingState>;
  ready: number[];
  instances: Instance[];
  rr: number;
}

interface Bucket {
  seq: number;
  entries: Map<string, { value: Uint8Array | null; revision: number }>;
  watchers: Set<(entry: KvEntry) => void>;
}

const DLQ_STREAM = '$DLQ';
const KV_KEY = /^[-/_=.a-zA-Z0-9]+$/;

function copyHeaders(h: Headers | undefined): Headers {
  return { ...h };
}

function assertKey(key: string): void {
  if (!KV_KEY.test(key) || key.startsWith('.') || key.endsWith('.')) {
    throw new BusError('invalid', `invalid key '${key}'`);
  }
}

export function createMemoryBus(options: MemoryBusOptions = {}): Bus {
  const logger = options.logger;
  const maxEvents = options.maxEventsPerStream ?? 100_000;
  let closed = false;
  const servers = new Map<string, ServerInstance[]>();
  const roundRobin = new Map<string, number>();
  const streams = new Map<string, MemStream>();
  const buckets = new Map<string, Bucket>();
  const consumers = new Set<Consumer>();
  const watchers = new Set<{ stop(): Promise<void> }>();
  const served = new Set<Served>();

  function ensureOpen(): void {
    if (closed) throw new BusError('closed', 'bus is closed');
  }

  // ---------------------------------------------------------------- request/reply

  function pick(subject: string): ServerInstance | undefined {
    const all = servers.get(subject);
    if (!all || all.length === 0) return undefined;
    // One queue group answers (on NATS each group would get a copy and the first reply wins).
    const first = all[0];
    if (!first) return undefined;
    const group = all.filter((s) => s.options.service === first.options.service);
    const key = `${first.options.service}\u0000${subject}`;
    const n = roundRobin.get(key) ?? 0;
    roundRobin.set(key, n + 1);
    return group[n % group.length];
  }

  async function serve(opts: ServeOptions): Promise<Served> {
    ensureOpen();
    assertName('service', opts.service);
    assertVersion(opts.version);
    if (opts.subjects.length === 0) throw new BusError('invalid', 'serve needs at least one subject');
    opts.subjects.forEach(assertSubject);
    const instance: ServerInstance = { id: randomUUID().replaceAll('-', ''), options: opts, inflight: new Set() };
    for (const subject of new Set(opts.subjects)) {
      const list = servers.get(subject) ?? [];
      list.push(instance);
      servers.set(subject, list);
    }
    let stopped: Promise<void> | undefined;
    const handle: Served = {
      stop() {
        stopped ??= (async () => {
          for (const subject of opts.subjects) {
            const list = servers.get(subject)?.filter((s) => s !== instance) ?? [];
            if (list.length === 0) servers.delete(subject);
            else servers.set(subject, list);
          }
          await Promise.allSettled([...instance.inflight]);
          served.delete(handle);
        })();
        return stopped;
      },
    };
    served.add(handle);
    return handle;
  }

  async function request(subject: string, data: Uint8Array, opts: RequestOptions = {}): Promise<BusReply> {
    ensureOpen();
    assertSubject(subject);
    const timeoutMs = opts.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    return withOutgoingSpan(
      'request',
      { subject, operation: 'send', bodySize: data.byteLength },
      opts.headers,
      async (headers) => {
        const server = pick(subject);
        if (!server) throw new BusError('no-responders', `no responders for '${subject}'`);
        const requestData = data.slice();
        const run = withIncomingSpan(
          'request',
          { subject, operation: 'process', bodySize: data.byteLength, group: server.options.service },
          headers,
          () => server.options.handler({ subject, data: requestData, headers: copyHeaders(headers) }),
        );
        server.inflight.add(run);
        void run.then(
          () => server.inflight.delete(run),
          () => server.inflight.delete(run),
        );
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new BusError('timeout', `request '${subject}' timed out after ${timeoutMs} ms`)),
            timeoutMs,
          );
        });
        try {
          const reply = await Promise.race([
            run.catch((err: unknown) => {
              throw new BusError('remote', errorMessage(err));
            }),
            timeout,
          ]);
          return reply.headers
            ? { data: reply.data.slice(), headers: copyHeaders(reply.headers) }
            : { data: reply.data.slice() };
        } finally {
          clearTimeout(timer);
        }
      },
    );
  }

  // ---------------------------------------------------------------- events

  function getStream(name: string, subjectFilter: string, opts?: StreamOptions): MemStream {
    let stream = streams.get(name);
    if (!stream) {
      stream = {
        name,
        subjectFilter,
        duplicateWindowMs: opts?.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS,
        maxAgeMs: opts?.maxAgeMs,
        messages: [],
        lastSeq: 0,
        dedupe: new Map(),
        durables: new Map(),
      };
      streams.set(name, stream);
    } else if (opts) {
      // Change only what the caller asked for, as on NATS.
      if (opts.duplicateWindowMs !== undefined) stream.duplicateWindowMs = opts.duplicateWindowMs;
      if (opts.maxAgeMs !== undefined) stream.maxAgeMs = opts.maxAgeMs;
    }
    return stream;
  }

  function eventStream(producer: string): MemStream {
    return getStream(producer, `evt.${producer}.>`);
  }

  async function ensureStream(opts: StreamOptions): Promise<void> {
    ensureOpen();
    assertName('producer', opts.producer);
    getStream(opts.producer, `evt.${opts.producer}.>`, opts);
  }

  function trim(stream: MemStream, now: number): void {
    let drop = Math.max(0, stream.messages.length - maxEvents);
    if (stream.maxAgeMs !== undefined) {
      const limit = now - stream.maxAgeMs;
      while (drop < stream.messages.length && (stream.messages[drop]?.time ?? now) < limit) drop++;
    }
    if (drop > 0) stream.messages.splice(0, drop);
    for (const [id, time] of stream.dedupe) {
      if (time >= now - stream.duplicateWindowMs) break;
      stream.dedupe.delete(id);
    }
  }

  function store(stream: MemStream, event: BusEvent, headers: Headers, dedupeKey: string): void {
    const now = Date.now();
    trim(stream, now);
    if (stream.dedupe.has(dedupeKey)) return;
    stream.dedupe.set(dedupeKey, now);
    stream.lastSeq += 1;
    stream.messages.push({
      seq: stream.lastSeq,
      id: event.id,
      subject: event.subject,
      data: event.data.slice(),
      headers,
      time: now,
    });
    for (const durable of stream.durables.values()) pump(durable);
  }

  async function publish(event: BusEvent): Promise<void> {
    ensureOpen();
    const producer = producerOf(event.subject);
    if (!event.id) throw new BusError('invalid', 'event id is required');
    await withOutgoingSpan(
      'publish',
      { subject: event.subject, operation: 'send', bodySize: event.data.byteLength, messageId: event.id },
      event.headers,
      async (headers) => {
        store(eventStream(producer), event, headers, event.id);
      },
    );
  }

  /** One at a time, in order (nothing is on a wire here); the first failure stops the rest. */
  async function publishMany(events: readonly BusEvent[]): Promise<PublishOutcome[]> {
    const outcomes: PublishOutcome[] = [];
    let failed: unknown;
    for (const event of events) {
      if (failed !== undefined) {
        outcomes.push({ error: new Error(`event ${event.id} not published: an event before it was not`, { cause: failed }) });
        continue;
      }
      try {
        await context.with(propagation.extract(context.active(), event.headers ?? {}), () => publish(event));
        outcomes.push('ack');
      } catch (error) {
        failed = error;
        outcomes.push({ error });
      }
    }
    return outcomes;
  }

  function findMessage(stream: MemStream, seq: number): StoredEvent | undefined {
    const first = stream.messages[0];
    if (!first) return undefined;
    const m = stream.messages[seq - first.seq];
    return m?.seq === seq ? m : undefined;
  }

  function settle(durable: Durable, seq: number): void {
    const p = durable.pending.get(seq);
    if (p?.timer) clearTimeout(p.timer);
    durable.pending.delete(seq);
    const i = durable.ready.indexOf(seq);
    if (i >= 0) durable.ready.splice(i, 1);
  }

  function deadLetter(durable: Durable, seq: number, deliveries: number, error: string): void {
    const message = findMessage(durable.stream, seq);
    settle(durable, seq);
    if (!message) return;
    const subject = `dlq.${durable.name}.${message.subject}`;
    const headers: Headers = {
      ...message.headers,
      [BusHeaders.dlqStream]: durable.stream.name,
      [BusHeaders.dlqSequence]: String(seq),
      [BusHeaders.dlqDeliveries]: String(deliveries),
      [BusHeaders.dlqError]: error,
    };
    logger?.warn({ subject: message.subject, durable: durable.name, seq, deliveries }, 'event dead-lettered');
    store(
      getStream(DLQ_STREAM, 'dlq.>'),
      { id: message.id, subject, data: message.data },
      headers,
      `${durable.stream.name}:${durable.name}:${seq}`,
    );
  }

  function scheduleReady(durable: Durable, seq: number, p: PendingState, delayMs: number): void {
    if (p.timer) clearTimeout(p.timer);
    p.timer = setTimeout(() => {
      p.timer = undefined;
      if (durable.pending.get(seq) !== p) return;
      if (!durable.ready.includes(seq)) {
        durable.ready.push(seq);
        durable.ready.sort((a, b) => a - b);
      }
      pump(durable);
    }, delayMs);
    p.timer.unref();
  }

  /**
   * Ack wait expired: the event becomes due for redelivery to the next idle instance. When it has
   * used all its deliveries it goes to the dead-letter stream at that point instead (a late ack
   * arriving before then still settles it), as the NATS transport does with its extra delivery.
   */
  function onAckTimeout(durable: Durable, seq: number, p: PendingState): void {
    p.timer = undefined;
    if (durable.pending.get(seq) !== p) return;
    scheduleReady(durable, seq, p, 0);
  }

  function nextSeqFor(durable: Durable): { seq: number; redelivery: boolean } | undefined {
    const ready = durable.ready.shift();
    if (ready !== undefined) return { seq: ready, redelivery: true };
    if (durable.pending.size >= durable.config.maxAckPending) return undefined;
    const stream = durable.stream;
    const first = stream.messages[0];
    if (!first) return undefined;
    if (durable.nextSeq < first.seq) durable.nextSeq = first.seq;
    while (durable.nextSeq <= stream.lastSeq) {
      const m = findMessage(stream, durable.nextSeq);
      durable.nextSeq += 1;
      if (m && subjectMatches(durable.filter, m.subject)) return { seq: m.seq, redelivery: false };
    }
    return undefined;
  }

  /**
   * Hands deliveries to idle instances. An instance takes the next event only once its handler is
   * done (like the NATS transport, which pulls the next message after the handler settles), so
   * the ack wait of a slow handler lets another instance of the durable take the event. A batch
   * instance takes up to `maxEvents` while it gathers; a batch being gathered is filled first.
   */
  function pump(durable: Durable): void {
    for (;;) {
      const free = durable.instances.filter((i) => !i.stopped && !i.busy && i.buffer.length < i.capacity);
      if (free.length === 0) return;
      const next = nextSeqFor(durable);
      if (next === undefined) return;
      const { seq } = next;
      if (!findMessage(durable.stream, seq)) {
        settle(durable, seq);
        continue;
      }
      let p = durable.pending.get(seq);
      if (next.redelivery && p && p.deliveries >= durable.config.maxDeliver) {
        deadLetter(durable, seq, p.deliveries, 'ack wait exceeded');
        continue;
      }
      const instance = free.find((i) => i.buffer.length > 0) ?? free[durable.rr++ % free.length];
      if (!instance) return;
      if (!p) {
        p = { deliveries: 0, timer: undefined };
        durable.pending.set(seq, p);
      }
      p.deliveries += 1;
      const state = p;
      if (state.timer) clearTimeout(state.timer);
      state.timer = setTimeout(() => onAckTimeout(durable, seq, state), durable.config.ackWaitMs);
      state.timer.unref();
      if (instance.buffer.length === 0) instance.firstAt = Date.now();
      instance.buffer.push({ seq, deliveryCount: p.deliveries });
      instance.wake?.();
    }
  }

  function toEvent(message: StoredEvent, deliveryCount: number): DeliveredEvent {
    return {
      id: message.id,
      subject: message.subject,
      data: message.data.slice(),
      headers: copyHeaders(message.headers),
      deliveryCount,
      sequence: message.seq,
    };
  }

  /** Nak: redeliver after the backoff, or dead-letter once the deliveries are used up. */
  function failed(durable: Durable, delivery: Delivery, subject: string, err: unknown): void {
    const p = durable.pending.get(delivery.seq);
    if (!p || p.deliveries !== delivery.deliveryCount) return; // a newer delivery owns it
    const error = errorMessage(err);
    logger?.debug({ subject, durable: durable.name, deliveryCount: p.deliveries }, 'handler failed');
    if (p.deliveries >= durable.config.maxDeliver) deadLetter(durable, delivery.seq, p.deliveries, error);
    else scheduleReady(durable, delivery.seq, p, backoffFor(durable.config.backoffMs, p.deliveries));
  }

  async function processDelivery(durable: Durable, handler: (event: DeliveredEvent) => Promise<void>, delivery: Delivery): Promise<void> {
    const message = findMessage(durable.stream, delivery.seq);
    if (!message) {
      settle(durable, delivery.seq);
      return;
    }
    const event = toEvent(message, delivery.deliveryCount);
    try {
      await withIncomingSpan(
        'event',
        {
          subject: message.subject,
          operation: 'process',
          bodySize: message.data.byteLength,
          messageId: message.id,
          group: durable.name,
          deliveryCount: delivery.deliveryCount,
        },
        event.headers ?? {},
        () => handler(event),
      );
      settle(durable, delivery.seq);
    } catch (err) {
      failed(durable, delivery, message.subject, err);
    }
  }

  async function processBatch(durable: Durable, batch: ConsumeBatch, deliveries: Delivery[]): Promise<void> {
    const items: { delivery: Delivery; event: DeliveredEvent }[] = [];
    for (const delivery of deliveries) {
      const message = findMessage(durable.stream, delivery.seq);
      if (message) items.push({ delivery, event: toEvent(message, delivery.deliveryCount) });
      else settle(durable, delivery.seq);
    }
    if (items.length === 0) return;
    const events = items.map((i) => i.event);
    const outcomes = await batchOutcomes(events.length, () =>
      withBatchSpan({ filter: durable.filter, group: durable.name, events }, () => batch.handler(events)),
    );
    items.forEach(({ delivery, event }, i) => {
      const outcome = outcomes[i] ?? 'ack';
      if (outcome === 'ack') settle(durable, delivery.seq);
      else failed(durable, delivery, event.subject, outcome.error);
    });
  }

  /** Resolves on the next `wake`, or after `ms` when given. */
  function nap(instance: Instance, ms?: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(resolve, ms);
      instance.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      instance.wake = undefined;
    });
  }

  async function runInstance(durable: Durable, instance: Instance): Promise<void> {
    while (!instance.stopped) {
      if (instance.buffer.length === 0) {
        await nap(instance);
        continue;
      }
      const batch = instance.batch;
      if (batch && instance.buffer.length < batch.maxEvents) {
        const left = instance.firstAt + batch.maxWaitMs - Date.now();
        if (left > 0) {
          await nap(instance, left);
          continue;
        }
      }
      instance.busy = true;
      try {
        if (batch) await processBatch(durable, batch, instance.buffer.splice(0, batch.maxEvents));
        else if (instance.handler) await processDelivery(durable, instance.handler, instance.buffer.shift()!);
      } finally {
        instance.busy = false;
      }
      pump(durable);
    }
  }

  async function consume(opts: ConsumeOptions): Promise<Consumer> {
    ensureOpen();
    assertName('durable', opts.durable);
    const config = consumeDefaults(opts);
    let stream: MemStream;
    let filter: string;
    if (opts.deadLetters) {
      stream = getStream(DLQ_STREAM, 'dlq.>');
      filter = opts.filter ?? 'dlq.>';
    } else {
      assertName('producer', opts.producer);
      stream = eventStream(opts.producer);
      filter = opts.filter ?? `evt.${opts.producer}.>`;
    }
    assertFilter(filter);
    let durable = stream.durables.get(opts.durable);
    if (!durable) {
      durable = {
        stream,
        name: opts.durable,
        filter,
        config,
        nextSeq: 1,
        pending: new Map(),
        ready: [],
        instances: [],
        rr: 0,
      };
      stream.durables.set(opts.durable, durable);
    } else {
      if (durable.filter !== filter) {
        throw new BusError('invalid', `durable '${opts.durable}' exists on ${stream.name} with filter '${durable.filter}'`);
      }
      durable.config = config;
    }
    const d = durable;
    const instance: Instance = {
      handler: opts.handler,
      batch: opts.batch,
      capacity: opts.batch?.maxEvents ?? 1,
      firstAt: 0,
      buffer: [],
      busy: false,
      stopped: false,
      wake: undefined,
      done: Promise.resolve(),
    };
    d.instances.push(instance);
    instance.done = runInstance(d, instance);
    pump(d);
    let stopping: Promise<void> | undefined;
    const consumer: Consumer = {
      stop() {
        stopping ??= (async () => {
          instance.stopped = true;
          d.instances = d.instances.filter((i) => i !== instance);
          // Deliveries still in the buffer stay pending and come back after ackWait, as on NATS.
          instance.buffer.length = 0;
          instance.wake?.();
          await instance.done;
          consumers.delete(consumer);
          pump(d);
        })();
        return stopping;
      },
    };
    consumers.add(consumer);
    return consumer;
  }

  // ---------------------------------------------------------------- KV

  async function kv(name: string): Promise<KeyValue> {
    ensureOpen();
    assertName('bucket', name);
    let bucket = buckets.get(name);
    if (!bucket) {
      bucket = { seq: 0, entries: new Map(), watchers: new Set() };
      buckets.set(name, bucket);
    }
    const b = bucket;

    function write(key: string, value: Uint8Array | null): number {
      b.seq += 1;
      const entry = { value: value ? value.slice() : null, revision: b.seq };
      b.entries.set(key, entry);
      for (const w of b.watchers) w({ key, value: entry.value ? entry.value.slice() : null, revision: entry.revision });
      return entry.revision;
    }

    return {
      async get(key) {
        ensureOpen();
        assertKey(key);
        const e = b.entries.get(key);
        return e ? { key, value: e.value ? e.value.slice() : null, revision: e.revision } : null;
      },
      async put(key, value) {
        ensureOpen();
        assertKey(key);
        return write(key, value);
      },
      async update(key, value, revision) {
        ensureOpen();
        assertKey(key);
        const e = b.entries.get(key);
        if (revision === 0) {
          if (e && e.value !== null) return null;
          return write(key, value);
        }
        if (!e || e.revision !== revision) return null;
        return write(key, value);
      },
      async delete(key) {
        ensureOpen();
        assertKey(key);
        write(key, null);
      },
      async keys() {
        ensureOpen();
        return [...b.entries].filter(([, e]) => e.value !== null).map(([k]) => k);
      },
      async watch(onEntry, onReady) {
        ensureOpen();
        const queue: Array<KvEntry | 'ready'> = [...b.entries]
          .filter(([, e]) => e.value !== null)
          .sort(([, x], [, y]) => x.revision - y.revision)
          .map(([key, e]) => ({ key, value: e.value ? e.value.slice() : null, revision: e.revision }));
        queue.push('ready');
        let active = true;
        let draining = false;
        const drain = (): void => {
          if (draining) return;
          draining = true;
          queueMicrotask(() => {
            draining = false;
            while (active && queue.length > 0) {
              const item = queue.shift();
              try {
                if (item === 'ready') onReady?.();
                else if (item) onEntry(item);
              } catch (err) {
                logger?.error({ err }, 'kv watch callback failed');
              }
            }
          });
        };
        const watcher = (entry: KvEntry): void => {
          queue.push(entry);
          drain();
        };
        b.watchers.add(watcher);
        drain();
        const handle = {
          async stop() {
            active = false;
            b.watchers.delete(watcher);
            watchers.delete(handle);
          },
        };
        watchers.add(handle);
        return handle;
      },
    };
  }

  // ---------------------------------------------------------------- misc

  async function ping(): Promise<ServiceStatus[]> {
    ensureOpen();
    const seen = new Map<string, ServiceStatus>();
    for (const list of servers.values()) {
      for (const s of list) seen.set(s.id, { name: s.options.service, id: s.id, version: s.options.version });
    }
    return [...seen.values()];
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    await Promise.all([...consumers].map((c) => c.stop()));
    await Promise.all([...served].map((s) => s.stop()));
    await Promise.all([...watchers].map((w) => w.stop()));
    for (const stream of streams.values()) {
      for (const durable of stream.durables.values()) {
        for (const p of durable.pending.values()) if (p.timer) clearTimeout(p.timer);
      }
    }
  }

  async function consumerLag(): Promise<ConsumerLag[]> {
    const lag: ConsumerLag[] = [];
    for (const stream of streams.values()) {
      const producer = stream.name;
      for (const durable of stream.durables.values()) {
        let waiting = 0;
        for (const m of stream.messages) if (m.seq >= durable.nextSeq && subjectMatches(durable.filter, m.subject)) waiting++;
        lag.push({ producer, durable: durable.name, pending: waiting + durable.ready.length + durable.pending.size });
      }
    }
    return lag;
  }

  return { kind: 'memory', serve, request, ensureStream, publish, publishMany, consume, kv, ping, consumerLag, close };
}
