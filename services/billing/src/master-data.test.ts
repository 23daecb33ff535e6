import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addFeeEntries,
  createCoverage,
  createFeeSchedule,
  createPatient,
  createPayer,
  createProvider,
  getCoverage,
  getPatient,
  getPayer,
  getProvider,
  listCoverages,
  listFeeEntries,
  listFeeSchedules,
  listPatients,
  listPayers,
  listProviders,
  lookupFee,
  updateCoverage,
  updatePatient,
  updatePayer,
  updateProvider,
} from '@mso/contracts/billing';
import { testService, type TestService } from '@mso/testing';
import { billing } from './service.js';

let t: TestService;
let practiceId: string;
let otherPractice: string;
const admin = () => ({ practiceId, role: 'practice-admin' as const });
const user = () => ({ practiceId, role: 'practice-user' as const });

const address = { line1: '100 Bayshore Blvd', city: 'Tampa', state: 'FL', postalCode: '33606' };
const patient = (lastName: string, extra: Record<string, unknown> = {}) => ({ firstName: 'Maria', lastName, dateOfBirth: '1975-04-12', sex: 'F' as const, address, phone: '8135550100', ...extra });

/** Calls as `t.call` does, then moves the clock a second on: rows created one after another page in that order. */
const call = (async (...args: Parameters<TestService['call']>) => {
  try {
    return await t.call(...args);
  } finally {
    t.clock.advance(1000);
  }
}) as TestService['call'];

beforeAll(async () => {
  t = await testService(billing, { clock: '2026-05-22T15:00:00Z' });
  practiceId = await t.practice({ terms: { billing: { timelyFilingDays: 90 } } });
  otherPractice = await t.practice();
});
afterAll(() => t.close());

describe('payers', () => {
  it('creates, reads, filters and changes payers; a payer id is unique in the practice', async () => {
    const aetna = await call(createPayer, { name: 'Aetna', ediPayerId: '60054', claimFilingIndicatorCode: 'CI', erasByTraceNumber: true }, admin());
    expect(aetna).toMatchObject({ practiceId, name: 'Aetna', timelyFilingDays: null, erasByTraceNumber: true, active: true });
    await call(createPayer, { name: 'Medicare Part B Florida', ediPayerId: '09102', claimFilingIndicatorCode: 'MB', timelyFilingDays: 365 }, admin());
    await expect(call(createPayer, { name: 'Aetna again', ediPayerId: '60054', claimFilingIndicatorCode: 'CI' }, admin())).rejects.toMatchObject({ status: 409, errors: [{ path: '/ediPayerId' }] });
    // Another practice may bill the same payer.
    await call(createPayer, { name: 'Aetna', ediPayerId: '60054', claimFilingIndicatorCode: 'CI' }, { practiceId: otherPractice, role: 'practice-admin' });

    expect((await call(listPayers, { name: 'medicare' }, user())).items.map((p) => p.ediPayerId)).toEqual(['09102']);
    expect((await call(listPayers, { ediPayerId: '60054' }, user())).items.map((p) => p.id)).toEqual([aetna.id]);
    const changed = await call(updatePayer, { id: aetna.id, timelyFilingDays: 120, active: false }, { practiceId, role: 'mso-staff' });
    expect(changed).toMatchObject({ timelyFilingDays: 120, active: false, name: 'Aetna' });
    expect((await call(listPayers, { active: false }, user())).items.map((p) => p.id)).toEqual([aetna.id]);
  });

  it('lets practice users read but not set up payers', async () => {
    await expect(call(createPayer, { name: 'Cigna', ediPayerId: '62308', claimFilingIndicatorCode: 'CI' }, user())).rejects.toMatchObject({ status: 403 });
  });

  it("answers another practice's payer id with 404", async () => {
    const theirs = await call(createPayer, { name: 'Humana', ediPayerId: '61101', claimFilingIndicatorCode: 'CI' }, { practiceId: otherPractice, role: 'practice-admin' });
    await expect(call(getPayer, { id: theirs.id }, admin())).rejects.toMatchObject({ status: 404, code: 'not-found' });
    await expect(call(updatePayer, { id: theirs.id, name: 'Mine now' }, admin())).rejects.toMatchObject({ status: 404 });
  });

  it('refuses unknown fields and bad codes with 400', async () => {
    await expect(call(createPayer, { name: 'X', ediPayerId: 'X1', claimFilingIndicatorCode: 'CI', extra: 1 } as never, admin())).rejects.toMatchObject({ status: 400 });
    await expect(call(createPayer, { name: 'X', ediPayerId: 'X1', claimFilingIndicatorCode: 'Q9' } as never, admin())).rejects.toMatchObject({ status: 400 });
  });
});

