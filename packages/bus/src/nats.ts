import {
  ClosedConnectionError,
  DrainingConnectionError,
  Empty,
  NoRespondersError,
  RequestError,
  TimeoutError,
  headers as natsHeaders,
  nanos,
  nuid,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  type Subscription,
} from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { context, propagation } from '@opentelemetry/api';
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  jetstream,
  jetstreamManager,
  type ConsumerConfig,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type StreamConfig,
} from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { Objm, type ObjectStore } from '@nats-io/obj';
import { ServiceError, ServiceErrorCodeHeader, ServiceErrorHeader, Svcm } from '@nats-io/services';
import { coalesceWrites, createReplyMux, serveDiscovery, type EndpointStats } from './nats-rpc.js';
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
  type KvEntry,
  type PublishOutcome,
  type RequestOptions,
  type ServeOptions,
  type Served,
  type ServiceStatus,
  type StreamOptions,
} from './types.js';
import {
  DEFAULT_DUPLICATE_WINDOW_MS,
  DEFAULT_PING_MS,
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
  withPrefix,
} from './util.js';

export interface NatsBusOptions {
  servers: string | string[];
  /** Connection name shown by the server (e.g. the service name). */
  name?: string;
  /**
   * Isolates everything this bus creates (tests, several platforms on one server): shorthand for
   * `streamPrefix: '<NS>_'` (upper-cased), `subjectPrefix: '<ns>'`, `kvPrefix: '<ns>_'`.
   * Request subjects and service names are not prefixed.
   */
  namespace?: string;
  /** Prefix for stream names: `T123_` gives `T123_EVT_BILLING` and `T123_DLQ`. */
  streamPrefix?: string;
  /** Prefix for event and dead-letter subjects on the wire: `t123` gives `t123.evt.billing.>`. Handlers see unprefixed subjects. */
  subjectPrefix?: string;
  /** Prefix for KV and object store bucket names. */
  kvPrefix?: string;
  /**
   * Object store bucket for event payloads over the size limit. Default `<kvPrefix>mso-payloads`.
   * Request and reply payloads use `<payloadBucket>-rpc`.
   */
  payloadBucket?: string;
  /** How long event payloads are kept; align with the streams' `maxAgeMs`. Default: kept (0). */
  payloadTtlMs?: number;
  /**
   * How long request/reply payloads are kept. The requester deletes them once done; the TTL only
   * collects replies that arrived after a timeout. Default 1 hour.
   */
  rpcPayloadTtlMs?: number;
  /** Payloads above this many bytes go through the object store. Default: server max_payload - 16 KiB. */
  largePayloadBytes?: number;
  logger?: BusLogger;
}

const DEFAULT_RPC_PAYLOAD_TTL_MS = 3_600_000;
const PUBLISH_TIMEOUT_MS = 5_000;
/** JetStream's answer to a publish whose `Nats-Expected-Last-Msg-Id` is not the stream's last. */
const WRONG_LAST_MSG_ID = 10070;
const HEADER_ALLOWANCE = 16 * 1024;
const KV_KEY = /^[-/_=.a-zA-Z0-9]+$/;
const LINE_BREAK = /[\r\n]/;
const INTERNAL_HEADERS = new Set<string>([BusHeaders.msgId, BusHeaders.eventId, BusHeaders.payloadRef]);

function toRecord(h: MsgHdrs | undefined): Headers {
  const out: Headers = {};
  if (!h) return out;
  for (const key of h.keys()) out[key] = h.get(key);
  return out;
}

function toHeaders(record: Headers): MsgHdrs | undefined {
  const keys = Object.keys(record);
  if (keys.length === 0) return undefined;
  const h = natsHeaders();
  for (const key of keys) {
    const value = record[key] ?? '';
    h.set(key, LINE_BREAK.test(value) ? value.replace(/[\r\n]+/g, ' ') : value);
  }
  return h;
}

