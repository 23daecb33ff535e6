import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addEmployment, approvePtoRequest, createPerson, createPtoPolicy, createPtoRequest, getPtoBalance } from '@mso/contracts/hr';
import { testService, type TestService } from '@mso/testing';
import { hr } from '../service.js';

// Fourteen monthly runs on the injected clock, from 2026-02-01 to 2027-03-01, for one person with two
// employments: a practice's (in Chicago) with a waiting period, a maximum balance and a carry-over
// cap, and the MSO's (in the default zone, New York) with a cap only. Every balance below is worked
// out by hand from the policy; the comments show the arithmetic.

let t: TestService;
let practiceId: string;
let atPractice: string;
let atMso: string;

const admin = () => ({ practiceId, role: 'practice-admin' as const });
const job = { role: 'mso-admin' as const };

beforeAll(async () => {
  t = await testService(hr, { clock: '2026-01-10T15:00:00Z' });
  practiceId = await t.practice({ services: ['hr'], timeZone: 'America/Chicago' });
  const person = await t.call(
    createPerson,
    { firstName: 'Lena', lastName: 'Marsh', ssn: '222-33-4444', dateOfBirth: '1990-03-03', employment: { employer: practiceId, title: 'Medical assistant', department: 'Clinic', fte: 1, pay: { basis: 'hourly', amountCents: 24_00 }, startDate: '2026-01-12' } },
    admin(),
  );
  atPractice = person.employments[0]!.id;
  atMso = (await t.call(addEmployment, { personId: person.id, employer: 'mso', title: 'Scheduler', department: 'Central scheduling', fte: 0.5, pay: { basis: 'hourly', amountCents: 22_00 }, startDate: '2026-01-01' }, job)).id;
  // The practice: 12.5 h a month from one month after the start, at most 60 h, 40 h carried into a new year.
  await t.call(createPtoPolicy, { employer: practiceId, leaveType: 'vacation', name: 'Vacation', accrualHoursPerMonth: 12.5, waitingMonths: 1, maxBalanceHours: 60, carryOverCapHours: 40 }, admin());
  // The MSO: 8 h a month from the start, no maximum, 16 h carried over.
  await t.call(createPtoPolicy, { employer: 'mso', leaveType: 'vacation', name: 'MSO vacation', accrualHoursPerMonth: 8, carryOverCapHours: 16 }, job);
});
afterAll(() => t.close());

/** 07:00 UTC on the 1st: 01:00 (CST) or 02:00 (CDT) in Chicago, 02:00 or 03:00 in New York, past the 00:30 fire. */
async function runOn(date: string) {
  t.clock.set(`${date}T07:00:00Z`);
  await t.runJob('pto-accrual');
  await t.runJob('pto-accrual-mso');
}

const balances = async () => [
  (await t.call(getPtoBalance, { employmentId: atPractice, leaveType: 'vacation' }, admin())).balanceHours,
  (await t.call(getPtoBalance, { employmentId: atMso, leaveType: 'vacation' }, job)).balanceHours,
];

async function takeLeave(on: string, startDate: string, endDate: string, hours: number) {
  t.clock.set(`${on}T15:00:00Z`);
  const request = await t.call(createPtoRequest, { employmentId: atPractice, leaveType: 'vacation', startDate, endDate, hours }, admin());
  await t.call(approvePtoRequest, { id: request.id }, admin());
}

