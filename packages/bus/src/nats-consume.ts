import { headers as natsHeaders, nanos } from '@nats-io/nats-core';
import { AckPolicy, DeliverPolicy, JetStreamApiCodes, type ConsumerConfig, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import { INTERNAL_HEADERS, apiCode, settledBy, toHeaders, toRecord, type NatsContext } from './nats-shared.js';
import { withBatchSpan, withIncomingSpan } from './tracing.js';
import { BusError, BusHeaders, type ConsumeBatch, type ConsumeOptions, type Consumer, type DeliveredEvent, type Headers } from './types.js';
import { assertFilter, assertName, backoffFor, batchOutcomes, consumeDefaults, errorMessage } from './util.js';

/** Durable pull consumers of a NATS bus, with redelivery backoff and the dead-letter stream. */
export function createNatsConsuming(ctx: NatsContext, streams: { ensureProducer(producer: string): Promise<void>; ensureDlq(): Promise<void> }) {
  const { js, jsm, logger, payloads, consumers, dlqStream, streamName, wire, unwire, ensureOpen } = ctx;
  const { ensureProducer, ensureDlq } = streams;

  async function addOrUpdateConsumer(stream: string, config: Partial<ConsumerConfig> & { durable_name: string }) {
    const existing = await jsm.consumers.info(stream, config.durable_name).catch((err: unknown) => {
      if (apiCode(err) === JetStreamApiCodes.ConsumerNotFound) return undefined;
      throw err;
    });
    if (!existing) {
      try {
        await jsm.consumers.add(stream, config);
        return;
      } catch (err) {
        // Created concurrently by another instance: check it like an existing one.
        if (!(await jsm.consumers.info(stream, config.durable_name).catch(() => undefined))) throw err;
      }
      return addOrUpdateConsumer(stream, config);
    }
    if ((existing.config.filter_subject ?? '') !== (config.filter_subject ?? '')) {
      throw new BusError(
        'invalid',
        `durable '${config.durable_name}' exists on ${stream} with filter '${existing.config.filter_subject}'`,
      );
    }
    const c = existing.config;
    if (c.ack_wait !== config.ack_wait || c.max_deliver !== config.max_deliver || c.max_ack_pending !== config.max_ack_pending) {
      await jsm.consumers.update(stream, config.durable_name, {
        ack_wait: config.ack_wait,
        max_deliver: config.max_deliver,
        max_ack_pending: config.max_ack_pending,
      });
    }
  }

  async function consume(opts: ConsumeOptions): Promise<Consumer> {
    ensureOpen();
    assertName('durable', opts.durable);
    const cfg = consumeDefaults(opts);
    let stream: string;
    let filter: string;
    if (opts.deadLetters) {
      stream = dlqStream;
      filter = opts.filter ?? 'dlq.>';
    } else {
      assertName('producer', opts.producer);
      await ensureProducer(opts.producer);
      stream = streamName(opts.producer);
      filter = opts.filter ?? `evt.${opts.producer}.>`;
    }
    assertFilter(filter);
    await ensureDlq();
    // One extra server-side delivery: when the last allowed delivery times out, the extra one is
    // not handed to the handler but moved to the dead-letter stream.
    await addOrUpdateConsumer(stream, {
      durable_name: opts.durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: wire(filter),
      max_deliver: cfg.maxDeliver + 1,
      ack_wait: nanos(cfg.ackWaitMs),
      max_ack_pending: cfg.maxAckPending,
    });
    const jc = await js.consumers.get(stream, opts.durable);
    // A batch consumer keeps up to two batches on their way, so the next one is there when this one is done.
    const messages: ConsumerMessages = await jc.consume({ max_messages: opts.batch ? opts.batch.maxEvents * 2 : 1 });

    async function deadLetter(m: JsMsg, subject: string, headers: Headers, id: string, deliveries: number, error: string) {
      const ref = m.headers?.get(BusHeaders.payloadRef);
      const h: Headers = {
        ...headers,
        [BusHeaders.eventId]: id,
        [BusHeaders.dlqStream]: stream,
        [BusHeaders.dlqSequence]: String(m.seq),
        [BusHeaders.dlqDeliveries]: String(deliveries),
        [BusHeaders.dlqError]: error,
      };
      if (ref) h[BusHeaders.payloadRef] = ref;
      try {
        await js.publish(wire(`dlq.${opts.durable}.${subject}`), m.data, {
          msgID: `${stream}:${opts.durable}:${m.seq}`,
          headers: toHeaders(h) ?? natsHeaders(),
        });
        m.term('dead-lettered');
        logger?.warn({ subject, durable: opts.durable, seq: m.seq, deliveries }, 'event dead-lettered');
      } catch (err) {
        logger?.error({ err, subject, durable: opts.durable }, 'dead-letter publish failed');
        m.nak(backoffFor(cfg.backoffMs, deliveries));
      }
    }

    interface Received {
      m: JsMsg;
      raw: Headers;
      id: string;
      subject: string;
      headers: Headers;
      deliveryCount: number;
    }

    /** Headers and subject as handlers see them; undefined when the delivery is the extra one, dead-lettered here. */
    async function receive(m: JsMsg): Promise<Received | undefined> {
      const raw = toRecord(m.headers);
      const id = raw[BusHeaders.eventId] ?? raw[BusHeaders.msgId] ?? '';
      const headers: Headers = {};
      for (const [k, v] of Object.entries(raw)) if (!INTERNAL_HEADERS.has(k)) headers[k] = v;
      const subject = unwire(m.subject);
      const deliveryCount = m.info.deliveryCount;
      if (deliveryCount > cfg.maxDeliver) {
        await deadLetter(m, subject, headers, id, deliveryCount - 1, 'ack wait exceeded');
        return undefined;
      }
      return { m, raw, id, subject, headers, deliveryCount };
    }

    async function toEvent(r: Received): Promise<DeliveredEvent> {
      const ref = r.raw[BusHeaders.payloadRef];
      const data = ref === undefined ? r.m.data : await payloads.get(ref);
      return { id: r.id, subject: r.subject, data, headers: r.headers, deliveryCount: r.deliveryCount, sequence: r.m.seq };
    }

    async function failed(r: Received, err: unknown): Promise<void> {
      logger?.debug({ subject: r.subject, durable: opts.durable, deliveryCount: r.deliveryCount }, 'handler failed');
      if (r.deliveryCount >= cfg.maxDeliver) await deadLetter(r.m, r.subject, r.headers, r.id, r.deliveryCount, errorMessage(err));
      else r.m.nak(backoffFor(cfg.backoffMs, r.deliveryCount));
    }

    async function handle(m: JsMsg, handler: (event: DeliveredEvent) => Promise<void>): Promise<void> {
      const r = await receive(m);
      if (!r) return;
      try {
        const event = await toEvent(r);
        await withIncomingSpan(
          'event',
          {
            subject: r.subject,
            operation: 'process',
            bodySize: event.data.byteLength,
            messageId: r.id,
            group: opts.durable,
            deliveryCount: r.deliveryCount,
          },
          r.headers,
          () => handler(event),
        );
        m.ack();
      } catch (err) {
        await failed(r, err);
      }
    }

    async function handleBatch(msgs: JsMsg[], batch: ConsumeBatch): Promise<void> {
      const items: { r: Received; event: DeliveredEvent }[] = [];
      for (const m of msgs) {
        const r = await receive(m);
        if (!r) continue;
        try {
          items.push({ r, event: await toEvent(r) });
        } catch (err) {
          await failed(r, err);
        }
      }
      if (items.length === 0) return;
      const events = items.map((i) => i.event);
      const outcomes = await batchOutcomes(events.length, () =>
        withBatchSpan({ filter, group: opts.durable, events }, () => batch.handler(events)),
      );
      for (const [i, { r }] of items.entries()) {
        const outcome = outcomes[i] ?? 'ack';
        if (outcome === 'ack') r.m.ack();
        else await failed(r, outcome.error);
      }
    }

    /** Batches of what has arrived: the first message, then more until `maxEvents` or `maxWaitMs`. */
    async function batches(batch: ConsumeBatch): Promise<void> {
      const it = messages[Symbol.asyncIterator]();
      let next = it.next();
      for (;;) {
        const first = await next;
        if (first.done) return;
        const got = [first.value];
        next = it.next();
        const deadline = Date.now() + batch.maxWaitMs;
        let ended = false;
        while (got.length < batch.maxEvents) {
          const r = await settledBy(next, deadline);
          if (r === undefined) break; // the pending pull stays for the next batch
          if (r.done) {
            ended = true;
            break;
          }
          got.push(r.value);
          next = it.next();
        }
        await handleBatch(got, batch);
        if (ended) return;
      }
    }

    const loop = (async () => {
      try {
        if (opts.batch) await batches(opts.batch);
        else {
          const handler = opts.handler;
          for await (const m of messages) await handle(m, handler);
        }
      } catch (err) {
        if (!ctx.isClosed()) logger?.error({ err, durable: opts.durable }, 'consumer stopped');
      }
    })();

    let stopping: Promise<void> | undefined;
    const consumer: Consumer = {
      stop() {
        stopping ??= (async () => {
          messages.stop();
          await loop;
          consumers.delete(consumer);
        })();
        return stopping;
      },
    };
    consumers.add(consumer);
    return consumer;
  }

  return { consume };
}
