import { Empty, NoRespondersError, RequestError, nanos } from '@nats-io/nats-core';
import { DiscardPolicy, JetStreamApiCodes, RetentionPolicy, StorageType, type StreamConfig } from '@nats-io/jetstream';
import { context, propagation } from '@opentelemetry/api';
import { PUBLISH_TIMEOUT_MS, WRONG_LAST_MSG_ID, apiCode, causes, mapRequestError, toHeaders, type NatsContext } from './nats-shared.js';
import { withOutgoingSpan } from './tracing.js';
import { BusError, BusHeaders, type BusEvent, type Headers, type PublishOutcome, type StreamOptions } from './types.js';
import { DEFAULT_DUPLICATE_WINDOW_MS, assertName, producerOf } from './util.js';

/** Event streams of a NATS bus: one JetStream stream per producer plus the dead-letter stream, and publishing into them. */
export function createNatsPublishing(ctx: NatsContext) {
  const { js, jsm, largeBytes, payloads, ensured, dlqStream, streamName, wire, ensureOpen } = ctx;

  function streamConfig(opts: StreamOptions): Partial<StreamConfig> & { name: string } {
    return {
      name: streamName(opts.producer),
      subjects: [wire(`evt.${opts.producer}.>`)],
      duplicate_window: nanos(opts.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS),
      max_age: nanos(opts.maxAgeMs ?? 0),
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      num_replicas: 1,
    };
  }

  async function createIfMissing(config: Partial<StreamConfig> & { name: string }): Promise<void> {
    try {
      await jsm.streams.info(config.name);
      return;
    } catch (err) {
      if (apiCode(err) !== JetStreamApiCodes.StreamNotFound) throw err;
    }
    try {
      await jsm.streams.add(config);
    } catch (err) {
      // Created concurrently by someone else: fine.
      if (apiCode(err) !== 10058) throw err;
    }
  }

  function ensureOnce(key: string, config: Partial<StreamConfig> & { name: string }): Promise<void> {
    let p = ensured.get(key);
    if (!p) {
      p = createIfMissing(config);
      ensured.set(key, p);
      p.catch(() => ensured.delete(key));
    }
    return p;
  }

  const ensureProducer = (producer: string): Promise<void> => ensureOnce(producer, streamConfig({ producer }));
  const ensureDlq = (): Promise<void> =>
    ensureOnce('\u0000dlq', {
      name: dlqStream,
      subjects: [wire('dlq.>')],
      duplicate_window: nanos(DEFAULT_DUPLICATE_WINDOW_MS),
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
      num_replicas: 1,
    });

  async function ensureStream(opts: StreamOptions): Promise<void> {
    ensureOpen();
    assertName('producer', opts.producer);
    const config = streamConfig(opts);
    try {
      await jsm.streams.add(config);
    } catch (err) {
      if (apiCode(err) !== 10058) throw err;
      // Exists: change only what the caller asked for (a consumer ensuring the producer's stream
      // must not reset the producer's settings).
      const changes: Partial<StreamConfig> = {};
      if (opts.duplicateWindowMs !== undefined) changes.duplicate_window = config.duplicate_window;
      if (opts.maxAgeMs !== undefined) changes.max_age = config.max_age;
      if (Object.keys(changes).length > 0) {
        const info = await jsm.streams.info(config.name);
        const differs = Object.entries(changes).some(([k, v]) => info.config[k as keyof StreamConfig] !== v);
        if (differs) await jsm.streams.update(config.name, { ...info.config, ...changes });
      }
    }
    ensured.set(opts.producer, Promise.resolve());
  }

  async function publish(event: BusEvent): Promise<void> {
    ensureOpen();
    const producer = producerOf(event.subject);
    if (!event.id) throw new BusError('invalid', 'event id is required');
    await ensureProducer(producer);
    await withOutgoingSpan(
      'publish',
      { subject: event.subject, operation: 'send', bodySize: event.data.byteLength, messageId: event.id },
      event.headers,
      async (headers) => {
        let payload = event.data;
        if (payload.byteLength > largeBytes) {
          headers[BusHeaders.payloadRef] = await payloads.putIfAbsent(`evt-${producer}-${event.id}`, payload);
          payload = Empty;
        }
        const h = toHeaders(headers);
        const send = () =>
          js.publish(wire(event.subject), payload, {
            msgID: event.id,
            timeout: PUBLISH_TIMEOUT_MS,
            ...(h ? { headers: h } : {}),
          });
        try {
          await send();
        } catch (err) {
          // The stream was deleted since it was ensured: create it again and retry once.
          if (!causes(err).some((e) => e instanceof NoRespondersError) && !(err instanceof RequestError && err.isNoResponders())) {
            throw mapRequestError(err, event.subject, PUBLISH_TIMEOUT_MS);
          }
          ensured.delete(producer);
          await ensureProducer(producer);
          await send();
        }
      },
    );
  }

  const isNoResponders = (err: unknown): boolean =>
    (err instanceof BusError && err.code === 'no-responders') ||
    causes(err).some((e) => e instanceof NoRespondersError) ||
    (err instanceof RequestError && err.isNoResponders());

  /**
   * Every event is sent before any ack is awaited (one connection: the server takes them in this
   * order). Each but a stream's first carries the id of the one before it as the stream's expected
   * last (`Nats-Expected-Last-Msg-Id`), so once one is not stored JetStream refuses the rest of its
   * stream instead of storing them after a gap. Dedupe comes first: a repeat of a stored id is acked
   * without being stored again, and when it was not the stream's last the next event is refused; since
   * everything before that one is in the stream then, the rest is sent again from there. Large
   * payloads go to the object store before the sending starts.
   */
  async function publishMany(events: readonly BusEvent[]): Promise<PublishOutcome[]> {
    const outcomes = await sendInOrder(events);
    let ensuredAgain = false;
    for (;;) {
      const first = outcomes.findIndex((o) => o !== 'ack');
      if (first < 0) break;
      const reason = (outcomes[first] as { error: unknown }).error;
      if (apiCode(reason) === WRONG_LAST_MSG_ID && first > 0) {
        // Everything before it is stored: send the rest again, the first of it expecting nothing.
      } else if (isNoResponders(reason) && !ensuredAgain) {
        // The stream was deleted since it was ensured: create it again and send from there once more.
        ensuredAgain = true;
        for (const event of events.slice(first)) {
          try {
            ensured.delete(producerOf(event.subject));
          } catch {
            // An invalid subject: refused again below.
          }
        }
      } else break;
      const again = await sendInOrder(events.slice(first));
      outcomes.splice(first, again.length, ...again);
    }
    return outcomes;
  }

  async function sendInOrder(events: readonly BusEvent[]): Promise<PublishOutcome[]> {
    ensureOpen();
    const outcomes: PublishOutcome[] = events.map(() => 'ack');
    const ready: { i: number; event: BusEvent; producer: string; payload: Uint8Array; headers: Headers }[] = [];
    let failed: unknown;
    for (const [i, event] of events.entries()) {
      try {
        if (failed !== undefined) throw new Error(`event ${event.id} not published: an event before it was not`, { cause: failed });
        const producer = producerOf(event.subject);
        if (!event.id) throw new BusError('invalid', 'event id is required');
        await ensureProducer(producer);
        const headers: Headers = { ...event.headers };
        let payload = event.data;
        if (payload.byteLength > largeBytes) {
          headers[BusHeaders.payloadRef] = await payloads.putIfAbsent(`evt-${producer}-${event.id}`, payload);
          payload = Empty;
        }
        ready.push({ i, event, producer, payload, headers });
      } catch (error) {
        failed ??= error;
        outcomes[i] = { error };
      }
    }
    const previous = new Map<string, string>();
    const acks = ready.map(({ event, producer, payload, headers }) => {
      const last = previous.get(producer);
      previous.set(producer, event.id);
      const info = { subject: event.subject, operation: 'send' as const, bodySize: event.data.byteLength, messageId: event.id };
      return context.with(propagation.extract(context.active(), headers), () =>
        withOutgoingSpan('publish', info, headers, (out) => {
          const h = toHeaders(out);
          return js.publish(wire(event.subject), payload, {
            msgID: event.id,
            timeout: PUBLISH_TIMEOUT_MS,
            ...(h ? { headers: h } : {}),
            ...(last === undefined ? {} : { expect: { lastMsgID: last } }),
          });
        }),
      );
    });
    for (const [k, result] of (await Promise.allSettled(acks)).entries()) {
      const { i, event } = ready[k]!;
      if (result.status === 'rejected') outcomes[i] = { error: mapRequestError(result.reason, event.subject, PUBLISH_TIMEOUT_MS) };
    }
    return outcomes;
  }

  return { ensureStream, publish, publishMany, ensureProducer, ensureDlq };
}