describe('PTO accrual over 14 months', () => {
  it('gives the balances worked out by hand, with the maximum and the carry-over cap', async () => {
    // Practice: started 2026-01-12, waiting 1 month → accrual from 2026-02-12, so March is the first
    // full month. MSO: started 2026-01-01, no waiting → January accrues.
    const steps: [run: string, practice: number, mso: number][] = [
      ['2026-02-01', 0, 8], //      Jan: practice not yet (started on the 12th); MSO 0 + 8 = 8
      ['2026-03-01', 0, 16], //     Feb: practice still waiting (accrual starts Feb 12); MSO 16
      ['2026-04-01', 12.5, 24], //  Mar: practice 0 + 12.5
      ['2026-05-01', 25, 32], //    Apr: 12.5 + 12.5
      ['2026-06-01', 37.5, 40], //  May: 25 + 12.5
      ['2026-07-01', 50, 48], //    Jun: 37.5 + 12.5
    ];
    for (const [run, practice, mso] of steps) {
      await runOn(run);
      expect([run, ...(await balances())]).toEqual([run, practice, mso]);
    }
    await takeLeave('2026-07-02', '2026-07-20', '2026-07-21', 16); // practice 50 − 16 = 34
    expect(await balances()).toEqual([34, 48]);
    const more: [run: string, practice: number, mso: number][] = [
      ['2026-08-01', 46.5, 56], //  Jul: 34 + 12.5
      ['2026-09-01', 59, 64], //    Aug: 46.5 + 12.5
      ['2026-10-01', 60, 72], //    Sep: 59 + 1 (cut to the 60 h maximum, not 12.5)
      ['2026-11-01', 60, 80], //    Oct: at the maximum, + 0
      ['2026-12-01', 60, 88], //    Nov: + 0
    ];
    for (const [run, practice, mso] of more) {
      await runOn(run);
      expect([run, ...(await balances())]).toEqual([run, practice, mso]);
    }
    await takeLeave('2026-12-02', '2026-12-28', '2026-12-28', 8); // practice 60 − 8 = 52
    // The January run: December's accrual, then the year-end cap.
    // Practice: 52 + 8 (cut to 60) = 60, then 60 − 40 cap = 20 forfeited → 40.
    // MSO: 88 + 8 = 96, then 96 − 16 cap = 80 forfeited → 16.
    await runOn('2027-01-01');
    expect(await balances()).toEqual([40, 16]);
    await runOn('2027-01-01'); // a second run of the same fire (a retry, a manual run) writes nothing
    expect(await balances()).toEqual([40, 16]);
    await runOn('2027-02-01'); // Jan 2027: practice 40 + 12.5 = 52.5; MSO 16 + 8 = 24
    expect(await balances()).toEqual([52.5, 24]);
    await runOn('2027-03-01'); // Feb 2027: practice 52.5 + 7.5 (cut to 60) = 60; MSO 24 + 8 = 32
    expect(await balances()).toEqual([60, 32]);

    // The ledger holds every step; the balance is its sum.
    const ledger = await t.call(getPtoBalance, { employmentId: atPractice, leaveType: 'vacation' }, admin());
    expect(ledger.entries.map((e) => `${e.kind} ${e.period ?? e.entryDate} ${e.hours}`)).toEqual([
      'accrual 2026-03 12.5',
      'accrual 2026-04 12.5',
      'accrual 2026-05 12.5',
      'accrual 2026-06 12.5',
      'use 2026-07-20 -16',
      'accrual 2026-07 12.5',
      'accrual 2026-08 12.5',
      'accrual 2026-09 1',
      'accrual 2026-10 0',
      'accrual 2026-11 0',
      'use 2026-12-28 -8',
      'accrual 2026-12 8',
      'carry-over-forfeit 2026 -20',
      'accrual 2027-01 12.5',
      'accrual 2027-02 7.5',
    ]);
    expect(ledger.entries.reduce((sum, e) => sum + Math.round(e.hours * 100), 0) / 100).toBe(ledger.balanceHours);
    expect(ledger.entries.find((e) => e.kind === 'carry-over-forfeit')).toMatchObject({ entryDate: '2027-01-01', reason: 'above the carry-over cap' });
    expect(ledger.entries.find((e) => e.period === '2026-09')).toMatchObject({ entryDate: '2026-09-30', reason: 'at the maximum balance' });
  });
});

describe('PTO accrual in the practice zone', () => {
  it("accrues the month before the practice's local date", async () => {
    const west = await t.practice({ services: ['hr'], timeZone: 'America/Los_Angeles' });
    const person = await t.call(
      createPerson,
      { firstName: 'Noor', lastName: 'Aziz', ssn: '222-33-5555', dateOfBirth: '1992-12-12', employment: { employer: west, title: 'Receptionist', department: 'Front desk', fte: 1, pay: { basis: 'hourly', amountCents: 20_00 }, startDate: '2025-01-06' } },
      { practiceId: west, role: 'practice-admin' },
    );
    await t.call(createPtoPolicy, { employer: west, leaveType: 'vacation', name: 'Vacation', accrualHoursPerMonth: 5 }, { practiceId: west, role: 'practice-admin' });
    const periods = async () => (await t.call(getPtoBalance, { employmentId: person.employments[0]!.id, leaveType: 'vacation' }, { practiceId: west, role: 'practice-admin' })).entries.map((e) => e.period);
    t.clock.set('2027-04-01T06:00:00Z'); // 23:00 on March 31 in Los Angeles: February is the month before
    await t.runJob('pto-accrual');
    expect(await periods()).toEqual(['2027-02']);
    t.clock.set('2027-04-01T08:00:00Z'); // 01:00 on April 1: March
    await t.runJob('pto-accrual');
    await t.runJob('pto-accrual-mso'); // the MSO's run leaves a practice's employments alone
    expect(await periods()).toEqual(['2027-02', '2027-03']);
  });
});
