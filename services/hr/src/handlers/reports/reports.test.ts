import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addCredential,
  createPayrollRun,
  createPerson,
  createProvider,
  expiringCredentialsReport,
  headcountReport,
  payrollCostReport,
  putPayrollSettings,
} from '@mso/contracts/hr';
import { testService, validNpi, type TestService } from '@mso/testing';
import { hr } from '../../service.js';

let t: TestService;
let practiceA: string;
let practiceB: string;

const mso = { role: 'mso-admin' as const };
const adminOf = (practiceId: string) => ({ practiceId, role: 'practice-admin' as const });

let ssnSeed = 200_00_0000;
const hire = async (employment: object, as: object = mso) => {
  const person = await t.call(
    createPerson,
    { firstName: 'Ana', lastName: 'Cruz', ssn: String(ssnSeed++), dateOfBirth: '1979-03-03', employment: { title: 'Staff', department: 'Ops', fte: 1, pay: { basis: 'salary', amountCents: 36_000_00 }, startDate: '2026-01-05', ...employment } as never },
    as as never,
  );
  return person;
};

beforeAll(async () => {
  t = await testService(hr, { clock: '2026-08-03T15:00:00Z' });
  practiceA = await t.practice({ services: ['hr'] });
  practiceB = await t.practice({ services: ['hr'] });
  await hire({ employer: 'mso', allocations: [{ practiceId: practiceA, percent: 50 }, { practiceId: practiceB, percent: 50 }] });
  await hire({ employer: 'mso', fte: 0.5 });
  await hire({ employer: 'mso', endDate: '2026-07-31' }); // gone before August
  await hire({ employer: 'mso', startDate: '2026-09-01' }); // not yet
  await hire({ employer: practiceA, fte: 0.8 }, adminOf(practiceA));
  await hire({ employer: practiceB }, adminOf(practiceB));
});
afterAll(() => t.close());

describe('headcount by entity', () => {
  it('counts the employments active on the date, per employer, with their FTE', async () => {
    const report = await t.call(headcountReport, { on: '2026-08-03' }, mso);
    expect(report.totalHeadcount).toBe(4);
    expect(report.entities).toEqual(
      [
        { employer: 'mso', headcount: 2, fte: 1.5 },
        { employer: practiceA, headcount: 1, fte: 0.8 },
        { employer: practiceB, headcount: 1, fte: 1 },
      ].sort((a, b) => (a.employer === 'mso' ? -1 : b.employer === 'mso' ? 1 : a.employer.localeCompare(b.employer))),
    );
    expect((await t.call(headcountReport, { on: '2026-07-31' }, mso)).entities.find((e) => e.employer === 'mso')!.headcount).toBe(3);
    // Today by default (the clock); a practice key sees its own practice only.
    expect(await t.call(headcountReport, {}, adminOf(practiceA))).toEqual({ on: '2026-08-03', entities: [{ employer: practiceA, headcount: 1, fte: 0.8 }], totalHeadcount: 1 });
    await expect(t.call(headcountReport, { employer: 'mso' }, adminOf(practiceA))).rejects.toMatchObject({ status: 404 });
  });
});

