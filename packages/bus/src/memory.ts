import { createMemoryEvents } from './memory-events.js';
import { createMemoryKv } from './memory-kv.js';
import { createMemoryRpc } from './memory-rpc.js';
import { BusError, type Bus, type BusLogger, type Consumer, type Served } from './types.js';

/**
 * In-process bus for embedded mode (one process runs every service). It keeps the NATS transport's
 * semantics: queue groups with round-robin, no-responders, timeouts and heartbeats for requests; durable,
 * at-least-once events with ack wait, backoff, max deliveries and a dead-letter stream; dedupe by
 * event id; KV with revisions, compare-and-set and watch. Payloads are copied on the way in and
 * out, as if they had crossed the wire.
 */
export interface MemoryBusOptions {
  logger?: BusLogger;
  /** Oldest events are dropped beyond this many per stream. Default 100 000. */
  maxEventsPerStream?: number;
}

export function createMemoryBus(options: MemoryBusOptions = {}): Bus {
  const logger = options.logger;
  const maxEvents = options.maxEventsPerStream ?? 100_000;
  let closed = false;
  const consumers = new Set<Consumer>();
  const watchers = new Set<{ stop(): Promise<void> }>();
  const served = new Set<Served>();

  function ensureOpen(): void {
    if (closed) throw new BusError('closed', 'bus is closed');
  }

  const { serve, request, ping } = createMemoryRpc(ensureOpen, served);
  const { ensureStream, publish, publishMany, consume, consumerLag, clearTimers } = createMemoryEvents(
    ensureOpen,
    logger,
    maxEvents,
    consumers,
  );
  const kv = createMemoryKv(ensureOpen, logger, watchers);

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    await Promise.all([...consumers].map((c) => c.stop()));
    await Promise.all([...served].map((s) => s.stop()));
    await Promise.all([...watchers].map((w) => w.stop()));
    clearTimers();
  }

  return { kind: 'memory', serve, request, ensureStream, publish, publishMany, consume, kv, ping, consumerLag, close };
}
