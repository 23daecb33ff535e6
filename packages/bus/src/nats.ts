import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { Svcm } from '@nats-io/services';
import { createNatsConsuming } from './nats-consume.js';
import { createNatsKv } from './nats-kv.js';
import { createNatsPublishing } from './nats-publish.js';
import { createNatsRequests } from './nats-requests.js';
import { coalesceWrites, createReplyMux } from './nats-rpc.js';
import { DEFAULT_RPC_PAYLOAD_TTL_MS, HEADER_ALLOWANCE, PayloadStore, mapRequestError, type NatsContext } from './nats-shared.js';
import { BusError, type Bus, type BusLogger, type ConsumerLag, type Consumer, type Served, type ServiceStatus } from './types.js';
import { DEFAULT_PING_MS, assertName, assertSubject, withPrefix } from './util.js';

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
  // While the connection is down, requests fail at once rather than queue into their timeouts, and
  // those in flight fail now: their replies cannot reach us. The client reconnects by itself.
  let connected = true;
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') {
        connected = false;
        replies.failAll(new BusError('disconnected', `lost the connection to NATS (${status.server})`));
      } else if (status.type === 'reconnect') {
        connected = true;
      }
    }
  })();
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

  function ensureConnected(): void {
    if (!connected) throw new BusError('disconnected', 'no connection to NATS (reconnecting)');
  }

  const ctx: NatsContext = {
    nc,
    js,
    jsm,
    kvm,
    replies,
    logger,
    subjectPrefix,
    kvPrefix,
    largeBytes,
    payloads,
    rpcPayloads,
    served,
    consumers,
    watchers,
    ensured,
    buckets,
    dlqStream,
    streamName,
    wire,
    unwire,
    serviceName,
    isClosed: () => closed,
    ensureOpen,
    ensureConnected,
  };
  const { serve, request } = createNatsRequests(ctx);
  const { ensureStream, publish, publishMany, ensureProducer, ensureDlq } = createNatsPublishing(ctx);
  const { consume } = createNatsConsuming(ctx, { ensureProducer, ensureDlq });
  const { kv } = createNatsKv(ctx);

  // ---------------------------------------------------------------- misc

  async function ping(timeoutMs = DEFAULT_PING_MS): Promise<ServiceStatus[]> {
    ensureOpen();
    ensureConnected();
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