import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineService } from '@mso/kit';
import { startTestPlatform, validNpi, type TestPlatform } from '@mso/testing';
import { tenancy } from './service.js';

// A helpdesk with no handlers (and so a contract of none) of its own: the kit still answers its `info` operation.
const helpdeskShell = defineService({ id: 'helpdesk', version: '9.9.9', description: 'test', operations: [], handlers: [] });

let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform({ services: [tenancy, helpdeskShell] });
});
afterAll(async () => {
  await p?.close();
});

const practiceBody = (overrides: Record<string, unknown> = {}, agreement: Record<string, unknown> = {}) => ({
  name: 'Lakeside Pediatrics',
  npi: validNpi(Math.floor(Math.random() * 1e8)),
  taxId: '12-3456789',
  state: 'OH',
  ...overrides,
  agreement: { model: 'third-party', services: ['billing'], ...agreement },
});

describe('onboarding a practice', () => {
  it('creates a practice with its agreement and answers 201', async () => {
    const res = await p.request({ method: 'POST', url: '/v1/tenancy/practices', body: practiceBody({}, { services: ['billing', 'helpdesk'] }) });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ name: 'Lakeside Pediatrics', agreement: { model: 'third-party', services: ['billing', 'helpdesk'], version: 1 } });
    expect(res.json.agreement.effectiveFrom).toBe('2026-03-02'); // from the injected clock
    const got = await p.request({ method: 'GET', url: `/v1/tenancy/practices/${res.json.id}` });
    expect(got.status).toBe(200);
    expect(got.json.id).toBe(res.json.id);
  });

  it('rejects an NPI with a wrong check digit with 422 naming the field', async () => {
    const res = await p.request({ method: 'POST', url: '/v1/tenancy/practices', body: practiceBody({ npi: '1234567890' }) });
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json.code).toBe('unprocessable');
    expect(res.json.errors).toContainEqual({ path: '/npi', message: expect.stringContaining('check digit') });
  });

  it('rejects an unknown service with 422 naming the entry', async () => {
    const res = await p.request({ method: 'POST', url: '/v1/tenancy/practices', body: practiceBody({}, { services: ['billing', 'payroll'] }) });
    expect(res.status).toBe(422);
    expect(res.json.errors[0].path).toBe('/agreement/services/1');
    expect(res.json.detail).toContain('payroll');
  });

  it('reports every problem of a request at once', async () => {
    const res = await p.request({ method: 'POST', url: '/v1/tenancy/practices', body: practiceBody({ npi: '2366554859' }, { services: ['billing', 'payroll'] }) });
    expect(res.status).toBe(422);
    expect(res.json.errors.map((e: { path: string }) => e.path)).toEqual(['/npi', '/agreement/services/1']);
  });

  it('enforces the model rules', async () => {
    const captive = await p.request({ method: 'POST', url: '/v1/tenancy/practices', body: practiceBody({}, { model: 'captive-pc', services: ['billing', 'hr'] }) });
    expect(captive.status).toBe(422);
    expect(captive.json.detail).toMatch(/all five services/);

    const jv = await p.request({
      method: 'POST',
      url: '/v1/tenancy/practices',
      body: practiceBody({}, { model: 'joint-venture', ownership: [{ party: 'MSO', percent: 51 }, { party: 'Dr. Lee', percent: 48.5 }] }),
    });
    expect(jv.status).toBe(422);
    expect(jv.json.errors[0]).toMatchObject({ path: '/agreement/ownership', message: expect.stringContaining('99.5') });

    const jvOk = await p.request({
      method: 'POST',
      url: '/v1/tenancy/practices',
      body: practiceBody({}, { model: 'joint-venture', ownership: [{ party: 'MSO', percent: 33.33 }, { party: 'A', percent: 33.33 }, { party: 'B', percent: 33.34 }] }),
    });
    expect(jvOk.status).toBe(201);

    const thirdPartyEmpty = await p.request({ method: 'POST', url: '/v1/tenancy/practices', body: practiceBody({}, { services: [] }) });
    expect(thirdPartyEmpty.status).toBe(422);
  });

  it('warns about fee splitting for a percentage fee in Florida', async () => {
    const res = await p.request({
      method: 'POST',
      url: '/v1/tenancy/practices',
      body: practiceBody({ state: 'FL' }, { fees: [{ service: 'billing', basis: 'percent-of-net-collections', rateBasisPoints: 700 }] }),
    });
    expect(res.status).toBe(201);
    expect(res.json.agreement.warnings).toEqual([expect.objectContaining({ code: 'fee-splitting-risk' })]);
  });

  it('answers 409 for a second practice with the same NPI', async () => {
    const body = practiceBody();
    expect((await p.request({ method: 'POST', url: '/v1/tenancy/practices', body })).status).toBe(201);
    const again = await p.request({ method: 'POST', url: '/v1/tenancy/practices', body });
    expect(again.status).toBe(409);
    expect(again.json.code).toBe('conflict');
  });

  it('replays a retried create with the same Idempotency-Key instead of creating twice', async () => {
    const body = practiceBody();
    const headers = { 'idempotency-key': `onboard-${body.npi}` };
    const first = await p.request({ method: 'POST', url: '/v1/tenancy/practices', body, headers });
    const second = await p.request({ method: 'POST', url: '/v1/tenancy/practices', body, headers });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.json.id).toBe(first.json.id);
  });
});