describe('patients', () => {
  it('registers patients (front desk too), filters by last-name prefix and birth date, pages', async () => {
    const p = await call(createPatient, patient('Gonzalez'), user());
    expect(p).toMatchObject({ practiceId, lastName: 'Gonzalez', middleName: null, address, phone: '8135550100' });
    await call(createPatient, patient('Gomez', { dateOfBirth: '1990-01-01' }), user());
    await call(createPatient, patient('Smith'), user());
    await call(createPatient, patient('Go_ldberg'), user());
    await call(createPatient, patient('Gonzalez'), { practiceId: otherPractice, role: 'practice-user' });

    expect((await call(listPatients, { lastName: 'go' }, user())).items.map((x) => x.lastName)).toEqual(['Gonzalez', 'Gomez', 'Go_ldberg']);
    expect((await call(listPatients, { lastName: 'GO_' }, user())).items.map((x) => x.lastName)).toEqual(['Go_ldberg']);
    expect((await call(listPatients, { lastName: 'go', dateOfBirth: '1990-01-01' }, user())).items.map((x) => x.lastName)).toEqual(['Gomez']);

    const first = await call(listPatients, { limit: 2 }, user());
    expect(first.items.map((x) => x.lastName)).toEqual(['Gonzalez', 'Gomez']);
    const second = await call(listPatients, { limit: 2, cursor: first.nextCursor! }, user());
    expect(second.items.map((x) => x.lastName)).toEqual(['Smith', 'Go_ldberg']);
    expect(second.nextCursor).toBeNull();

    const moved = await call(updatePatient, { id: p.id, address: { ...address, line1: '200 Bayshore Blvd' }, phone: null }, user());
    expect(moved).toMatchObject({ address: { line1: '200 Bayshore Blvd' }, phone: null, lastName: 'Gonzalez' });
  });

  it('refuses a birth date in the future (422 naming the field) and a bad ZIP (400)', async () => {
    await expect(call(createPatient, patient('Late', { dateOfBirth: '2026-05-23' }), user())).rejects.toMatchObject({ status: 422, code: 'unprocessable', errors: [{ path: '/dateOfBirth' }] });
    await expect(call(createPatient, patient('Zip', { address: { ...address, postalCode: '3360' } }), user())).rejects.toMatchObject({ status: 400 });
  });

  it("answers another practice's patient with 404", async () => {
    const theirs = await call(createPatient, patient('Hidden'), { practiceId: otherPractice, role: 'practice-user' });
    await expect(call(getPatient, { id: theirs.id }, admin())).rejects.toMatchObject({ status: 404 });
    await expect(call(getPatient, { id: theirs.id }, { practiceId, role: 'mso-staff' })).rejects.toMatchObject({ status: 404 });
  });
});

