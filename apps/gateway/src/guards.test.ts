import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createMemoryBus, type Bus } from '@mso/bus';
import { busHeaders } from '@mso/contracts';
import { entitlementsBucket, getCatalog, kvKeys } from '@mso/contracts/tenancy';
import { encodeJson, hashApiKey } from '@mso/kit';
import { buildGateway, type GatewayOptions } from './app.js';
import { gatewayLimitsFromEnv } from './guards.js';

const adminKey = 'mso_admin_guards';
const practiceKey = 'mso_practice_guards';
const practiceId = randomUUID();
let app: FastifyInstance | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** A gateway whose key cache already knows a practice-admin key (as tenancy would have written it). */
async function gateway(options: Partial<GatewayOptions> = {}, bus: Bus = createMemoryBus()): Promise<FastifyInstance> {
  const kv = await bus.kv(entitlementsBucket);
  await kv.put(kvKeys.apiKey(hashApiKey(practiceKey)), encodeJson({ keyId: randomUUID(), role: 'practice-admin', practiceId, revoked: false }));
  await kv.put(kvKeys.practice(practiceId), encodeJson({ practiceId, services: ['helpdesk'], effectiveFrom: '2020-01-01', effectiveTo: null }));
  app = await buildGateway({ bus, adminKey, env: {}, ...options });
  return app;
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('check order: authenticate, practice, entitlement, role, then validation', () => {
  it('answers a practice key sending an invalid body to an MSO-only route with 403, not the schema', async () => {
    const gw = await gateway();
    const res = await gw.inject({ method: 'POST', url: '/v1/tenancy/practices', headers: { ...bearer(practiceKey), 'content-type': 'application/json' }, payload: '{"bogus":1}' });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'forbidden' });
    expect(res.json().errors).toBeUndefined();
    // Not even whether the body parses, or its media type, is revealed.
    const garbled = await gw.inject({ method: 'POST', url: '/v1/tenancy/practices', headers: { ...bearer(practiceKey), 'content-type': 'application/json' }, payload: '{not json' });
    expect(garbled.statusCode).toBe(403);
    const wrongType = await gw.inject({ method: 'POST', url: '/v1/tenancy/practices', headers: { ...bearer(practiceKey), 'content-type': 'text/csv' }, payload: 'a,b' });
    expect(wrongType.statusCode).toBe(403);
  });

  it('answers 401 before anything else, and validates the body only for a caller who may use the route', async () => {
    const gw = await gateway();
    const anonymous = await gw.inject({ method: 'POST', url: '/v1/tenancy/practices', headers: { 'content-type': 'application/json' }, payload: '{"bogus":1}' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().code).toBe('unauthorized');
    const admin = await gw.inject({ method: 'POST', url: '/v1/tenancy/practices', headers: { ...bearer(adminKey), 'content-type': 'application/json' }, payload: '{"bogus":1}' });
    expect(admin.statusCode).toBe(400);
    expect(admin.json().code).toBe('validation-failed');
  });

  it('takes a POST without a body as an empty object: the route names the fields it needs', async () => {
    const gw = await gateway();
    const res = await gw.inject({ method: 'POST', url: '/v1/tenancy/practices', headers: bearer(adminKey) });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('validation-failed');
    expect(JSON.stringify(res.json())).not.toContain('must be object');
    expect(res.json().errors.length).toBeGreaterThan(0);
  });

  it('checks the entitlement before the role: a practice without the service learns only that', async () => {
    const gw = await gateway();
    // The practice has helpdesk only; hr is not in its agreement.
    const res = await gw.inject({ method: 'GET', url: '/v1/hr/info', headers: bearer(practiceKey) });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('service-not-in-agreement');
  });
});

