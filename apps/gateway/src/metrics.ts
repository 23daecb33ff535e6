import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Bus } from '@mso/bus';

/**
 * Prometheus metrics of the HTTP edge: per-operation rate, errors (by status) and duration. One
 * registry per gateway instance so several gateways in one process (tests) do not collide.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'mso_operation_requests_total',
    help: 'Operation requests through the gateway, by service, operation and HTTP status',
    labelNames: ['service', 'operation', 'status'] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'mso_operation_duration_seconds',
    help: 'Time from request received to response sent, per operation',
    labelNames: ['service', 'operation'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor(bus: Bus) {
    collectDefaultMetrics({ register: this.registry, prefix: 'mso_gateway_' });
    // Read from the broker at scrape time: events each consuming service has not handled yet.
    new Gauge({
      name: 'mso_consumer_lag',
      help: 'Events waiting for a consuming service (durable), delivered-but-unacked included',
      labelNames: ['producer', 'consumer'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        try {
          for (const lag of await bus.consumerLag()) this.set({ producer: lag.producer, consumer: lag.durable }, lag.pending);
        } catch {
          // The broker is unreachable: readiness reports it; the gauge stays empty for this scrape.
        }
      },
    });
  }

  /** Label children per operation (and status), looked up once instead of hashing labels per request. */
  private readonly children = new Map<string, { requests: Map<number, { inc(): void }>; duration: { observe(value: number): void } }>();

  observe(service: string, operation: string, status: number, seconds: number): void {
    const key = `${service}\u0000${operation}`;
    let child = this.children.get(key);
    if (!child) this.children.set(key, (child = { requests: new Map(), duration: this.duration.labels({ service, operation }) }));
    let requests = child.requests.get(status);
    if (!requests) child.requests.set(status, (requests = this.requests.labels({ service, operation, status: String(status) })));
    requests.inc();
    child.duration.observe(seconds);
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The contract operation a route serves (for metrics). */
    operation?: import('@mso/contracts').Operation;
  }
}
