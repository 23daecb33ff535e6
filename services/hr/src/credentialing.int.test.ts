import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestPlatform, type TestPlatform, type TestResponse, validNpi } from '@mso/testing';
import { hr } from './service.js';

// Through the gateway, on the running NATS and PostgreSQL: billing obeys the credentials HR keeps. A
// claim rendered after the provider's licence lapsed is refused at submission; once HR records the
// renewal and billing has heard of it, the same claim goes. A provider HR never heard of only warns.

let p: TestPlatform;
let practice: { id: string; key: string };
let payerId: string;
let patientId: string;
let billingProviderId: string;

const call = (method: string, url: string, body?: unknown): Promise<TestResponse> => p.request({ method, url, key: practice.key, ...(body !== undefined ? { body } : {}) });

/** Reads until `done` holds; a bounded number of tries, so a view that never arrives fails the test. */
type Finding = { code: string; severity: string; field: string; message: string };
const codes = (r: TestResponse) => ((r.json?.findings ?? []) as Finding[]).map((f) => f.code);

/** A billing rendering provider with that NPI and an office visit by them on the date, built into a claim. */
async function claimRenderedBy(npi: string, name: string, dateOfService: string): Promise<string> {
  const rendering = await call('POST', '/v1/billing/providers', { kind: 'rendering', npi, taxonomyCode: '207Q00000X', name, firstName: 'Grace' });
  expect(rendering.status).toBe(201);
  const encounter = await call('POST', '/v1/billing/encounters', {
    patientId,
    billingProviderId,
    renderingProviderId: rendering.json.id,
    placeOfService: '11',
    dateOfService,
    diagnoses: [{ code: 'E11.9' }],
    charges: [{ procedureCode: '99213', chargeCents: 12_500, diagnosisPointers: [1] }],
  });
  expect(encounter.status).toBe(201);
  const claim = await call('POST', `/v1/billing/encounters/${encounter.json.id}/claim`, {});
  expect(claim.status).toBe(201);
  return claim.json.id as string;
}

beforeAll(async () => {
  p = await startTestPlatform({ services: ['tenancy', hr, 'billing'], transport: 'real' });
  p.clock.set('2026-05-22T15:00:00Z');
  practice = await p.createPractice({ services: ['billing', 'hr'], state: 'FL', terms: { billing: { timelyFilingDays: 90 } } });

  const payer = await call('POST', '/v1/billing/payers', { name: 'Aetna', ediPayerId: '60054', claimFilingIndicatorCode: 'CI' });
  expect(payer.status).toBe(201);
  payerId = payer.json.id;
  const patient = await call('POST', '/v1/billing/patients', {
    firstName: 'Maria',
    lastName: 'Gonzalez',
    dateOfBirth: '1975-04-12',
    sex: 'F',
    address: { line1: '100 Bayshore Blvd', city: 'Tampa', state: 'FL', postalCode: '33606' },
  });
  expect(patient.status).toBe(201);
  patientId = patient.json.id;
  const coverage = await call('POST', '/v1/billing/coverages', { patientId, payerId, memberId: 'W123456789', relationship: 'self', order: 'primary', effectiveFrom: '2026-01-01' });
  expect(coverage.status).toBe(201);
  const billingProvider = await call('POST', '/v1/billing/providers', { kind: 'billing', npi: '1234567893', taxonomyCode: '207Q00000X', name: 'Bayshore Family Medicine' });
  expect(billingProvider.status).toBe(201);
  billingProviderId = billingProvider.json.id;
}, 60_000);
afterAll(() => p?.close());

