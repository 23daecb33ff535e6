import { describe, expect, it } from 'vitest';
import { claimTotals, planLines, priceCharges, withQualifiers, type ChargeShape } from './claim-build.js';

const charge = (procedureCode: string, extra: Partial<ChargeShape> = {}): ChargeShape => ({
  procedureCode,
  modifiers: [],
  units: 1,
  chargeCents: null,
  diagnosisPointers: [1],
  serviceDate: '2026-05-20',
  placeOfService: null,
  renderingProviderId: null,
  ...extra,
});

describe('withQualifiers', () => {
  it('marks the first diagnosis principal, in ICD-10-CM from 2015-10-01 and ICD-9-CM before', () => {
    expect(withQualifiers([{ code: 'e11.9' }, { code: 'I10' }], '2026-05-20')).toEqual([
      { code: 'E11.9', qualifier: 'ABK' },
      { code: 'I10', qualifier: 'ABF' },
    ]);
    expect(withQualifiers([{ code: '250.00' }, { code: '401.9' }], '2015-09-30').map((d) => d.qualifier)).toEqual(['BK', 'BF']);
    expect(withQualifiers([{ code: 'E11.9', qualifier: 'ABF' }], '2026-05-20')).toEqual([{ code: 'E11.9', qualifier: 'ABF' }]);
  });
});

describe('priceCharges', () => {
  const fees: Record<string, number> = { '99214': 15_000, '96372': 2_550 };
  const feeOf = (code: string) => fees[code];

  it('prices unpriced charges at the unit fee × units and keeps the charges given', () => {
    const { lines, problems } = priceCharges([charge('99214'), charge('96372', { units: 1.5 }), charge('J3420', { chargeCents: 1_234 })], feeOf);
    expect(problems).toEqual([]);
    expect(lines.map((l) => [l.lineNumber, l.chargeCents])).toEqual([
      [1, 15_000],
      [2, 3_825],
      [3, 1_234],
    ]);
  });

  it('names every charge no schedule prices', () => {
    const { problems } = priceCharges([charge('20610', { modifiers: ['RT'] }), charge('99214'), charge('11102')], feeOf);
    expect(problems.map((p) => p.path)).toEqual(['/charges/0', '/charges/2']);
    expect(problems[0]!.message).toContain('20610 with RT on 2026-05-20');
  });
});

describe('claimTotals', () => {
  it('spans the lines\' dates and sums their charges', () => {
    expect(claimTotals([{ serviceDate: '2026-05-21', chargeCents: 100 }, { serviceDate: '2026-05-19', chargeCents: 250 }], '2026-05-01')).toEqual({ serviceDateFrom: '2026-05-19', serviceDateTo: '2026-05-21', chargeCents: 350 });
  });
});

describe('planLines', () => {
  const stored = [
    { id: 'a', lineNumber: 1, paidCents: 0, adjustmentCents: 0, patientResponsibilityCents: 0 },
    { id: 'b', lineNumber: 2, paidCents: 0, adjustmentCents: 0, patientResponsibilityCents: 0 },
    { id: 'c', lineNumber: 3, paidCents: 1_000, adjustmentCents: 0, patientResponsibilityCents: 0 },
  ];
  const line = (id?: string) => ({ ...(id ? { id } : {}), procedureCode: '99213', units: 1, chargeCents: 100, diagnosisPointers: [1], serviceDate: '2026-05-20' });

  it('keeps lines by id in the order sent, adds new ones and removes the rest, numbering and control numbers following', () => {
    const plan = planLines('CABC', stored, [line('c'), line(), line('a')]);
    expect(plan.problems).toEqual([]);
    expect(plan.upserts.map((u) => [u.id, u.lineNumber, u.lineControlNumber])).toEqual([
      ['c', 1, 'CABC-1'],
      [null, 2, 'CABC-2'],
      ['a', 3, 'CABC-3'],
    ]);
    expect(plan.removed).toEqual(['b']);
  });

  it('refuses to drop a line with a posting, to keep a line of another claim, or the same line twice', () => {
    const plan = planLines('CABC', stored, [line('a'), line('a'), line('zzz')]);
    expect(plan.problems).toEqual([
      { path: '/lines/1/id', message: 'the same line twice' },
      { path: '/lines/2/id', message: 'no such line on this claim' },
      { path: '/lines', message: 'line 3 has postings on it and cannot be removed' },
    ]);
  });
});
