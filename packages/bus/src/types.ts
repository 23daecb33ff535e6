/**
 * The transport contract every bus implementation fulfils. Services and the gateway only see this
 * interface; which transport runs (NATS or in-memory) is a deployment choice.
 *
 * Semantics both transports must keep (checked by the conformance suite in `conformance.ts`):
 * - request/reply: a request goes to exactly one member of the subject's queue group; no member at
 *   all fails fast with `BusError('no-responders')`; no reply in time fails with `BusError('timeout')`.
 *   The serving side sends heartbeats for a request it works on longer than a moment (liveness.ts), so
 *   a requester whose serving copy died (or lost its connection) fails with `BusError('lost')` once
 *   it heard nothing for `RequestOptions.silenceMs`, while slow work that keeps beating runs on to its
 *   timeout. A requester without a connection to the broker fails at once with `disconnected`.
 * - events: durable, at-least-once. Every consumer group (durable name) gets every event once it is
 *   acked; an event whose handler throws (or does not ack in `ackWaitMs`) is redelivered, up to
 *   `maxDeliver` times, then moved to the dead-letter subject. Publishing the same event id twice
 *   within the dedupe window stores it once. Events on the same subject arrive in publish order.
 * - KV: last value per key, watch delivers the current values then every change.
 *
 * Ordering: one consumer instance hands events to its handler one at a time, in stream order, so
 * events on one subject are handled in publish order. A batch consumer (`ConsumeOptions.batch`)
 * hands batches one at a time instead, each in stream order and after the one before it. A
 * redelivered event (after a handler error or an ack timeout) comes back after the events that were
 * already on their way; consumers that care keep an inbox of handled event ids (see DESIGN.md,
 * "Exactly-once effect"). Set `ConsumeOptions.maxAckPending` to 1 to hold back later events until an
 * earlier one is acked.
 */

/** Message headers. Keys are case-sensitive; W3C `traceparent`/`tracestate` travel here. */
export type Headers = Record<string, string>;

export interface BusRequest {
  subject: string;
  data: Uint8Array;
  headers: Headers;
}

export interface BusReply {
  data: Uint8Array;
  headers?: Headers;
}

/**
 * - `no-responders`: nobody serves the subject.
 * - `timeout`: no reply in time.
 * - `closed`: the bus was closed.
 * - `invalid`: bad arguments (subject, names).
 * - `remote`: the serving handler threw; the message is the handler's error message.
 * - `lost`: the serving copy went silent (no reply, no heartbeat): it died or lost its connection.
 *   The request may or may not have taken effect.
 * - `disconnected`: this bus has no connection to the broker right now (it reconnects by itself);
 *   the request was not sent.
 */
export type BusErrorCode = 'no-responders' | 'timeout' | 'closed' | 'invalid' | 'remote' | 'lost' | 'disconnected';

export class BusError extends Error {
  constructor(
    readonly code: BusErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BusError';
  }
}

export interface RequestOptions {
  headers?: Headers;
  /** Milliseconds to wait for a reply. Default 5000. */
  timeoutMs?: number;
  /**
   * Give up (`BusError('lost')`) when neither the reply nor a heartbeat of the serving copy came for
   * this many milliseconds. Keep it well above the heartbeat period (400 ms). Default 1000; 0: wait
   * for the timeout only.
   */
  silenceMs?: number;
}

/** One request/reply endpoint group, listed by `$SRV.PING|INFO|STATS` on NATS. */
export interface ServeOptions {
  /** Service name, e.g. `helpdesk`. Also the queue group: copies of a service share requests. */
  service: string;
  version: string;
  description?: string;
  /** Exact subjects this service answers, e.g. `helpdesk.v1.ticket.create`. */
  subjects: string[];
  handler: (request: BusRequest) => Promise<BusReply>;
}

