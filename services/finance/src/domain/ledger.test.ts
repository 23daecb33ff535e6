import { describe, expect, it } from 'vitest';
import { fiscalYearPeriods, isDate, lastDayOf, normalizeLines, postingDate, reversingLines } from './ledger.js';
import { closeRefusal, closingLines } from './periods.js';
import { csv, decimal } from './reports.js';

describe('ledger rules', () => {
  it('moves a date in a closed period to the first day of the next open one', () => {
    expect(postingDate('2026-02-27', new Set())).toEqual({ date: '2026-02-27', period: '2026-02' });
    expect(postingDate('2026-02-27', new Set(['2026-02', '2026-03']))).toEqual({ date: '2026-04-01', period: '2026-04', shiftedFrom: '2026-02' });
    expect(postingDate('2025-12-31', new Set(['2025-12']))).toEqual({ date: '2026-01-01', period: '2026-01', shiftedFrom: '2025-12' });
  });

  it('normalises lines: negatives to the other side, zeros dropped, unbalanced named', () => {
    expect(normalizeLines([{ account: 'cash', debitCents: -500 }, { account: 'insurance-ar', creditCents: -500 }, { account: 'denials', debitCents: 0 }]).lines).toEqual([
      { account: 'cash', debitCents: 0, creditCents: 500 },
      { account: 'insurance-ar', debitCents: 500, creditCents: 0 },
    ]);
    expect(normalizeLines([{ account: 'cash', debitCents: 5 }, { account: 'gross-charges', creditCents: 4 }]).problems).toEqual([{ path: '/lines', message: 'debits (5) and credits (4) differ' }]);
    expect(normalizeLines([{ account: 'cash', debitCents: 1.5 }, { account: 'gross-charges', creditCents: 1.5 }]).problems[0]).toEqual({ path: '/lines/0/debitCents', message: 'must be a whole number of cents' });
    expect(normalizeLines([{ account: 'cash', debitCents: 0 }]).problems[0]!.message).toMatch(/at least one line/);
    expect(reversingLines([{ account: 'cash', debitCents: 7, creditCents: 0 }])).toEqual([{ account: 'cash', debitCents: 0, creditCents: 7 }]);
  });

  it('knows months and fiscal years', () => {
    expect(isDate('2026-02-29')).toBe(false);
    expect(isDate('2028-02-29')).toBe(true);
    expect(lastDayOf('2028-02')).toBe('2028-02-29');
    expect(fiscalYearPeriods(2026, 7)).toEqual(['2025-07', '2025-08', '2025-09', '2025-10', '2025-11', '2025-12', '2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06']);
  });

  it('closes a period only when it is over, balanced and nothing is pending', () => {
    const facts = { period: '2026-02', today: '2026-03-01', closed: false, debitCents: 10, creditCents: 10, balanceMismatches: 0, eraClearingCents: 0 };
    expect(closeRefusal(facts)).toBeNull();
    expect(closeRefusal({ ...facts, today: '2026-02-28' })).toMatch(/not over/);
    expect(closeRefusal({ ...facts, eraClearingCents: 300 })).toMatch(/pending/);
    expect(closeRefusal({ ...facts, closed: true })).toMatch(/already closed/);
  });

  it('closes revenue and expenses into retained earnings', () => {
    const acct = (id: string, type: 'revenue' | 'expense' | 'asset', debitCents: number, creditCents: number) => ({ id, key: null, code: id, name: id, type, normalSide: 'debit' as const, system: false, debitCents, creditCents });
    expect(closingLines([acct('rev', 'revenue', 100, 1_100), acct('exp', 'expense', 300, 0), acct('cash', 'asset', 700, 0)])).toEqual({
      lines: [
        { account: 'rev', debitCents: 1_000, creditCents: 0 },
        { account: 'exp', debitCents: 0, creditCents: 300 },
        { account: 'retained-earnings', debitCents: 0, creditCents: 700 },
      ],
      netIncomeCents: 700,
    });
  });

  it('writes CSV amounts exactly, and keeps formulas as text', () => {
    expect([decimal(0), decimal(5), decimal(-5), decimal(123_456)]).toEqual(['0.00', '0.05', '-0.05', '1234.56']);
    expect(csv(['a', 'b'], [['=SUM(A1)', 'x,"y"'], [null, -1]])).toBe('a,b\r\n\'=SUM(A1),"x,""y"""\r\n,-1\r\n');
  });
});
