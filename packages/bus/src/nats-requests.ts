import { Empty, headers as natsHeaders, nuid, type Msg, type Subscription } from '@nats-io/nats-core';
import { ServiceError, ServiceErrorCodeHeader, ServiceErrorHeader } from '@nats-io/services';
import { DEFAULT_SILENCE_MS, Heartbeats } from './liveness.js';
import { serveDiscovery, type EndpointStats } from './nats-rpc.js';
import { endpointName, mapRequestError, toHeaders, toRecord, type NatsContext } from './nats-shared.js';
import { withIncomingSpan, withOutgoingSpan } from './tracing.js';
import { BusError, BusHeaders, type BusReply, type Headers, type RequestOptions, type ServeOptions, type Served } from './types.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, assertName, assertSubject, assertVersion, errorMessage } from './util.js';

/** Request/reply of a NATS bus: `serve` on queue subscriptions with `$SRV` discovery, `request` through the reply mux. */
export function createNatsRequests(ctx: NatsContext) {
  const { nc, replies, logger, largeBytes, rpcPayloads, served, wire, unwire, serviceName, ensureOpen, ensureConnected } = ctx;
  const heartbeat = natsHeaders();
  heartbeat.set(BusHeaders.heartbeat, '1');

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
    const working = new Heartbeats<Msg>((msg) => nc.publish(msg.reply!, Empty, { headers: heartbeat }));
    let aborted = false;

    async function handle(msg: Msg, stats: EndpointStats): Promise<void> {
      const started = performance.now();
      const headers = toRecord(msg.headers);
      if (msg.reply) working.start(msg);
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
        if (!aborted) msg.respond(replyData, h ? { headers: h } : undefined);
      } catch (err) {
        const message = errorMessage(err).replace(/[\r\n]+/g, ' ') || 'handler failed';
        stats.num_errors++;
        stats.last_error = message;
        const h = natsHeaders();
        h.set(ServiceErrorCodeHeader, '500');
        h.set(ServiceErrorHeader, message);
        if (!aborted) msg.respond(Empty, { headers: h });
      } finally {
        working.done(msg);
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
      abort() {
        aborted = true;
        working.clear();
        for (const s of subscriptions) s.unsubscribe();
        void discovery.stop();
        served.delete(handle_);
      },
    };
    served.add(handle_);
    return handle_;
  }

  async function request(subject: string, data: Uint8Array, opts: RequestOptions = {}): Promise<BusReply> {
    ensureOpen();
    ensureConnected();
    assertSubject(subject);
    const timeoutMs = opts.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    const silenceMs = opts.silenceMs ?? DEFAULT_SILENCE_MS;
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
          const msg: Msg = await replies.request(subject, wire(subject), payload, toHeaders(headers), timeoutMs, silenceMs);
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

  return { serve, request };
}