/** `promise`'s result if it settles by `deadline` (ms since the epoch), else undefined. Already-settled wins even at 0 ms. */
async function settledBy<T>(promise: Promise<T>, deadline: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function assertKey(key: string): void {
  if (!KV_KEY.test(key) || key.startsWith('.') || key.endsWith('.')) {
    throw new BusError('invalid', `invalid key '${key}'`);
  }
}

function apiCode(err: unknown): number | undefined {
  return err instanceof JetStreamApiError ? err.code : undefined;
}

function causes(err: unknown): unknown[] {
  const list: unknown[] = [];
  let e: unknown = err;
  while (e && list.length < 5) {
    list.push(e);
    e = e instanceof Error ? e.cause : undefined;
  }
  return list;
}

function mapRequestError(err: unknown, subject: string, timeoutMs: number): unknown {
  if (err instanceof BusError) return err;
  const chain = causes(err);
  if (chain.some((e) => e instanceof NoRespondersError) || (err instanceof RequestError && err.isNoResponders())) {
    return new BusError('no-responders', `no responders for '${subject}'`);
  }
  if (chain.some((e) => e instanceof TimeoutError)) {
    return new BusError('timeout', `request '${subject}' timed out after ${timeoutMs} ms`);
  }
  if (chain.some((e) => e instanceof ClosedConnectionError || e instanceof DrainingConnectionError)) {
    return new BusError('closed', 'bus is closed');
  }
  return err;
}

/** Endpoint names allow letters, digits, `_` and `-`. */
function endpointName(subject: string): string {
  return subject.replace(/[^-\w]/g, '_');
}

class PayloadStore {
  private store: Promise<ObjectStore> | undefined;

  constructor(
    private readonly nc: NatsConnection,
    readonly bucket: string,
    private readonly ttlMs: number,
    /** Chunks as large as a message may be: each chunk is one acknowledged publish, so fewer is faster. */
    private readonly chunkBytes: number,
  ) {}

  private open(): Promise<ObjectStore> {
    this.store ??= (async () => {
      const objm = new Objm(this.nc);
      try {
        return await objm.create(this.bucket, { ttl: nanos(this.ttlMs), storage: StorageType.File });
      } catch (err) {
        // Exists with another configuration: use it as it is.
        return objm.open(this.bucket).catch(() => {
          throw err;
        });
      }
    })();
    this.store.catch(() => {
      this.store = undefined;
    });
    return this.store;
  }

  async put(name: string, data: Uint8Array): Promise<string> {
    const os = await this.open();
    await os.putBlob({ name, options: { max_chunk_size: this.chunkBytes } }, data);
    return `${this.bucket}/${name}`;
  }

  /** Keeps an existing object: a re-published event (same id) must not change the stored payload. */
  async putIfAbsent(name: string, data: Uint8Array): Promise<string> {
    const os = await this.open();
    const info = await os.info(name);
    if (info && !info.deleted) return `${this.bucket}/${name}`;
    return this.put(name, data);
  }

  async get(ref: string): Promise<Uint8Array> {
    const slash = ref.indexOf('/');
    const bucket = ref.slice(0, slash);
    const name = ref.slice(slash + 1);
    const os = bucket === this.bucket ? await this.open() : await new Objm(this.nc).open(bucket);
    const data = await os.getBlob(name);
    if (!data) throw new Error(`payload '${ref}' not found in the object store`);
    return data;
  }

  async delete(ref: string): Promise<void> {
    const slash = ref.indexOf('/');
    if (ref.slice(0, slash) !== this.bucket) return;
    const os = await this.open();
    await os.delete(ref.slice(slash + 1));
  }
}

/**
 * Bus over NATS: request/reply on queue subscriptions (queue group = service name) with NATS micro
 * discovery (`$SRV.PING|INFO|STATS`, nats-rpc.ts), events
 * through JetStream (one stream per producer, durable pull consumers, dead-letter stream), KV
 * through JetStream KV, large payloads through the object store.
 */
export async function connectNatsBus(options: NatsBusOptions): Promise<Bus> {
  const ns = options.namespace;
  const streamPrefix = options.streamPrefix ?? (ns ? `${ns.toUpperCase()}_` : undefined);
  const subjectPrefix = options.subjectPrefix ?? ns;
  const kvPrefix = options.kvPrefix ?? (ns ? `${ns}_` : undefined);
  if (streamPrefix) assertName('stream prefix', streamPrefix);
  if (kvPrefix) assertName('kv prefix', kvPrefix);
  if (subjectPrefix) assertSubject(subjectPrefix);
  const logger = options.logger;

  const nc = await connect({
    servers: options.servers,
    ...(options.name ? { name: options.name } : {}),
    noAsyncTraces: true,
    maxReconnectAttempts: -1,
  });
  coalesceWrites(nc);
  const replies = createReplyMux(nc);
  void nc.closed().then(() => replies.close());
  const js: JetStreamClient = jetstream(nc);
  const jsm: JetStreamManager = await jetstreamManager(nc);
  const svcm = new Svcm(nc);
  const kvm = new Kvm(nc);
  const maxPayload = nc.info?.max_payload ?? 1024 * 1024;
  const largeBytes = options.largePayloadBytes ?? Math.max(1024, maxPayload - HEADER_ALLOWANCE);
  const payloadBucket = options.payloadBucket ?? withPrefix(kvPrefix, '_', 'mso-payloads');
  assertName('payload bucket', payloadBucket);
  const payloads = new PayloadStore(nc, payloadBucket, options.payloadTtlMs ?? 0, largeBytes);
  const rpcPayloads = new PayloadStore(nc, `${payloadBucket}-rpc`, options.rpcPayloadTtlMs ?? DEFAULT_RPC_PAYLOAD_TTL_MS, largeBytes);

  let closed = false;
  const served = new Set<Served>();
  const consumers = new Set<Consumer>();
  const watchers = new Set<{ stop(): Promise<void> }>();
  const ensured = new Map<string, Promise<void>>();
  const buckets = new Map<string, Promise<KV>>();

  const streamName = (producer: string): string => withPrefix(streamPrefix, '_', `EVT_${producer.toUpperCase()}`);
  const dlqStream = withPrefix(streamPrefix, '_', 'DLQ');
  const wire = (subject: string): string => withPrefix(subjectPrefix, '.', subject);
  // Services are namespaced too, so two platforms (or two test runs) on one server never answer
  // each other's requests; `ping()` shows only this namespace's services, under their own names.
  const serviceName = (service: string): string => (subjectPrefix ? `${subjectPrefix}-${service}` : service);
  const unwire = (subject: string): string =>
    subjectPrefix && subject.startsWith(`${subjectPrefix}.`) ? subject.slice(subjectPrefix.length + 1) : subject;

  function ensureOpen(): void {
    if (closed || nc.isClosed()) throw new BusError('closed', 'bus is closed');
  }

  // ---------------------------------------------------------------- request/reply

  async function serve(opts: ServeOptions): Promise<Served> {
    ensureOpen();
    assertName('service', opts.service);
    assertVersion(opts.version);
    if (opts.subjects.length === 0) throw new BusError('invalid', 'serve needs at least one subject');
    opts.subjects.forEach(assertSubject);
    // Operations are answered on plain queue subscriptions; `$SRV` discovery (PING, INFO, STATS)
    // runs on subscriptions of its own, fed by counters (nats-rpc.ts).
    const id = nuid.next();
    const queue = opts.service;
    const inflight = new Set<Promise<void>>();

    async function handle(msg: Msg, stats: EndpointStats): Promise<void> {
      const started = performance.now();
      const headers = toRecord(msg.headers);
      try {
        let data = msg.data;
        const ref = headers[BusHeaders.payloadRef];
        if (ref !== undefined) {
          data = await rpcPayloads.get(ref);
          delete headers[BusHeaders.payloadRef];
        }
        const reply = await withIncomingSpan(
          'request',
          { subject: unwire(msg.subject), operation: 'process', bodySize: data.byteLength, group: opts.service },
          headers,
          () => opts.handler({ subject: unwire(msg.subject), data, headers }),
        );
        const replyHeaders: Headers = { ...reply.headers };
        let replyData: Uint8Array = reply.data;
        if (replyData.byteLength > largeBytes) {
          replyHeaders[BusHeaders.payloadRef] = await rpcPayloads.put(`rep-${nuid.next()}`, replyData);
          replyData = Empty;
        }
        const h = toHeaders(replyHeaders);
        msg.respond(replyData, h ? { headers: h } : undefined);
      } catch (err) {
        const message = errorMessage(err).replace(/[\r\n]+/g, ' ') || 'handler failed';
        stats.num_errors++;
        stats.last_error = message;
        const h = natsHeaders();
        h.set(ServiceErrorCodeHeader, '500');
        h.set(ServiceErrorHeader, message);
        msg.respond(Empty, { headers: h });
      } finally {
        stats.num_requests++;
        stats.processing_time += Math.round((performance.now() - started) * 1e6);
      }
    }

    const endpoints: EndpointStats[] = [];
    const subscriptions: Subscription[] = [];
    const used = new Set<string>();
    for (const subject of new Set(opts.subjects)) {
      let name = endpointName(subject);
      for (let i = 2; used.has(name); i++) name = `${endpointName(subject)}-${i}`;
      used.add(name);
      const stats: EndpointStats = { name, subject: wire(subject), queue_group: queue, num_requests: 0, num_errors: 0, processing_time: 0, average_processing_time: 0 };
      endpoints.push(stats);
      subscriptions.push(
        nc.subscribe(wire(subject), {
          queue,
          callback: (err, msg) => {
            if (err) {
              logger?.error({ err, service: opts.service, subject }, 'service endpoint failed');
              return;
            }
            const p = handle(msg, stats);
            inflight.add(p);
            void p.finally(() => inflight.delete(p));
          },
        }),
      );
    }
    const discovery = serveDiscovery(nc, { name: serviceName(opts.service), id, version: opts.version, description: opts.description ?? '', endpoints });

    // The server has the subscriptions once the flush returns: other connections can call at once.
    await nc.flush();

    let stopping: Promise<void> | undefined;
    const handle_: Served = {
      stop() {
        stopping ??= (async () => {
          await Promise.allSettled([...subscriptions.map((s) => s.drain()), discovery.stop()]).then((results) => {
            for (const r of results) if (r.status === 'rejected') logger?.warn({ err: r.reason }, 'service stop failed');
          });
          await Promise.allSettled([...inflight]);
          served.delete(handle_);
        })();
        return stopping;
      },
    };
    served.add(handle_);
    return handle_;
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
        let payload = data;
        let ref: string | undefined;
        try {
          if (data.byteLength > largeBytes) {
            ref = await rpcPayloads.put(`req-${nuid.next()}`, data);
            headers[BusHeaders.payloadRef] = ref;
            payload = Empty;
          }
          const msg: Msg = await replies.request(subject, wire(subject), payload, toHeaders(headers), timeoutMs);
          const serviceError = ServiceError.toServiceError(msg);
          if (serviceError) {
            throw new BusError('remote', msg.headers?.get(ServiceErrorHeader) || serviceError.message);
          }
          const replyHeaders = toRecord(msg.headers);
          let body = msg.data;
          const replyRef = replyHeaders[BusHeaders.payloadRef];
          if (replyRef !== undefined) {
            body = await rpcPayloads.get(replyRef);
            delete replyHeaders[BusHeaders.payloadRef];
            rpcPayloads.delete(replyRef).catch((err: unknown) => logger?.warn({ err }, 'payload cleanup failed'));
          }
          return Object.keys(replyHeaders).length > 0 ? { data: body, headers: replyHeaders } : { data: body };
        } catch (err) {
          throw mapRequestError(err, subject, timeoutMs);
        } finally {
          if (ref !== undefined) {
            rpcPayloads.delete(ref).catch((err: unknown) => logger?.warn({ err }, 'payload cleanup failed'));
          }
        }
      },
    );
  }

  // ---------------------------------------------------------------- events

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
        if (!closed) logger?.error({ err, durable: opts.durable }, 'consumer stopped');
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

  // ---------------------------------------------------------------- KV

  async function kv(name: string): Promise<KeyValue> {
    ensureOpen();
    assertName('bucket', name);
    const bucketName = withPrefix(kvPrefix, '_', name);
    let opened = buckets.get(bucketName);
    if (!opened) {
      opened = kvm.create(bucketName, { history: 1 });
      buckets.set(bucketName, opened);
      opened.catch(() => buckets.delete(bucketName));
    }
    const store = await opened;
    const isConflict = (err: unknown): boolean => {
      const code = apiCode(err);
      return code === JetStreamApiCodes.StreamWrongLastSequence || code === 10164;
    };

    return {
      async get(key) {
        ensureOpen();
        assertKey(key);
        const e = await store.get(key);
        if (!e) return null;
        const deleted = e.operation === 'DEL' || e.operation === 'PURGE';
        return { key, value: deleted ? null : e.value, revision: e.revision };
      },
      async put(key, value) {
        ensureOpen();
        assertKey(key);
        return store.put(key, value);
      },
      async update(key, value, revision) {
        ensureOpen();
        assertKey(key);
        try {
          return revision === 0 ? await store.create(key, value) : await store.update(key, value, revision);
        } catch (err) {
          if (isConflict(err)) return null;
          throw err;
        }
      },
      async delete(key) {
        ensureOpen();
        assertKey(key);
        await store.delete(key);
      },
      async keys() {
        ensureOpen();
        const out: string[] = [];
        for await (const k of await store.keys()) out.push(k);
        return out;
      },
      async watch(onEntry, onReady) {
        ensureOpen();
        const prefix = `$KV.${bucketName}.`;
        const pc = await js.consumers.getPushConsumer(`KV_${bucketName}`, {
          filter_subjects: `${prefix}>`,
          deliver_policy: DeliverPolicy.LastPerSubject,
        });
        const info = await pc.info(true);
        let initial = info.num_pending;
        let ready = false;
        const signalReady = (): void => {
          ready = true;
          try {
            onReady?.();
          } catch (err) {
            logger?.error({ err }, 'kv watch callback failed');
          }
        };
        const iter = await pc.consume({
          callback: (m) => {
            const op = m.headers?.get('KV-Operation') ?? '';
            const deleted = op === 'DEL' || op === 'PURGE';
            const entry: KvEntry = { key: m.subject.slice(prefix.length), value: deleted ? null : m.data, revision: m.seq };
            if (!ready) initial -= 1;
            if (ready || !deleted) {
              try {
                onEntry(entry);
              } catch (err) {
                logger?.error({ err }, 'kv watch callback failed');
              }
            }
            if (!ready && initial <= 0) signalReady();
          },
        });
        if (initial <= 0) queueMicrotask(signalReady);
        const handle = {
          async stop() {
            watchers.delete(handle);
            await iter.close().catch(() => undefined);
          },
        };
        watchers.add(handle);
        return handle;
      },
    };
  }

  // ---------------------------------------------------------------- misc

  async function ping(timeoutMs = DEFAULT_PING_MS): Promise<ServiceStatus[]> {
    ensureOpen();
    const seen = new Map<string, ServiceStatus>();
    try {
      const replies = await svcm.client({ strategy: 'timer', maxWait: timeoutMs }).ping();
      const own = subjectPrefix ? `${subjectPrefix}-` : undefined;
      for await (const s of replies) {
        if (own && !s.name.startsWith(own)) continue;
        seen.set(s.id, { name: own ? s.name.slice(own.length) : s.name, id: s.id, version: s.version });
      }
    } catch (err) {
      const mapped = mapRequestError(err, '$SRV.PING', timeoutMs);
      if (!(mapped instanceof BusError) || mapped.code !== 'no-responders') throw mapped;
    }
    return [...seen.values()];
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    await Promise.allSettled([...consumers].map((c) => c.stop()));
    await Promise.allSettled([...served].map((s) => s.stop()));
    await Promise.allSettled([...watchers].map((w) => w.stop()));
    if (!nc.isClosed()) await nc.drain();
  }

  async function consumerLag(): Promise<ConsumerLag[]> {
    ensureOpen();
    const lag: ConsumerLag[] = [];
    const prefix = streamName('');
    for await (const info of jsm.streams.list()) {
      const name = info.config.name;
      if (!name.startsWith(prefix) || name === dlqStream) continue;
      const producer = name.slice(prefix.length).toLowerCase();
      for await (const c of jsm.consumers.list(name)) {
        lag.push({ producer, durable: c.name, pending: c.num_pending + c.num_ack_pending });
      }
    }
    return lag;
  }

  return { kind: 'nats', serve, request, ensureStream, publish, publishMany, consume, kv, ping, consumerLag, close };
}

