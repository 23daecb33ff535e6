import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPayrollRun, createPerson, getPayrollRun, getPayrollSettings, listPayrollRuns, payrollPosted, putPayrollSettings, updateEmployment } from '@mso/contracts/hr';
import { testService, type TestService } from '@mso/testing';
import { hr } from '../../service.js';

let t: TestService;
let practiceA: string;
let practiceB: string;

const mso = { role: 'mso-admin' as const };
const adminOf = (practiceId: string) => ({ practiceId, role: 'practice-admin' as const });
const userOf = (practiceId: string) => ({ practiceId, role: 'practice-user' as const });

let ssnSeed = 100_00_0000;
const hire = async (employment: object, as: { role: 'mso-admin' } | { practiceId: string; role: 'practice-admin' } = mso) => {
  const ssn = String(ssnSeed++);
  const person = await t.call(createPerson, { firstName: 'Sam', lastName: 'Lee', ssn, dateOfBirth: '1980-01-01', employment: { title: 'Staff', department: 'Ops', fte: 1, startDate: '2026-01-01', ...employment } as never }, as);
  return person.employments[0]!;
};

beforeAll(async () => {
  t = await testService(hr, { clock: '2026-07-01T15:00:00Z' });
  practiceA = await t.practice({ services: ['hr'] });
  practiceB = await t.practice({ services: ['hr'] });
});
afterAll(() => t.close());

describe('payroll settings', () => {
  it('keeps a schedule and rates per employer; weekly and biweekly need their first period', async () => {
    await expect(t.call(putPayrollSettings, { employer: 'mso', schedule: 'biweekly', employerTaxBasisPoints: 765, benefitsBasisPoints: 1000 }, mso)).rejects.toMatchObject({ status: 400, errors: [{ path: '/firstPeriodStart' }] });
    const set = await t.call(putPayrollSettings, { employer: 'mso', schedule: 'monthly', employerTaxBasisPoints: 765, benefitsBasisPoints: 1200 }, mso);
    expect(set).toMatchObject({ employer: 'mso', schedule: 'monthly', firstPeriodStart: null, employerTaxBasisPoints: 765, benefitsBasisPoints: 1200 });
    expect(await t.call(getPayrollSettings, { employer: 'mso' }, mso)).toMatchObject({ schedule: 'monthly' });
    // A practice admin sets its own practice's, not the MSO's nor another practice's.
    await t.call(putPayrollSettings, { employer: practiceA, schedule: 'biweekly', firstPeriodStart: '2026-06-01', employerTaxBasisPoints: 800, benefitsBasisPoints: 500 }, adminOf(practiceA));
    await expect(t.call(putPayrollSettings, { employer: 'mso', schedule: 'monthly', employerTaxBasisPoints: 0, benefitsBasisPoints: 0 }, adminOf(practiceA))).rejects.toMatchObject({ status: 404 });
    await expect(t.call(getPayrollSettings, { employer: practiceA }, adminOf(practiceB))).rejects.toMatchObject({ status: 404 });
  });
});

