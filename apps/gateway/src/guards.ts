import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import rateLimit from '@fastify/rate-limit';
import underPressure from '@fastify/under-pressure';
import { ProblemError } from '@mso/contracts';

/** The edge's protective limits. Each comes from an environment variable (see `gatewayLimitsFromEnv`). */
export interface GatewayLimits {
  /** Requests per minute per API key, or per client IP before authentication succeeds. 0: no limit. */
  rateLimitPerMinute: number;
  /** Shed load (503) while the event loop lags more than this many ms on average. 0: off. */
  maxEventLoopDelayMs: number;
  /** Shed load while the event loop is busy more than this share of the time (0..1). 0: off. */
  maxEventLoopUtilization: number;
  /** Shed load while the V8 heap holds more than this many bytes. 0: off. */
  maxHeapUsedBytes: number;
  /** Shed load while the process holds more than this many bytes of memory. 0: off. */
  maxRssBytes: number;
  /** `Retry-After` (seconds) of a shed request. */
  retryAfterSeconds: number;
  /** How often the load is sampled (ms). */
  sampleIntervalMs: number;
}

/**
 * Generous defaults: a single key may send 10 000 requests a second (benchmarks and test suites are
 * never throttled); deployments set their own. Load is shed only when the process can no longer
 * answer in time anyway: an event loop lagging 5 s on average (the bus timeout is 10 s).
 */
export const defaultGatewayLimits: GatewayLimits = {
  rateLimitPerMinute: 600_000,
  maxEventLoopDelayMs: 5000,
  maxEventLoopUtilization: 0,
  maxHeapUsedBytes: 0,
  maxRssBytes: 0,
  retryAfterSeconds: 10,
  sampleIntervalMs: 1000,
};

const envNames: Record<keyof GatewayLimits, string> = {
  rateLimitPerMinute: 'MSO_RATE_LIMIT_PER_MINUTE',
  maxEventLoopDelayMs: 'MSO_SHED_EVENT_LOOP_DELAY_MS',
  maxEventLoopUtilization: 'MSO_SHED_EVENT_LOOP_UTILIZATION',
  maxHeapUsedBytes: 'MSO_SHED_HEAP_USED_BYTES',
  maxRssBytes: 'MSO_SHED_RSS_BYTES',
  retryAfterSeconds: 'MSO_SHED_RETRY_AFTER_SECONDS',
  sampleIntervalMs: 'MSO_SHED_SAMPLE_INTERVAL_MS',
};

/** Limits from the environment; a variable that is set but not a non-negative number stops the start. */
export function gatewayLimitsFromEnv(env: Record<string, string | undefined>): GatewayLimits {
  const limits = { ...defaultGatewayLimits };
  for (const [key, name] of Object.entries(envNames) as [keyof GatewayLimits, string][]) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, not '${raw}'`);
    limits[key] = value;
  }
  return limits;
}

/**
 * Security headers, load shedding and per-key rate limits. Call before any route is added: the
 * hooks run in this order on every request: headers, shedding (cheapest first, before any work),
 * then `identify` (given here so the rate limit can count by key), then the rate limit.
 */
export async function registerGuards(app: FastifyInstance, limits: GatewayLimits, identify: (request: FastifyRequest) => Promise<void>): Promise<void> {
  const securityHeaders = helmetHeaders({
    // Plain-HTTP local development must keep working: no forced upgrade of subresources.
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
  });
  app.addHook('onRequest', (_request, reply, done) => {
    void reply.headers(securityHeaders);
    done();
  });
  await app.register(underPressure, {
    maxEventLoopDelay: limits.maxEventLoopDelayMs,
    maxEventLoopUtilization: limits.maxEventLoopUtilization,
    maxHeapUsedBytes: limits.maxHeapUsedBytes,
    maxRssBytes: limits.maxRssBytes,
    sampleInterval: limits.sampleIntervalMs,
    retryAfter: limits.retryAfterSeconds,
    pressureHandler: async (request, reply, type, value) => {
      // Health and metrics keep answering: an orchestrator must see a loaded process, not a dead one.
      if (request.routeOptions.config?.shed === false) return;
      // A sample window without a single delay reading reports Infinity: no evidence of load.
      if (type === 'eventLoopDelay' && !Number.isFinite(value)) return;
      void reply.header('Retry-After', String(limits.retryAfterSeconds));
      throw new ProblemError('service-unavailable', 'the gateway is overloaded; retry later');
    },
  });
  app.addHook('onRequest', identify);
  if (limits.rateLimitPerMinute > 0) {
    await app.register(rateLimit, {
      max: limits.rateLimitPerMinute,
      timeWindow: 60_000,
      keyGenerator: (request) => {
        const principal = request.caller?.principal;
        return principal ? `key:${principal.id}` : `ip:${request.ip}`;
      },
      errorResponseBuilder: (_request, context) =>
        new ProblemError('too-many-requests', `more than ${context.max} requests a minute; retry in ${context.after}`),
    });
  }
}

/**
 * Helmet's security headers for `options`, computed once. They are the same on every response (no
 * per-request nonces), so a request copies them instead of running helmet's middleware, which
 * builds its policy again for every request when mounted through `@fastify/helmet`.
 */
export function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, () => undefined);
  return headers;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** `false`: never shed this route under load (health, readiness, metrics). */
    shed?: boolean;
  }
}
