import { describe, expect, it } from 'vitest';
import { activeDays, basisPointsOf, checkPeriod, computeRun, grossPay, splitLargestRemainder, type PayEmployment } from './payroll.js';

const salaried = (rateCents: number, extra: Partial<PayEmployment> = {}): PayEmployment => ({
  id: crypto.randomUUID(),
  personId: crypto.randomUUID(),
  basis: 'salary',
  rateCents,
  startDate: '2025-01-01',
  endDate: null,
  allocations: [],
  ...extra,
});

describe('gross pay', () => {
  it('divides an annual salary by the periods of the schedule, rounding half up once', () => {
    // $50,000.00 / 24 = 208,333.33… cents; / 26 = 192,307.69…; / 52 = 96,153.846…; / 12 = 416,666.66…
    expect(grossPay({ basis: 'salary', rateCents: 50_000_00 }, 'semi-monthly', 15, 15, null)).toBe(2_083_33);
    expect(grossPay({ basis: 'salary', rateCents: 50_000_00 }, 'biweekly', 14, 14, null)).toBe(1_923_08);
    expect(grossPay({ basis: 'salary', rateCents: 50_000_00 }, 'weekly', 7, 7, null)).toBe(961_54);
    expect(grossPay({ basis: 'salary', rateCents: 50_000_00 }, 'monthly', 30, 30, null)).toBe(4_166_67);
    // Exactly half a cent rounds up: 26 cents a year / 52 = 0.5 → 1; 25 / 52 = 0.48… → 0.
    expect(grossPay({ basis: 'salary', rateCents: 26 }, 'weekly', 7, 7, null)).toBe(1);
    expect(grossPay({ basis: 'salary', rateCents: 25 }, 'weekly', 7, 7, null)).toBe(0);
  });

  it('prorates a salary by the days of the period the employment was active, in one rounding', () => {
    // $60,000 monthly = $5,000.00; 10 of 30 days of June → 166,666.66… → 166,667.
    expect(grossPay({ basis: 'salary', rateCents: 60_000_00 }, 'monthly', 10, 30, null)).toBe(1_666_67);
    expect(activeDays({ startDate: '2026-06-21', endDate: null }, '2026-06-01', '2026-06-30')).toBe(10);
    expect(activeDays({ startDate: '2025-01-01', endDate: '2026-06-05' }, '2026-06-01', '2026-06-30')).toBe(5);
    expect(activeDays({ startDate: '2026-07-01', endDate: null }, '2026-06-01', '2026-06-30')).toBe(0);
  });

  it('pays hours × rate, rounded half up to the cent', () => {
    // 37.5 h × $21.50 = $806.25; 0.01 h × $0.50 = 0.5 cents → 1.
    expect(grossPay({ basis: 'hourly', rateCents: 21_50 }, 'weekly', 7, 7, 37_50)).toBe(806_25);
    expect(grossPay({ basis: 'hourly', rateCents: 50 }, 'weekly', 7, 7, 1)).toBe(1);
    expect(grossPay({ basis: 'hourly', rateCents: 21_50 }, 'weekly', 7, 7, 0)).toBe(0);
  });

  it('takes employer rates in basis points of gross, rounded half up', () => {
    expect(basisPointsOf(2_083_33, 765)).toBe(159_37); // 15,937.4745
    expect(basisPointsOf(200, 25)).toBe(1); // 0.5 → 1
    expect(basisPointsOf(199, 25)).toBe(0);
  });
});

