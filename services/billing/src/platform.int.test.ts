import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform, type TestResponse } from '@mso/testing';
import { billing } from './service.js';

// Through the gateway, on the running NATS and PostgreSQL: the practice's agreement decides, the tenant wall holds.

let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform({ services: ['tenancy', billing], transport: 'real' });
  p.clock.set('2026-05-22T15:00:00Z');
});
afterAll(() => p?.close());

const as = (key: string) => (method: string, url: string, body?: unknown): Promise<TestResponse> => p.request({ method, url, key, ...(body !== undefined ? { body } : {}) });

describe('billing master data through the gateway', () => {
  it('sets up a practice for billing; keeps other practices out', async () => {
    const practice = await p.createPractice({ services: ['billing'], terms: { billing: { timelyFilingDays: 90, feeBasisPointsOfNetCollections: 600 } } });
    const call = as(practice.key);

    const payer = await call('POST', '/v1/billing/payers', { name: 'Aetna', ediPayerId: '60054', claimFilingIndicatorCode: 'CI', erasByTraceNumber: true });
    expect(payer.status).toBe(201);
    const patient = await call('POST', '/v1/billing/patients', {
      firstName: 'Maria',
      lastName: 'Gonzalez',
      dateOfBirth: '1975-04-12',
      sex: 'F',
      address: { line1: '100 Bayshore Blvd', city: 'Tampa', state: 'FL', postalCode: '33606' },
    });
    expect(patient.status).toBe(201);
    const coverage = await call('POST', '/v1/billing/coverages', {
      patientId: patient.json.id,
      payerId: payer.json.id,
      memberId: 'W123456789',
      relationship: 'self',
      order: 'primary',
      effectiveFrom: '2026-01-01',
    });
    expect(coverage.status).toBe(201);
    const provider = await call('POST', '/v1/billing/providers', { kind: 'billing', npi: '1234567893', taxonomyCode: '207Q00000X', name: 'Bayshore Family Medicine' });
    expect(provider.status).toBe(201);
    const badNpi = await call('POST', '/v1/billing/providers', { kind: 'rendering', npi: '1234567890', taxonomyCode: '207Q00000X', name: 'Rivera', firstName: 'Ana' });
    expect(badNpi.status).toBe(422);
    expect(badNpi.json).toMatchObject({ code: 'unprocessable', errors: [{ path: '/npi' }] });
    const schema = await call('POST', '/v1/billing/payers', { name: 'X', ediPayerId: 'X1', claimFilingIndicatorCode: 'CI', unknown: true });
    expect(schema.status).toBe(400);
    const schedule = await call('POST', '/v1/billing/fee-schedules', {
      name: 'Aetna 2026',
      payerId: payer.json.id,
      entries: [{ code: '99213', modifiers: ['25'], chargeCents: 12_500, effectiveFrom: '2026-01-01' }],
    });
    expect(schedule.status).toBe(201);
    const fee = await call('GET', `/v1/billing/fees/lookup?payerId=${payer.json.id}&code=99213&modifiers=25&dateOfService=2026-05-01`);
    expect(fee.status).toBe(200);
    expect(fee.json).toMatchObject({ chargeCents: 12_500, scheduleId: schedule.json.id, fromDefault: false });
    expect((await call('GET', '/v1/billing/patients?lastName=gon')).json.items.map((x: { id: string }) => x.id)).toEqual([patient.json.id]);

    // Another practice with billing: the first one's patient is as missing as a made-up id.
    const other = await p.createPractice({ services: ['billing'] });
    const theirs = await as(other.key)('GET', `/v1/billing/patients/${patient.json.id}`);
    expect(theirs.status).toBe(404);
    expect((await as(other.key)('GET', '/v1/billing/patients')).json.items).toEqual([]);

    // A practice whose agreement does not include billing.
    const helpdeskOnly = await p.createPractice({ services: ['helpdesk'] });
    const refused = await as(helpdeskOnly.key)('GET', '/v1/billing/payers');
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ code: 'service-not-in-agreement' });
  });
});
