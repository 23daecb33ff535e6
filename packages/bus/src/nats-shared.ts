import {
  ClosedConnectionError,
  DrainingConnectionError,
  NoRespondersError,
  RequestError,
  TimeoutError,
  headers as natsHeaders,
  nanos,
  type MsgHdrs,
  type NatsConnection,
} from '@nats-io/nats-core';
import { JetStreamApiError, StorageType, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { KV, Kvm } from '@nats-io/kv';
import { Objm, type ObjectStore } from '@nats-io/obj';
import type { createReplyMux } from './nats-rpc.js';
import { BusError, BusHeaders, type BusLogger, type Consumer, type Headers, type Served } from './types.js';

export const DEFAULT_RPC_PAYLOAD_TTL_MS = 3_600_000;
export const PUBLISH_TIMEOUT_MS = 5_000;
/** JetStream's answer to a publish whose `Nats-Expected-Last-Msg-Id` is not the stream's last. */
export const WRONG_LAST_MSG_ID = 10070;
export const HEADER_ALLOWANCE = 16 * 1024;
const KV_KEY = /^[-/_=.a-zA-Z0-9]+$/;
const LINE_BREAK = /[\r\n]/;
export const INTERNAL_HEADERS = new Set<string>([BusHeaders.msgId, BusHeaders.eventId, BusHeaders.payloadRef]);

export function toRecord(h: MsgHdrs | undefined): Headers {
  const out: Headers = {};
  if (!h) return out;
  // The entries as they are (first value of each key, as `get` gives): no key list per lookup.
  for (const [key, values] of h) out[key] = values[0] ?? '';
  return out;
}

export function toHeaders(record: Headers): MsgHdrs | undefined {
  const keys = Object.keys(record);
  if (keys.length === 0) return undefined;
  const h = natsHeaders();
  for (const key of keys) {
    const value = record[key] ?? '';
    // `append`, not `set`: the keys of a record are distinct, so there is nothing to replace.
    h.append(key, LINE_BREAK.test(value) ? value.replace(/[\r\n]+/g, ' ') : value);
  }
  return h;
}

/** `promise`'s result if it settles by `deadline` (ms since the epoch), else undefined. Already-settled wins even at 0 ms. */
export async function settledBy<T>(promise: Promise<T>, deadline: number): Promise<T | undefined> {
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

export function assertKey(key: string): void {
  if (!KV_KEY.test(key) || key.startsWith('.') || key.endsWith('.')) {
    throw new BusError('invalid', `invalid key '${key}'`);
  }
}

export function apiCode(err: unknown): number | undefined {
  return err instanceof JetStreamApiError ? err.code : undefined;
}

export function causes(err: unknown): unknown[] {
  const list: unknown[] = [];
  let e: unknown = err;
  while (e && list.length < 5) {
    list.push(e);
    e = e instanceof Error ? e.cause : undefined;
  }
  return list;
}

export function mapRequestError(err: unknown, subject: string, timeoutMs: number): unknown {
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
export function endpointName(subject: string): string {
  return subject.replace(/[^-\w]/g, '_');
}

export class PayloadStore {
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

/** What the parts of one NATS bus share: the connection, its clients, naming and the open handles. */
export interface NatsContext {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  kvm: Kvm;
  replies: ReturnType<typeof createReplyMux>;
  logger: BusLogger | undefined;
  subjectPrefix: string | undefined;
  kvPrefix: string | undefined;
  largeBytes: number;
  payloads: PayloadStore;
  rpcPayloads: PayloadStore;
  served: Set<Served>;
  consumers: Set<Consumer>;
  watchers: Set<{ stop(): Promise<void> }>;
  ensured: Map<string, Promise<void>>;
  buckets: Map<string, Promise<KV>>;
  dlqStream: string;
  streamName(producer: string): string;
  wire(subject: string): string;
  unwire(subject: string): string;
  serviceName(service: string): string;
  /** Whether `close()` was called. */
  isClosed(): boolean;
  ensureOpen(): void;
  /** Throws `BusError('disconnected')` while the connection is down (the client is reconnecting). */
  ensureConnected(): void;
}