describe('pay periods', () => {
  it('accepts the periods of each schedule and names the field of one that is not', () => {
    expect(() => checkPeriod('monthly', null, '2026-02-01', '2026-02-28')).not.toThrow();
    expect(() => checkPeriod('monthly', null, '2026-02-01', '2026-02-27')).toThrow(expect.objectContaining({ code: 'validation-failed', errors: [expect.objectContaining({ path: '/periodEnd' })] }));
    expect(() => checkPeriod('semi-monthly', null, '2026-02-16', '2026-02-28')).not.toThrow();
    expect(() => checkPeriod('semi-monthly', null, '2026-02-01', '2026-02-15')).not.toThrow();
    expect(() => checkPeriod('semi-monthly', null, '2026-02-02', '2026-02-16')).toThrow(expect.objectContaining({ errors: [expect.objectContaining({ path: '/periodStart' })] }));
    expect(() => checkPeriod('biweekly', '2026-01-05', '2026-02-02', '2026-02-15')).not.toThrow();
    expect(() => checkPeriod('biweekly', '2026-01-05', '2026-02-09', '2026-02-22')).toThrow(expect.objectContaining({ errors: [expect.objectContaining({ path: '/periodStart' })] }));
    expect(() => checkPeriod('weekly', '2026-01-05', '2025-12-29', '2026-01-04')).not.toThrow();
    expect(() => checkPeriod('weekly', '2026-01-05', '2026-01-05', '2026-01-12')).toThrow(expect.objectContaining({ errors: [expect.objectContaining({ path: '/periodEnd' })] }));
  });
});

describe('allocation split', () => {
  it('distributes the cents by largest remainder so the parts sum exactly to the total', () => {
    expect(splitLargestRemainder(100_01, [60, 40])).toEqual([60_01, 40_00]); // 6000.6 / 4000.4
    expect(splitLargestRemainder(100, [33, 33, 34])).toEqual([33, 33, 34]);
    expect(splitLargestRemainder(101, [33, 33, 34])).toEqual([33, 33, 35]); // 33.33, 33.33, 34.34 → the 34's remainder is largest
    expect(splitLargestRemainder(2, [33, 33, 34])).toEqual([1, 0, 1]); // .66, .66, .68: first the 34, then the first listed
    for (const total of [0, 1, 7, 99_999, 1_234_567]) {
      expect(splitLargestRemainder(total, [17, 29, 54]).reduce((a, b) => a + b, 0)).toBe(total);
    }
  });

  it('splits each shared person’s whole cost and sums the parts per practice', () => {
    const a = crypto.randomUUID();
    const b = crypto.randomUUID();
    const shared = salaried(52_000_00, { allocations: [{ practiceId: a, percent: 60 }, { practiceId: b, percent: 40 }] });
    const own = salaried(39_000_00);
    const hourly: PayEmployment = { ...salaried(25_00), basis: 'hourly', allocations: [{ practiceId: b, percent: 100 }] };
    const { lines, totals } = computeRun({ schedule: 'monthly', employerTaxBasisPoints: 765, benefitsBasisPoints: 1_200 }, '2026-06-01', '2026-06-30', [shared, own, hourly], new Map([[hourly.id, 10_00]]));
    // shared: 433,333.33… → 433,333; tax 33,149.97… → 33,150; benefits 52,000 → cost 518,483 → 311,089.8 / 207,393.2 → 311,090 / 207,393.
    expect(lines[0]).toMatchObject({ grossCents: 4_333_33, employerTaxCents: 331_50, benefitsCents: 520_00, costCents: 5_184_83 });
    expect(lines[0]!.allocations).toEqual([{ practiceId: a, costCents: 3_110_90 }, { practiceId: b, costCents: 2_073_93 }]);
    // own: 325,000; tax 24,862.5 → 24,863; benefits 39,000 → 388,863, not allocated.
    expect(lines[1]).toMatchObject({ grossCents: 3_250_00, employerTaxCents: 248_63, benefitsCents: 390_00, costCents: 3_888_63, allocations: [] });
    // hourly: 10 h × $25 = 25,000; tax 1,912.5 → 1,913; benefits 3,000 → 29,913, all to b.
    expect(lines[2]).toMatchObject({ grossCents: 250_00, employerTaxCents: 19_13, benefitsCents: 30_00, costCents: 299_13 });
    expect(totals).toEqual({
      grossCents: 4_333_33 + 3_250_00 + 250_00,
      employerTaxCents: 331_50 + 248_63 + 19_13,
      benefitsCents: 520_00 + 390_00 + 30_00,
      costCents: 5_184_83 + 3_888_63 + 299_13,
      allocations: [
        { practiceId: a, costCents: 3_110_90 },
        { practiceId: b, costCents: 2_073_93 + 299_13 },
      ],
    });
  });
});
