import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProblemError } from '@mso/contracts';
import {
  addCharge,
  claimSubmitted,
  correctClaim,
  createClaimFromEncounter,
  createCoverage,
  createEncounter,
  createFeeSchedule,
  createPatient,
  createPayer,
  createProvider,
  getClaim,
  getEncounter,
  listClaims,
  listEncounters,
  scrubClaim,
  submitClaim,
  submitClaims,
  updateClaim,
  voidClaim,
  type Claim,
} from '@mso/contracts/billing';
import { providerCredentialsChanged } from '@mso/contracts/hr';
import { testService, type TestService } from '@mso/testing';
import { randomUUID } from 'node:crypto';
import { claims, providers } from './db/schema.js';
import { loadClaimRows } from './handlers/claim-store.js';
import { scrubStoredClaim, scrubStoredClaims } from './handlers/claims/lifecycle.js';
import { billing } from './service.js';

let t: TestService;
let practiceId: string;
let otherPractice: string;
const admin = () => ({ practiceId, role: 'practice-admin' as const });
const user = () => ({ practiceId, role: 'practice-user' as const });

const address = { line1: '100 Bayshore Blvd', city: 'Tampa', state: 'FL', postalCode: '33606' };
let payerId: string;
let patientId: string;
let coverageId: string;
let billingProviderId: string;
let renderingProviderId: string;

/** Calls as `t.call` does, then moves the clock a second on: rows created one after another page in that order. */
const call = (async (...args: Parameters<TestService['call']>) => {
  try {
    return await t.call(...args);
  } finally {
    t.clock.advance(1000);
  }
}) as TestService['call'];

/** The problem a call answered, as the API shows it. */
async function problemOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProblemError);
  return (error as ProblemError).toProblem() as ReturnType<ProblemError['toProblem']> & { findings?: Claim['findings'] };
}

/** An office visit (E/M with 25 and an injection) on a date, priced from the fee schedules. */
const visit = (dateOfService: string, extra: Record<string, unknown> = {}) => ({
  patientId,
  billingProviderId,
  renderingProviderId,
  placeOfService: '11',
  dateOfService,
  diagnoses: [{ code: 'E11.9' }, { code: 'I10' }],
  charges: [
    { procedureCode: '99214', modifiers: ['25'], diagnosisPointers: [1, 2] },
    { procedureCode: '96372', units: 2, diagnosisPointers: [1] },
  ],
  ...extra,
});

async function claimFor(dateOfService: string, extra: Record<string, unknown> = {}) {
  const encounter = await call(createEncounter, visit(dateOfService, extra), user());
  return call(createClaimFromEncounter, { id: encounter.id }, user());
}

/** What a payer's acknowledgment or remittance would have done to the claim (their routes are tested elsewhere). */
async function payerSets(claimId: string, set: Partial<typeof claims.$inferInsert>) {
  await t.database!.db.update(claims).set(set).where(and(eq(claims.practiceId, practiceId), eq(claims.id, claimId)));
}