/**
 * Deletes the streams, KV buckets and object stores of a namespace (see `NatsBusOptions`): for
 * tests that isolate each run by a random prefix.
 */
export async function deleteNatsNamespace(options: {
  servers: string | string[];
  streamPrefix?: string;
  kvPrefix?: string;
  namespace?: string;
}): Promise<string[]> {
  const streamPrefix = options.streamPrefix ?? (options.namespace ? `${options.namespace.toUpperCase()}_` : undefined);
  const kvPrefix = options.kvPrefix ?? (options.namespace ? `${options.namespace}_` : undefined);
  if (!streamPrefix && !kvPrefix) throw new BusError('invalid', 'a prefix or namespace is required');
  const nc = await connect({ servers: options.servers, noAsyncTraces: true });
  const deleted: string[] = [];
  try {
    const jsm = await jetstreamManager(nc);
    const names: string[] = [];
    for await (const name of jsm.streams.names()) names.push(name);
    for (const name of names) {
      const mine =
        (streamPrefix !== undefined && name.startsWith(streamPrefix)) ||
        (kvPrefix !== undefined && (name.startsWith(`KV_${kvPrefix}`) || name.startsWith(`OBJ_${kvPrefix}`)));
      if (!mine) continue;
      await jsm.streams.delete(name);
      deleted.push(name);
    }
  } finally {
    await nc.close();
  }
  return deleted;
}
