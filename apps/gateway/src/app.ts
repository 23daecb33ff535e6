import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { FastifyOtelInstrumentation } from '@fastify/otel';
import type { TSchema } from 'typebox';
import { allOperations, Problem, ProblemError, problemStatus, type Operation, type ProblemCode } from '@mso/contracts';
import { DEFAULT_SILENCE_MS, type Bus } from '@mso/bus';
import { compileSchema, loggableError, systemClock, type Clock } from '@mso/kit';
import { createLogger, type Logger } from '@mso/telemetry';
import { AccessCache } from './access.js';
import { GatewayMetrics } from './metrics.js';
import { gatewayLimitsFromEnv, registerGuards, type GatewayLimits } from './guards.js';
import { identifyCaller, ONE_MIB, registerOperation } from './routes.js';

export interface GatewayOptions {
  bus: Bus;
  /** Operations to expose. Default: every operation in `@mso/contracts` that has an HTTP binding. */
  operations?: readonly Operation[];
  /** Bootstrap MSO admin key (`MSO_ADMIN_KEY`). */
  adminKey?: string;
  logger?: Logger;
  clock?: Clock;
  /** How long to wait for a service to answer. Default: `MSO_REQUEST_TIMEOUT_MS`, else 10 s. */
  requestTimeoutMs?: number;
  /**
   * Answer 503 when the service copy handling a request sent neither its reply nor a heartbeat for
   * this long (it died, or lost its connection). Default: `MSO_REQUEST_SILENCE_MS`, else 1 s; 0: off.
   */
  requestSilenceMs?: number;
  /** Extra readiness checks (e.g. the database, in a process that hosts services). */
  readinessChecks?: Record<string, () => Promise<void>>;
  /** Rate limit and load shedding. Default: from `env` (see guards.ts). */
  limits?: Partial<GatewayLimits>;
  /** Where the limits' variables are read. Default: `process.env`. */
  env?: Record<string, string | undefined>;
}

/**
 * The HTTP edge. It has no per-service code: every route, its validation and its OpenAPI entry come
 * from the contracts; a request is authenticated, scoped to a practice, checked against the practice's
 * agreement and the caller's role, validated, and forwarded over the bus (routes.ts). Security
 * headers, load shedding and rate limits guard every route (guards.ts).
 */