beforeAll(async () => {
  t = await testService(billing, { clock: '2026-05-22T15:00:00Z' });
  practiceId = await t.practice({ terms: { billing: { timelyFilingDays: 90 } }, timeZone: 'America/New_York', state: 'FL' });
  otherPractice = await t.practice();
  payerId = (await call(createPayer, { name: 'Aetna', ediPayerId: '60054', claimFilingIndicatorCode: 'CI' }, admin())).id;
  patientId = (await call(createPatient, { firstName: 'Maria', lastName: 'Lopez', dateOfBirth: '1975-04-12', sex: 'F', address }, admin())).id;
  coverageId = (await call(createCoverage, { patientId, payerId, memberId: 'W123456789', relationship: 'self', order: 'primary', effectiveFrom: '2026-01-01' }, admin())).id;
  billingProviderId = (await call(createProvider, { kind: 'billing', npi: '1234567893', taxonomyCode: '207Q00000X', name: 'Bayshore Family Medicine' }, admin())).id;
  renderingProviderId = (await call(createProvider, { kind: 'rendering', npi: '1234567901', taxonomyCode: '207Q00000X', name: 'Okafor', firstName: 'Grace' }, admin())).id;
  // HR's credentials for the rendering provider: licensed in FL and enrolled with Aetna and Florida Medicaid, so claims scrub clean.
  await t.deliver(providerCredentialsChanged, { npi: '1234567901', practiceId, licences: [{ state: 'FL', from: '2020-01-01', to: null }], enrollments: [{ payerId: '60054', from: '2020-01-01', to: null }, { payerId: '77027', from: '2020-01-01', to: null }] }, { practiceId });
  await call(createFeeSchedule, { name: 'Aetna 2026', payerId, entries: [{ code: '99214', modifiers: ['25'], chargeCents: 18_000, effectiveFrom: '2026-01-01' }] }, admin());
  await call(createFeeSchedule, { name: 'Standard', payerId: null, entries: [{ code: '96372', chargeCents: 2_500, effectiveFrom: '2026-01-01' }, { code: '99214', chargeCents: 15_000, effectiveFrom: '2026-01-01' }] }, admin());
});
afterAll(() => t.close());

describe('encounters', () => {
  it('records a visit with its charges, and adds a charge while it is open', async () => {
    const encounter = await call(createEncounter, visit('2026-05-18'), user());
    expect(encounter).toMatchObject({
      status: 'open',
      claimId: null,
      coverageId: null,
      diagnoses: [
        { code: 'E11.9', qualifier: 'ABK' },
        { code: 'I10', qualifier: 'ABF' },
      ],
      charges: [
        { procedureCode: '99214', modifiers: ['25'], units: 1, chargeCents: null, serviceDate: '2026-05-18' },
        { procedureCode: '96372', units: 2, diagnosisPointers: [1] },
      ],
    });
    const more = await call(addCharge, { id: encounter.id, procedureCode: 'J3420', diagnosisPointers: [1], chargeCents: 1_200 }, user());
    expect(more.charges.map((c) => c.procedureCode)).toEqual(['99214', '96372', 'J3420']);
    expect(await call(getEncounter, { id: encounter.id }, user())).toEqual(more);
  });

  it('refuses a pointer to no diagnosis and another practice\'s provider, naming the fields', async () => {
    const theirs = await call(createProvider, { kind: 'rendering', npi: '1234567919', taxonomyCode: '207Q00000X', name: 'Other' }, { practiceId: otherPractice, role: 'practice-admin' });
    const problem = await problemOf(call(createEncounter, visit('2026-05-18', { renderingProviderId: theirs.id, charges: [{ procedureCode: '99213', diagnosisPointers: [3] }] }), user()));
    expect(problem).toMatchObject({ status: 422, code: 'unprocessable' });
    expect(problem.errors!.map((e) => e.path)).toEqual(['/renderingProviderId', '/charges/0/diagnosisPointers/0']);
  });

  it('lists encounters newest first, by patient and status, in cursor pages', async () => {
    const older = await call(createEncounter, visit('2026-05-01'), user());
    const newer = await call(createEncounter, visit('2026-05-02'), user());
    const first = await call(listEncounters, { patientId, status: 'open', limit: 1 }, user());
    expect(first.items.map((e) => e.id)).toEqual([newer.id]);
    const second = await call(listEncounters, { patientId, status: 'open', limit: 1, cursor: first.nextCursor! }, user());
    expect(second.items.map((e) => e.id)).toEqual([older.id]);
    expect((await call(listEncounters, { from: '2026-05-02', to: '2026-05-02' }, user())).items.map((e) => e.id)).toEqual([newer.id]);
    expect((await call(listEncounters, { from: '2030-01-01' }, user())).items).toEqual([]);
  });

  it("answers another practice's encounter with 404", async () => {
    const encounter = await call(createEncounter, visit('2026-05-18'), user());
    await expect(call(getEncounter, { id: encounter.id }, { practiceId: otherPractice, role: 'practice-admin' })).rejects.toMatchObject({ status: 404 });
    await expect(call(createClaimFromEncounter, { id: encounter.id }, { practiceId: otherPractice, role: 'practice-admin' })).rejects.toMatchObject({ status: 404 });
  });
});