export interface Served {
  /** Stop taking new requests and wait for in-flight ones to finish. */
  stop(): Promise<void>;
  /**
   * Stop at once, as a crash would: no new requests, no more heartbeats for the in-flight ones and
   * their replies dropped, so their requesters fail with `lost`. For fault tests; `stop()` is the
   * orderly way.
   */
  abort(): void;
}

/** A published event. `subject` is `evt.<producer>.<type-without-producer>`, e.g. `evt.tenancy.practice.created`. */
export interface BusEvent {
  /** Unique event id; used as `Nats-Msg-Id` for dedupe. */
  id: string;
  subject: string;
  data: Uint8Array;
  headers?: Headers;
}

export interface DeliveredEvent extends BusEvent {
  /** 1 on first delivery, 2 on the first redelivery, ... */
  deliveryCount: number;
  /** Stream sequence number (monotonic per stream). */
  sequence: number;
}

/**
 * `ensureStream` creates the producer's stream, or changes the settings given here on an existing one
 * (settings left out keep their current value). Consumers may call it too.
 */
export interface StreamOptions {
  /** Producing service, e.g. `billing`: stream `EVT_BILLING` on `evt.billing.>`. */
  producer: string;
  /** Dedupe window in ms. Default 2 minutes. */
  duplicateWindowMs?: number;
  /** Drop events older than this. Default: keep (limits by count/size only). */
  maxAgeMs?: number;
}

interface ConsumeCommon {
  /** Producer whose stream to read. */
  producer: string;
  /** Durable consumer name (one per consuming service): each durable gets every event. */
  durable: string;
  /** Subject filter inside the producer's stream, e.g. `evt.tenancy.practice.*`. Default: all. */
  filter?: string;
  /** Redelivery bound; after that the event goes to the dead-letter subject `dlq.<durable>.<subject>`. Default 5. */
  maxDeliver?: number;
  /** How long an unacked delivery waits before redelivery. Default 30000. */
  ackWaitMs?: number;
  /**
   * Delay before redelivering an event whose handler threw, indexed by delivery count - 1 (the last
   * value repeats). Default [500, 2000, 10000, 30000].
   */
  backoffMs?: number[];
  /** Events delivered but not yet acked, across all instances of this durable. Default 1000. */
  maxAckPending?: number;
  /**
   * Read the dead-letter stream instead of `producer`'s stream. Delivered subjects are then
   * `dlq.<durable>.<original subject>`; `filter` defaults to `dlq.>`. Headers carry the original
   * stream sequence (`Mso-Dlq-Sequence`), delivery count (`Mso-Dlq-Deliveries`) and last error
   * (`Mso-Dlq-Error`).
   */
  deadLetters?: boolean;
}

/** One event at a time. */
export interface EventConsumeOptions extends ConsumeCommon {
  /** Resolve to ack. Throw to nak (redeliver after a short backoff). */
  handler: (event: DeliveredEvent) => Promise<void>;
  batch?: undefined;
}

/** Several events per handler call (e.g. one database transaction for all of them). */
export interface BatchConsumeOptions extends ConsumeCommon {
  batch: ConsumeBatch;
  handler?: undefined;
}

export type ConsumeOptions = EventConsumeOptions | BatchConsumeOptions;

/**
 * What became of one event of a batch: `'ack'`, or the error it failed with (nak: redelivered after
 * the backoff, dead-lettered with this error after `maxDeliver` deliveries).
 */
export type EventOutcome = 'ack' | { error: unknown };

/**
 * What became of one event of `publishMany`: `'ack'` (stored now, or an id stored before within the
 * dedupe window), or the error it was not stored with.
 */
export type PublishOutcome = 'ack' | { error: unknown };

