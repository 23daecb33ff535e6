import { describe, expect, it } from 'vitest';
import { accrualFor, accrualStart, carryOverForfeit, checkCovered, checkPolicy, checkRequestShape, lastDayOf, monthAccrues, monthBefore, toHours, toHundredths, transition } from './pto.js';

const rules = { accrualHundredths: 1250, waitingMonths: 0, waitingDays: 0, carryOverCapHundredths: 4000, maxBalanceHundredths: 6000 };

describe('hours', () => {
  it('keeps hours as integer hundredths, exact both ways', () => {
    expect([toHundredths(6.67), toHundredths(0.1), toHundredths(12.5), toHundredths(-8.25)]).toEqual([667, 10, 1250, -825]);
    // 0.1 + 0.2 in floats is 0.30000000000000004; summed as hundredths it is 30.
    expect(toHours(toHundredths(0.1) + toHundredths(0.2))).toBe(0.3);
  });
});

describe('accrual start and months', () => {
  it('starts after the waiting months, then days', () => {
    expect(accrualStart('2026-01-31', { waitingMonths: 1, waitingDays: 0 })).toBe('2026-02-28');
    expect(accrualStart('2026-01-12', { waitingMonths: 0, waitingDays: 90 })).toBe('2026-04-12');
    expect(accrualStart('2026-01-12', { waitingMonths: 3, waitingDays: 1 })).toBe('2026-04-13');
  });

  it('accrues a month in full only when accrual started by its first day and the employment lasted to its last', () => {
    const employment = { startDate: '2026-01-12', endDate: null };
    expect(monthAccrues(employment, rules, '2026-01')).toBe(false);
    expect(monthAccrues(employment, rules, '2026-02')).toBe(true);
    expect(monthAccrues({ startDate: '2026-01-01', endDate: null }, rules, '2026-01')).toBe(true);
    expect(monthAccrues(employment, { ...rules, waitingMonths: 1 }, '2026-02')).toBe(false); // starts 2026-02-12
    expect(monthAccrues(employment, { ...rules, waitingMonths: 1 }, '2026-03')).toBe(true);
    expect(monthAccrues({ startDate: '2026-01-01', endDate: '2026-05-30' }, rules, '2026-05')).toBe(false);
    expect(monthAccrues({ startDate: '2026-01-01', endDate: '2026-05-31' }, rules, '2026-05')).toBe(true);
  });

  it('accrues, on a run, the month before', () => {
    expect([monthBefore('2026-03-01'), monthBefore('2027-01-01'), monthBefore('2026-03-17')]).toEqual(['2026-02', '2026-12', '2026-02']);
    expect([lastDayOf('2026-02'), lastDayOf('2028-02'), lastDayOf('2026-12')]).toEqual(['2026-02-28', '2028-02-29', '2026-12-31']);
  });
});

describe('maximum balance and carry-over', () => {
  it('cuts the accrual at the maximum balance and stops there', () => {
    expect(accrualFor(0, rules)).toBe(1250);
    expect(accrualFor(5900, rules)).toBe(100); // 60 − 59 = 1 hour
    expect(accrualFor(6000, rules)).toBe(0);
    expect(accrualFor(6500, rules)).toBe(0); // above it after a policy change: nothing, never a negative accrual
    expect(accrualFor(-800, rules)).toBe(1250); // leave taken in advance
    expect(accrualFor(1_000_000, { ...rules, maxBalanceHundredths: null })).toBe(1250);
  });

  it('forfeits what is above the cap at year end, nothing at or below it', () => {
    expect(carryOverForfeit(6000, rules)).toBe(2000);
    expect(carryOverForfeit(4000, rules)).toBe(0);
    expect(carryOverForfeit(-500, rules)).toBe(0);
    expect(carryOverForfeit(10_000, { carryOverCapHundredths: null })).toBe(0);
    expect(carryOverForfeit(10_000, { carryOverCapHundredths: 0 })).toBe(10_000); // use it or lose it
  });

  it('refuses a carry-over cap above the maximum balance', () => {
    expect(() => checkPolicy({ carryOverCapHundredths: 8000, maxBalanceHundredths: 6000 })).toThrow(expect.objectContaining({ code: 'validation-failed', errors: [expect.objectContaining({ path: '/carryOverCapHours' })] }));
    expect(() => checkPolicy({ carryOverCapHundredths: 6000, maxBalanceHundredths: 6000 })).not.toThrow();
  });
});

describe('requests', () => {
  it('refuses hours above the available balance unless the policy allows negative', () => {
    expect(() => checkCovered(801, 800, false)).toThrow(expect.objectContaining({ code: 'unprocessable', status: 422, errors: [expect.objectContaining({ path: '/hours' })] }));
    expect(() => checkCovered(800, 800, false)).not.toThrow();
    expect(() => checkCovered(5000, 800, true)).not.toThrow();
  });

  it('checks dates and at most 24 hours a day', () => {
    expect(() => checkRequestShape({ startDate: '2026-07-21', endDate: '2026-07-20', hundredths: 800 })).toThrow(expect.objectContaining({ errors: [expect.objectContaining({ path: '/endDate' })] }));
    expect(() => checkRequestShape({ startDate: '2026-07-20', endDate: '2026-07-21', hundredths: 4801 })).toThrow(expect.objectContaining({ errors: [expect.objectContaining({ path: '/hours' })] }));
    expect(() => checkRequestShape({ startDate: '2026-07-20', endDate: '2026-07-21', hundredths: 4800 })).not.toThrow();
  });

  it('moves pending to approved or rejected, and pending or approved to cancelled', () => {
    expect([transition('pending', 'approve'), transition('pending', 'reject'), transition('pending', 'cancel'), transition('approved', 'cancel')]).toEqual(['approved', 'rejected', 'cancelled', 'cancelled']);
    for (const [from, action] of [['approved', 'approve'], ['rejected', 'cancel'], ['cancelled', 'cancel'], ['approved', 'reject']] as const) {
      expect(() => transition(from, action)).toThrow(expect.objectContaining({ code: 'conflict' }));
    }
  });
});