describe('building a claim', () => {
  it("prices the charges from the payer's schedule, else the default one, bills the primary coverage and scrubs the claim clean", async () => {
    const encounter = await call(createEncounter, visit('2026-05-19'), user());
    const claim = await call(createClaimFromEncounter, { id: encounter.id }, user());
    expect(claim).toMatchObject({
      status: 'ready',
      frequencyCode: '1',
      encounterId: encounter.id,
      coverageId,
      payerId,
      serviceDateFrom: '2026-05-19',
      serviceDateTo: '2026-05-19',
      // Aetna's 99214-25 fee, and two units of the default 96372.
      chargeCents: 18_000 + 2 * 2_500,
      balanceCents: 23_000,
      submissionCount: 0,
      findings: [],
    });
    expect(claim.patientControlNumber).toMatch(/^C[2-9A-HJ-NP-Z]{10}$/);
    expect(claim.lines.map((l) => [l.lineNumber, l.procedureCode, l.chargeCents, l.lineControlNumber])).toEqual([
      [1, '99214', 18_000, `${claim.patientControlNumber}-1`],
      [2, '96372', 5_000, `${claim.patientControlNumber}-2`],
    ]);
    expect(claim.history.map((h) => [h.action, h.from, h.to])).toEqual([
      ['created', null, 'draft'],
      ['scrubbed', 'draft', 'ready'],
    ]);
    expect(await call(getEncounter, { id: encounter.id }, user())).toMatchObject({ status: 'billed', claimId: claim.id, coverageId });
    await expect(call(createClaimFromEncounter, { id: encounter.id }, user())).rejects.toMatchObject({ status: 409 });
    await expect(call(addCharge, { id: encounter.id, procedureCode: '99213', diagnosisPointers: [1] }, user())).rejects.toMatchObject({ status: 409 });
  });

  it("bills the coverage named (a secondary payer), priced from the default schedule when that payer has none", async () => {
    const medicaid = (await call(createPayer, { name: 'Florida Medicaid', ediPayerId: '77027', claimFilingIndicatorCode: 'MC', timelyFilingDays: 365 }, admin())).id;
    const secondary = await call(createCoverage, { patientId, payerId: medicaid, memberId: 'M55501', relationship: 'self', order: 'secondary', effectiveFrom: '2026-01-01' }, admin());
    const charges = [
      { procedureCode: '99214', diagnosisPointers: [1, 2] },
      { procedureCode: '96372', units: 2, diagnosisPointers: [1] },
    ];
    const encounter = await call(createEncounter, visit('2026-05-03', { coverageId: secondary.id, charges }), user());
    const claim = await call(createClaimFromEncounter, { id: encounter.id }, user());
    expect(claim).toMatchObject({ coverageId: secondary.id, payerId: medicaid, status: 'ready', chargeCents: 20_000 });
    expect(claim.lines.map((l) => l.chargeCents)).toEqual([15_000, 5_000]);
  });

  it('names every charge no schedule prices, and builds nothing', async () => {
    const encounter = await call(createEncounter, visit('2026-05-20', { charges: [{ procedureCode: '99214', diagnosisPointers: [1] }, { procedureCode: '20610', diagnosisPointers: [1] }] }), user());
    const problem = await problemOf(call(createClaimFromEncounter, { id: encounter.id }, user()));
    expect(problem).toMatchObject({ status: 422, errors: [{ path: '/charges/1' }] });
    expect(problem.detail).toContain('20610');
    expect(await call(getEncounter, { id: encounter.id }, user())).toMatchObject({ status: 'open', claimId: null });
  });

  it('refuses to build when the patient has no coverage on the date of service', async () => {
    const encounter = await call(createEncounter, visit('2025-12-15'), user());
    await expect(call(createClaimFromEncounter, { id: encounter.id }, user())).rejects.toMatchObject({ status: 422, errors: [{ path: '/coverageId' }] });
  });

  it('keeps a claim with errors as a draft with its findings: a future date of service, a duplicate', async () => {
    const future = await claimFor('2026-05-25');
    expect(future.status).toBe('draft');
    expect(future.findings.filter((f) => f.severity === 'error').map((f) => [f.code, f.field])).toEqual([
      ['future-date-of-service', '/serviceDateTo'],
      ['future-date-of-service', '/lines/0/serviceDate'],
      ['future-date-of-service', '/lines/1/serviceDate'],
    ]);

    const original = await claimFor('2026-05-12');
    const again = await claimFor('2026-05-12');
    expect(original.status).toBe('ready');
    expect(again).toMatchObject({ status: 'draft', findings: [{ code: 'duplicate-claim', severity: 'error', field: '/lines' }] });
    expect(again.findings[0]!.message).toContain(original.patientControlNumber);
  });
});