export interface ConsumeBatch {
  /** Most events per batch (>= 1). */
  maxEvents: number;
  /**
   * How long a started batch waits for more events before it is handed over with fewer (>= 0).
   * 0 hands over what has arrived, without waiting: batches then grow only under backlog.
   */
  maxWaitMs: number;
  /**
   * Gets events in stream order; the next batch comes once this one settled. Resolve with nothing to
   * ack all, or with one outcome per event, by position; throw to nak all. Runs in a CONSUMER span
   * linked to every event's producer span; `withEventSpan` gives an event its own.
   */
  handler: (events: DeliveredEvent[]) => Promise<readonly EventOutcome[] | void>;
}

export interface Consumer {
  stop(): Promise<void>;
}

export interface KvEntry {
  key: string;
  /** null when the key was deleted. */
  value: Uint8Array | null;
  revision: number;
}

export interface KeyValue {
  get(key: string): Promise<KvEntry | null>;
  put(key: string, value: Uint8Array): Promise<number>;
  /** Put only if the key's current revision is `revision` (0 = key must not exist). Returns the new revision, or null on conflict. */
  update(key: string, value: Uint8Array, revision: number): Promise<number | null>;
  delete(key: string): Promise<void>;
  keys(): Promise<string[]>;
  /** Current values first (then `onReady`), then every change, until `stop()`. */
  watch(onEntry: (entry: KvEntry) => void, onReady?: () => void): Promise<{ stop(): Promise<void> }>;
}

export interface ServiceStatus {
  name: string;
  id: string;
  version: string;
}

/** Structured logger (pino-compatible subset). */
export interface BusLogger {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Header names the bus uses on the wire. */
export const BusHeaders = {
  /** Event id, used by JetStream for dedupe. */
  msgId: 'Nats-Msg-Id',
  /** Original event id on dead-lettered events (their `Nats-Msg-Id` is the dead-letter dedupe key). */
  eventId: 'Mso-Event-Id',
  /** `<bucket>/<object>`: the payload is in the object store. */
  payloadRef: 'Mso-Payload-Ref',
  dlqSequence: 'Mso-Dlq-Sequence',
  dlqDeliveries: 'Mso-Dlq-Deliveries',
  dlqError: 'Mso-Dlq-Error',
  dlqStream: 'Mso-Dlq-Stream',
  /** On an interim message (no data) on a reply subject: the request is still being worked on. */
  heartbeat: 'Mso-Heartbeat',
} as const;

export interface ConsumerLag {
  /** Producing service whose stream is read. */
  producer: string;
  durable: string;
  /** Events waiting for this durable, including delivered ones not yet acked. */
  pending: number;
}

export interface Bus {
  readonly kind: 'nats' | 'memory';
  serve(options: ServeOptions): Promise<Served>;
  request(subject: string, data: Uint8Array, options?: RequestOptions): Promise<BusReply>;
  ensureStream(options: StreamOptions): Promise<void>;
  publish(event: BusEvent): Promise<void>;
  /**
   * Publishes `events` with all of them on their way at once instead of one round trip each, and
   * resolves with one outcome per event, by position, once every one is settled. Each stream (one
   * per producer) stores its events in list order, and stores one only once every event before it in
   * the list for that stream is in the stream: after one fails, none later of its stream is stored by
   * this call (the caller publishes them again, in order). Each event's PRODUCER span is a child of the
   * trace context in its headers (`traceparent`), else of the active context.
   */
  publishMany(events: readonly BusEvent[]): Promise<PublishOutcome[]>;
  consume(options: ConsumeOptions): Promise<Consumer>;
  kv(bucket: string): Promise<KeyValue>;
  /** Services answering right now (NATS micro `$SRV.PING`), deduplicated by instance id. */
  ping(timeoutMs?: number): Promise<ServiceStatus[]>;
  /**
   * Events not yet handled, per durable consumer (delivered-but-unacked included): the consumer lag
   * ops watch. Covers every stream of this bus's namespace.
   */
  consumerLag(): Promise<ConsumerLag[]>;
  /** Stop subscriptions, let in-flight work finish, flush and close. */
  close(): Promise<void>;
}