export async function buildGateway(options: GatewayOptions): Promise<FastifyInstance> {
  const log = options.logger ?? createLogger({ name: 'gateway' });
  const clock = options.clock ?? systemClock;
  const env = options.env ?? process.env;
  const timeoutMs = options.requestTimeoutMs ?? numberFromEnv(env, 'MSO_REQUEST_TIMEOUT_MS') ?? 10_000;
  const silenceMs = options.requestSilenceMs ?? numberFromEnv(env, 'MSO_REQUEST_SILENCE_MS') ?? DEFAULT_SILENCE_MS;
  const operations = (options.operations ?? allOperations).filter((op) => op.http);
  const limits = { ...gatewayLimitsFromEnv(env), ...options.limits };
  const access = new AccessCache(options.bus, log, options.adminKey);
  await access.start();

  const app: FastifyInstance = Fastify({
    loggerInstance: log as unknown as FastifyBaseLogger,
    // No per-request access log: URLs and query strings may carry PHI. Errors are logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: ONE_MIB,
    // Fastify's default Ajv would silently strip unknown properties; the TypeBox compiler rejects
    // them and reports every error with its path, which is what API clients need.
    ajv: undefined,
    routerOptions: { ignoreTrailingSlash: true },
    // A path that is not valid percent-encoding (`/v1/x/%zz`) is refused before routing: as problem+json too.
    frameworkErrors: (error, request, reply) => {
      const problem =
        error.code === 'FST_ERR_BAD_URL'
          ? new ProblemError('validation-failed', 'the path is not a valid URL (bad percent-encoding)', [{ path: '/path', message: 'bad percent-encoding' }]).toProblem()
          : toProblem(error, request, log);
      void (reply as FastifyReply).code(problem.status).type('application/problem+json').send(problem);
    },
  });

  // No per-request child logger (a pino child with redaction costs more than the rest of a short
  // request's logging): nothing logs per request, and errors are logged with their route and code.
  app.setChildLoggerFactory((logger) => logger);

  // JSON only: a text/plain body is refused with 415 rather than half-parsed.
  app.removeContentTypeParser('text/plain');

  app.setValidatorCompiler(({ schema, httpPart }) => {
    const compiled = compileSchema(schema as TSchema);
    const coerce = httpPart === 'querystring' || httpPart === 'params' || httpPart === 'headers';
    return (data: unknown) => {
      const value = coerce ? compiled.convert(data) : data;
      if (compiled.check(value)) return { value };
      const errors = compiled.errors(value).map((e) => ({ path: `${httpPart === 'body' ? '' : `/${httpPart}`}${e.path === '/' ? '' : e.path}` || '/', message: e.message }));
      const first = errors[0];
      return { error: new ProblemError('validation-failed', first ? `${first.path} ${first.message}` : `invalid ${httpPart}`, errors) };
    };
  });

  app.decorateRequest('caller', undefined);
  app.setErrorHandler((error: FastifyError | ProblemError, request, reply) => {
    const problem = toProblem(error, request, log);
    void reply.code(problem.status).type('application/problem+json').send({ ...problem, instance: request.url });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply
      .code(404)
      .type('application/problem+json')
      .send(new ProblemError('not-found', `no route ${request.method} ${request.url.split('?')[0]}`).toProblem(request.url));
  });

  const otel = new FastifyOtelInstrumentation({
    instrumentHooks: false,
    instrumentHandler: false,
    ignorePaths: (r) => r.url === '/healthz',
    // `url.path` is the path only: a query string may carry PHI (`/v1/billing/patients?lastName=…`).
    requestHook: (span, request) => span.setAttribute('url.path', request.url.split('?')[0]!),
  });
  await app.register(otel.plugin());
  await registerGuards(app, limits, (request) => identifyCaller(request, access));

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'MSO Platform API',
        version: '1.0.0',
        description:
          'One API for the back office an MSO runs for its practices. Authenticate with `Authorization: Bearer <api key>`. ' +
          'MSO keys act for a practice named in `X-Practice-Id`. Errors are RFC 9457 problem+json with a stable `code`.',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
      security: [{ apiKey: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  // Helmet's Content-Security-Policy suits the docs UI: its scripts and styles load from /docs itself.
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.addSchema(Problem);

  const unguarded = { rateLimit: false, shed: false } as const;
  app.get('/healthz', { schema: { hide: true }, config: unguarded }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true }, config: unguarded }, async (_request, reply) => {
    // Every check at once, each bounded: a database that does not answer (a connect timeout is
    // many seconds) must not hold readiness up, and an orchestrator polls this often.
    const checks: Record<string, string> = {};
    let services: string[] = [];
    const results = await Promise.all([
      settle('bus', async () => {
        services = [...new Set((await options.bus.ping(500)).map((s) => s.name))].sort();
      }),
      ...Object.entries(options.readinessChecks ?? {}).map(([name, check]) => settle(name, check)),
    ]);
    for (const [name, outcome] of results) checks[name] = outcome;
    const ready = results.every(([, outcome]) => outcome === 'ok') && services.includes('tenancy');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready', checks, services });
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  const metrics = new GatewayMetrics(options.bus);
  app.get('/metrics', { schema: { hide: true }, config: unguarded }, async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  app.addHook('onResponse', async (request, reply) => {
    const op = request.routeOptions.config?.operation;
    if (op) metrics.observe(op.service, op.name, reply.statusCode, reply.elapsedTime / 1000);
  });

  for (const op of operations) await registerOperation(app, op, { access, bus: options.bus, clock, timeoutMs, silenceMs });

  app.addHook('onClose', async () => access.stop());
  return app;
}

/** How long one readiness check may take before it counts as failed. */
const READINESS_CHECK_MS = 1_000;

/** `[name, 'ok']`, or `[name, why not]` when `check` fails or takes longer than `READINESS_CHECK_MS`. */
async function settle(name: string, check: () => Promise<void>): Promise<[string, string]> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${READINESS_CHECK_MS} ms`)), READINESS_CHECK_MS);
  });
  try {
    await Promise.race([check(), late]);
    return [name, 'ok'];
  } catch (error) {
    return [name, (error as Error).message || 'failed'];
  } finally {
    clearTimeout(timer);
  }
}

/** A variable that is set must be a non-negative number, else the start stops with its name. */
function numberFromEnv(env: Record<string, string | undefined>, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, not '${raw}'`);
  return value;
}

/** Every failure leaves as problem+json: Fastify's own (bad JSON, too large, wrong type) included. */
function toProblem(error: FastifyError | ProblemError, request: FastifyRequest, log: Logger): Problem {
  if (error instanceof ProblemError) return error.toProblem();
  const status = (error as FastifyError).statusCode;
  if (status && status >= 400 && status < 500) {
    const code: ProblemCode =
      status === 413 ? 'payload-too-large' : status === 415 ? 'unsupported-media-type' : status === 404 ? 'not-found' : status === 405 ? 'method-not-allowed' : status === 429 ? 'too-many-requests' : 'validation-failed';
    return { ...new ProblemError(code, bodyProblemDetail(code, request) ?? error.message).toProblem(), status: code === 'validation-failed' ? 400 : problemStatus[code] };
  }
  log.error({ err: loggableError(error) }, 'unhandled gateway error');
  return new ProblemError('internal', 'internal error').toProblem();
}

/** What a body refused by its media type or size should have been, from the route's contract. */
function bodyProblemDetail(code: ProblemCode, request: FastifyRequest): string | undefined {
  const http = request.routeOptions.config?.operation?.http;
  const bodyLimit = http?.body?.maxBytes ?? http?.bodyLimit ?? ONE_MIB;
  if (code === 'payload-too-large') return `the body is larger than this route accepts (${bodyLimit} bytes)`;
  if (code !== 'unsupported-media-type') return undefined;
  const accepted = http?.body ? http.body.mediaTypes.join(', ') : 'application/json';
  const sent = request.headers['content-type'];
  return `this route accepts ${accepted}${sent ? `, not ${sent.split(';')[0]}` : '; send a Content-Type'}`;
}
