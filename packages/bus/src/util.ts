import { BusError, type ConsumeOptions, type EventOutcome } from './types.js';

export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
export const DEFAULT_DUPLICATE_WINDOW_MS = 2 * 60_000;
export const DEFAULT_MAX_DELIVER = 5;
export const DEFAULT_ACK_WAIT_MS = 30_000;
export const DEFAULT_BACKOFF_MS: readonly number[] = [500, 2_000, 10_000, 30_000];
export const DEFAULT_MAX_ACK_PENDING = 1_000;
export const DEFAULT_PING_MS = 250;

const NAME = /^[-\w]+$/;
const TOKEN = /^[^\s.*>]+$/;

/** Service, durable, producer and bucket names: letters, digits, `_` and `-`. */
export function assertName(kind: string, name: string): void {
  if (!NAME.test(name)) throw new BusError('invalid', `invalid ${kind} name '${name}'`);
}

const validSubjects = new Set<string>();

/** An exact subject: dot-separated tokens, no wildcards or whitespace. Subjects seen valid are remembered (a bounded set). */
export function assertSubject(subject: string): void {
  if (validSubjects.has(subject)) return;
  if (subject === '' || !subject.split('.').every((t) => TOKEN.test(t))) {
    throw new BusError('invalid', `invalid subject '${subject}'`);
  }
  if (validSubjects.size >= 10_000) validSubjects.clear();
  validSubjects.add(subject);
}

/** A subject filter: like a subject, `*` matches one token, a final `>` one or more. */
export function assertFilter(filter: string): void {
  const tokens = filter.split('.');
  const ok = tokens.every((t, i) => t === '*' || (t === '>' && i === tokens.length - 1) || TOKEN.test(t));
  if (filter === '' || !ok) throw new BusError('invalid', `invalid subject filter '${filter}'`);
}

/** `evt.<producer>.<type...>` → producer. */
export function producerOf(subject: string): string {
  assertSubject(subject);
  const tokens = subject.split('.');
  const producer = tokens[1];
  if (tokens[0] !== 'evt' || producer === undefined || tokens.length < 3) {
    throw new BusError('invalid', `event subject must be evt.<producer>.<type>, got '${subject}'`);
  }
  assertName('producer', producer);
  return producer;
}

/** NATS subject matching: `*` is one token, a trailing `>` one or more. */
export function subjectMatches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    const t = f[i];
    if (t === '>') return s.length > i;
    if (i >= s.length) return false;
    if (t !== '*' && t !== s[i]) return false;
  }
  return f.length === s.length;
}

/** Delay before the redelivery that follows delivery number `deliveryCount`. */
export function backoffFor(backoff: readonly number[] | undefined, deliveryCount: number): number {
  const list = backoff && backoff.length > 0 ? backoff : DEFAULT_BACKOFF_MS;
  return list[Math.min(deliveryCount - 1, list.length - 1)] ?? 0;
}

export interface ConsumeDefaults {
  maxDeliver: number;
  ackWaitMs: number;
  maxAckPending: number;
  backoffMs: readonly number[];
}

export function consumeDefaults(options: ConsumeOptions): ConsumeDefaults {
  const maxDeliver = options.maxDeliver ?? DEFAULT_MAX_DELIVER;
  const ackWaitMs = options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
  const maxAckPending = options.maxAckPending ?? DEFAULT_MAX_ACK_PENDING;
  if (!Number.isInteger(maxDeliver) || maxDeliver < 1) throw new BusError('invalid', 'maxDeliver must be >= 1');
  if (!(ackWaitMs > 0)) throw new BusError('invalid', 'ackWaitMs must be > 0');
  if (!Number.isInteger(maxAckPending) || maxAckPending < 1) {
    throw new BusError('invalid', 'maxAckPending must be >= 1');
  }
  if (options.batch) {
    const { maxEvents, maxWaitMs, handler } = options.batch;
    if (!Number.isInteger(maxEvents) || maxEvents < 1) throw new BusError('invalid', 'batch.maxEvents must be an integer >= 1');
    if (!Number.isFinite(maxWaitMs) || maxWaitMs < 0) throw new BusError('invalid', 'batch.maxWaitMs must be >= 0');
    if (typeof handler !== 'function') throw new BusError('invalid', 'batch.handler is required');
  } else if (typeof options.handler !== 'function') {
    throw new BusError('invalid', 'a handler or a batch is required');
  }
  return { maxDeliver, ackWaitMs, maxAckPending, backoffMs: options.backoffMs ?? DEFAULT_BACKOFF_MS };
}

/**
 * A batch handler's result as one outcome per event: nothing acks all, a throw naks all. A list of
 * the wrong length is a bug in the handler; nothing is acked then, since its positions mean nothing.
 */
export async function batchOutcomes(count: number, run: () => Promise<readonly EventOutcome[] | void>): Promise<EventOutcome[]> {
  let result: readonly EventOutcome[] | void;
  try {
    result = await run();
  } catch (error) {
    return Array.from({ length: count }, () => ({ error }));
  }
  if (result === undefined) return Array.from({ length: count }, () => 'ack' as const);
  if (result.length !== count) {
    const error = new Error(`batch handler returned ${result.length} outcomes for ${count} events`);
    return Array.from({ length: count }, () => ({ error }));
  }
  return [...result];
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** `prefix` + `sep` + `name`, or `name` when there is no prefix. */
export function withPrefix(prefix: string | undefined, sep: string, name: string): string {
  if (!prefix) return name;
  return prefix.endsWith(sep) ? `${prefix}${name}` : `${prefix}${sep}${name}`;
}

export function deferred<T>(): { promise: Promise<T>; resolve(v: T): void; reject(e: unknown): void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** Service versions are semantic versions (the NATS micro protocol requires it). */
export function assertVersion(version: string): void {
  if (!SEMVER.test(version)) throw new BusError('invalid', `invalid service version '${version}' (semver expected)`);
}
