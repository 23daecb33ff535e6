import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'mso_gateway_' });
  }

  observe(service: string, operation: string, status: number, seconds: number): void {
    this.requests.inc({ service, operation, status: String(status) });
    this.duration.observe({ service, operation }, seconds);
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The contract operation a route serves (for metrics). */
    operation?: import('@mso/contracts').Operation;
  }
}
