import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform, type TestResponse } from '@mso/testing';
import { billing } from './service.js';

// Through the gateway, on the running NATS and PostgreSQL: a refused submission's findings reach the caller.

let p: TestPlatform;
beforeAll(async () => {
  p = await startTestPlatform({ services: ['tenancy', billing], transport: 'real' });
  p.clock.set('2026-05-22T15:00:00Z');
});
afterAll(() => p?.close());

const as = (key: string) => (method: string, url: string, body?: unknown): Promise<TestResponse> => p.request({ method, url, key, ...(body !== undefined ? { body } : {}) });

it('answers a submission the scrubber refuses with 422 claim-scrub-failed and its findings, then submits the fixed claim', async () => {
  const practice = await p.createPractice({ services: ['billing'], terms: { billing: { timelyFilingDays: 90 } } });
  const call = as(practice.key);
  const payer = (await call('POST', '/v1/billing/payers', { name: 'Aetna', ediPayerId: '60054', claimFilingIndicatorCode: 'CI' })).json;
  const patient = (
    await call('POST', '/v1/billing/patients', { firstName: 'Maria', lastName: 'Gonzalez', dateOfBirth: '1975-04-12', sex: 'F', address: { line1: '100 Bayshore Blvd', city: 'Tampa', state: 'FL', postalCode: '33606' } })
  ).json;
  await call('POST', '/v1/billing/coverages', { patientId: patient.id, payerId: payer.id, memberId: 'W123456789', relationship: 'self', order: 'primary', effectiveFrom: '2026-01-01' });
  const provider = (await call('POST', '/v1/billing/providers', { kind: 'billing', npi: '1234567893', taxonomyCode: '207Q00000X', name: 'Bayshore Family Medicine' })).json;

  const encounter = await call('POST', '/v1/billing/encounters', {
    patientId: patient.id,
    billingProviderId: provider.id,
    placeOfService: '11',
    dateOfService: '2026-05-20',
    diagnoses: [{ code: 'E11.9' }],
    charges: [{ procedureCode: '99213', units: 0, chargeCents: 12_500, diagnosisPointers: [1] }],
  });
  expect(encounter.status).toBe(201);
  const claim = await call('POST', `/v1/billing/encounters/${encounter.json.id}/claim`, {});
  expect(claim.status).toBe(201);
  // HR never announced this provider (no hr here): a warning, which does not block.
  expect(claim.json).toMatchObject({ status: 'draft', findings: [{ code: 'units-positive', field: '/lines/0/units' }, { code: 'provider-credentials-unknown', severity: 'warning', field: '/billingProviderId' }] });

  const refused = await call('POST', `/v1/billing/claims/${claim.json.id}/submit`, {});
  expect(refused.status).toBe(422);
  expect(refused.headers['content-type']).toContain('application/problem+json');
  expect(refused.json).toMatchObject({ code: 'claim-scrub-failed', status: 422, findings: [{ code: 'units-positive', severity: 'error', field: '/lines/0/units' }, { code: 'provider-credentials-unknown', severity: 'warning', field: '/billingProviderId' }] });

  const line = claim.json.lines[0];
  const fixed = await call('PATCH', `/v1/billing/claims/${claim.json.id}`, {
    lines: [{ id: line.id, procedureCode: '99213', units: 1, chargeCents: 12_500, diagnosisPointers: [1], serviceDate: '2026-05-20' }],
  });
  expect(fixed.json).toMatchObject({ status: 'ready', findings: [{ code: 'provider-credentials-unknown', severity: 'warning', field: '/billingProviderId' }] });
  const submitted = await call('POST', `/v1/billing/claims/${claim.json.id}/submit`, {});
  expect(submitted.status).toBe(200);
  expect(submitted.json).toMatchObject({ status: 'submitted', submissionCount: 1 });
});