describe('coverage', () => {
  it('adds primary and secondary coverage, with subscriber demographics when the patient is not the subscriber', async () => {
    const payer = await call(createPayer, { name: 'BCBS Florida', ediPayerId: '00590', claimFilingIndicatorCode: 'BL' }, admin());
    const medicaid = await call(createPayer, { name: 'Florida Medicaid', ediPayerId: '77027', claimFilingIndicatorCode: 'MC' }, admin());
    const child = await call(createPatient, patient('Child', { firstName: 'Leo', dateOfBirth: '2015-09-09', sex: 'M' }), user());
    const mother = { firstName: 'Maria', lastName: 'Child', dateOfBirth: '1985-03-03', sex: 'F' as const, address };

    await expect(call(createCoverage, { patientId: child.id, payerId: payer.id, memberId: 'XYZ123', relationship: 'child', order: 'primary', effectiveFrom: '2026-01-01' }, user())).rejects.toMatchObject({
      status: 422,
      errors: [{ path: '/subscriber' }],
    });
    const primary = await call(
      createCoverage,
      { patientId: child.id, payerId: payer.id, memberId: 'XYZ123', groupNumber: 'G-100', relationship: 'child', subscriber: mother, order: 'primary', effectiveFrom: '2026-01-01' },
      user(),
    );
    expect(primary).toMatchObject({ subscriber: mother, effectiveTo: null, order: 'primary', groupNumber: 'G-100' });

    // A second primary on the same days is refused; as secondary it is fine.
    const secondPrimary = { patientId: child.id, payerId: medicaid.id, memberId: 'M555', relationship: 'self' as const, order: 'primary' as const, effectiveFrom: '2026-03-01' };
    await expect(call(createCoverage, secondPrimary, user())).rejects.toMatchObject({ status: 409, errors: [{ path: '/order' }] });
    const secondary = await call(createCoverage, { ...secondPrimary, order: 'secondary' }, user());

    // Ending the primary lets another start after it.
    await call(updateCoverage, { id: primary.id, effectiveTo: '2026-02-28' }, user());
    await expect(call(updateCoverage, { id: secondary.id, order: 'primary' }, user())).resolves.toMatchObject({ order: 'primary' });
    await expect(call(updateCoverage, { id: primary.id, effectiveTo: '2025-12-31' }, user())).rejects.toMatchObject({ status: 422, errors: [{ path: '/effectiveTo' }] });

    expect((await call(listCoverages, { patientId: child.id }, user())).items.map((c) => c.id)).toEqual([primary.id, secondary.id]);
    expect((await call(listCoverages, { patientId: child.id, activeOn: '2026-02-15' }, user())).items.map((c) => c.id)).toEqual([primary.id]);
    expect((await call(listCoverages, { payerId: medicaid.id }, user())).items.map((c) => c.id)).toEqual([secondary.id]);
    expect(await call(getCoverage, { id: secondary.id }, admin())).toMatchObject({ memberId: 'M555', subscriber: null });
  });

  it("refuses coverage for another practice's patient or payer, naming the field", async () => {
    const theirPatient = await call(createPatient, patient('Elsewhere'), { practiceId: otherPractice, role: 'practice-user' });
    const payer = await call(createPayer, { name: 'United', ediPayerId: '87726', claimFilingIndicatorCode: 'CI' }, admin());
    await expect(
      call(createCoverage, { patientId: theirPatient.id, payerId: payer.id, memberId: 'U1', relationship: 'self', order: 'primary', effectiveFrom: '2026-01-01' }, user()),
    ).rejects.toMatchObject({ status: 422, errors: [{ path: '/patientId' }] });
  });
});

