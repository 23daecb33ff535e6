import { BusError, type Bus, type Headers } from '@mso/bus';
import { busHeaders, ProblemError, type InputOf, type Operation, type OutputOf, type Principal, type RawBody } from '@mso/contracts';
import { decodeJson, encodeJson, encodePrincipal, toProblemError } from './codec.js';
import { decodeReply, encodeRawRequest } from './raw.js';

export interface CallOperationOptions {
  principal: Principal;
  practiceId?: string | null;
  idempotencyKey?: string;
  timeoutMs?: number;
  /** The body of an operation that declares a raw body (`http.body`). */
  body?: RawBody;
}

/** Builds the headers every operation request carries (trace context is added by the bus). */
export function operationHeaders(options: CallOperationOptions): Headers {
  const headers: Headers = { [busHeaders.principal]: encodePrincipal(options.principal) };
  if (options.practiceId) headers[busHeaders.tenant] = options.practiceId;
  if (options.idempotencyKey) headers[busHeaders.idempotencyKey] = options.idempotencyKey;
  return headers;
}

/** Maps transport failures to the problem a caller sees: the service is not there or did not answer. */
export function busErrorToProblem(error: unknown, service: string): ProblemError {
  if (error instanceof BusError) {
    if (error.code === 'no-responders') return new ProblemError('service-unavailable', `the ${service} service is not running`);
    if (error.code === 'timeout') return new ProblemError('service-unavailable', `the ${service} service did not answer in time`);
    if (error.code === 'lost') return new ProblemError('service-unavailable', `the copy of the ${service} service handling this request stopped answering; it may or may not have taken effect: retry it (a write with its Idempotency-Key)`);
    if (error.code === 'disconnected') return new ProblemError('service-unavailable', 'no connection to the bus right now; retry shortly');
    return new ProblemError('service-unavailable', `the ${service} service cannot be reached (${error.code})`);
  }
  return error instanceof ProblemError ? error : new ProblemError('internal', 'request failed');
}

/**
 * Calls an operation over the bus and returns its output (a `RawBody` for an operation with a raw
 * response), or throws the ProblemError it answered.
 */
export async function callOperation<Op extends Operation>(bus: Bus, op: Op, input: InputOf<Op>, options: CallOperationOptions): Promise<OutputOf<Op>> {
  return (await callOperationForReply(bus, op, input, options)).output;
}

/** As {@link callOperation}, with the success status the service answered (201, or 200 for "exists already", 202 for a job). */
export async function callOperationForReply<Op extends Operation>(bus: Bus, op: Op, input: InputOf<Op>, options: CallOperationOptions): Promise<{ status: number; output: OutputOf<Op> }> {
  const message = options.body ? encodeRawRequest(input, options.body) : { data: encodeJson(input), headers: {} };
  let reply;
  try {
    reply = await bus.request(op.subject, message.data, {
      headers: { ...operationHeaders(options), ...message.headers },
      timeoutMs: options.timeoutMs ?? 5000,
    });
  } catch (error) {
    throw busErrorToProblem(error, op.service);
  }
  const status = Number(reply.headers?.[busHeaders.status] ?? 200);
  if (status >= 400) throw toProblemError(status, decodeJson(reply.data));
  return { status, output: decodeReply(reply) as OutputOf<Op> };
}