describe('claims', () => {
  it('gets and lists claims by status, payer and patient, newest first; another practice sees none of them', async () => {
    const claim = await claimFor('2026-05-04');
    expect(await call(getClaim, { id: claim.id }, user())).toEqual(claim);
    const ready = await call(listClaims, { status: 'ready', payerId, patientId, limit: 200 }, user());
    expect(ready.items[0]!.id).toBe(claim.id);
    expect(ready.items.every((c) => c.status === 'ready')).toBe(true);
    expect(ready.items[0]).not.toHaveProperty('lines');
    expect((await call(listClaims, { patientControlNumber: claim.patientControlNumber }, user())).items.map((c) => c.id)).toEqual([claim.id]);
    await expect(call(getClaim, { id: claim.id }, { practiceId: otherPractice, role: 'practice-admin' })).rejects.toMatchObject({ status: 404 });
    expect((await call(listClaims, {}, { practiceId: otherPractice, role: 'practice-admin' })).items).toEqual([]);
  });

  it('edits lines and codes: the charge follows the lines, the claim is scrubbed again and the edit is in the history', async () => {
    const claim = await claimFor('2026-05-05');
    const [visitLine, injection] = claim.lines;
    const broken = await call(
      updateClaim,
      {
        id: claim.id,
        version: claim.version,
        diagnoses: [
          { code: 'E11.9', qualifier: 'ABK' },
          { code: 'I10', qualifier: 'ABF' },
          { code: 'Z79.4', qualifier: 'ABF' },
        ],
        lines: [
          { id: visitLine!.id, procedureCode: '99214', modifiers: ['25'], units: 1, chargeCents: 18_000, diagnosisPointers: [1, 2, 3], serviceDate: '2026-05-05' },
          { id: injection!.id, procedureCode: '96372', units: 0, chargeCents: 5_000, diagnosisPointers: [1], serviceDate: '2026-05-05' },
          { procedureCode: 'J1815', units: 5, chargeCents: 1_000, diagnosisPointers: [3], serviceDate: '2026-05-05' },
        ],
        note: 'insulin given',
      },
      user(),
    );
    expect(broken).toMatchObject({ status: 'draft', chargeCents: 24_000, findings: [{ code: 'units-positive', field: '/lines/1/units' }] });
    expect(broken.lines.map((l) => [l.id === visitLine!.id, l.procedureCode, l.lineControlNumber])).toEqual([
      [true, '99214', `${claim.patientControlNumber}-1`],
      [false, '96372', `${claim.patientControlNumber}-2`],
      [false, 'J1815', `${claim.patientControlNumber}-3`],
    ]);
    expect(broken.lines[1]!.id).toBe(injection!.id);
    expect(broken.history.at(-1)).toMatchObject({ action: 'edited', from: 'ready', to: 'draft', note: 'insulin given' });

    // An edit made on an older version is refused; dropping the injection fixes the claim.
    expect(broken.version).toBe(claim.version + 1);
    await expect(call(updateClaim, { id: claim.id, version: claim.version, priorAuthorization: 'PA1' }, user())).rejects.toMatchObject({ status: 409 });
    const fixed = await call(
      updateClaim,
      { id: claim.id, lines: [broken.lines[0]!, broken.lines[2]!].map(({ id, procedureCode, modifiers, units, chargeCents, diagnosisPointers, serviceDate }) => ({ id, procedureCode, modifiers, units, chargeCents, diagnosisPointers, serviceDate })) },
      user(),
    );
    expect(fixed).toMatchObject({ status: 'ready', chargeCents: 19_000, findings: [] });
    expect(fixed.lines.map((l) => [l.lineNumber, l.procedureCode])).toEqual([
      [1, '99214'],
      [2, 'J1815'],
    ]);
  });

  it('refuses an edit naming a line of another claim or a coverage of another patient', async () => {
    const a = await claimFor('2026-05-06');
    const b = await claimFor('2026-05-07');
    const line = b.lines[0]!;
    const problem = await problemOf(
      call(updateClaim, { id: a.id, lines: [{ id: line.id, procedureCode: '99214', units: 1, chargeCents: 100, diagnosisPointers: [1], serviceDate: '2026-05-06' }] }, user()),
    );
    expect(problem.errors!.map((e) => e.path)).toEqual(['/lines/0/id']);
    const other = (await call(createPatient, { firstName: 'Ana', lastName: 'Ruiz', dateOfBirth: '1990-01-01', sex: 'F', address }, admin())).id;
    const theirCoverage = await call(createCoverage, { patientId: other, payerId, memberId: 'W999', relationship: 'self', order: 'primary', effectiveFrom: '2026-01-01' }, admin());
    await expect(call(updateClaim, { id: a.id, coverageId: theirCoverage.id }, user())).rejects.toMatchObject({ status: 422, errors: [{ path: '/coverageId' }] });
  });

  it('scrubs on demand: a ready claim that became wrong goes back to draft, and forward again once fixed', async () => {
    const claim = await claimFor('2026-05-08');
    await payerSets(claim.id, { coverageId: null });
    expect(await call(scrubClaim, { id: claim.id }, user())).toEqual({ status: 'draft', findings: [expect.objectContaining({ code: 'coverage-missing', field: '/coverageId' })] });
    await call(updateClaim, { id: claim.id, coverageId }, user());
    expect(await call(scrubClaim, { id: claim.id }, user())).toEqual({ status: 'ready', findings: [] });
  });

  it('warns past the timely-filing limit of the agreement without blocking the claim', async () => {
    t.clock.set('2026-08-20T15:00:00Z');
    try {
      const late = await claimFor('2026-05-13');
      expect(late).toMatchObject({ status: 'ready', findings: [{ code: 'timely-filing', severity: 'warning', field: '/serviceDateFrom' }] });
    } finally {
      t.clock.set('2026-05-22T15:00:00Z');
    }
  });
});

