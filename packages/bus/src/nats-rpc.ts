import { createInbox, type Msg, type MsgHdrs, type NatsConnection, type Subscription } from '@nats-io/nats-core';
import { WaitingRequests } from './liveness.js';
import { BusError, BusHeaders } from './types.js';

/**
 * The request/reply hot path over a NATS connection, without the per-message bookkeeping of the
 * client's `request()` and of NATS micro endpoints: one reply subscription for every request of the
 * connection, writes coalesced per event-loop turn, and `$SRV` discovery answered on subscriptions
 * of its own, so operations run on plain queue subscriptions.
 */

interface ProtocolInternals {
  outbound: { length(): number; size(): number; fill(buf: Uint8Array, ...payloads: Uint8Array[]): void };
  pendingLimit: number;
  sendCommand(cmd: string | Uint8Array, ...payloads: Uint8Array[]): void;
  flushPending(): void;
}

const encoder = new TextEncoder();

/**
 * The client writes to the socket once per microtask checkpoint, so under load every request (each
 * arrives in its own I/O callback) costs a write system call of its own. Deferring the flush to
 * `setImmediate` sends everything produced in one event-loop turn in one write: the same bytes, in
 * the same order, at most one turn later. Big outbound buffers still flush at once (the client's
 * own threshold). Does nothing when the client's internals are not the expected ones.
 */
export function coalesceWrites(nc: NatsConnection): boolean {
  const protocol = (nc as unknown as { protocol?: Partial<ProtocolInternals> }).protocol;
  if (!protocol || typeof protocol.sendCommand !== 'function' || typeof protocol.flushPending !== 'function' || !protocol.outbound) return false;
  const p = protocol as ProtocolInternals;
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    p.flushPending();
  };
  p.sendCommand = function sendCommand(cmd: string | Uint8Array, ...payloads: Uint8Array[]): void {
    p.outbound.fill(typeof cmd === 'string' ? encoder.encode(cmd) : cmd, ...payloads);
    if (p.outbound.size() >= p.pendingLimit) p.flushPending();
    else if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  return true;
}

export interface ReplyMux {
  request(subject: string, wireSubject: string, data: Uint8Array, headers: MsgHdrs | undefined, timeoutMs: number, silenceMs: number): Promise<Msg>;
  /** Fails every request still waiting with `error` (the connection dropped: their replies cannot come). */
  failAll(error: BusError): void;
  /** Fails every request still waiting (the connection closed). */
  close(): void;
}

/**
 * Requests on one wildcard reply subscription (`<inbox>.<n>`), matched by a counter: no error
 * object, random token, timer or extra promise per request; one sweep (liveness.ts) fails those past
 * their timeout or silent too long. A reply that is a 503 status without data is the server saying
 * nobody subscribes to the subject; one without data carrying `Mso-Heartbeat` says the serving copy
 * is still at work.
 */
export function createReplyMux(nc: NatsConnection): ReplyMux {
  const prefix = `${createInbox()}.`;
  const waiting = new WaitingRequests<string, Msg>();
  let seq = 0;
  let sub: Subscription | undefined;

  const onReply = (err: Error | null, msg: Msg) => {
    if (err) return;
    const token = msg.subject.slice(prefix.length);
    if (msg.data.byteLength === 0 && msg.headers?.has(BusHeaders.heartbeat)) {
      waiting.heard(token);
      return;
    }
    const w = waiting.take(token);
    if (!w) return; // gave up already
    if (msg.data.byteLength === 0 && msg.headers?.code === 503) w.reject(new BusError('no-responders', `no responders for '${w.subject}'`));
    else w.resolve(msg);
  };

  return {
    request(subject, wireSubject, data, headers, timeoutMs, silenceMs) {
      sub ??= nc.subscribe(`${prefix}*`, { callback: onReply });
      const token = String(++seq);
      return new Promise<Msg>((resolve, reject) => {
        waiting.add(token, subject, timeoutMs, silenceMs, resolve, reject);
        try {
          nc.publish(wireSubject, data, { reply: `${prefix}${token}`, ...(headers ? { headers } : {}) });
        } catch (error) {
          waiting.take(token);
          reject(error);
        }
      });
    },
    failAll(error) {
      waiting.failAll(error);
    },
    close() {
      waiting.failAll(new BusError('closed', 'bus is closed'));
      sub?.unsubscribe();
      sub = undefined;
    },
  };
}

export interface EndpointStats {
  name: string;
  subject: string;
  queue_group: string;
  num_requests: number;
  num_errors: number;
  processing_time: number;
  average_processing_time: number;
  last_error?: string;
}

export interface DiscoveryInfo {
  name: string;
  id: string;
  version: string;
  description: string;
  endpoints: EndpointStats[];
}

/**
 * NATS micro discovery (`$SRV.PING|INFO|STATS`, for all services, by name, by name and id) for a
 * service whose endpoints are plain queue subscriptions: the same answers the NATS micro library
 * gives (`nats micro ls`, `svcm.client().ping()`), from counters the endpoints bump.
 */
export function serveDiscovery(nc: NatsConnection, info: DiscoveryInfo): { stop(): Promise<void> } {
  const started = new Date().toISOString();
  const metadata = {};
  const base = { name: info.name, id: info.id, version: info.version, metadata };
  const answers: Record<'PING' | 'INFO' | 'STATS', () => string> = {
    PING: () => JSON.stringify({ type: 'io.nats.micro.v1.ping_response', ...base }),
    INFO: () =>
      JSON.stringify({
        type: 'io.nats.micro.v1.info_response',
        ...base,
        description: info.description,
        endpoints: info.endpoints.map((e) => ({ name: e.name, subject: e.subject, queue_group: e.queue_group, metadata: {} })),
      }),
    STATS: () =>
      JSON.stringify({
        type: 'io.nats.micro.v1.stats_response',
        ...base,
        started,
        endpoints: info.endpoints.map((e) => ({
          ...e,
          average_processing_time: e.num_requests ? Math.round(e.processing_time / e.num_requests) : 0,
        })),
      }),
  };
  const subs: Subscription[] = [];
  for (const verb of ['PING', 'INFO', 'STATS'] as const) {
    for (const subject of [`$SRV.${verb}`, `$SRV.${verb}.${info.name}`, `$SRV.${verb}.${info.name}.${info.id}`]) {
      subs.push(
        nc.subscribe(subject, {
          callback: (err, msg) => {
            if (!err) msg.respond(answers[verb]());
          },
        }),
      );
    }
  }
  return {
    async stop() {
      await Promise.allSettled(subs.map((s) => s.drain()));
    },
  };
}
