import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validate } from '@readme/openapi-parser';
import Type from 'typebox';
import { operation, ProblemError, RawResponse, type RawBody } from '@mso/contracts';
import { createPractice } from '@mso/contracts/tenancy';
import { createMemoryBus } from '@mso/bus';
import { defineService, handle } from '@mso/kit';
import { createLogger } from '@mso/telemetry';
import { startPlatform, type Platform } from './platform.js';

const MiB = 1024 * 1024;
const x12Types = ['application/edi-x12', 'text/plain'];

// A test-only operation: echoes a raw body back with its media type.
const echo = operation({
  service: 'billing',
  name: 'test.echo',
  summary: 'Echo a raw body',
  http: { method: 'POST', path: '/v1/billing/test-echo/{label}', body: { mediaTypes: x12Types, maxBytes: 64 * MiB }, response: { mediaTypes: x12Types } },
  scope: 'platform',
  roles: ['mso-admin'],
  input: Type.Object({ label: Type.String({ maxLength: 40 }), note: Type.Optional(Type.String({ maxLength: 40 })) }, { additionalProperties: false }),
  output: RawResponse,
  errors: ['validation-failed'],
});
const seen: { input: unknown; mediaType: string | undefined }[] = [];
const echoService = defineService({
  id: 'billing',
  version: '0.0.0',
  description: 'raw body echo (test only)',
  operations: [echo],
  handlers: [
    handle(echo, async (input, ctx): Promise<RawBody> => {
      seen.push({ input, mediaType: ctx.body?.mediaType });
      if (!ctx.body) throw new ProblemError('validation-failed', 'send a body');
      return { mediaType: ctx.body.mediaType, bytes: ctx.body.bytes };
    }),
  ],
});

const adminKey = 'mso_admin_raw';
let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform({
    services: [echoService],
    bus: createMemoryBus(),
    adminKey,
    // The test itself makes and compares 50 MiB in this process: no load shedding on the lag that causes.
    env: { MSO_SHED_EVENT_LOOP_DELAY_MS: '0' },
    operations: [echo, createPractice],
    logger: createLogger({ name: 'test', level: 'warn' }),
  });
});
afterAll(async () => {
  await platform.close();
});

const post = (payload: Buffer, contentType: string | undefined, url = '/v1/billing/test-echo/batch-1?note=n1') =>
  platform.app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${adminKey}`, ...(contentType ? { 'content-type': contentType } : {}) },
    payload,
  });

describe('raw bodies and raw responses (embedded: in-memory bus)', () => {
  it('hands the handler the bytes, media type and input, and answers the bytes with their Content-Type', async () => {
    const body = randomBytes(2 * MiB);
    seen.length = 0;
    const res = await post(body, 'application/edi-x12');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/edi-x12');
    expect(Buffer.compare(res.rawPayload, body)).toBe(0);
    expect(seen).toEqual([{ input: { label: 'batch-1', note: 'n1' }, mediaType: 'application/edi-x12' }]);
  });

  it('matches media types case-insensitively with parameters, and leaves the charset to the handler', async () => {
    seen.length = 0;
    const res = await post(Buffer.from('ISA*00*~', 'latin1'), 'Text/Plain; charset=ISO-8859-1');
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('ISA*00*~');
    expect(seen[0]?.mediaType).toBe('Text/Plain; charset=ISO-8859-1');
  });

  it('accepts X12-sized bodies of 50 MiB', async () => {
    const body = randomBytes(50 * MiB);
    const res = await post(body, 'application/edi-x12');
    expect(res.statusCode).toBe(200);
    expect(res.rawPayload.byteLength).toBe(body.byteLength);
    expect(Buffer.compare(res.rawPayload, body)).toBe(0);
  });

  it('answers a media type the contract does not declare with 415 problem+json naming the accepted ones', async () => {
    for (const type of ['application/json', 'application/pdf', undefined]) {
      const res = await post(Buffer.from('{"a":1}'), type);
      expect(res.statusCode, String(type)).toBe(415);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({ code: 'unsupported-media-type' });
      expect(res.json().detail).toContain('application/edi-x12');
    }
  });

  it('answers a body over the declared maxBytes with 413 problem+json', async () => {
    const res = await post(Buffer.alloc(64 * MiB + 1), 'application/edi-x12');
    expect(res.statusCode).toBe(413);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'payload-too-large' });
  });

  it('keeps JSON routes JSON-only: a raw media type declared elsewhere is 415 there', async () => {
    const res = await post(Buffer.from('ISA*'), 'application/edi-x12', '/v1/tenancy/practices');
    expect(res.statusCode).toBe(415);
    expect(res.json().code).toBe('unsupported-media-type');
  });

  it('documents the raw body and response as binary content of each media type', async () => {
    const doc = (await platform.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect((await validate(structuredClone(doc))).valid).toBe(true);
    const post = doc.paths['/v1/billing/test-echo/{label}'].post;
    expect(Object.keys(post.requestBody.content)).toEqual(x12Types);
    expect(post.requestBody.content['application/edi-x12'].schema).toEqual({ type: 'string', format: 'binary' });
    expect(post.responses['200'].content['text/plain'].schema).toEqual({ type: 'string', format: 'binary' });
    expect(post.responses['415'].description).toContain('unsupported-media-type');
    expect(post.responses['413'].description).toContain('payload-too-large');
    expect(post.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`).sort()).toEqual(['path:label', 'query:note']);
  });
});
