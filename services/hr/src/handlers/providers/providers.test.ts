import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addCredential, addEnrollment, createPerson, createProvider, getProvider, listProviders, providerCredentialsChanged, updateCredential, updateEnrollment } from '@mso/contracts/hr';
import { jsonWithoutIds, testService, validNpi, type TestService } from '@mso/testing';
import { hr } from '../../service.js';

let t: TestService;
let practiceA: string;
let practiceB: string;
let personId: string;

const adminOf = (practiceId: string) => ({ practiceId, role: 'practice-admin' as const });
const npi = validNpi(12_345_678);

beforeAll(async () => {
  t = await testService(hr, { clock: '2026-03-02T15:00:00Z' });
  practiceA = await t.practice({ services: ['hr'] });
  practiceB = await t.practice({ services: ['hr'] });
  personId = (
    await t.call(
      createPerson,
      { firstName: 'Maya', lastName: 'Chen', ssn: '321-54-9876', dateOfBirth: '1979-09-30', employment: { employer: practiceA, title: 'Physician', department: 'Family medicine', fte: 1, pay: { basis: 'salary', amountCents: 240_000_00 }, startDate: '2026-01-05' } },
      adminOf(practiceA),
    )
  ).id;
});
afterAll(() => t.close());

describe('providers and credentials', () => {
  it('checks the NPI check digit and keeps one provider per NPI and practice', async () => {
    const wrong = npi.slice(0, 9) + String((Number(npi[9]) + 1) % 10);
    await expect(t.call(createProvider, { personId, npi: wrong, taxonomy: '207Q00000X' }, adminOf(practiceA))).rejects.toMatchObject({ status: 400, errors: [{ path: '/npi' }] });
    const provider = await t.call(createProvider, { personId, npi, taxonomy: '207Q00000X' }, adminOf(practiceA));
    expect(provider).toMatchObject({ practiceId: practiceA, npi, credentials: [], enrollments: [] });
    await expect(t.call(createProvider, { personId, npi, taxonomy: '207Q00000X' }, adminOf(practiceA))).rejects.toMatchObject({ status: 409 });
    // Another practice neither sees the person nor the provider.
    await expect(t.call(createProvider, { personId, npi, taxonomy: '207Q00000X' }, adminOf(practiceB))).rejects.toMatchObject({ status: 404 });
    await expect(t.call(getProvider, { id: provider.id }, adminOf(practiceB))).rejects.toMatchObject({ status: 404 });
    expect(await t.call(listProviders, {}, adminOf(practiceB))).toEqual([]);
    expect((await t.call(listProviders, { practiceId: practiceA }, { role: 'mso-staff' })).map((p) => p.id)).toEqual([provider.id]);
  });

  it('records every kind of credential, dating CAQH and recredentialing itself', async () => {
    const [provider] = await t.call(listProviders, {}, adminOf(practiceA));
    const add = (body: object) => t.call(addCredential, { providerId: provider!.id, ...body } as never, adminOf(practiceA));
    await add({ kind: 'dea', state: 'FL', number: 'BC1234563', issuedOn: '2025-06-01', expiresOn: '2028-05-31' });
    await add({ kind: 'board-certification', issuer: 'ABFM Family Medicine', issuedOn: '2015-07-01', expiresOn: '2035-12-31' });
    await add({ kind: 'malpractice', carrier: 'Doctors Co', number: 'POL-77', limits: { perClaimCents: 1_000_000_00, aggregateCents: 3_000_000_00 }, issuedOn: '2026-01-01', expiresOn: '2027-01-01' });
    expect(await add({ kind: 'caqh-attestation', issuedOn: '2026-02-01' })).toMatchObject({ expiresOn: '2026-06-01' });
    expect(await add({ kind: 'recredentialing', issuedOn: '2026-01-15' })).toMatchObject({ expiresOn: '2029-01-15' });
    await expect(add({ kind: 'state-licence', state: 'FL', issuedOn: '2026-01-01', expiresOn: '2028-01-31' })).rejects.toMatchObject({ status: 400, errors: [{ path: '/number' }] });
    expect((await t.call(getProvider, { id: provider!.id }, adminOf(practiceA))).credentials).toHaveLength(5);
    // Nothing of these reaches billing's view: only licences and enrollments do.
    expect(await t.events(providerCredentialsChanged)).toEqual([]);
  });

  it('announces the whole set of licences and enrollments on each change, without personal data', async () => {
    const [provider] = await t.call(listProviders, {}, adminOf(practiceA));
    const licence = await t.call(addCredential, { providerId: provider!.id, kind: 'state-licence', state: 'FL', number: 'ME123456', issuedOn: '2024-02-01', expiresOn: '2026-01-31' }, adminOf(practiceA));
    const enrollment = await t.call(addEnrollment, { providerId: provider!.id, payerId: 'BCBSFL', effectiveFrom: '2026-01-05' }, adminOf(practiceA));
    await expect(t.call(addEnrollment, { providerId: provider!.id, payerId: 'BCBSFL', effectiveFrom: '2026-02-01' }, adminOf(practiceA))).rejects.toMatchObject({ status: 409 });
    await t.call(updateCredential, { id: licence.id, expiresOn: '2028-01-31' }, adminOf(practiceA));
    await t.call(updateEnrollment, { id: enrollment.id, effectiveTo: '2026-12-31' }, adminOf(practiceA));
    await expect(t.call(updateCredential, { id: licence.id, expiresOn: '2029-01-31' }, adminOf(practiceB))).rejects.toMatchObject({ status: 404 });
    const events = await t.events(providerCredentialsChanged);
    expect(events.map((e) => e.data)).toEqual([
      { npi, practiceId: practiceA, licences: [{ state: 'FL', from: '2024-02-01', to: '2026-01-31' }], enrollments: [] },
      { npi, practiceId: practiceA, licences: [{ state: 'FL', from: '2024-02-01', to: '2026-01-31' }], enrollments: [{ payerId: 'BCBSFL', from: '2026-01-05', to: null }] },
      { npi, practiceId: practiceA, licences: [{ state: 'FL', from: '2024-02-01', to: '2028-01-31' }], enrollments: [{ payerId: 'BCBSFL', from: '2026-01-05', to: null }] },
      { npi, practiceId: practiceA, licences: [{ state: 'FL', from: '2024-02-01', to: '2028-01-31' }], enrollments: [{ payerId: 'BCBSFL', from: '2026-01-05', to: '2026-12-31' }] },
    ]);
    expect(events.every((e) => e.tenantid === practiceA && e.subject === provider!.id)).toBe(true);
    expect(jsonWithoutIds(events)).not.toMatch(/Chen|9876|1979/);
  });
});