describe('providers', () => {
  it('checks the NPI check digit (422 naming /npi) and the taxonomy format (400)', async () => {
    await expect(call(createProvider, { kind: 'billing', npi: '1234567890', taxonomyCode: '207Q00000X', name: 'Bayshore Family Medicine' }, admin())).rejects.toMatchObject({
      status: 422,
      code: 'unprocessable',
      errors: [{ path: '/npi', message: 'the NPI check digit is wrong' }],
    });
    await expect(call(createProvider, { kind: 'billing', npi: '1234567893', taxonomyCode: '207Q0000', name: 'X' }, admin())).rejects.toMatchObject({ status: 400 });
  });

  it('keeps billing and rendering providers; the same NPI once per kind', async () => {
    const org = await call(createProvider, { kind: 'billing', npi: '1234567893', taxonomyCode: '207Q00000X', name: 'Bayshore Family Medicine' }, admin());
    const doc = await call(createProvider, { kind: 'rendering', npi: '1245319599', taxonomyCode: '207Q00000X', name: 'Rivera', firstName: 'Ana' }, admin());
    await call(createProvider, { kind: 'rendering', npi: '1234567893', taxonomyCode: '207Q00000X', name: 'Bayshore Family Medicine' }, admin());
    await expect(call(createProvider, { kind: 'billing', npi: '1234567893', taxonomyCode: '207Q00000X', name: 'Twice' }, admin())).rejects.toMatchObject({ status: 409 });
    expect(org).toMatchObject({ firstName: null, active: true });
    expect((await call(listProviders, { kind: 'rendering' }, user())).items.map((p) => p.npi)).toEqual(['1245319599', '1234567893']);
    expect((await call(listProviders, { kind: 'billing' }, user())).items.map((p) => p.id)).toEqual([org.id]);
    await expect(call(updateProvider, { id: doc.id, npi: '1245319598' }, admin())).rejects.toMatchObject({ status: 422, errors: [{ path: '/npi' }] });
    expect(await call(updateProvider, { id: doc.id, active: false }, admin())).toMatchObject({ active: false });
    await expect(call(getProvider, { id: doc.id }, { practiceId: otherPractice, role: 'practice-admin' })).rejects.toMatchObject({ status: 404 });
  });
});

