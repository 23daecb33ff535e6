import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema, RouteOptions } from 'fastify';
import Type, { type TObject } from 'typebox';
import { AsyncJob, busHeaders, ProblemError, problemStatus, type Operation, type Principal, type ProblemCode, type RawBody } from '@mso/contracts';
import { BusError, type Bus, type BusReply, type RequestOptions } from '@mso/bus';
import { busErrorToProblem, encodeJson, encodeRawRequest, operationHeaders, type Clock } from '@mso/kit';
import { isInForce, type AccessCache } from './access.js';

export interface RouteDeps {
  access: AccessCache;
  bus: Bus;
  clock: Clock;
  timeoutMs: number;
  /** Give up on a service copy that sent neither its reply nor a heartbeat for this long (0: off). */
  silenceMs: number;
}

/** `Retry-After` (seconds) of a 503 the bus caused: another copy, or the connection, is usually back by then. */
const RETRY_AFTER_SECONDS = '1';

/** Who is calling, as far as the gateway knows at each step of the request. */
export interface Caller {
  /** Set from the key cache before the rate limit, or by authentication after it. */
  principal?: Principal;
  tenant?: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | undefined;
  }
}

const PRACTICE_HEADER = 'x-practice-id';
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const ONE_MIB = 1024 * 1024;
const binary = { type: 'string', format: 'binary' } as const;

/**
 * Before the rate limit: who is calling, if the key is one the gateway knows already (no I/O), so
 * the limit counts by key. Unknown or invalid keys are counted by client IP and authenticated (which
 * may ask tenancy) only if that budget allows, so guessing keys costs the guesser, not tenancy.
 */
export async function identifyCaller(request: FastifyRequest, access: AccessCache): Promise<void> {
  if (!request.routeOptions.config?.operation) return;
  const principal = access.known(request.headers.authorization);
  request.caller = principal ? { principal } : {};
}

/**
 * Registers one contract operation as a route. Every request is checked in this order, before its
 * body is read: authenticate → resolve the practice → entitlement → role; only then is the body
 * parsed (415, 413) and validated (400), so a caller that may not use a route learns nothing about
 * its schema.
 */
export async function registerOperation(app: FastifyInstance, op: Operation, deps: RouteDeps): Promise<void> {
  const http = op.http!;
  const pathParams = [...http.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const rest = omit(op.input, pathParams);
  const hasBody = http.method === 'POST' || http.method === 'PUT' || http.method === 'PATCH';
  const jsonBody = hasBody && !http.body;
  // An async operation answers 202 with its job (the kit's job runner does the work); one with a size
  // threshold answers small bodies at once, with its own status.
  const success = op.async && op.asyncAboveBytes === undefined ? 202 : (http.status ?? 200);
  const route: RouteOptions = {
    method: http.method,
    url: http.path.replace(/\{(\w+)\}/g, ':$1'),
    config: { operation: op, ...(http.body || http.response ? { swaggerTransform: rawDocumentation(op, success) } : {}) },
    bodyLimit: http.body?.maxBytes ?? http.bodyLimit ?? ONE_MIB,
    schema: {
      operationId: `${op.service}.${op.name}`,
      summary: op.summary,
      tags: [op.service],
      description: `Roles: ${op.roles.join(', ') || 'internal'}. ${op.scope === 'practice' ? 'Acts for a practice (X-Practice-Id for MSO keys); the practice must have the service in its agreement.' : ''}`,
      ...(pathParams.length ? { params: pick(op.input, pathParams) } : {}),
      ...(jsonBody ? { body: rest } : Object.keys(rest.properties).length ? { querystring: rest } : {}),
      response: responseSchemas(op, success),
    },
    preParsing: async (request: FastifyRequest) => {
      const caller = (request.caller ??= {});
      const principal = (caller.principal ??= await deps.access.authenticate(request.headers.authorization));
      caller.tenant = await resolvePractice(request, principal.practiceId, op, deps);
      if (principal.role === 'system' || !op.roles.includes(principal.role)) {
        throw new ProblemError('forbidden', `role ${principal.role} may not ${op.summary.toLowerCase()}`);
      }
    },
    // An action with nothing to say (`POST .../submit`) may come without a body: it is an empty object,
    // and a route that needs fields names the missing ones.
    ...(jsonBody
      ? {
          preValidation: async (request: FastifyRequest) => {
            if (request.body === undefined || request.body === null) request.body = {};
          },
        }
      : {}),
    handler: (request: FastifyRequest, reply: FastifyReply) => forward(op, request, reply, deps, jsonBody),
  };
  if (!http.body) {
    app.route(route);
    return;
  }
  const spec = http.body;
  // Its own scope: only the declared media types parse (as bytes, untouched), anything else is 415.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser([...spec.mediaTypes], { parseAs: 'buffer', bodyLimit: spec.maxBytes }, (_request, body, done) => done(null, body));
    scope.route(route);
  });
}

