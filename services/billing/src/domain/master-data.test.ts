import { describe, expect, it } from 'vitest';
import { coverageProblems, coveragesOn, feeEntryProblems, inEffect, lookupFee, modifiersKey, npiProblem, orderClash, overlaps, type CoverageShape, type FeeEntryShape } from './master-data.js';

describe('npiProblem', () => {
  it('accepts a valid NPI and names what is wrong with others', () => {
    expect(npiProblem('1234567893')).toBeNull();
    expect(npiProblem('1234567890')).toBe('the NPI check digit is wrong');
    expect(npiProblem('123456789')).toBe('an NPI is exactly 10 digits');
  });
});

describe('periods', () => {
  it('include both ends; null is open-ended', () => {
    expect(inEffect({ from: '2026-01-01', to: '2026-12-31' }, '2026-12-31')).toBe(true);
    expect(inEffect({ from: '2026-01-01', to: '2026-12-31' }, '2027-01-01')).toBe(false);
    expect(inEffect({ from: '2026-01-01', to: null }, '2040-01-01')).toBe(true);
    expect(inEffect({ from: '2026-01-01', to: null }, '2025-12-31')).toBe(false);
  });
  it('overlap when they share a day', () => {
    expect(overlaps({ from: '2026-01-01', to: '2026-06-30' }, { from: '2026-06-30', to: null })).toBe(true);
    expect(overlaps({ from: '2026-01-01', to: '2026-06-30' }, { from: '2026-07-01', to: null })).toBe(false);
    expect(overlaps({ from: '2026-07-01', to: null }, { from: '2026-01-01', to: null })).toBe(true);
  });
});

const self: CoverageShape = { relationship: 'self', subscriber: null, order: 'primary', effectiveFrom: '2026-01-01', effectiveTo: null };
const spouse = { firstName: 'Ana', lastName: 'Diaz', dateOfBirth: '1980-02-03', sex: 'F' as const, address: { line1: '1 Main St', city: 'Tampa', state: 'FL', postalCode: '33601' } };

describe('coverage rules', () => {
  it('wants subscriber demographics exactly when the patient is not the subscriber', () => {
    expect(coverageProblems(self)).toEqual([]);
    expect(coverageProblems({ ...self, relationship: 'spouse' })).toEqual([{ path: '/subscriber', message: expect.stringContaining('required') }]);
    expect(coverageProblems({ ...self, relationship: 'spouse', subscriber: spouse })).toEqual([]);
    expect(coverageProblems({ ...self, subscriber: spouse })).toEqual([{ path: '/subscriber', message: expect.stringContaining('no separate subscriber') }]);
  });
  it('refuses a period that ends before it starts', () => {
    expect(coverageProblems({ ...self, effectiveTo: '2025-12-31' })).toEqual([{ path: '/effectiveTo', message: 'ends before it starts' }]);
  });
  it('finds another coverage of the same order on some of the same days', () => {
    const old = { ...self, id: 'a', effectiveTo: '2026-03-31' };
    expect(orderClash({ ...self, effectiveFrom: '2026-04-01' }, [old])).toBeUndefined();
    expect(orderClash({ ...self, effectiveFrom: '2026-03-31' }, [old])).toBe(old);
    expect(orderClash({ ...self, order: 'secondary' }, [old])).toBeUndefined();
    // Itself, when updating.
    expect(orderClash({ ...old }, [old])).toBeUndefined();
  });
  it('lists the coverages in effect on a date, primary first', () => {
    const secondary = { ...self, order: 'secondary' as const, id: 's' };
    const primary = { ...self, id: 'p' };
    const ended = { ...self, order: 'tertiary' as const, id: 't', effectiveTo: '2026-01-31' };
    expect(coveragesOn([secondary, ended, primary], '2026-02-01').map((c) => c.id)).toEqual(['p', 's']);
  });
});

const entry = (code: string, modifiers: string[], from: string, to: string | null, id = `${code}-${from}`): FeeEntryShape & { id: string } => ({ id, code, modifiersKey: modifiersKey(modifiers), effectiveFrom: from, effectiveTo: to });

describe('fee lookup', () => {
  const payer = [entry('99213', [], '2026-01-01', '2026-06-30', 'p-old'), entry('99213', [], '2026-07-01', null, 'p-new'), entry('99213', ['25', '59'], '2026-01-01', null, 'p-mod')];
  const fallback = [entry('99213', [], '2025-01-01', null, 'd-99213'), entry('99214', [], '2025-01-01', null, 'd-99214'), entry('99214', ['25'], '2025-01-01', null, 'd-99214-25')];

  it("takes the payer's fee in effect on the date of service", () => {
    expect(lookupFee(payer, fallback, '99213', [], '2026-06-30')).toEqual({ entry: payer[0], fromDefault: false });
    expect(lookupFee(payer, fallback, '99213', [], '2026-07-01')).toEqual({ entry: payer[1], fromDefault: false });
  });
  it('matches the modifiers as a set', () => {
    expect(lookupFee(payer, fallback, '99213', ['59', '25'], '2026-03-01')?.entry.id).toBe('p-mod');
    expect(lookupFee(payer, fallback, '99213', ['25'], '2026-03-01')).toBeUndefined();
  });
  it('falls back to the default schedule, and to nothing', () => {
    expect(lookupFee(payer, fallback, '99214', [], '2026-03-01')).toEqual({ entry: fallback[1], fromDefault: true });
    expect(lookupFee(payer, fallback, '99214', ['25'], '2026-03-01')?.entry.id).toBe('d-99214-25');
    expect(lookupFee(payer, fallback, '99213', [], '2025-06-01')).toEqual({ entry: fallback[0], fromDefault: true });
    expect(lookupFee(payer, fallback, '99215', [], '2026-03-01')).toBeUndefined();
    expect(lookupFee([], [], '99213', [], '2026-03-01')).toBeUndefined();
  });
  it('refuses new fees that overlap each other or the schedule for the same code and modifiers', () => {
    expect(feeEntryProblems([{ code: '99213', effectiveFrom: '2026-08-01' }], payer)).toEqual([{ path: '/entries/0', message: expect.stringContaining('already in effect') }]);
    expect(feeEntryProblems([{ code: '99213', modifiers: ['25'], effectiveFrom: '2026-08-01' }], payer)).toEqual([]);
    expect(
      feeEntryProblems(
        [
          { code: '99211', effectiveFrom: '2026-01-01', effectiveTo: '2026-12-31' },
          { code: '99211', effectiveFrom: '2026-12-31' },
        ],
        [],
      ),
    ).toEqual([{ path: '/entries/1', message: expect.any(String) }]);
    expect(feeEntryProblems([{ code: '99211', effectiveFrom: '2026-02-01', effectiveTo: '2026-01-01' }], [])).toEqual([{ path: '/entries/0/effectiveTo', message: 'ends before it starts' }]);
  });
});
