import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { devicesActive, type AssetChange } from './devices.js';
import { feeSplittingWarnings } from './fee-splitting.js';
import { practiceFee, ventureProfit, type FeeBasisData } from './fees.js';
import { allocate, costPlus, percentOf, times } from './money.js';
import { agreementForMonth, inForceDuring, monthBounds } from './period.js';
import { distributionEntry, feeEntries, shareDifferences } from './postings.js';

const data = (over: Partial<FeeBasisData> = {}): FeeBasisData => ({
  netCollectionsCents: 0,
  activeDevices: 0,
  activeEmployees: null,
  directCostsCents: 0,
  sharedStaffCostCents: null,
  ...over,
});

describe('cent arithmetic', () => {
  it('rounds a percentage half up to the cent, once', () => {
    expect(percentOf(1_000_01, 1000)).toBe(100_00); // 10 % of $1,000.01 = $100.001 → $100.00
    expect(percentOf(1_000_05, 1000)).toBe(100_01); // $100.005 → $100.01 (half up)
    expect(percentOf(333, 5000)).toBe(167); // 166.5 → 167
    expect(percentOf(-333, 5000)).toBe(-166); // −166.5 → −166 (towards +∞)
    expect(percentOf(0, 1250)).toBe(0);
  });

  it('stays exact where a float product would not', () => {
    // 9,007,199,254,740,991 × 1 bp: the product passes 2^53.
    expect(percentOf(Number.MAX_SAFE_INTEGER, 1)).toBe(900_719_925_474);
  });

  it('adds a cost-plus markup to the base', () => {
    expect(costPlus(10_000_00, 1500)).toBe(11_500_00);
    expect(costPlus(333, 1000)).toBe(366); // 366.3
    expect(costPlus(5, 1000)).toBe(6); // 5.5 → 6
  });

  it('multiplies a unit price exactly and refuses fractional counts', () => {
    expect(times(45_00, 7)).toBe(315_00);
    expect(() => times(45_00, 1.5)).toThrow(RangeError);
  });

  it('splits an amount by weights so that the parts add up exactly', () => {
    expect(allocate(101, [5000, 5000])).toEqual([51, 50]);
    expect(allocate(100, [3333, 3333, 3334])).toEqual([33, 33, 34]);
    expect(allocate(10_000_00, [6000, 4000])).toEqual([6_000_00, 4_000_00]);
    expect(allocate(-101, [5000, 5000])).toEqual([-51, -50]);
    const parts = allocate(987_654_321, [1234, 4321, 4445]);
    expect(parts.reduce((a, b) => a + b, 0)).toBe(987_654_321);
  });
});

describe('cent arithmetic, for any amounts', () => {
  it('rounds a percentage as Math.round would on the exact product', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 0, max: 10_000 }), (base, bp) => {
        // base × bp stays below 2^53 here, so the float product is exact and Math.round is half up.
        expect(percentOf(base, bp)).toBe(Math.round((base * bp) / 10_000) + 0);
      }),
    );
  });

  it('splits into parts that add up and are each within a cent of their exact share', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 }), fc.array(fc.integer({ min: 1, max: 10_000 }), { minLength: 1, maxLength: 8 }), (total, weights) => {
        const parts = allocate(total, weights);
        const sum = weights.reduce((a, b) => a + b, 0);
        expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
        parts.forEach((p, i) => expect(Math.abs(p - (total * weights[i]!) / sum)).toBeLessThan(1));
      }),
    );
  });
});

