import { busHeaders, ProblemError, type Operation, type RawBody } from '@mso/contracts';
import type { BusReply, BusRequest, Headers } from '@mso/bus';
import { decodeJson, encodeJson } from './codec.js';

/**
 * Operations with a raw body or a raw response (X12 files, PDFs). On the bus the bytes are the
 * message data, untouched; the media type travels in `mso-media-type` and, for a request, the JSON
 * input (path and query parameters) in `mso-input`. Bodies over the transport's payload limit go
 * through the object store transparently (see the NATS bus).
 */

/** `Text/Plain; charset=UTF-8` → `text/plain`. */
export function mediaTypeEssence(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

/** Whether a Content-Type names one of the declared media types (case-insensitive, parameters allowed). */
export function isDeclaredMediaType(declared: readonly string[], contentType: string): boolean {
  const essence = mediaTypeEssence(contentType);
  return declared.some((type) => type.toLowerCase() === essence);
}

/** The request message of a raw-body operation: the bytes as data, input and media type in headers. */
export function encodeRawRequest(input: unknown, body: RawBody): { data: Uint8Array; headers: Headers } {
  return { data: body.bytes, headers: { [busHeaders.mediaType]: body.mediaType, [busHeaders.input]: JSON.stringify(input ?? {}) } };
}

/** The input and, for a raw-body operation, the body of a request as the handler sees them. */
export function decodeRequest(op: Operation, request: BusRequest): { input: unknown; body: RawBody | undefined } {
  if (!op.http?.body) return { input: request.data.byteLength ? decodeJson(request.data) : {}, body: undefined };
  const mediaType = request.headers[busHeaders.mediaType];
  const rawInput = request.headers[busHeaders.input];
  let input: unknown = {};
  if (rawInput) {
    try {
      input = JSON.parse(rawInput);
    } catch {
      throw new ProblemError('validation-failed', 'the request input header is not JSON');
    }
  }
  if (!mediaType) return { input, body: undefined };
  if (!isDeclaredMediaType(op.http.body.mediaTypes, mediaType)) {
    throw new ProblemError('unsupported-media-type', `${op.subject} accepts ${op.http.body.mediaTypes.join(', ')}, not ${mediaTypeEssence(mediaType)}`);
  }
  if (request.data.byteLength > op.http.body.maxBytes) {
    throw new ProblemError('payload-too-large', `${op.subject} accepts bodies up to ${op.http.body.maxBytes} bytes`);
  }
  return { input, body: { mediaType, bytes: request.data } };
}

/** The reply for a handler's output: JSON, or the bytes of a `RawBody` for an operation with a raw response. */
export function encodeReply(op: Operation, output: unknown, status: number): BusReply {
  if (!op.http?.response) return { data: encodeJson(output), headers: { [busHeaders.status]: String(status) } };
  const raw = output as Partial<RawBody> | null | undefined;
  if (!raw || !(raw.bytes instanceof Uint8Array) || typeof raw.mediaType !== 'string') {
    throw new Error(`${op.subject} declares a raw response: its handler must return { mediaType, bytes }`);
  }
  if (!isDeclaredMediaType(op.http.response.mediaTypes, raw.mediaType)) {
    throw new Error(`${op.subject} answered ${raw.mediaType}, which its contract does not declare`);
  }
  return { data: raw.bytes, headers: { [busHeaders.status]: String(status), [busHeaders.mediaType]: raw.mediaType } };
}

/** A successful reply's body as the caller sees it: a `RawBody` when it carries a media type, else parsed JSON. */
export function decodeReply(reply: BusReply): unknown {
  const mediaType = reply.headers?.[busHeaders.mediaType];
  if (mediaType) return { mediaType, bytes: reply.data } satisfies RawBody;
  return decodeJson(reply.data);
}