describe('scrubbing stored claims', () => {
  it('refuses at submission a claim whose provider NPI fails the check digit (as an 837P import can bring), naming the field', async () => {
    // The API refuses such an NPI; an imported file creates the provider as the file has it.
    const imported = randomUUID();
    const at = t.clock.now();
    await t.database!.db.insert(providers).values({ id: imported, practiceId, kind: 'billing', npi: '1234567890', taxonomyCode: null, name: 'Imported Clinic', firstName: null, active: true, createdAt: at, updatedAt: at });
    const claim = await claimFor('2026-05-09', { billingProviderId: imported });
    expect(claim.status).toBe('draft');
    expect(claim.findings).toEqual([expect.objectContaining({ code: 'npi-check-digit', severity: 'error', field: '/billingProviderId' })]);
    expect(claim.findings[0]!.message).toContain('1234567890');
    const problem = await problemOf(call(submitClaim, { id: claim.id }, admin()));
    expect(problem).toMatchObject({ code: 'claim-scrub-failed', findings: [{ code: 'npi-check-digit', field: '/billingProviderId' }] });
  });

  it('scrubs many claims at once with the same findings as one by one', async () => {
    const a = await claimFor('2026-04-27');
    const b = await claimFor('2026-04-27');
    const c = await claimFor('2026-04-28', { charges: [{ procedureCode: '96372', units: 0, chargeCents: 100, diagnosisPointers: [1] }] });
    const db = t.database!.db;
    const rows = await loadClaimRows(db, practiceId, [a.id, b.id, c.id]);
    const all = await scrubStoredClaims(db, rows, '2026-05-22');
    for (const row of rows) expect(all.get(row.id)).toEqual(await scrubStoredClaim(db, row, '2026-05-22'));
    // The two claims for the same visit are each other's duplicates.
    expect(all.get(a.id)!.map((f) => f.code)).toEqual(['duplicate-claim']);
    expect(all.get(b.id)!.map((f) => f.code)).toEqual(['duplicate-claim']);
    expect(all.get(c.id)!.map((f) => f.code)).toEqual(['units-positive', 'diagnosis-unused']);
    // A claim not stored yet (the rest of an import written in parts) counts as a duplicate too.
    const [only] = await loadClaimRows(db, practiceId, [c.id]);
    const peer = { id: randomUUID(), patientControlNumber: 'CPEER00001', duplicateKey: only!.duplicateKey, frequencyCode: '1' };
    expect((await scrubStoredClaims(db, [only!], '2026-05-22', { peers: [peer] })).get(c.id)!.map((f) => f.code)).toContain('duplicate-claim');
    expect((await scrubStoredClaims(db, [only!], '2026-05-22', { peers: [{ ...peer, frequencyCode: '8' }] })).get(c.id)!.map((f) => f.code)).not.toContain('duplicate-claim');
  });
});