describe('rate limits', () => {
  it('answers 429 problem+json with Retry-After past the per-key limit, counting keys and anonymous callers apart', async () => {
    const gw = await gateway({ limits: { rateLimitPerMinute: 3 } });
    for (let i = 0; i < 3; i++) {
      const res = await gw.inject({ method: 'GET', url: '/v1/tenancy/catalog', headers: bearer(adminKey) });
      expect(res.statusCode).toBe(503); // no tenancy runs here; the request still counts
    }
    const limited = await gw.inject({ method: 'GET', url: '/v1/tenancy/catalog', headers: bearer(adminKey) });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(limited.json()).toMatchObject({ status: 429, code: 'too-many-requests' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another key has its own budget.
    expect((await gw.inject({ method: 'GET', url: '/v1/helpdesk/info', headers: bearer(practiceKey) })).statusCode).toBe(503);
    // Callers without a valid key are counted by address, apart from the keys: guessing keys is throttled too.
    // (No tenancy runs here, so looking an unknown key up answers 503; past the budget it is not even tried.)
    expect((await gw.inject({ method: 'GET', url: '/v1/tenancy/catalog' })).statusCode).toBe(401);
    for (let i = 0; i < 2; i++) expect((await gw.inject({ method: 'GET', url: '/v1/tenancy/catalog', headers: bearer(`guess-${i}`) })).statusCode).toBe(503);
    const guessing = await gw.inject({ method: 'GET', url: '/v1/tenancy/catalog', headers: bearer('guess-3') });
    expect(guessing.statusCode).toBe(429);
    expect(guessing.json().code).toBe('too-many-requests');
    // Health and metrics are never throttled.
    for (let i = 0; i < 5; i++) expect((await gw.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });

  it('reads its limits from the environment and refuses a malformed value', () => {
    expect(gatewayLimitsFromEnv({ MSO_RATE_LIMIT_PER_MINUTE: '120', MSO_SHED_EVENT_LOOP_DELAY_MS: '250' })).toMatchObject({ rateLimitPerMinute: 120, maxEventLoopDelayMs: 250 });
    expect(gatewayLimitsFromEnv({}).rateLimitPerMinute).toBeGreaterThanOrEqual(100_000);
    expect(() => gatewayLimitsFromEnv({ MSO_RATE_LIMIT_PER_MINUTE: 'lots' })).toThrow(/MSO_RATE_LIMIT_PER_MINUTE/);
  });
});

describe('load shedding', () => {
  it('answers 503 problem+json with Retry-After while the process is over its threshold, and keeps /healthz answering', async () => {
    // A heap limit of 1 byte: over the threshold from the first sample on.
    const gw = await gateway({ limits: { maxHeapUsedBytes: 1, maxEventLoopDelayMs: 0, sampleIntervalMs: 10, retryAfterSeconds: 7 } });
    await expect.poll(() => gw.memoryUsage().heapUsed, { timeout: 5_000 }).toBeGreaterThan(1);
    const res = await gw.inject({ method: 'GET', url: '/v1/tenancy/catalog', headers: bearer(adminKey) });
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'service-unavailable' });
    expect(res.headers['retry-after']).toBe('7');
    expect((await gw.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
  });
});

describe('security headers', () => {
  it('sets helmet headers on API answers and keeps the docs UI loadable under its own CSP', async () => {
    const gw = await gateway();
    const res = await gw.inject({ method: 'GET', url: '/v1/tenancy/catalog', headers: bearer(adminKey) });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toContain('max-age=');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    const docs = await gw.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-security-policy']).toContain("script-src 'self'");
    expect(docs.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    // Every script the page loads comes from /docs itself, which that policy allows.
    const scripts = [...docs.body.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of scripts) {
      const script = await gw.inject({ method: 'GET', url: new URL(src, 'http://gateway/docs/').pathname });
      expect(script.statusCode, `${src} ${script.body.slice(0, 300)}`).toBe(200);
    }
  });
});

describe('replies the gateway passes on', () => {
  it('turns a replayed reply into Idempotent-Replayed: true and a reply location into Location', async () => {
    const bus = createMemoryBus();
    await bus.serve({
      service: 'tenancy',
      version: '1.0.0',
      subjects: [getCatalog.subject],
      handler: async () => ({
        data: encodeJson({ queued: true }),
        headers: { [busHeaders.status]: '202', [busHeaders.replayed]: 'true', [busHeaders.location]: '/v1/tenancy/jobs/42' },
      }),
    });
    const gw = await gateway({}, bus);
    const res = await gw.inject({ method: 'GET', url: '/v1/tenancy/catalog', headers: bearer(adminKey) });
    expect(res.statusCode).toBe(202);
    expect(res.headers['idempotent-replayed']).toBe('true');
    expect(res.headers.location).toBe('/v1/tenancy/jobs/42');
    expect(res.json()).toEqual({ queued: true });
  });
});
