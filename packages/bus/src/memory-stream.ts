import { copyHeaders } from './memory-rpc.js';
import type { ConsumeBatch, DeliveredEvent, Headers } from './types.js';
import { subjectMatches, type ConsumeDefaults } from './util.js';

/** Stored events and durable consumer state of the in-process bus, and the helpers that only read or tidy it. */

export interface StoredEvent {
  seq: number;
  id: string;
  subject: string;
  data: Uint8Array;
  headers: Headers;
  time: number;
}

export interface MemStream {
  name: string;
  subjectFilter: string;
  duplicateWindowMs: number;
  maxAgeMs: number | undefined;
  messages: StoredEvent[];
  lastSeq: number;
  dedupe: Map<string, number>;
  durables: Map<string, Durable>;
}

export interface PendingState {
  deliveries: number;
  timer: NodeJS.Timeout | undefined;
}

export interface Delivery {
  seq: number;
  deliveryCount: number;
}

export interface Instance {
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

export interface Durable {
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

export function findMessage(stream: MemStream, seq: number): StoredEvent | undefined {
  const first = stream.messages[0];
  if (!first) return undefined;
  const m = stream.messages[seq - first.seq];
  return m?.seq === seq ? m : undefined;
}

export function settle(durable: Durable, seq: number): void {
  const p = durable.pending.get(seq);
  if (p?.timer) clearTimeout(p.timer);
  durable.pending.delete(seq);
  const i = durable.ready.indexOf(seq);
  if (i >= 0) durable.ready.splice(i, 1);
}

export function nextSeqFor(durable: Durable): { seq: number; redelivery: boolean } | undefined {
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

export function toEvent(message: StoredEvent, deliveryCount: number): DeliveredEvent {
  return {
    id: message.id,
    subject: message.subject,
    data: message.data.slice(),
    headers: copyHeaders(message.headers),
    deliveryCount,
    sequence: message.seq,
  };
}

/** Resolves on the next `wake`, or after `ms` when given. */
export function nap(instance: Instance, ms?: number): Promise<void> {
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