async function forward(op: Operation, request: FastifyRequest, reply: FastifyReply, deps: RouteDeps, jsonBody: boolean): Promise<FastifyReply> {
  const { principal, tenant } = request.caller!;
  const input = { ...((jsonBody ? request.body : request.query) as object | undefined), ...(request.params as object | undefined) };
  const idempotencyKey = header(request, 'idempotency-key');
  const headers = operationHeaders({ principal: principal!, practiceId: tenant ?? null, ...(idempotencyKey ? { idempotencyKey } : {}) });
  let message: { data: Uint8Array; headers?: Record<string, string> } = { data: encodeJson(input) };
  if (op.http!.body && Buffer.isBuffer(request.body)) {
    const body: RawBody = { mediaType: header(request, 'content-type')!, bytes: request.body };
    message = encodeRawRequest(input, body);
  }
  let result: BusReply;
  try {
    result = await send(op, message.data, { headers: { ...headers, ...message.headers }, timeoutMs: requestTimeout(op, message.data, deps), silenceMs: requestSilence(op, message.data, deps) }, deps);
  } catch (error) {
    if (error instanceof BusError) void reply.header('Retry-After', RETRY_AFTER_SECONDS);
    throw busErrorToProblem(error, op.service);
  }
  const replyHeaders = result.headers ?? {};
  const status = Number(replyHeaders[busHeaders.status] ?? 200);
  if (replyHeaders[busHeaders.replayed] === 'true') void reply.header('Idempotent-Replayed', 'true');
  const location = replyHeaders[busHeaders.location];
  if (location) void reply.header('Location', location);
  const mediaType = replyHeaders[busHeaders.mediaType];
  // The service's bytes go out as they came: no parse and re-serialise on the hot path.
  return reply
    .code(status)
    .type(status >= 400 ? 'application/problem+json' : (mediaType ?? 'application/json'))
    .send(Buffer.from(result.data.buffer, result.data.byteOffset, result.data.byteLength));
}

/**
 * A read whose service copy died while working on it (`lost`) is sent once more: the queue group
 * hands it to another copy, and a read has no effect to repeat. A write is not: it may have taken
 * effect, so its caller gets 503 and retries it with its Idempotency-Key.
 */
async function send(op: Operation, data: Uint8Array, options: RequestOptions, deps: RouteDeps): Promise<BusReply> {
  try {
    return await deps.bus.request(op.subject, data, options);
  } catch (error) {
    if (!(error instanceof BusError && error.code === 'lost' && op.http!.method === 'GET')) throw error;
    return deps.bus.request(op.subject, data, options);
  }
}

/**
 * Large bodies travel before the service can start (through the object store over NATS), so a raw
 * operation waits a second longer per MiB of body, and one with a raw response three times as long.
 */
function requestTimeout(op: Operation, data: Uint8Array, deps: RouteDeps): number {
  const http = op.http!;
  if (!http.body && !http.response) return deps.timeoutMs;
  return deps.timeoutMs * (http.response ? 3 : 1) + (http.body ? Math.ceil(data.byteLength / ONE_MIB) * 1000 : 0);
}

/**
 * A service moving a large body through the object store sends its heartbeats on the same NATS
 * connection, behind the body's chunks: on a loaded machine they can arrive seconds late from a copy
 * that is alive. So a raw operation's silence limit grows with its body (a quarter of a second per
 * MiB), and is three times as long when the reply is raw too, as its timeout is.
 */
function requestSilence(op: Operation, data: Uint8Array, deps: RouteDeps): number {
  const http = op.http!;
  if (deps.silenceMs === 0 || (!http.body && !http.response)) return deps.silenceMs;
  return deps.silenceMs * (http.response ? 3 : 1) + (http.body ? Math.ceil(data.byteLength / ONE_MIB) * 250 : 0);
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

/**
 * The responses an operation may give: its output, every problem it declares (grouped by status),
 * and the ones the gateway itself answers for any route.
 */
function responseSchemas(op: Operation, success: number): Record<string, unknown> {
  const codes = new Set<ProblemCode>(['unauthorized', 'forbidden', 'too-many-requests', 'service-unavailable', ...op.errors]);
  if (op.scope === 'practice') codes.add('service-not-in-agreement');
  if (op.http!.body) {
    codes.add('unsupported-media-type');
    codes.add('payload-too-large');
  }
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of codes) byStatus.set(problemStatus[code], [...(byStatus.get(problemStatus[code]) ?? []), code]);
  const problems = Object.fromEntries(
    [...byStatus].map(([status, list]) => [status, Type.Unsafe({ $ref: 'Problem', description: `Problem: ${list.map((c) => `\`${c}\``).join(', ')}` })]),
  );
  const outputs = op.http!.response ? [] : [success, ...(op.http!.statuses ?? [])];
  return {
    ...Object.fromEntries(outputs.map((status) => [status, status === 202 && op.async ? AsyncJob : op.output])),
    ...(op.async ? { 202: AsyncJob } : {}),
    ...problems,
    '4xx': Type.Unsafe(Type.Ref('Problem')),
    '5xx': Type.Unsafe(Type.Ref('Problem')),
  };
}

/** OpenAPI for raw bodies and responses: bytes of each declared media type. */
function rawDocumentation(op: Operation, success: number) {
  const http = op.http!;
  return ({ schema, url }: { schema: FastifySchema; url: string }) => ({
    url,
    schema: {
      ...schema,
      ...(http.body ? { body: { content: Object.fromEntries(http.body.mediaTypes.map((t) => [t, { schema: binary }])) } } : {}),
      ...(http.response
        ? {
            response: {
              [success]: { description: op.summary, content: Object.fromEntries(http.response.mediaTypes.map((t) => [t, { schema: binary }])) },
              ...(schema.response as object | undefined),
            },
          }
        : {}),
    },
  });
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

