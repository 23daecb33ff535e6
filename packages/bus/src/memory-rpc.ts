import { randomUUID } from 'node:crypto';
import { withIncomingSpan, withOutgoingSpan } from './tracing.js';
import { BusError, type BusReply, type Headers, type RequestOptions, type ServeOptions, type Served, type ServiceStatus } from './types.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, assertName, assertSubject, assertVersion, errorMessage } from './util.js';

/** Request/reply for the in-process bus: queue groups with round-robin, no-responders and timeouts. */

interface ServerInstance {
  id: string;
  options: ServeOptions;
  inflight: Set<Promise<unknown>>;
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
    const instance: ServerInstance = { id: randomUUID().replaceAll('-', ''), options: opts, inflight: new Set() };
    for (const subject of new Set(opts.subjects)) {
      const list = servers.get(subject) ?? [];
      list.push(instance);
      servers.set(subject, list);
    }
    let stopped: Promise<void> | undefined;
    const handle: Served = {
      stop() {
        stopped ??= (async () => {
          for (const subject of opts.subjects) {
            const list = servers.get(subject)?.filter((s) => s !== instance) ?? [];
            if (list.length === 0) servers.delete(subject);
            else servers.set(subject, list);
          }
          await Promise.allSettled([...instance.inflight]);
          served.delete(handle);
        })();
        return stopped;
      },
    };
    served.add(handle);
    return handle;
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
        const server = pick(subject);
        if (!server) throw new BusError('no-responders', `no responders for '${subject}'`);
        const requestData = data.slice();
        const run = withIncomingSpan(
          'request',
          { subject, operation: 'process', bodySize: data.byteLength, group: server.options.service },
          headers,
          () => server.options.handler({ subject, data: requestData, headers: copyHeaders(headers) }),
        );
        server.inflight.add(run);
        void run.then(
          () => server.inflight.delete(run),
          () => server.inflight.delete(run),
        );
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new BusError('timeout', `request '${subject}' timed out after ${timeoutMs} ms`)),
            timeoutMs,
          );
        });
        try {
          const reply = await Promise.race([
            run.catch((err: unknown) => {
              throw new BusError('remote', errorMessage(err));
            }),
            timeout,
          ]);
          return reply.headers
            ? { data: reply.data.slice(), headers: copyHeaders(reply.headers) }
            : { data: reply.data.slice() };
        } finally {
          clearTimeout(timer);
        }
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