describe('fee lines per basis', () => {
  it('takes a percentage of net collections', () => {
    const fee = practiceFee({ model: 'third-party', state: 'OH', fees: [{ service: 'billing', basis: 'percent-of-net-collections', rateBasisPoints: 650 }], ownership: [] }, data({ netCollectionsCents: 12_345_67 }));
    // 6.5 % × $12,345.67 = $802.46855 → $802.47
    expect(fee).toMatchObject({ feeCents: 802_47, lines: [{ service: 'billing', basis: 'percent-of-net-collections', baseCents: 12_345_67, quantity: 1, rateBasisPoints: 650, amountCents: 802_47 }], warnings: [], venture: null });
  });

  it('charges per device and flat, and counts employees as 0 until HR data exists', () => {
    const fee = practiceFee(
      {
        model: 'third-party',
        state: 'OH',
        fees: [
          { service: 'helpdesk', basis: 'per-seat-per-month', amountCents: 35_00 },
          { service: 'hr', basis: 'per-employee-per-month', amountCents: 20_00 },
          { service: 'finance', basis: 'flat-per-month', amountCents: 500_00 },
        ],
        ownership: [],
      },
      data({ activeDevices: 12 }),
    );
    expect(fee.lines.map((l) => [l.basis, l.baseCents, l.quantity, l.amountCents])).toEqual([
      ['per-seat-per-month', 35_00, 12, 420_00],
      ['per-employee-per-month', 20_00, 0, 0],
      ['flat-per-month', 500_00, 1, 500_00],
    ]);
    expect(fee.feeCents).toBe(920_00);
    expect(fee.warnings.map((w) => w.code)).toEqual(['no-hr-data']);
  });

  it('marks up the MSO costs allocated to a captive practice', () => {
    const fee = practiceFee({ model: 'captive-pc', state: 'TX', fees: [{ basis: 'cost-plus-percent', rateBasisPoints: 1250 }], ownership: [] }, data({ directCostsCents: 8_000_01 }));
    // $8,000.01 × 1.125 = $9,000.01125 → $9,000.01
    expect(fee.lines).toEqual([{ service: null, basis: 'cost-plus-percent', baseCents: 8_000_01, quantity: 1, rateBasisPoints: 1250, amountCents: 9_000_01 }]);
    expect(fee.warnings).toMatchObject([{ code: 'no-hr-data' }]);
  });

  it('charges no percentage fee on negative net collections, and says why', () => {
    const fee = practiceFee({ model: 'captive-pc', state: 'TX', fees: [{ basis: 'management-fee-percent', rateBasisPoints: 2000 }], ownership: [] }, data({ netCollectionsCents: -50_00 }));
    expect(fee.feeCents).toBe(0);
    expect(fee.warnings.map((w) => w.code)).toEqual(['negative-net-collections']);
  });

  it('counts a fee without its rate or amount as 0, with a warning', () => {
    const fee = practiceFee({ model: 'third-party', state: 'OH', fees: [{ basis: 'flat-per-month' }], ownership: [] }, data());
    expect(fee.feeCents).toBe(0);
    expect(fee.warnings).toMatchObject([{ code: 'incomplete-fee' }]);
  });
});

describe('fee-splitting risk', () => {
  it('warns for a percentage-of-collections fee in FL and NY only', () => {
    expect(feeSplittingWarnings('FL', ['percent-of-net-collections']).map((w) => w.code)).toEqual(['fee-splitting-risk']);
    expect(feeSplittingWarnings('NY', ['flat-per-month', 'management-fee-percent'])[0]!.message).toContain('management-fee-percent');
    expect(feeSplittingWarnings('FL', ['flat-per-month', 'cost-plus-percent', 'per-seat-per-month'])).toEqual([]);
    expect(feeSplittingWarnings('OH', ['percent-of-net-collections'])).toEqual([]);
  });

  it('puts the warning first on the practice fee', () => {
    const fee = practiceFee({ model: 'third-party', state: 'FL', fees: [{ service: 'billing', basis: 'percent-of-net-collections', rateBasisPoints: 700 }], ownership: [] }, data({ netCollectionsCents: 100_00 }));
    expect(fee.warnings[0]).toMatchObject({ code: 'fee-splitting-risk' });
    expect(fee.feeCents).toBe(7_00);
  });
});

describe('joint-venture profit', () => {
  it('splits fee income less allocated costs by ownership', () => {
    const fee = practiceFee(
      {
        model: 'joint-venture',
        state: 'OH',
        fees: [{ service: 'billing', basis: 'percent-of-net-collections', rateBasisPoints: 800 }],
        ownership: [
          { party: 'MSO Holdings', percent: 51 },
          { party: 'Physician group', percent: 49 },
        ],
      },
      data({ netCollectionsCents: 50_000_00, directCostsCents: 1_000_01 }),
    );
    // Fee 8 % × $50,000.00 = $4,000.00; profit $4,000.00 − $1,000.01 = $2,999.99;
    // 51 % = $1,529.9949, 49 % = $1,469.9951 → floors $1,529.99 + $1,469.99, the cent left goes to the larger remainder (49 %).
    expect(fee.venture).toEqual({
      feeIncomeCents: 4_000_00,
      allocatedCostsCents: 1_000_01,
      profitCents: 2_999_99,
      shares: [
        { party: 'MSO Holdings', percent: 51, amountCents: 1_529_99 },
        { party: 'Physician group', percent: 49, amountCents: 1_470_00 },
      ],
    });
    expect(fee.warnings.map((w) => w.code)).toEqual(['no-hr-data']);
  });

  it('distributes nothing from a loss', () => {
    const v = ventureProfit(100_00, 150_00, [{ party: 'A', percent: 50 }, { party: 'B', percent: 50 }]);
    expect(v).toMatchObject({ profitCents: -50_00, shares: [{ amountCents: 0 }, { amountCents: 0 }] });
    const fee = practiceFee({ model: 'joint-venture', state: 'OH', fees: [{ basis: 'flat-per-month', amountCents: 100_00 }], ownership: [{ party: 'A', percent: 100 }] }, data({ directCostsCents: 150_00, sharedStaffCostCents: 0 }));
    expect(fee.warnings.map((w) => w.code)).toEqual(['venture-loss']);
  });
});