describe('submitting', () => {
  it('submits a clean claim: submitted, counted, and billing.claim.submitted with ids and cents only', async () => {
    const claim = await claimFor('2026-05-11');
    const submitted = await call(submitClaim, { id: claim.id }, admin());
    expect(submitted).toMatchObject({ status: 'submitted', submissionCount: 1, batchId: null, firstSubmittedAt: submitted.lastSubmittedAt });
    expect(submitted.history.at(-1)).toMatchObject({ action: 'submitted', from: 'ready', to: 'submitted' });
    const events = (await t.events(claimSubmitted)).filter((e) => e.subject === claim.id);
    expect(events.map((e) => e.data)).toEqual([
      { claimId: claim.id, patientId, payerId, renderingProviderNpi: '1234567901', serviceDate: '2026-05-11', submittedOn: '2026-05-22', chargeCents: 23_000, frequencyCode: '1' },
    ]);
    // Sent claims are not edited or sent twice.
    await expect(call(submitClaim, { id: claim.id }, admin())).rejects.toMatchObject({ status: 409 });
    await expect(call(updateClaim, { id: claim.id, priorAuthorization: 'X' }, user())).rejects.toMatchObject({ status: 409 });
  });

  it('answers 422 claim-scrub-failed with every finding, and leaves the claim as it was', async () => {
    const claim = await claimFor('2026-05-26');
    const problem = await problemOf(call(submitClaim, { id: claim.id }, admin()));
    expect(problem).toMatchObject({ status: 422, code: 'claim-scrub-failed' });
    expect(problem.findings!.map((f) => f.code)).toEqual(['future-date-of-service', 'future-date-of-service', 'future-date-of-service']);
    expect(await call(getClaim, { id: claim.id }, user())).toMatchObject({ status: 'draft', submissionCount: 0, version: claim.version, history: claim.history });
    expect((await t.events(claimSubmitted)).some((e) => e.subject === claim.id)).toBe(false);
  });

  it('lets the billing team submit, not practice users', async () => {
    const claim = await claimFor('2026-05-14');
    await expect(call(submitClaim, { id: claim.id }, user())).rejects.toMatchObject({ status: 403 });
    await expect(call(submitClaim, { id: claim.id }, { practiceId, role: 'mso-staff' })).resolves.toMatchObject({ status: 'submitted' });
  });
});

