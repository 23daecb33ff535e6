import { busHeaders, ProblemError, type Principal, type Problem } from '@mso/contracts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

export function decodeJson<T = unknown>(data: Uint8Array): T {
  if (data.byteLength === 0) return undefined as T;
  return JSON.parse(decoder.decode(data)) as T;
}

export function encodePrincipal(principal: Principal): string {
  return principal.practiceId ? `${principal.role};${principal.id};${principal.practiceId}` : `${principal.role};${principal.id}`;
}

export function decodePrincipal(value: string | undefined): Principal | undefined {
  if (!value) return undefined;
  const [role, id, practiceId] = value.split(';');
  if (!role || !id) return undefined;
  return { role: role as Principal['role'], id, ...(practiceId ? { practiceId } : {}) };
}

/** Reply status header value for a problem. */
export function problemReply(problem: Problem) {
  return { data: encodeJson(problem), headers: { [busHeaders.status]: String(problem.status) } };
}

export function toProblemError(status: number, body: unknown): ProblemError {
  if (body && typeof body === 'object' && 'code' in body) return ProblemError.from(body as Problem);
  return new ProblemError('internal', `unexpected reply status ${status}`);
}
