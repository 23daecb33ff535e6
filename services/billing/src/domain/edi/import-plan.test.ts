import { describe, expect, it } from 'vitest';
import type { Claim837 } from '@mso/x12';
import { planImport, type Known } from './import-plan.js';
import { safeMessage } from './x12-problems.js';

const address = { line1: '1 MAIN ST', city: 'TAMPA', state: 'FL', postalCode: '33606' };
const claim = (pcn: string, extra: Partial<Claim837> = {}): Claim837 => ({
  patientControlNumber: pcn,
  chargeCents: 10_000,
  frequencyCode: '1',
  placeOfService: '11',
  diagnoses: [{ qualifier: 'ABK', code: 'E119' }],
  billingProvider: { name: 'CLINIC', npi: '1234567893', address, taxId: '123456789' },
  subscriber: { lastName: 'DOE', firstName: 'JANE', memberId: 'M1', relationship: '18', dateOfBirth: '1980-01-01', gender: 'F', address },
  payer: { name: 'AETNA', id: '60054' },
  claimFilingIndicator: 'CI',
  lines: [{ procedure: { qualifier: 'HC', code: '99213', modifiers: [] }, chargeCents: 10_000, units: 1, unitType: 'UN', diagnosisPointers: [1], serviceDate: '2026-05-01' }],
  ...extra,
});
const none: Known = { payers: [], providers: [], coverages: [], claimsByPcn: new Map() };
const ids = () => {
  let n = 0;
  return () => `id-${++n}`;
};

