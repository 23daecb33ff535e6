import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { FastifyOtelInstrumentation } from '@fastify/otel';
import Type, { type TObject, type TSchema } from 'typebox';
import {
  allOperations,
  busHeaders,
  Problem,
  ProblemError,
  problemStatus,
  type Operation,
  type ProblemCode,
} from '@mso/contracts';
import type { Bus } from '@mso/bus';
import { busErrorToProblem, compileSchema, loggableError, encodeJson, operationHeaders, systemClock, type Clock } from '@mso/kit';
import { createLogger, type Logger } from '@mso/telemetry';
import { AccessCache, isInForce } from './access.js';
import { GatewayMetrics } from './metrics.js';

export interface GatewayOptions {
  bus: Bus;
  /** Operations to expose. Default: every operation in `@mso/contracts` that has an HTTP binding. */
  operations?: readonly Operation[];
  /** Bootstrap MSO admin key (`MSO_ADMIN_KEY`). */
  adminKey?: string;
  logger?: Logger;
  clock?: Clock;
  /** How long to wait for a service to answer. Default 10 s. */
  requestTimeoutMs?: number;
  /** Extra readiness checks (e.g. the database, in a process that hosts services). */
  readinessChecks?: Record<string, () => Promise<void>>;
}

const PRACTICE_HEADER = 'x-practice-id';
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ONE_MIB = 1024 * 1024;

/**
 * The HTTP edge. It has no per-service code: every route, its validation and its OpenAPI entry come
 * from the contracts; a request is authenticated, scoped to a practice, checked against the practice's
 * agreement and the caller's role, validated, and forwarded over the bus.
 */
export async function buildGateway(options: GatewayOptions): Promise<FastifyInstance> {
  const log = options.logger ?? createLogger({ name: 'gateway' });
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const operations = (options.operations ?? allOperations).filter((op) => op.http);
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
  });

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

  app.setErrorHandler((error: FastifyError | ProblemError, request, reply) => {
    const problem = toProblem(error, log);
    void reply.code(problem.status).type('application/problem+json').send({ ...problem, instance: request.url });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply
      .code(404)
      .type('application/problem+json')
      .send(new ProblemError('not-found', `no route ${request.method} ${request.url.split('?')[0]}`).toProblem(request.url));
  });

  const otel = new FastifyOtelInstrumentation({ instrumentHooks: false, instrumentHandler: false, ignorePaths: (r) => r.url === '/healthz' });
  await app.register(otel.plugin());

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
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.addSchema(Problem);

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const checks: Record<string, string> = {};
    let ready = true;
    let services: string[] = [];
    try {
      services = [...new Set((await options.bus.ping(500)).map((s) => s.name))].sort();
      checks.bus = 'ok';
    } catch (error) {
      ready = false;
      checks.bus = (error as Error).message;
    }
    for (const [name, check] of Object.entries(options.readinessChecks ?? {})) {
      try {
        await check();
        checks[name] = 'ok';
      } catch (error) {
        ready = false;
        checks[name] = (error as Error).message;
      }
    }
    if (!services.includes('tenancy')) ready = false;
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready', checks, services });
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  const metrics = new GatewayMetrics(options.bus);
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  app.addHook('onResponse', async (request, reply) => {
    const op = request.routeOptions.config?.operation;
    if (op) metrics.observe(op.service, op.name, reply.statusCode, reply.elapsedTime / 1000);
  });

  for (const op of operations) registerOperation(app, op, { access, bus: options.bus, clock, timeoutMs });

  app.addHook('onClose', async () => access.stop());
  return app;
}

interface RouteDeps {
  access: AccessCache;
  bus: Bus;
  clock: Clock;
  timeoutMs: number;
}

