import { context, propagation } from '@opentelemetry/api';
import {
  findMessage,
  nap,
  nextSeqFor,
  settle,
  toEvent,
  type Delivery,
  type Durable,
  type Instance,
  type MemStream,
  type PendingState,
} from './memory-stream.js';
import { withBatchSpan, withIncomingSpan, withOutgoingSpan } from './tracing.js';
import {
  BusError,
  BusHeaders,
  type ConsumerLag,
  type BusEvent,
  type BusLogger,
  type ConsumeBatch,
  type ConsumeOptions,
  type Consumer,
  type DeliveredEvent,
  type Headers,
  type PublishOutcome,
  type StreamOptions,
} from './types.js';
import {
  DEFAULT_DUPLICATE_WINDOW_MS,
  assertFilter,
  assertName,
  backoffFor,
  batchOutcomes,
  consumeDefaults,
  errorMessage,
  producerOf,
  subjectMatches,
} from './util.js';

/**
 * Durable event streams for the in-process bus: at-least-once delivery with ack wait, backoff,
 * max deliveries and a dead-letter stream; dedupe by event id.
 */

const DLQ_STREAM = '$DLQ';

export interface MemoryEvents {
  ensureStream(opts: StreamOptions): Promise<void>;
  publish(event: BusEvent): Promise<void>;
  publishMany(events: readonly BusEvent[]): Promise<PublishOutcome[]>;
  consume(opts: ConsumeOptions): Promise<Consumer>;
  consumerLag(): Promise<ConsumerLag[]>;
  /** Clears every pending ack-wait and backoff timer. */
  clearTimers(): void;
}

export function createMemoryEvents(
  ensureOpen: () => void,
  logger: BusLogger | undefined,
  maxEvents: number,
  consumers: Set<Consumer>,
): MemoryEvents {
  const streams = new Map<string, MemStream>();

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

  function clearTimers(): void {
    for (const stream of streams.values()) {
      for (const durable of stream.durables.values()) {
        for (const p of durable.pending.values()) if (p.timer) clearTimeout(p.timer);
      }
    }
  }

  return { ensureStream, publish, publishMany, consume, consumerLag, clearTimers };
}