describe('billing obeys the credentials HR keeps', () => {
  it('refuses a claim rendered after the licence lapsed, and submits it once HR records the renewal', async () => {
    const npi = validNpi(Math.floor(Math.random() * 90_000_000));
    // HR: the physician is an employee of the practice and one of its providers, licensed in Florida
    // until 30 April 2026 and enrolled with Aetna (EDI payer id 60054) since January.
    const person = await call('POST', '/v1/hr/people', {
      firstName: 'Grace',
      lastName: 'Okafor',
      ssn: '321-54-9876',
      dateOfBirth: '1980-03-14',
      employment: { employer: practice.id, title: 'Physician', department: 'Clinic', fte: 1, pay: { basis: 'salary', amountCents: 240_000_00 }, startDate: '2024-02-01' },
    });
    expect(person.status).toBe(201);
    const provider = await call('POST', '/v1/hr/providers', { personId: person.json.id, npi, taxonomy: '207Q00000X' });
    expect(provider.status).toBe(201);
    const licence = await call('POST', `/v1/hr/providers/${provider.json.id}/credentials`, { kind: 'state-licence', state: 'FL', number: 'ME123456', issuedOn: '2024-02-01', expiresOn: '2026-04-30' });
    expect(licence.status).toBe(201);
    const enrollment = await call('POST', `/v1/hr/providers/${provider.json.id}/enrollments`, { payerId: '60054', effectiveFrom: '2026-01-01' });
    expect(enrollment.status).toBe(201);

    // Billing: the same physician renders a visit on 19 May, after the licence lapsed.
    const claimId = await claimRenderedBy(npi, 'Okafor', '2026-05-19');
    const lapsed = `the rendering provider (${npi}) holds no FL licence in effect on 2026-05-19`;
    // Once billing holds HR's latest set (the licence and the enrollment), the licence alone is wrong.
    await eventually(
      () => call('POST', `/v1/billing/claims/${claimId}/scrub`, {}),
      (r) => r.status === 200 && JSON.stringify(r.json.findings.filter((f: Finding) => f.code === 'provider-not-credentialed').map((f: Finding) => f.message)) === JSON.stringify([lapsed]),
      { what: "HR's licence and enrollment in billing's view" },
    );

    const refused = await call('POST', `/v1/billing/claims/${claimId}/submit`, {});
    expect(refused.status).toBe(422);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json).toMatchObject({ code: 'claim-scrub-failed', status: 422 });
    expect(refused.json.findings).toEqual([{ code: 'provider-not-credentialed', severity: 'error', field: '/renderingProviderId', message: lapsed }]);
    expect((await call('GET', `/v1/billing/claims/${claimId}`)).json).toMatchObject({ status: 'draft', submissionCount: 0 });

    // HR records the renewal: the licence now runs to 30 April 2028.
    p.clock.advance(60 * 60_000);
    const renewed = await call('PATCH', `/v1/hr/credentials/${licence.json.id}`, { expiresOn: '2028-04-30' });
    expect(renewed.status).toBe(200);
    expect(renewed.json).toMatchObject({ id: licence.json.id, expiresOn: '2028-04-30' });

    const clean = await eventually(() => call('POST', `/v1/billing/claims/${claimId}/scrub`, {}), (r) => r.status === 200 && !codes(r).includes('provider-not-credentialed'), { what: "the renewal in billing's view" });
    expect(clean.json).toEqual({ status: 'ready', findings: [] });
    const submitted = await call('POST', `/v1/billing/claims/${claimId}/submit`, {});
    expect(submitted.status).toBe(200);
    expect(submitted.json).toMatchObject({ status: 'submitted', submissionCount: 1, findings: [] });
  }, 60_000);

  it('only warns about a rendering provider HR has never heard of, and submits the claim', async () => {
    const npi = validNpi(Math.floor(Math.random() * 90_000_000));
    const claimId = await claimRenderedBy(npi, 'Rivera', '2026-05-20');
    const warned = { code: 'provider-credentials-unknown', severity: 'warning', field: '/renderingProviderId' };
    expect((await call('GET', `/v1/billing/claims/${claimId}`)).json).toMatchObject({ status: 'ready', findings: [warned] });
    const submitted = await call('POST', `/v1/billing/claims/${claimId}/submit`, {});
    expect(submitted.status).toBe(200);
    expect(submitted.json).toMatchObject({ status: 'submitted', findings: [warned] });
  }, 30_000);
});