describe('credentials expiring', () => {
  it('lists the credentials expiring within the next N days, soonest first, and the lapsed ones on request', async () => {
    const person = await hire({ employer: practiceA }, adminOf(practiceA));
    const provider = await t.call(createProvider, { personId: person.id, npi: validNpi(424_242), taxonomy: '207Q00000X' }, adminOf(practiceA));
    const licence = (state: string, expiresOn: string) =>
      t.call(addCredential, { providerId: provider.id, kind: 'state-licence', state, number: `L${state}1`, issuedOn: '2024-01-01', expiresOn }, adminOf(practiceA));
    const soon = await licence('FL', '2026-08-20');
    const later = await licence('GA', '2026-10-15');
    const lapsed = await licence('AL', '2026-07-30');
    await licence('TX', '2027-06-30');

    const report = await t.call(expiringCredentialsReport, { days: 90 }, adminOf(practiceA));
    expect(report).toMatchObject({ from: '2026-08-03', to: '2026-11-01' });
    expect(report.items.map((i) => [i.credentialId, i.state, i.daysLeft])).toEqual([
      [soon.id, 'FL', 17],
      [later.id, 'GA', 73],
    ]);
    expect(report.items[0]).toMatchObject({ providerId: provider.id, practiceId: practiceA, npi: validNpi(424_242), kind: 'state-licence' });
    expect((await t.call(expiringCredentialsReport, { days: 30, includeExpired: true }, adminOf(practiceA))).items.map((i) => [i.credentialId, i.daysLeft])).toEqual([
      [lapsed.id, -4],
      [soon.id, 17],
    ]);
    // Another practice sees none of them; an MSO key names the practice or sees all.
    expect((await t.call(expiringCredentialsReport, { days: 90 }, adminOf(practiceB))).items).toEqual([]);
    expect((await t.call(expiringCredentialsReport, { days: 90, practiceId: practiceA }, mso)).items).toHaveLength(2);
    expect((await t.call(expiringCredentialsReport, { days: 90, practiceId: practiceB }, mso)).items).toHaveLength(0);
  });
});

describe('payroll cost by entity', () => {
  it('sums the runs per employer and period, with the MSO cost allocated to each practice', async () => {
    await t.call(putPayrollSettings, { employer: 'mso', schedule: 'monthly', employerTaxBasisPoints: 1000, benefitsBasisPoints: 0 }, mso);
    await t.call(putPayrollSettings, { employer: practiceA, schedule: 'monthly', employerTaxBasisPoints: 0, benefitsBasisPoints: 0 }, mso);
    const june = await t.call(createPayrollRun, { employer: 'mso', periodStart: '2026-06-01', periodEnd: '2026-06-30' }, mso);
    const july = await t.call(createPayrollRun, { employer: 'mso', periodStart: '2026-07-01', periodEnd: '2026-07-31' }, mso);
    const ownJuly = await t.call(createPayrollRun, { employer: practiceA, periodStart: '2026-07-01', periodEnd: '2026-07-31' }, mso);
    // MSO, June and July alike: three salaried at $3,000.00 a month (the one hired for September is not yet paid), + 10 % tax.
    expect(june).toMatchObject({ employees: 3, grossCents: 9_000_00, employerTaxCents: 900_00, costCents: 9_900_00 });
    expect(june.allocations).toEqual(expect.arrayContaining([{ practiceId: practiceA, costCents: 1_650_00 }, { practiceId: practiceB, costCents: 1_650_00 }]));

    const report = await t.call(payrollCostReport, { from: '2026-07-01', to: '2026-07-31' }, mso);
    const byEmployer = Object.fromEntries(report.entities.map((e) => [e.employer, e]));
    expect(byEmployer.mso!.periods.map((p) => p.runId)).toEqual([july.id]);
    expect(byEmployer.mso!.totals).toEqual({ grossCents: 9_000_00, employerTaxCents: 900_00, benefitsCents: 0, costCents: 9_900_00 });
    // Practice A: its own run (two employees at $3,000.00) and its share of the MSO's shared person.
    expect(byEmployer[practiceA]).toMatchObject({ periods: [{ runId: ownJuly.id, periodStart: '2026-07-01', periodEnd: '2026-07-31', costCents: 6_000_00 }], allocatedCents: 1_650_00 });
    expect(byEmployer[practiceB]).toMatchObject({ periods: [], allocatedCents: 1_650_00 });
    expect((await t.call(payrollCostReport, {}, mso)).entities.find((e) => e.employer === 'mso')!.totals.costCents).toBe(19_800_00);

    const own = await t.call(payrollCostReport, {}, adminOf(practiceA));
    expect(own.entities).toEqual([{ employer: practiceA, periods: [expect.objectContaining({ runId: ownJuly.id })], totals: { grossCents: 6_000_00, employerTaxCents: 0, benefitsCents: 0, costCents: 6_000_00 }, allocatedCents: null }]);
  });
});
