import { describe, expect, it } from 'vitest';
import Type from 'typebox';
import { busHeaders, operation, ProblemError, RawResponse } from '@mso/contracts';
import { decodeReply, decodeRequest, encodeRawRequest, encodeReply } from './raw.js';

const upload = operation({
  service: 'billing',
  name: 'batch.upload',
  summary: 'Upload',
  http: { method: 'POST', path: '/v1/billing/batches/{id}', body: { mediaTypes: ['application/edi-x12'], maxBytes: 8 }, response: { mediaTypes: ['application/pdf'] } },
  roles: ['mso-admin'],
  input: Type.Object({ id: Type.String() }),
  output: RawResponse,
});
const bytes = new TextEncoder().encode('ISA*00*~');

describe('raw bodies on the bus (service-to-service calls are checked like the gateway checks them)', () => {
  it('carries the bytes as data and the input and media type in headers', () => {
    const message = encodeRawRequest({ id: 'b1' }, { mediaType: 'Application/EDI-X12; charset=utf-8', bytes });
    expect(message.data).toBe(bytes);
    const decoded = decodeRequest(upload, { subject: upload.subject, data: message.data, headers: message.headers });
    expect(decoded).toEqual({ input: { id: 'b1' }, body: { mediaType: 'Application/EDI-X12; charset=utf-8', bytes } });
  });

  it('refuses an undeclared media type with 415 and an oversize body with 413', () => {
    const wrong = encodeRawRequest({ id: 'b1' }, { mediaType: 'application/json', bytes });
    expect(() => decodeRequest(upload, { subject: upload.subject, ...wrong })).toThrow(expect.objectContaining({ code: 'unsupported-media-type' }) as ProblemError);
    const big = encodeRawRequest({ id: 'b1' }, { mediaType: 'application/edi-x12', bytes: new Uint8Array(9) });
    expect(() => decodeRequest(upload, { subject: upload.subject, ...big })).toThrow(expect.objectContaining({ code: 'payload-too-large' }) as ProblemError);
  });

  it('answers a raw response with its media type, and refuses one the contract does not declare', () => {
    const reply = encodeReply(upload, { mediaType: 'application/pdf', bytes }, 200);
    expect(reply.headers).toMatchObject({ [busHeaders.status]: '200', [busHeaders.mediaType]: 'application/pdf' });
    expect(decodeReply(reply)).toEqual({ mediaType: 'application/pdf', bytes });
    expect(() => encodeReply(upload, { mediaType: 'text/html', bytes }, 200)).toThrow(/does not declare/);
    expect(() => encodeReply(upload, { id: 'not bytes' }, 200)).toThrow(/must return/);
  });
});