describe('corrections and voids', () => {
  it('corrects a rejected claim (frequency 7) and resubmits it', async () => {
    const claim = await claimFor('2026-05-15');
    await call(submitClaim, { id: claim.id }, admin());
    await expect(call(correctClaim, { id: claim.id }, admin())).rejects.toMatchObject({ status: 409 });
    await payerSets(claim.id, { status: 'rejected', rejection: { source: '277CA', codes: ['A7:562'], segment: null, message: 'invalid member id', at: '2026-05-22T15:00:00.000Z' } });
    await expect(call(submitClaim, { id: claim.id }, admin())).rejects.toMatchObject({ status: 409 });

    const corrected = await call(correctClaim, { id: claim.id, note: 'member id fixed' }, admin());
    expect(corrected).toMatchObject({ status: 'ready', frequencyCode: '7', findings: [{ code: 'corrected-without-reference', severity: 'warning' }] });
    expect(corrected.history.slice(-2).map((h) => [h.action, h.from, h.to, h.note])).toEqual([
      ['corrected', 'rejected', 'draft', 'member id fixed'],
      ['scrubbed', 'draft', 'ready', '0 errors, 1 warning'],
    ]);
    const resubmitted = await call(submitClaim, { id: claim.id }, admin());
    expect(resubmitted).toMatchObject({ status: 'submitted', frequencyCode: '7', submissionCount: 2, rejection: null, patientControlNumber: claim.patientControlNumber });
    expect((await t.events(claimSubmitted)).filter((e) => e.subject === claim.id).map((e) => e.data.frequencyCode)).toEqual(['1', '7']);
  });

  it("corrects a paid claim keeping the payer's claim number for REF*F8", async () => {
    const claim = await claimFor('2026-05-16');
    await call(submitClaim, { id: claim.id }, admin());
    await payerSets(claim.id, { status: 'paid', payerClaimControlNumber: 'AET2605160001' });
    const corrected = await call(correctClaim, { id: claim.id }, admin());
    expect(corrected).toMatchObject({ status: 'ready', frequencyCode: '7', payerClaimControlNumber: 'AET2605160001', findings: [] });
  });

  it('voids an adjudicated claim: frequency 8, sent again at once', async () => {
    const claim = await claimFor('2026-05-17');
    await call(submitClaim, { id: claim.id }, admin());
    await expect(call(voidClaim, { id: claim.id }, admin())).rejects.toMatchObject({ status: 409 });
    await payerSets(claim.id, { status: 'denied', payerClaimControlNumber: 'AET2605170002' });
    const voided = await call(voidClaim, { id: claim.id, note: 'billed in error' }, admin());
    expect(voided).toMatchObject({ status: 'submitted', frequencyCode: '8', submissionCount: 2, payerClaimControlNumber: 'AET2605170002' });
    expect(voided.history.slice(-2).map((h) => h.action)).toEqual(['voided', 'submitted']);
    expect((await t.events(claimSubmitted)).filter((e) => e.subject === claim.id).map((e) => e.data.frequencyCode)).toEqual(['1', '8']);
    // The void no longer counts as a duplicate of a new claim for the same visit.
    expect(await claimFor('2026-05-17')).toMatchObject({ status: 'ready', findings: [] });
  });

  it("refuses a void without the payer's claim number and leaves the claim as it was", async () => {
    const claim = await claimFor('2026-05-10');
    await call(submitClaim, { id: claim.id }, admin());
    await payerSets(claim.id, { status: 'paid' });
    const problem = await problemOf(call(voidClaim, { id: claim.id }, admin()));
    expect(problem).toMatchObject({ status: 422, code: 'claim-scrub-failed', findings: [{ code: 'void-reference-required', field: '/payerClaimControlNumber' }] });
    expect(await call(getClaim, { id: claim.id }, user())).toMatchObject({ status: 'paid', frequencyCode: '1', submissionCount: 1 });
  });
});

