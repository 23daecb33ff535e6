import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Type from 'typebox';
import { operation, ProblemError, RawResponse, type RawBody } from '@mso/contracts';
import { defineService, handle } from '@mso/kit';
import { startTestPlatform, type TestPlatform } from '../src/index.js';

const MiB = 1024 * 1024;

// A test-only operation: echoes an X12 body back. Declared here, served by a service defined here.
const echo = operation({
  service: 'billing',
  name: 'test.echo',
  summary: 'Echo an X12 body',
  http: { method: 'POST', path: '/v1/billing/test-echo', body: { mediaTypes: ['application/edi-x12'], maxBytes: 24 * MiB }, response: { mediaTypes: ['application/edi-x12'] } },
  scope: 'platform',
  roles: ['mso-admin'],
  input: Type.Object({}, { additionalProperties: false }),
  output: RawResponse,
  errors: ['validation-failed'],
});
const echoService = defineService({
  id: 'billing',
  version: '0.0.0',
  description: 'raw body echo (test only)',
  operations: [echo],
  handlers: [
    handle(echo, async (_input, ctx): Promise<RawBody> => {
      if (!ctx.body) throw new ProblemError('validation-failed', 'send a body');
      return { mediaType: ctx.body.mediaType, bytes: ctx.body.bytes };
    }),
  ],
});

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ services: [echoService], operations: [echo] });
});
afterAll(async () => {
  await platform?.close();
});

const post = (payload: Buffer, contentType: string) =>
  platform.app.inject({ method: 'POST', url: '/v1/billing/test-echo', headers: { authorization: `Bearer ${platform.adminKey}`, 'content-type': contentType }, payload });

describe('raw bodies through the gateway on NATS and PostgreSQL', () => {
  it('carries a 20 MiB body to the service and back byte for byte (over the NATS payload limit: object store)', async () => {
    const body = randomBytes(20 * MiB);
    const res = await post(body, 'application/edi-x12');
    // On a failure, the problem's detail says which step gave up.
    expect(res.statusCode, res.statusCode === 200 ? undefined : res.payload).toBe(200);
    expect(res.headers['content-type']).toBe('application/edi-x12');
    expect(res.rawPayload.byteLength).toBe(body.byteLength);
    expect(Buffer.compare(res.rawPayload, body)).toBe(0);
  }, 60_000);

  it('answers an undeclared media type with 415 and an oversize body with 413, both problem+json', async () => {
    const wrongType = await post(Buffer.from('{"claims":[]}'), 'application/json');
    expect(wrongType.statusCode).toBe(415);
    expect(wrongType.headers['content-type']).toContain('application/problem+json');
    expect(wrongType.json()).toMatchObject({ status: 415, code: 'unsupported-media-type' });

    const tooLarge = await post(Buffer.alloc(24 * MiB + 1), 'application/edi-x12');
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.headers['content-type']).toContain('application/problem+json');
    expect(tooLarge.json()).toMatchObject({ status: 413, code: 'payload-too-large' });
  }, 60_000);
});