describe('fee schedules', () => {
  let payerId: string;
  beforeAll(async () => {
    payerId = (await call(createPayer, { name: 'Cigna', ediPayerId: '62308', claimFilingIndicatorCode: 'CI' }, admin())).id;
  });

  it("looks a fee up on the payer's schedule, falling back to the default", async () => {
    const fallback = await call(
      createFeeSchedule,
      {
        name: 'Standard',
        payerId: null,
        entries: [
          { code: '99213', chargeCents: 15_000, effectiveFrom: '2025-01-01' },
          { code: '99214', chargeCents: 22_000, effectiveFrom: '2025-01-01' },
          { code: '99214', modifiers: ['25'], chargeCents: 23_000, effectiveFrom: '2025-01-01' },
        ],
      },
      admin(),
    );
    expect(fallback).toMatchObject({ payerId: null, entries: 3 });
    const cigna = await call(
      createFeeSchedule,
      {
        name: 'Cigna 2026',
        payerId,
        entries: [
          { code: '99213', chargeCents: 12_500, effectiveFrom: '2026-01-01', effectiveTo: '2026-06-30' },
          { code: '99213', chargeCents: 13_000, effectiveFrom: '2026-07-01' },
          { code: 'G0439', modifiers: ['59', '25'], chargeCents: 17_500, effectiveFrom: '2026-01-01' },
        ],
      },
      admin(),
    );

    expect(await call(lookupFee, { payerId, code: '99213', dateOfService: '2026-06-30' }, user())).toMatchObject({ chargeCents: 12_500, scheduleId: cigna.id, fromDefault: false });
    expect(await call(lookupFee, { payerId, code: '99213', dateOfService: '2026-07-01' }, user())).toMatchObject({ chargeCents: 13_000 });
    expect(await call(lookupFee, { payerId, code: 'G0439', modifiers: '25,59', dateOfService: '2026-03-01' }, user())).toMatchObject({ chargeCents: 17_500 });
    expect(await call(lookupFee, { payerId, code: '99214', modifiers: '25', dateOfService: '2026-03-01' }, user())).toMatchObject({ chargeCents: 23_000, scheduleId: fallback.id, fromDefault: true });
    expect(await call(lookupFee, { payerId, code: '99213', dateOfService: '2025-12-31' }, user())).toMatchObject({ chargeCents: 15_000, fromDefault: true });
    expect(await call(lookupFee, { code: '99213', dateOfService: '2026-03-01' }, user())).toMatchObject({ chargeCents: 15_000, fromDefault: true });
    await expect(call(lookupFee, { payerId, code: '99215', dateOfService: '2026-03-01' }, user())).rejects.toMatchObject({ status: 404 });
    // Another practice's schedules are not looked at.
    await expect(call(lookupFee, { code: '99213', dateOfService: '2026-03-01' }, { practiceId: otherPractice, role: 'practice-user' })).rejects.toMatchObject({ status: 404 });

    // Adding fees: overlapping ones are refused, naming the entry; others are added.
    await expect(call(addFeeEntries, { id: cigna.id, entries: [{ code: '99213', chargeCents: 1, effectiveFrom: '2027-01-01' }] }, admin())).rejects.toMatchObject({
      status: 422,
      errors: [{ path: '/entries/0' }],
    });
    const added = await call(addFeeEntries, { id: cigna.id, entries: [{ code: '99214', chargeCents: 20_000, effectiveFrom: '2026-01-01' }] }, admin());
    expect(added.items).toHaveLength(1);
    expect(await call(lookupFee, { payerId, code: '99214', dateOfService: '2026-03-01' }, user())).toMatchObject({ chargeCents: 20_000, fromDefault: false });

    const page = await call(listFeeEntries, { id: cigna.id, limit: 3 }, user());
    expect(page.items.map((e) => e.code)).toEqual(['99213', '99213', 'G0439']);
    expect((await call(listFeeEntries, { id: cigna.id, cursor: page.nextCursor! }, user())).items.map((e) => e.code)).toEqual(['99214']);
    expect((await call(listFeeEntries, { id: cigna.id, code: '99213', activeOn: '2026-08-01' }, user())).items.map((e) => e.chargeCents)).toEqual([13_000]);
    expect((await call(listFeeSchedules, { payerId }, user())).items.map((s) => [s.id, s.entries])).toEqual([[cigna.id, 4]]);
  });

  it('keeps one schedule per payer and one default; format-checks codes', async () => {
    await expect(call(createFeeSchedule, { name: 'Another default', payerId: null }, admin())).rejects.toMatchObject({ status: 409 });
    await expect(call(createFeeSchedule, { name: 'Cigna again', payerId }, admin())).rejects.toMatchObject({ status: 409 });
    const theirPayer = await call(createPayer, { name: 'Tricare', ediPayerId: '99726', claimFilingIndicatorCode: 'CH' }, { practiceId: otherPractice, role: 'practice-admin' });
    await expect(call(createFeeSchedule, { name: 'Theirs', payerId: theirPayer.id }, admin())).rejects.toMatchObject({ status: 422, errors: [{ path: '/payerId' }] });
    for (const code of ['9921', '992134', 'W1234', 'g0439']) {
      await expect(call(createFeeSchedule, { name: 'Bad', payerId: null, entries: [{ code, chargeCents: 1, effectiveFrom: '2026-01-01' }] }, admin()), code).rejects.toMatchObject({ status: 400 });
    }
    await expect(
      call(createFeeSchedule, { name: 'Bad', payerId: null, entries: [{ code: '99213', modifiers: ['25', '59', 'GT', 'XU', 'LT'], chargeCents: 1, effectiveFrom: '2026-01-01' }] }, admin()),
    ).rejects.toMatchObject({ status: 400 });
    await expect(call(createFeeSchedule, { name: 'Bad', payerId: null, entries: [] }, user())).rejects.toMatchObject({ status: 403 });
  });
});

describe('PHI', () => {
  it('records every patient and coverage access by id, and puts no demographics in any event', async () => {
    const p = await call(createPatient, patient('Quintanilla-Audit', { firstName: 'Rosalind' }), user());
    await call(getPatient, { id: p.id }, admin());
    await expect(call(getPatient, { id: p.id }, { practiceId: otherPractice, role: 'practice-admin' })).rejects.toMatchObject({ status: 404 });
    const events = await t.events('billing.audit.recorded');
    const mine = events.filter((e) => JSON.stringify(e).includes(p.id));
    expect(mine.length).toBeGreaterThanOrEqual(3);
    const everything = JSON.stringify(await t.events());
    for (const phi of ['Quintanilla', 'Rosalind', '1975-04-12', 'Bayshore', '8135550100']) expect(everything).not.toContain(phi);
  });
});
