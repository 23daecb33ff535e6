import { randomUUID } from 'node:crypto';
import { DEFAULT_SILENCE_MS, Heartbeats, WaitingRequests } from './liveness.js';
import { withIncomingSpan, withOutgoingSpan } from './tracing.js';
import { BusError, type BusReply, type Headers, type RequestOptions, type ServeOptions, type Served, type ServiceStatus } from './types.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, assertName, assertSubject, assertVersion, errorMessage } from './util.js';

/**
 * Request/reply for the in-process bus: queue groups with round-robin, no-responders and timeouts,
 * and heartbeats as over NATS (liveness.ts), so a copy that is aborted mid-request leaves its
 * requester to give up with `lost` after its silence limit, exactly as a killed process does.
 */

interface ServerInstance {
  id: string;
  options: ServeOptions;
  inflight: Set<Promise<unknown>>;
  /** Keys of the requests this copy works on: a heartbeat marks each as heard. */
  working: Heartbeats<number>;
  aborted: boolean;
}

export function copyHeaders(h: Headers | undefined): Headers {
  return { ...h };
}

export interface MemoryRpc {
  serve(opts: ServeOptions): Promise<Served>;
  request(subject: string, data: Uint8Array, opts?: RequestOptions): Promise<BusReply>;
  ping(): Promise<ServiceStatus[]>;
}

export function createMemoryRpc(ensureOpen: () => void, served: Set<Served>): MemoryRpc {
  const servers = new Map<string, ServerInstance[]>();
  const roundRobin = new Map<string, number>();
  const waiting = new WaitingRequests<number, BusReply>();
  let seq = 0;

  function pick(subject: string): ServerInstance | undefined {
    const all = servers.get(subject);
    if (!all || all.length === 0) return undefined;
    // One queue group answers (on NATS each group would get a copy and the first reply wins).
    const first = all[0];
    if (!first) return undefined;
    const group = all.filter((s) => s.options.service === first.options.service);
    const key = `${first.options.service}\u0000${subject}`;
    const n = roundRobin.get(key) ?? 0;
    roundRobin.set(key, n + 1);
    return group[n % group.length];
  }

  async function serve(opts: ServeOptions): Promise<Served> {
    ensureOpen();
    assertName('service', opts.service);
    assertVersion(opts.version);
    if (opts.subjects.length === 0) throw new BusError('invalid', 'serve needs at least one subject');
    opts.subjects.forEach(assertSubject);
    const instance: ServerInstance = {
      id: randomUUID().replaceAll('-', ''),
      options: opts,
      inflight: new Set(),
      working: new Heartbeats((key) => waiting.heard(key)),
      aborted: false,
    };
    for (const subject of new Set(opts.subjects)) {
      const list = servers.get(subject) ?? [];
      list.push(instance);
      servers.set(subject, list);
    }
    const unlist = () => {
      for (const subject of opts.subjects) {
        const list = servers.get(subject)?.filter((s) => s !== instance) ?? [];
        if (list.length === 0) servers.delete(subject);
        else servers.set(subject, list);
      }
    };
    let stopped: Promise<void> | undefined;
    const handle: Served = {
      stop() {
        stopped ??= (async () => {
          unlist();
          await Promise.allSettled([...instance.inflight]);
          served.delete(handle);
        })();
        return stopped;
      },
      abort() {
        instance.aborted = true;
        instance.working.clear();
        unlist();
        served.delete(handle);
      },
    };
    served.add(handle);
    return handle;
  }

  async function request(subject: string, data: Uint8Array, opts: RequestOptions = {}): Promise<BusReply> {
    ensureOpen();
    assertSubject(subject);
    const timeoutMs = opts.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const silenceMs = opts.silenceMs ?? DEFAULT_SILENCE_MS;
    return withOutgoingSpan(
      'request',
      { subject, operation: 'send', bodySize: data.byteLength },
      opts.headers,
      async (headers) => {
        const server = pick(subject);
        if (!server) throw new BusError('no-responders', `no responders for '${subject}'`);
        const requestData = data.slice();
        const key = ++seq;
        const reply = new Promise<BusReply>((resolve, reject) => waiting.add(key, subject, timeoutMs, silenceMs, resolve, reject));
        server.working.start(key);
        const run = withIncomingSpan(
          'request',
          { subject, operation: 'process', bodySize: data.byteLength, group: server.options.service },
          headers,
          () => server.options.handler({ subject, data: requestData, headers: copyHeaders(headers) }),
        );
        server.inflight.add(run);
        void run.then(
          (result) => {
            server.inflight.delete(run);
            server.working.done(key);
            // An aborted copy's replies are lost, as a killed process's would be.
            if (server.aborted) return;
            const w = waiting.take(key);
            w?.resolve(result.headers ? { data: result.data.slice(), headers: copyHeaders(result.headers) } : { data: result.data.slice() });
          },
          (err: unknown) => {
            server.inflight.delete(run);
            server.working.done(key);
            if (server.aborted) return;
            waiting.take(key)?.reject(new BusError('remote', errorMessage(err)));
          },
        );
        return reply;
      },
    );
  }

  async function ping(): Promise<ServiceStatus[]> {
    ensureOpen();
    const seen = new Map<string, ServiceStatus>();
    for (const list of servers.values()) {
      for (const s of list) seen.set(s.id, { name: s.options.service, id: s.id, version: s.options.version });
    }
    return [...seen.values()];
  }

  return { serve, request, ping };
}