describe('bad requests get 4xx problem+json, never 5xx', () => {
  it('lists every schema violation with its path, unknown properties included', async () => {
    const res = await p.request({ method: 'POST', url: '/v1/tenancy/practices', body: { ...practiceBody(), state: 'Ohio', extra: 1 } });
    expect(res.status).toBe(400);
    expect(res.json.code).toBe('validation-failed');
    const paths = res.json.errors.map((e: { path: string }) => e.path);
    expect(paths).toContain('/state');
    expect(paths).toContain('/extra');
  });

  it('handles a body that is not JSON, too large, or of the wrong type', async () => {
    const notJson = await p.app.inject({ method: 'POST', url: '/v1/tenancy/practices', headers: { authorization: `Bearer ${p.adminKey}`, 'content-type': 'application/json' }, payload: '{"name":' });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.headers['content-type']).toContain('application/problem+json');

    const wrongType = await p.app.inject({ method: 'POST', url: '/v1/tenancy/practices', headers: { authorization: `Bearer ${p.adminKey}`, 'content-type': 'text/plain' }, payload: 'hello' });
    expect(wrongType.statusCode).toBe(415);

    const huge = await p.app.inject({
      method: 'POST',
      url: '/v1/tenancy/practices',
      headers: { authorization: `Bearer ${p.adminKey}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) }),
    });
    expect(huge.statusCode).toBe(413);
    expect(JSON.parse(huge.body).code).toBe('payload-too-large');

    const array = await p.request({ method: 'POST', url: '/v1/tenancy/practices', body: [1, 2] });
    expect(array.status).toBe(400);
  });

  it('answers 401 without a key or with an unknown one', async () => {
    const none = await p.app.inject({ method: 'GET', url: '/v1/tenancy/catalog' });
    expect(none.statusCode).toBe(401);
    expect(JSON.parse(none.body).code).toBe('unauthorized');
    const unknown = await p.request({ method: 'GET', url: '/v1/tenancy/catalog', key: 'mso_not-a-real-key' });
    expect(unknown.status).toBe(401);
  });

  it('answers 404 problem+json for an unknown route', async () => {
    const res = await p.request({ method: 'GET', url: '/v1/nothing/here' });
    expect(res.status).toBe(404);
    expect(res.json.code).toBe('not-found');
  });
});

describe('keys, roles and practices', () => {
  it('lets a practice key see its own practice only; another id answers 404 like a missing one', async () => {
    const a = await p.createPractice({ services: ['helpdesk'] });
    const b = await p.createPractice({ services: ['helpdesk'] });
    expect((await p.request({ method: 'GET', url: `/v1/tenancy/practices/${a.id}`, key: a.key })).status).toBe(200);
    const other = await p.request({ method: 'GET', url: `/v1/tenancy/practices/${b.id}`, key: a.key });
    const missing = await p.request({ method: 'GET', url: '/v1/tenancy/practices/00000000-0000-4000-8000-000000000000', key: a.key });
    expect(other.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(other.json.detail).toBe(missing.json.detail);
  });

  it('refuses an admin-only route to a practice key with 403', async () => {
    const a = await p.createPractice();
    const res = await p.request({ method: 'POST', url: '/v1/tenancy/api-keys', key: a.key, body: { role: 'mso-staff', label: 'x' } });
    expect(res.status).toBe(403);
    expect(res.json.code).toBe('forbidden');
  });

  it('answers a practice key sending an invalid body to an MSO-only route with 403, telling nothing of the schema', async () => {
    const a = await p.createPractice();
    const res = await p.request({ method: 'POST', url: '/v1/tenancy/practices', key: a.key, body: { bogus: true } });
    expect(res.status).toBe(403);
    expect(res.json.code).toBe('forbidden');
    expect(res.json.errors).toBeUndefined();
    // The same body from the MSO admin is validated and its errors listed.
    const admin = await p.request({ method: 'POST', url: '/v1/tenancy/practices', body: { bogus: true } });
    expect(admin.status).toBe(400);
    expect(admin.json.errors.map((e: { path: string }) => e.path)).toContain('/bogus');
  });

  it('lets an mso-staff key act for the practice named in X-Practice-Id, and asks for it when missing', async () => {
    const a = await p.createPractice({ services: ['helpdesk'] });
    const staff = await p.request({ method: 'POST', url: '/v1/tenancy/api-keys', body: { role: 'mso-staff', label: 'Ana (billing team)' } });
    expect(staff.status).toBe(201);
    const without = await p.request({ method: 'GET', url: '/v1/helpdesk/info', key: staff.json.key });
    expect(without.status).toBe(400);
    expect(without.json.errors[0].path).toBe('/headers/x-practice-id');
    const withIt = await p.request({ method: 'GET', url: '/v1/helpdesk/info', key: staff.json.key, headers: { 'x-practice-id': a.id } });
    expect(withIt.status).toBe(200);
    expect(withIt.json).toMatchObject({ service: 'helpdesk', version: '9.9.9', practiceId: a.id });
    const unknownPractice = await p.request({ method: 'GET', url: '/v1/helpdesk/info', key: staff.json.key, headers: { 'x-practice-id': '00000000-0000-4000-8000-000000000000' } });
    expect(unknownPractice.status).toBe(404);
  });

  it('stops accepting a revoked key within a second', async () => {
    const a = await p.createPractice();
    const key = await p.request({ method: 'POST', url: `/v1/tenancy/practices/${a.id}/api-keys`, body: { role: 'practice-user', label: 'front desk' } });
    expect((await p.request({ method: 'GET', url: '/v1/tenancy/me', key: key.json.key })).status).toBe(200);
    expect((await p.request({ method: 'DELETE', url: `/v1/tenancy/api-keys/${key.json.id}` })).status).toBe(200);
    const deadline = Date.now() + 1000;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await p.request({ method: 'GET', url: '/v1/tenancy/me', key: key.json.key })).status;
      if (status === 401) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(status).toBe(401);
  });
});

describe('entitlements', () => {
  it('answers 403 service-not-in-agreement until the agreement adds the service, then passes without restart', async () => {
    const a = await p.createPractice({ services: ['billing'] });
    const before = await p.request({ method: 'GET', url: '/v1/helpdesk/info', key: a.key });
    expect(before.status).toBe(403);
    expect(before.json.code).toBe('service-not-in-agreement');

    const put = await p.request({ method: 'PUT', url: `/v1/tenancy/practices/${a.id}/agreement`, body: { model: 'third-party', services: ['billing', 'helpdesk'] } });
    expect(put.status).toBe(200);
    expect(put.json.version).toBe(2);

    const started = Date.now();
    let after = await p.request({ method: 'GET', url: '/v1/helpdesk/info', key: a.key });
    while (after.status !== 200 && Date.now() - started < 1000) {
      await new Promise((r) => setTimeout(r, 10));
      after = await p.request({ method: 'GET', url: '/v1/helpdesk/info', key: a.key });
    }
    expect(after.status).toBe(200);

    // And removing it again closes the door.
    await p.request({ method: 'PUT', url: `/v1/tenancy/practices/${a.id}/agreement`, body: { model: 'third-party', services: ['billing'] } });
    let removed = await p.request({ method: 'GET', url: '/v1/helpdesk/info', key: a.key });
    const t = Date.now();
    while (removed.status === 200 && Date.now() - t < 1000) removed = await p.request({ method: 'GET', url: '/v1/helpdesk/info', key: a.key });
    expect(removed.status).toBe(403);
  });

  it('answers 503 service-unavailable for an entitled service that is not running', async () => {
    const a = await p.createPractice({ services: ['billing'] });
    const res = await p.request({ method: 'GET', url: '/v1/billing/info', key: a.key });
    expect(res.status).toBe(503);
    expect(res.json.code).toBe('service-unavailable');
  });

  it('lists the running services in the catalog', async () => {
    const res = await p.request({ method: 'GET', url: '/v1/tenancy/catalog' });
    expect(res.status).toBe(200);
    const byName = Object.fromEntries(res.json.services.map((s: { name: string; running: boolean }) => [s.name, s.running]));
    expect(byName).toMatchObject({ helpdesk: true, billing: false, hr: false });
    expect(res.json.models.map((m: { model: string }) => m.model)).toEqual(['third-party', 'joint-venture', 'captive-pc']);
  });

  it('publishes tenancy.practice.created through the outbox', async () => {
    const received: string[] = [];
    const consumer = await p.runtime.bus.consume({
      producer: 'tenancy',
      durable: 'test-observer',
      filter: 'evt.tenancy.practice.created',
      handler: async (e) => {
        received.push(JSON.parse(new TextDecoder().decode(e.data)).data.practice.id);
      },
    });
    const a = await p.createPractice();
    await p.runtime.host.flushOutbox();
    const deadline = Date.now() + 3000;
    while (!received.includes(a.id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await consumer.stop();
    expect(received).toContain(a.id);
  });
});