describe('devices active in a month', () => {
  const change = (assetId: string, c: AssetChange['change'], on: string, kind = 'laptop'): AssetChange => ({ assetId, kind, change: c, on, at: new Date(`${on}T12:00:00Z`) });

  it('counts a device on any day of the month, whatever order the changes arrived in', () => {
    const changes = [
      change('a', 'registered', '2026-01-10'), // all of March
      change('b', 'retired', '2026-03-01'), // retired on the 1st: was there that day
      change('b', 'registered', '2026-02-01'),
      change('c', 'registered', '2026-03-31'), // the last day
      change('d', 'registered', '2026-04-01'), // after
      change('e', 'registered', '2026-01-01'),
      change('e', 'retired', '2026-02-28'), // before
      change('f', 'registered', '2026-03-05', 'software-licence'), // not a device
      change('g', 'retired', '2026-03-15'), // known only by its retirement
    ];
    expect(devicesActive(changes, '2026-03-01', '2026-03-31')).toBe(4); // a, b, c, g
  });

  it('follows an asset out of the register and back', () => {
    const changes = [change('a', 'registered', '2026-01-05'), change('a', 'retired', '2026-01-20'), change('a', 'registered', '2026-04-02')];
    expect(devicesActive(changes, '2026-02-01', '2026-02-28')).toBe(0);
    expect(devicesActive(changes, '2026-04-01', '2026-04-30')).toBe(1);
    expect(devicesActive(changes, '2026-01-01', '2026-01-31')).toBe(1);
  });
});

describe('months', () => {
  it('knows month ends, leap years and agreements in force', () => {
    expect(monthBounds('2028-02')).toEqual({ first: '2028-02-01', last: '2028-02-29', next: '2028-03-01' });
    expect(monthBounds('2026-12')).toEqual({ first: '2026-12-01', last: '2026-12-31', next: '2027-01-01' });
    expect(inForceDuring('2026-03', '2026-03-31', null)).toBe(true);
    expect(inForceDuring('2026-03', '2026-04-01', null)).toBe(false);
    expect(inForceDuring('2026-03', '2025-01-01', '2026-02-28')).toBe(false);
    expect(inForceDuring('2026-03', '2025-01-01', '2026-03-01')).toBe(true);
  });
});

describe('the agreement a month is billed under', () => {
  const v = (version: number, effectiveFrom: string, effectiveTo: string | null = null) => ({ version, effectiveFrom, effectiveTo });

  it('takes the latest version in effect by the month’s last day', () => {
    const versions = [v(1, '2026-01-01'), v(2, '2026-04-10'), v(3, '2026-03-15')];
    expect(agreementForMonth('2026-02', versions, null)?.version).toBe(1);
    expect(agreementForMonth('2026-03', versions, null)?.version).toBe(3);
    expect(agreementForMonth('2026-04', versions, null)?.version).toBe(3);
    expect(agreementForMonth('2025-12', versions, null)).toBeNull();
  });

  it('falls back to the current version, and drops a month the agreement no longer covers', () => {
    expect(agreementForMonth('2026-03', [], v(4, '2026-01-01'))?.version).toBe(4);
    expect(agreementForMonth('2026-03', [], v(4, '2026-04-01'))).toBeNull();
    expect(agreementForMonth('2026-03', [v(1, '2025-01-01', '2026-02-28')], null)).toBeNull();
  });
});

describe('entries of a run', () => {
  it('mirrors the fee difference in both books, and a negative one the other way', () => {
    expect(feeEntries('p1', 120_00)).toEqual({
      practice: [
        { account: 'management-fee-expense', debitCents: 120_00 },
        { account: 'due-to-mso', creditCents: 120_00 },
      ],
      mso: [
        { account: 'due-from-practice', debitCents: 120_00, ref: 'p1' },
        { account: 'management-fee-income', creditCents: 120_00, ref: 'p1' },
      ],
    });
    expect(feeEntries('p1', -5_00)!.practice).toEqual([
      { account: 'management-fee-expense', creditCents: 5_00 },
      { account: 'due-to-mso', debitCents: 5_00 },
    ]);
    expect(feeEntries('p1', 0)).toBeNull();
  });

  it('distributes only what changed per owner, balanced', () => {
    const diffs = shareDifferences(
      [
        { party: 'A', percent: 60, amountCents: 600_00 },
        { party: 'B', percent: 40, amountCents: 400_00 },
      ],
      new Map([['A', 540_00], ['B', 400_00]]),
    );
    expect(diffs).toEqual([{ party: 'A', differenceCents: 60_00 }]);
    expect(distributionEntry('p1', diffs)).toEqual([
      { account: 'retained-earnings', debitCents: 60_00, ref: 'p1' },
      { account: 'distributions-payable', creditCents: 60_00, memo: 'A', ref: 'p1' },
    ]);
    expect(distributionEntry('p1', [])).toBeNull();
  });
});
