import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidNpi } from './npi.js';
import { formatCents, formatDecimal, isoToDate8, parseCents, parseDate8, parseDecimalRange } from './values.js';

describe('money is parsed exactly into integer cents', () => {
  it.each([
    ['34', 3400],
    ['34.5', 3450],
    ['34.50', 3450],
    ['-12.00', -1200],
    ['.5', 50],
    ['-.05', -5],
    ['0', 0],
    ['0.01', 1],
    ['12.500', 1250],
    ['34.', 3400],
    ['9999999999999.99', 999999999999999],
  ])('%s → %i cents', (text, cents) => {
    expect(parseCents(text)).toBe(cents);
  });

  it('-0 and -0.00 are 0, not negative zero', () => {
    expect(Object.is(parseCents('-0'), 0)).toBe(true);
    expect(Object.is(parseCents('-0.00'), 0)).toBe(true);
  });

  it.each(['', '.', '-', '1,000', '1.005', '12.341', '+5', '1e3', ' 5', '5 ', '1.2.3', 'abc', '12a', '--1', '99999999999999'])(
    'rejects %j',
    (text) => {
      expect(parseCents(text)).toBeNaN();
    },
  );

  it('formatCents writes minimal X12 decimals', () => {
    expect([0, 5, 50, 200, 250, 52024, -1200, 46110].map(formatCents)).toEqual(['0', '.05', '.5', '2', '2.5', '520.24', '-12', '461.1']);
    expect(() => formatCents(1.5)).toThrow(RangeError);
  });

  it('parseCents(formatCents(n)) is n for any amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: -999_999_999_999, max: 999_999_999_999 }), (n) => {
        expect(parseCents(formatCents(n))).toBe(n);
      }),
    );
  });

  it('non-money decimals round-trip through formatDecimal', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.integer({ min: 0, max: 3 }), (n, scale) => {
        const v = n / 10 ** scale;
        const s = formatDecimal(v);
        expect(s).not.toMatch(/e/);
        expect(parseDecimalRange(s, 0, s.length)).toBe(v === 0 ? 0 : v);
      }),
    );
    expect(formatDecimal(0.5)).toBe('.5');
    expect(parseDecimalRange('1.00', 0, 4)).toBe(1);
    expect(parseDecimalRange('1,0', 0, 3)).toBeNaN();
  });
});

describe('dates', () => {
  it('reads CCYYMMDD into ISO and rejects impossible dates', () => {
    expect(parseDate8('20240229')).toBe('2024-02-29');
    expect(parseDate8('20230229')).toBeUndefined();
    expect(parseDate8('20002316')).toBeUndefined();
    expect(parseDate8('2024011')).toBeUndefined();
    expect(parseDate8('2024-1-1')).toBeUndefined();
    expect(parseDate8('19000229')).toBeUndefined();
    expect(parseDate8('20000229')).toBe('2000-02-29');
    expect(isoToDate8('2024-03-01')).toBe('20240301');
    expect(isoToDate8('2024-13-01')).toBeUndefined();
    expect(isoToDate8('20240301')).toBeUndefined();
  });
});

describe('isValidNpi', () => {
  it('accepts NPIs with a correct check digit and rejects others', () => {
    expect(isValidNpi('1234567893')).toBe(true);
    expect(isValidNpi('1245319599')).toBe(true);
    expect(isValidNpi('1234567890')).toBe(false);
    expect(isValidNpi('2366554859')).toBe(false);
    expect(isValidNpi('123456789')).toBe(false);
    expect(isValidNpi('12345678931')).toBe(false);
    expect(isValidNpi('123456789X')).toBe(false);
    expect(isValidNpi('')).toBe(false);
  });

  it('exactly one check digit completes any nine digits (Luhn over 80840 + digits)', () => {
    const luhn = (digits: string): boolean => {
      let sum = 0;
      for (let i = 0; i < digits.length; i++) {
        let d = Number(digits[digits.length - 1 - i]);
        if (i % 2 === 1) {
          d *= 2;
          if (d > 9) d -= 9;
        }
        sum += d;
      }
      return sum % 10 === 0;
    };
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{9}$/), (nine) => {
        const valid = [...'0123456789'].filter((c) => isValidNpi(nine + c));
        expect(valid).toHaveLength(1);
        expect(luhn(`80840${nine}${valid[0]}`)).toBe(true);
      }),
    );
  });
});