describe('planImport', () => {
  it('creates each payer, provider, patient and coverage once for the claims that share them', () => {
    const plan = planImport([claim('A'), claim('B'), claim('C', { subscriber: { ...claim('C').subscriber, memberId: 'M2', firstName: 'JOHN' } })], none, ids());
    expect(plan.payers).toHaveLength(1);
    expect(plan.providers).toMatchObject([{ kind: 'billing', npi: '1234567893', address, taxId: '123456789', taxonomyCode: null }]);
    expect(plan.patients.map((p) => p.firstName)).toEqual(['JANE', 'JOHN']);
    expect(plan.coverages.map((c) => [c.memberId, c.relationship, c.order])).toEqual([['M1', 'self', 'primary'], ['M2', 'self', 'primary']]);
    expect(plan.claims[0]!.patientId).toBe(plan.claims[1]!.patientId);
    expect(plan.claims[0]!.lines[0]!.lineControlNumber).toBe('A-1');
  });

  it('matches what the practice has: payer by payer id, provider by kind and NPI, patient by member id, payer and identity', () => {
    const known: Known = {
      payers: [{ id: 'payer-1', ediPayerId: '60054' }],
      providers: [{ id: 'prov-1', kind: 'billing', npi: '1234567893', address: null, taxId: null, taxonomyCode: null }],
      coverages: [{ id: 'cov-1', payerId: 'payer-1', memberId: 'M1', patientId: 'pat-1', patient: { firstName: 'Jane', lastName: 'Doe', dateOfBirth: '1980-01-01' } }],
      claimsByPcn: new Map(),
    };
    const plan = planImport([claim('A')], known, ids());
    expect(plan).toMatchObject({ payers: [], providers: [], patients: [], coverages: [], claims: [{ payerId: 'payer-1', billingProviderId: 'prov-1', patientId: 'pat-1', coverageId: 'cov-1' }] });
    // The file completes the provider record it matched.
    expect(plan.providerFills).toEqual([{ id: 'prov-1', address, taxId: '123456789' }]);
  });

  it("starts a created coverage at the earliest date of service of the patient's claims, in any order, and moves an imported coverage's start back", () => {
    const on = (pcn: string, day: string) => claim(pcn, { lines: [{ ...claim(pcn).lines[0]!, serviceDate: day }] });
    const plan = planImport([on('A', '2026-05-10'), on('B', '2026-05-03'), on('C', '2026-05-07')], none, ids());
    expect(plan.coverages.map((c) => c.effectiveFrom)).toEqual(['2026-05-03']);
    expect(plan.coverageStarts).toEqual([]);
    const jane = { firstName: 'Jane', lastName: 'Doe', dateOfBirth: '1980-01-01' };
    const known = (importId: string | null): Known => ({
      ...none,
      payers: [{ id: 'payer-1', ediPayerId: '60054' }],
      coverages: [{ id: 'cov-1', payerId: 'payer-1', memberId: 'M1', patientId: 'pat-1', patient: jane, effectiveFrom: '2026-05-05', importId }],
    });
    expect(planImport([on('D', '2026-05-06'), on('E', '2026-04-28'), on('F', '2026-05-01')], known('imp-1'), ids()).coverageStarts).toEqual([{ id: 'cov-1', effectiveFrom: '2026-04-28' }]);
    expect(planImport([on('D', '2026-05-06')], known('imp-1'), ids()).coverageStarts).toEqual([]);
    // A coverage a person entered keeps its dates: the scrubber tells the biller.
    expect(planImport([on('E', '2026-04-28')], known(null), ids()).coverageStarts).toEqual([]);
  });

  it("gives a dependent (loop 2010CA) a patient of their own on the subscriber's member id", () => {
    const child = claim('A', { patient: { lastName: 'DOE', firstName: 'KID', relationship: '19', dateOfBirth: '2015-01-01', gender: 'M', address }, subscriber: { ...claim('A').subscriber, relationship: '' } });
    const plan = planImport([claim('S'), child], none, ids());
    expect(plan.patients.map((p) => p.firstName)).toEqual(['JANE', 'KID']);
    expect(plan.coverages[1]).toMatchObject({ memberId: 'M1', relationship: 'child', subscriber: { firstName: 'JANE', dateOfBirth: '1980-01-01' } });
  });

  it('skips a claim number the practice has, and refuses one the file repeats or a patient without a date of birth', () => {
    const known: Known = { ...none, claimsByPcn: new Map([['A', 'claim-a']]) };
    const noDob = claim('C', { subscriber: { ...claim('C').subscriber, dateOfBirth: undefined as never } });
    const plan = planImport([claim('A'), claim('B'), claim('B'), noDob], known, ids(), [10, 30, 50, 70]);
    expect(plan.claims.map((c) => c.patientControlNumber)).toEqual(['B']);
    expect(plan.warnings).toEqual([expect.objectContaining({ code: 'duplicate-patient-control-number', segmentIndex: 10, segmentId: 'CLM', elementIndex: 1 })]);
    expect(plan.problems.map((p) => p.message)).toEqual([
      "CLM at segment 50 (CLM01 'B'): the file has this patient control number twice",
      "CLM at segment 70 (CLM01 'C'): the patient (loop 2010BA) needs a DMG date of birth",
    ]);
  });

  it('keeps what billing has no column for in details, to write the claim back as sent', () => {
    const plan = planImport([claim('A', { medicalRecordNumber: 'MR1', releaseOfInformation: 'I', dates: [{ qualifier: '431', date: '2026-04-01' }] })], none, ids());
    expect(plan.claims[0]!.details).toEqual({ medicalRecordNumber: 'MR1', releaseOfInformation: 'I', dates: [{ qualifier: '431', date: '2026-04-01' }], claimFilingIndicator: 'CI', subscriber: {} });
  });
});

describe('X12 messages', () => {
  it('name the segment but not the values of segments that carry PHI', () => {
    expect(safeMessage({ segmentId: 'DMG', message: "DMG02 '19800203X' is not a date" })).toBe("DMG02 '…' is not a date");
    expect(safeMessage({ segmentId: 'ISA', message: "claims[0].subscriber.lastName 'O~B' contains a delimiter" })).toBe("claims[0].subscriber.lastName '…' contains a delimiter");
    expect(safeMessage({ segmentId: 'CLM', message: "CLM02 '2X0' is not an amount" })).toBe("CLM02 '2X0' is not an amount");
  });
});