describe('bulk submission', () => {
  it('submits the clean claims by id and refuses the others with their findings, in one call', async () => {
    const clean = [await claimFor('2026-04-06'), await claimFor('2026-04-07')];
    const future = await claimFor('2026-05-27');
    const sent = await claimFor('2026-04-08');
    await call(submitClaim, { id: sent.id }, admin());
    const answer = await call(submitClaims, { claimIds: [clean[0]!.id, future.id, clean[1]!.id, sent.id, clean[0]!.id] }, admin());
    expect(answer.submitted).toEqual(clean.map((c) => ({ id: c.id, patientControlNumber: c.patientControlNumber })));
    expect(answer.refused.map((r) => [r.id, r.findings.map((f) => f.code)])).toEqual([
      [future.id, ['future-date-of-service', 'future-date-of-service', 'future-date-of-service']],
      [sent.id, ['claim-not-submittable']],
    ]);
    for (const c of clean) {
      const got = await call(getClaim, { id: c.id }, user());
      expect(got).toMatchObject({ status: 'submitted', submissionCount: 1, version: c.version + 1, batchId: null });
      expect(got.history.at(-1)).toMatchObject({ action: 'submitted', from: 'ready', to: 'submitted' });
      expect((await t.events(claimSubmitted)).filter((e) => e.subject === c.id).map((e) => e.data)).toEqual([
        { claimId: c.id, patientId, payerId, renderingProviderNpi: '1234567901', serviceDate: c.serviceDateFrom, submittedOn: '2026-05-22', chargeCents: c.chargeCents, frequencyCode: '1' },
      ]);
    }
    // A draft the scrubber still refuses stays as it was.
    expect(await call(getClaim, { id: future.id }, user())).toMatchObject({ status: 'draft', version: future.version });
  });

  it('submits every ready claim (of a payer); a ready claim that no longer scrubs clean goes back to draft', async () => {
    await call(submitClaims, { status: 'ready' }, admin());
    const a = await claimFor('2026-04-13');
    const b = await claimFor('2026-04-14');
    const stale = await claimFor('2026-05-28');
    await payerSets(stale.id, { status: 'ready', findings: [] });
    const answer = await call(submitClaims, { status: 'ready', payerId }, admin());
    expect(answer.submitted.map((s) => s.id)).toEqual([a.id, b.id]);
    expect(answer.refused.map((r) => r.id)).toEqual([stale.id]);
    const back = await call(getClaim, { id: stale.id }, user());
    expect(back).toMatchObject({ status: 'draft', findings: [{ code: 'future-date-of-service' }, {}, {}] });
    expect(back.history.at(-1)).toMatchObject({ action: 'scrubbed', from: 'ready', to: 'draft', note: '3 errors, 0 warnings' });
    expect(await call(submitClaims, { status: 'ready' }, admin())).toEqual({ submitted: [], refused: [] });
    expect(await call(submitClaims, { status: 'ready', payerId: randomUUID() }, admin())).toEqual({ submitted: [], refused: [] });
  });

  it('refuses unknown ids (nothing submitted), ambiguous requests, and practice users', async () => {
    const c = await claimFor('2026-04-15');
    const unknown = await problemOf(call(submitClaims, { claimIds: [c.id, randomUUID()] }, admin()));
    expect(unknown).toMatchObject({ status: 422, code: 'unprocessable', errors: [{ path: '/claimIds/1' }] });
    const theirs = await problemOf(call(submitClaims, { claimIds: [c.id] }, { practiceId: otherPractice, role: 'practice-admin' }));
    expect(theirs).toMatchObject({ status: 422, errors: [{ path: '/claimIds/0' }] });
    expect(await call(getClaim, { id: c.id }, user())).toMatchObject({ status: 'ready' });
    await expect(call(submitClaims, {}, admin())).rejects.toMatchObject({ status: 422 });
    await expect(call(submitClaims, { claimIds: [c.id], status: 'ready' }, admin())).rejects.toMatchObject({ status: 422 });
    await expect(call(submitClaims, { claimIds: [c.id], payerId }, admin())).rejects.toMatchObject({ status: 422 });
    await expect(call(submitClaims, { claimIds: [c.id] }, user())).rejects.toMatchObject({ status: 403 });
    await expect(call(submitClaims, { claimIds: [c.id] }, { practiceId, role: 'mso-staff' })).resolves.toMatchObject({ submitted: [{ id: c.id }] });
  });
});