function registerOperation(app: FastifyInstance, op: Operation, deps: RouteDeps): void {
  const http = op.http!;
  const pathParams = [...http.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const url = http.path.replace(/\{(\w+)\}/g, ':$1');
  const rest = omit(op.input, pathParams);
  const hasBody = http.method === 'POST' || http.method === 'PUT' || http.method === 'PATCH';
  const success = http.status ?? 200;
  const responses: Record<string, unknown> = {
    [success]: op.output,
    '4xx': Type.Unsafe(Type.Ref('Problem')),
    '5xx': Type.Unsafe(Type.Ref('Problem')),
  };

  app.route({
    method: http.method,
    url,
    config: { operation: op },
    bodyLimit: http.bodyLimit ?? ONE_MIB,
    schema: {
      operationId: `${op.service}.${op.name}`,
      summary: op.summary,
      tags: [op.service],
      description: `Roles: ${op.roles.join(', ') || 'internal'}. ${op.scope === 'practice' ? 'Acts for a practice (X-Practice-Id for MSO keys); the practice must have the service in its agreement.' : ''}`,
      ...(pathParams.length ? { params: pick(op.input, pathParams) } : {}),
      ...(hasBody ? { body: rest } : Object.keys(rest.properties).length ? { querystring: rest } : {}),
      response: responses,
    },
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      const principal = await deps.access.authenticate(request.headers.authorization);
      if (principal.role === 'system' || !op.roles.includes(principal.role)) {
        throw new ProblemError('forbidden', `role ${principal.role} may not ${op.summary.toLowerCase()}`);
      }
      const tenant = await resolvePractice(request, principal.practiceId, op, deps);
      const input = {
        ...(hasBody ? (request.body as object | undefined) : (request.query as object | undefined)),
        ...(request.params as object | undefined),
      };
      const idempotencyKey = header(request, 'idempotency-key');
      let result;
      try {
        result = await deps.bus.request(op.subject, encodeJson(input), {
          headers: operationHeaders({ principal, practiceId: tenant, ...(idempotencyKey ? { idempotencyKey } : {}) }),
          timeoutMs: deps.timeoutMs,
        });
      } catch (error) {
        throw busErrorToProblem(error, op.service);
      }
      const status = Number(result.headers?.[busHeaders.status] ?? 200);
      // The service's JSON goes out as it came: no parse and re-serialise on the hot path.
      return reply
        .code(status)
        .type(status >= 400 ? 'application/problem+json' : 'application/json')
        .send(Buffer.from(result.data.buffer, result.data.byteOffset, result.data.byteLength));
    },
  });
}

async function resolvePractice(request: FastifyRequest, ownPractice: string | undefined, op: Operation, deps: RouteDeps): Promise<string | null> {
  const named = header(request, PRACTICE_HEADER);
  let practiceId: string | null = ownPractice ?? null;
  if (!ownPractice && named) {
    if (!uuidPattern.test(named)) {
      throw new ProblemError('validation-failed', 'X-Practice-Id must be a practice id (uuid)', [{ path: '/headers/x-practice-id', message: 'must be a uuid' }]);
    }
    practiceId = named.toLowerCase();
  }
  if (op.scope !== 'practice') return practiceId;
  if (!practiceId) {
    throw new ProblemError('validation-failed', 'MSO keys name the practice they act for in the X-Practice-Id header', [
      { path: '/headers/x-practice-id', message: 'required for this route' },
    ]);
  }
  const entitlement = await deps.access.entitlement(practiceId);
  if (!entitlement) throw new ProblemError('not-found', 'no such practice');
  const today = deps.clock.now().toISOString().slice(0, 10);
  if (!isInForce(entitlement, today)) {
    throw new ProblemError('service-not-in-agreement', 'the practice has no agreement in force today');
  }
  if (!(entitlement.services as string[]).includes(op.service)) {
    throw new ProblemError('service-not-in-agreement', `the practice's agreement does not include ${op.service}`);
  }
  return practiceId;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function pick(schema: TObject, keys: string[]): TObject {
  const properties = Object.fromEntries(keys.map((k) => [k, schema.properties[k]!]));
  return Type.Object(properties, { additionalProperties: false });
}

function omit(schema: TObject, keys: string[]): TObject {
  const properties = Object.fromEntries(Object.entries(schema.properties).filter(([k]) => !keys.includes(k)));
  return Type.Object(properties, { additionalProperties: false });
}

/** Every failure leaves as problem+json: Fastify's own (bad JSON, too large, wrong type) included. */
function toProblem(error: FastifyError | ProblemError, log: Logger): Problem {
  if (error instanceof ProblemError) return error.toProblem();
  const status = (error as FastifyError).statusCode;
  if (status && status >= 400 && status < 500) {
    const code: ProblemCode =
      status === 413 ? 'payload-too-large' : status === 415 ? 'unsupported-media-type' : status === 404 ? 'not-found' : status === 405 ? 'method-not-allowed' : status === 429 ? 'too-many-requests' : 'validation-failed';
    return { ...new ProblemError(code, error.message).toProblem(), status: code === 'validation-failed' ? 400 : problemStatus[code] };
  }
  log.error({ err: loggableError(error) }, 'unhandled gateway error');
  return new ProblemError('internal', 'internal error').toProblem();
}