describe('payroll runs', () => {
  let sharedId: string;
  let runId: string;

  it('computes gross, employer taxes, benefits and the allocated cost of shared MSO staff, and posts totals only', async () => {
    sharedId = (await hire({ employer: 'mso', pay: { basis: 'salary', amountCents: 52_000_00 }, allocations: [{ practiceId: practiceA, percent: 60 }, { practiceId: practiceB, percent: 40 }] })).id;
    await hire({ employer: 'mso', pay: { basis: 'salary', amountCents: 60_000_00 }, startDate: '2026-06-21' }); // 10 of 30 days
    const hourly = await hire({ employer: 'mso', pay: { basis: 'hourly', amountCents: 25_00 }, allocations: [{ practiceId: practiceB, percent: 100 }] });
    await hire({ employer: 'mso', pay: { basis: 'salary', amountCents: 90_000_00 }, startDate: '2026-07-01' }); // not yet
    await hire({ employer: practiceA, pay: { basis: 'salary', amountCents: 48_000_00 } }, adminOf(practiceA)); // another employer

    // Every hourly employment needs its hours.
    await expect(t.call(createPayrollRun, { employer: 'mso', periodStart: '2026-06-01', periodEnd: '2026-06-30' }, mso)).rejects.toMatchObject({ status: 400, errors: [{ path: '/hours' }] });
    await expect(t.call(createPayrollRun, { employer: 'mso', periodStart: '2026-06-01', periodEnd: '2026-06-30', hours: [{ employmentId: sharedId, hours: 8 }] }, mso)).rejects.toMatchObject({ status: 400, errors: [{ path: '/hours/0/employmentId' }] });
    await expect(t.call(createPayrollRun, { employer: 'mso', periodStart: '2026-06-01', periodEnd: '2026-06-15' }, mso)).rejects.toMatchObject({ status: 400, errors: [{ path: '/periodEnd' }] });

    const reply = await t.callForReply(createPayrollRun, { employer: 'mso', periodStart: '2026-06-01', periodEnd: '2026-06-30', hours: [{ employmentId: hourly.id, hours: 10 }] }, mso);
    expect(reply.status).toBe(201);
    const run = reply.output;
    runId = run.id;
    // shared: 433,333 + 33,150 tax + 52,000 benefits = 518,483 → 60/40: 311,090 / 207,393.
    // part-period: 6,000,000 × 10 / (12 × 30) = 166,666.67 → 166,667; tax 12,750.03 → 12,750; benefits 20,000.04 → 20,000.
    // hourly: 25,000; tax 1,912.5 → 1,913; benefits 3,000 → 29,913 to B.
    expect(run).toMatchObject({
      employer: 'mso',
      schedule: 'monthly',
      employees: 3,
      grossCents: 433_333 + 166_667 + 25_000,
      employerTaxCents: 33_150 + 12_750 + 1_913,
      benefitsCents: 52_000 + 20_000 + 3_000,
      costCents: 518_483 + 199_417 + 29_913,
    });
    expect(run.allocations).toEqual(expect.arrayContaining([{ practiceId: practiceA, costCents: 311_090 }, { practiceId: practiceB, costCents: 207_393 + 29_913 }]));
    expect(run.allocations).toHaveLength(2);
    expect(run.lines!.find((l) => l.employmentId === hourly.id)).toMatchObject({ basis: 'hourly', hours: 10, grossCents: 25_000 });
    expect(run.lines!.find((l) => l.daysActive === 10)).toMatchObject({ grossCents: 166_667 });

    const posted = await t.events(payrollPosted);
    expect(posted).toHaveLength(1);
    expect(posted[0]!.data).toEqual({
      runId: run.id,
      employer: 'mso',
      periodStart: '2026-06-01',
      periodEnd: '2026-06-30',
      grossCents: run.grossCents,
      employerTaxCents: run.employerTaxCents,
      benefitsCents: run.benefitsCents,
      allocations: run.allocations,
    });
    // Totals only: no person, employment or pay rate on the bus.
    const text = JSON.stringify(posted[0]);
    expect(text).not.toContain(sharedId);
    expect(text).not.toContain(hourly.id);
    expect(text).not.toContain('5200000');
  });

  it('answers the same employer and period with the run on file and posts nothing more', async () => {
    const again = await t.callForReply(createPayrollRun, { employer: 'mso', periodStart: '2026-06-01', periodEnd: '2026-06-30' }, mso);
    expect(again.status).toBe(200);
    expect(again.output.id).toBe(runId);
    // A change of pay after posting does not change the posted run.
    await t.call(updateEmployment, { id: sharedId, pay: { basis: 'salary', amountCents: 99_000_00 } }, mso);
    expect((await t.call(createPayrollRun, { employer: 'mso', periodStart: '2026-06-01', periodEnd: '2026-06-30' }, mso)).grossCents).toBe(again.output.grossCents);
    await expect(t.call(createPayrollRun, { employer: 'mso', periodStart: '2026-06-01', periodEnd: '2026-06-30', hours: [{ employmentId: again.output.lines!.find((l) => l.basis === 'hourly')!.employmentId, hours: 12 }] }, mso)).rejects.toMatchObject({ status: 409, errors: [{ path: '/hours' }] });
    expect(await t.events(payrollPosted)).toHaveLength(1);
  });

  it('shows per-person lines only to the roles that see pay, and the MSO run to MSO keys only', async () => {
    // Later than the MSO's run, so the list (newest first) has it first.
    t.clock.advance(60_000);
    const run = await t.call(createPayrollRun, { employer: practiceA, periodStart: '2026-06-01', periodEnd: '2026-06-14' }, adminOf(practiceA));
    expect(run).toMatchObject({ employer: practiceA, schedule: 'biweekly', employees: 1, allocations: [] });
    // 4,800,000 / 26 = 184,615.38 → 184,615; tax 8 % = 14,769.2 → 14,769; benefits 5 % = 9,230.75 → 9,231.
    expect(run).toMatchObject({ grossCents: 184_615, employerTaxCents: 14_769, benefitsCents: 9_231, costCents: 208_615 });
    expect((await t.call(getPayrollRun, { id: run.id }, adminOf(practiceA))).lines).toHaveLength(1);
    const seenByUser = await t.call(getPayrollRun, { id: run.id }, userOf(practiceA));
    expect(seenByUser.grossCents).toBe(184_615);
    expect(seenByUser.lines).toBeUndefined();
    await expect(t.call(getPayrollRun, { id: runId }, adminOf(practiceA))).rejects.toMatchObject({ status: 404 });
    await expect(t.call(getPayrollRun, { id: run.id }, adminOf(practiceB))).rejects.toMatchObject({ status: 404 });
    await expect(t.call(createPayrollRun, { employer: 'mso', periodStart: '2026-07-01', periodEnd: '2026-07-31' }, adminOf(practiceA))).rejects.toMatchObject({ status: 404 });
    // A period that is not one of the schedule's (biweekly from 2026-06-01), and one overlapping a run.
    await expect(t.call(createPayrollRun, { employer: practiceA, periodStart: '2026-06-08', periodEnd: '2026-06-21' }, adminOf(practiceA))).rejects.toMatchObject({ status: 400, errors: [{ path: '/periodStart' }] });

    const list = await t.call(listPayrollRuns, {}, mso);
    expect(list.items.map((r) => r.id)).toEqual([run.id, runId]);
    expect(list.items.every((r) => !('lines' in r))).toBe(true);
    expect((await t.call(listPayrollRuns, {}, adminOf(practiceA))).items.map((r) => r.id)).toEqual([run.id]);
    expect((await t.call(listPayrollRuns, { employer: 'mso' }, mso)).items.map((r) => r.id)).toEqual([runId]);
  });

  it('refuses a run without settings and one for a practice another practice names', async () => {
    await expect(t.call(createPayrollRun, { employer: practiceB, periodStart: '2026-06-01', periodEnd: '2026-06-30' }, mso)).rejects.toMatchObject({ status: 400, errors: [{ path: '/employer' }] });
    await expect(t.call(createPayrollRun, { employer: practiceB, periodStart: '2026-06-01', periodEnd: '2026-06-30' }, adminOf(practiceA))).rejects.toMatchObject({ status: 404 });
  });
});
